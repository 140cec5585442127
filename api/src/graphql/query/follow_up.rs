//! `followUps`, `followUp(id)`: follow-ups scheduled for contacts.

use crate::auth::Capability;
use crate::domain::{GlobalId, NodeKind};
use crate::error::ApiError;
use crate::graphql::ContextExt;
use crate::graphql::loaders::FollowUpByIdLoader;
use crate::graphql::types::{
    Count, FollowUp, FollowUpConnection, FollowUpFilterInput, by_id, connection, page_request,
};
use crate::read::cursor::List;
use crate::read::directory::{self, FOLLOW_UP_ORDER, FollowUpFilter, follow_up_cursor};
use async_graphql::{Context, ID, Object, Result};

#[derive(Default)]
pub struct FollowUpQuery;

#[Object]
impl FollowUpQuery {
    /// The tenant's follow-ups, soonest due first (then by id).
    async fn follow_ups(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<FollowUpFilterInput>,
    ) -> Result<FollowUpConnection> {
        let tenant = ctx.tenant(Capability::Read)?;
        let page = page_request(ctx, List::FollowUps, first, after, last, before)?;
        let filter = FollowUpFilter::try_from(filter.unwrap_or_default())?;
        let select = directory::follow_ups(tenant, &filter);
        let rows = FOLLOW_UP_ORDER
            .page(ctx.db()?.conn(), select, &page)
            .await
            .map_err(ApiError::from)?;
        let count = Count::FollowUps(tenant, filter);
        Ok(connection(rows, follow_up_cursor, FollowUp::from, count))
    }

    /// One follow-up of the tenant; null for any other id.
    async fn follow_up(&self, ctx: &Context<'_>, id: ID) -> Result<Option<FollowUp>> {
        ctx.tenant(Capability::Read)?;
        let id = GlobalId::decode_as(&id, NodeKind::FollowUp);
        Ok(by_id::<FollowUpByIdLoader>(ctx, id)
            .await?
            .map(FollowUp::from))
    }
}
