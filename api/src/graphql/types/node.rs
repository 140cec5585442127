//! `Node`: every object that `node(id:)` can fetch by its global id.

use super::{Agent, Call, Campaign, Contact, FollowUp, Tenant};
use async_graphql::{ID, Interface};

/// An object with an opaque global id (Relay object identification).
// One value per `node` field; boxing the big variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Interface)]
#[graphql(field(name = "id", ty = "&ID", desc = "The object's opaque global id."))]
pub enum Node {
    Agent(Agent),
    Call(Call),
    Campaign(Campaign),
    Contact(Contact),
    FollowUp(FollowUp),
    Tenant(Tenant),
}
