//! GraphQL object types, mapped from entity rows (never the rows themselves,
//! so a new column is never exposed by accident), the list filters, and the
//! connections that page through them.

mod agent;
mod api_key;
mod call;
mod call_detail;
mod campaign;
mod connection;
mod contact;
mod filters;
mod follow_up;
mod kpi;
mod lead_profile;
pub(crate) mod leaves;
mod node;
mod scalars;
mod tenant;
mod user;

pub use agent::Agent;
pub use api_key::{ApiKey, CreateApiKeyPayload};
pub use call::{Call, CallsArgs, calls_of};
pub use call_detail::{CallEvent, CallNote, LeadAnalysis, Transcript, TranscriptSegment};
pub use campaign::Campaign;
pub use connection::{
    AgentConnection, CallConnection, CampaignConnection, ContactConnection, Count,
    FollowUpConnection, TotalCount, connection, page_request,
};
pub use contact::Contact;
pub use filters::{
    AgentFilterInput, CallFilterInput, CampaignFilterInput, ContactFilterInput, FollowUpFilterInput,
};
pub use follow_up::FollowUp;
pub use kpi::{
    Granularity, KpiDimension, KpiFilterInput, KpiGroup, KpiPoint, Kpis, TimeRangeInput,
};
pub use lead_profile::{LeadProfile, LeadScorePoint, ScoreTrend};
pub use node::Node;
pub use scalars::DateTimeUtc;
pub use tenant::{CreateTenantPayload, Tenant};
pub use user::{
    AuditEntry, AuditLogPage, Author, InviteUserPayload, SignInPayload, TenantUsage, User,
};

use crate::auth::Capability;
use crate::domain::TenantId;
use crate::graphql::ContextExt;
use async_graphql::dataloader::Loader;
use async_graphql::{Context, Result};
use uuid::Uuid;

/// Loads the value `T` keeps for `id` of the caller's tenant (`None` for no
/// id); batched with every sibling field asking the same loader.
pub async fn by_id<T>(ctx: &Context<'_>, id: Option<Uuid>) -> Result<Option<T::Value>>
where
    T: Loader<(TenantId, Uuid), Error = async_graphql::Error>,
{
    let Some(id) = id else {
        return Ok(None);
    };
    // Rows reached from calls (their agent, contact, details) need only
    // ReadCalls; root lookups of other objects ask for Read first.
    let tenant = ctx.tenant(Capability::ReadCalls)?;
    ctx.loader::<T>()?.load_one((tenant, id)).await
}

/// Loads what `T` keeps for call `call` of the caller's tenant.
pub async fn by_call<T>(ctx: &Context<'_>, call: Uuid) -> Result<Option<T::Value>>
where
    T: Loader<(TenantId, Uuid), Error = async_graphql::Error>,
{
    by_id::<T>(ctx, Some(call)).await
}
