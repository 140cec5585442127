//! `agents`, `agent(id)`: the tenant's calling agents.

use crate::auth::Capability;
use crate::domain::{GlobalId, NodeKind};
use crate::error::ApiError;
use crate::graphql::ContextExt;
use crate::graphql::loaders::AgentByIdLoader;
use crate::graphql::types::{
    Agent, AgentConnection, AgentFilterInput, Count, by_id, connection, page_request,
};
use crate::read::cursor::List;
use crate::read::directory::{self, AGENT_ORDER, AgentFilter, agent_cursor};
use async_graphql::{Context, ID, Object, Result};

#[derive(Default)]
pub struct AgentQuery;

#[Object]
impl AgentQuery {
    /// The tenant's agents by name (then id).
    async fn agents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<AgentFilterInput>,
    ) -> Result<AgentConnection> {
        let tenant = ctx.tenant(Capability::Read)?;
        let page = page_request(ctx, List::Agents, first, after, last, before)?;
        let filter = AgentFilter::from(filter.unwrap_or_default());
        let select = directory::agents(tenant, &filter);
        let rows = AGENT_ORDER
            .page(ctx.db()?.conn(), select, &page)
            .await
            .map_err(ApiError::from)?;
        let count = Count::Agents(tenant, filter);
        Ok(connection(rows, agent_cursor, Agent::from, count))
    }

    /// One agent of the tenant; null for any other id.
    async fn agent(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Agent>> {
        ctx.tenant(Capability::Read)?;
        let id = GlobalId::decode_as(&id, NodeKind::Agent);
        Ok(by_id::<AgentByIdLoader>(ctx, id).await?.map(Agent::from))
    }
}
