//! Query roots, one per area, merged.

mod agent;
mod call;
mod campaign;
mod contact;
mod follow_up;
mod kpi;
mod node;
mod operator;
mod tenant;
mod user;

use async_graphql::MergedObject;

/// The query root.
#[derive(MergedObject, Default)]
pub struct Query(
    tenant::TenantQuery,
    node::NodeQuery,
    agent::AgentQuery,
    campaign::CampaignQuery,
    contact::ContactQuery,
    call::CallQuery,
    follow_up::FollowUpQuery,
    kpi::KpiQuery,
    user::UserQuery,
    operator::OperatorQuery,
);
