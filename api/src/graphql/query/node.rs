//! `node(id)`: any object of the tenant by its opaque global id.

use crate::auth::Capability;
use crate::domain::{GlobalId, NodeKind};
use crate::graphql::ContextExt;
use crate::graphql::loaders::{
    AgentByIdLoader, CallByIdLoader, CampaignByIdLoader, ContactByIdLoader, FollowUpByIdLoader,
};
use crate::graphql::types::{Agent, Call, Campaign, Contact, FollowUp, Node, by_id};
use crate::tenant as service;
use async_graphql::{Context, ID, Object, Result};

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global id, if it belongs to the caller's tenant;
    /// null for any other id, whoever it belongs to.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let access = ctx.access(Capability::ReadCalls)?;
        let tenant = access.tenant;
        let Some(global) = GlobalId::decode(&id) else {
            return Ok(None);
        };
        if !matches!(global.kind, NodeKind::Call | NodeKind::Tenant) {
            ctx.tenant(Capability::Read)?;
        }
        let id = Some(global.id);
        Ok(match global.kind {
            NodeKind::Agent => by_id::<AgentByIdLoader>(ctx, id)
                .await?
                .map(|row| Node::Agent(Agent::from(row))),
            NodeKind::Call => by_id::<CallByIdLoader>(ctx, id)
                .await?
                .filter(|row| access.sees_call_of(row.agent_id))
                .map(|row| Node::Call(Call::from(row))),
            NodeKind::Campaign => by_id::<CampaignByIdLoader>(ctx, id)
                .await?
                .map(|row| Node::Campaign(Campaign::from(row))),
            NodeKind::Contact => by_id::<ContactByIdLoader>(ctx, id)
                .await?
                .map(|row| Node::Contact(Contact::from(row))),
            NodeKind::FollowUp => by_id::<FollowUpByIdLoader>(ctx, id)
                .await?
                .map(|row| Node::FollowUp(FollowUp::from(row))),
            NodeKind::Tenant if global.id == tenant.uuid() => {
                let row = service::find_tenant(ctx.db()?.conn(), tenant).await?;
                Some(Node::Tenant(row.into()))
            }
            NodeKind::Tenant | NodeKind::ApiKey | NodeKind::User => None,
        })
    }
}
