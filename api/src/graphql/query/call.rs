//! `calls`, `call(id)`: the tenant's calls, newest first.

use crate::auth::Capability;
use crate::domain::{GlobalId, NodeKind};
use crate::error::ApiError;
use crate::graphql::ContextExt;
use crate::graphql::loaders::CallByIdLoader;
use crate::graphql::types::leaves::Mixed;
use crate::graphql::types::{
    Call, CallConnection, CallFilterInput, Count, by_id, connection, page_request,
};
use crate::read::calls;
use crate::read::cursor::List;
use async_graphql::{Context, ID, Object, Result};

#[derive(Default)]
pub struct CallQuery;

#[Object]
impl CallQuery {
    /// The tenant's calls by `initiatedAt`, newest first (then by id); calls
    /// whose initiation is not known yet come last.
    async fn calls(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<CallFilterInput>,
    ) -> Result<CallConnection> {
        let access = ctx.access(Capability::ReadCalls)?;
        let tenant = access.tenant;
        let page = page_request(ctx, List::Calls, first, after, last, before)?;
        let mut filter = filter.unwrap_or_default().resolve(ctx, tenant).await?;
        filter.agent_ids = access.restrict_agents(filter.agent_ids);
        let rows = calls::page(ctx.db()?.conn(), tenant, &filter, &page)
            .await
            .map_err(ApiError::from)?;
        Ok(connection(
            rows,
            calls::cursor,
            |row| Mixed(Call::from(row)),
            Count::Calls(tenant, filter),
        ))
    }

    /// One call of the tenant; null for any other id (and, for an AGENT
    /// user, for another agent's call).
    async fn call(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Mixed<Call>>> {
        let access = ctx.access(Capability::ReadCalls)?;
        let id = GlobalId::decode_as(&id, NodeKind::Call);
        Ok(by_id::<CallByIdLoader>(ctx, id)
            .await?
            .filter(|call| access.sees_call_of(call.agent_id))
            .map(|call| Mixed(Call::from(call))))
    }
}
