//! Relay connections: opaque cursors, the page arguments every list takes,
//! and `totalCount`, counted only when a query selects it.

use super::leaves::Mixed;
use super::{Agent, Call, Campaign, Contact, FollowUp};
use crate::domain::TenantId;
use crate::error::ApiResult;
use crate::graphql::ContextExt;
use crate::graphql::loaders::{CallCountByParentLoader, CallsOf};
use crate::read::call_filter::CallFilter;
use crate::read::calls;
use crate::read::cursor::{Cursor, List};
use crate::read::directory::{self, AgentFilter, CampaignFilter, ContactFilter, FollowUpFilter};
use crate::read::page::{Page, PageArgs, PageRequest};
use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{Context, Object, OutputType, Result};
use sea_orm::PaginatorTrait;

impl CursorType for Cursor {
    type Error = &'static str;

    // Cursors are read by `PageRequest::parse`, which knows their list.
    fn decode_cursor(_: &str) -> Result<Self, Self::Error> {
        Err("cursors are read with their list")
    }

    fn encode_cursor(&self) -> String {
        self.encode()
    }
}

/// Agents, a page at a time.
pub type AgentConnection = Connection<Cursor, Agent, TotalCount>;
/// Campaigns, a page at a time.
pub type CampaignConnection = Connection<Cursor, Campaign, TotalCount>;
/// Contacts, a page at a time.
pub type ContactConnection = Connection<Cursor, Contact, TotalCount>;
/// Calls, a page at a time.
pub type CallConnection = Connection<Cursor, Mixed<Call>, TotalCount>;
/// Follow-ups, a page at a time.
pub type FollowUpConnection = Connection<Cursor, FollowUp, TotalCount>;

/// The Relay arguments of a list field, checked for `list`.
pub fn page_request(
    ctx: &Context<'_>,
    list: List,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> ApiResult<PageRequest> {
    let args = PageArgs {
        first,
        after,
        last,
        before,
    };
    PageRequest::parse(list, &args, ctx.page_limits()?)
}

/// A connection over `page`, whose `totalCount` counts `count` if asked.
pub fn connection<M, N: OutputType>(
    page: Page<M>,
    cursor: fn(&M) -> Cursor,
    node: impl Fn(M) -> N,
    count: Count,
) -> Connection<Cursor, N, TotalCount> {
    let mut connection =
        Connection::with_additional_fields(page.has_previous, page.has_next, TotalCount(count));
    connection.edges = page
        .rows
        .into_iter()
        .map(|row| Edge::new(cursor(&row), node(row)))
        .collect();
    connection
}

/// The whole list a connection pages through, to count it.
pub enum Count {
    Agents(TenantId, AgentFilter),
    Campaigns(TenantId, CampaignFilter),
    Contacts(TenantId, ContactFilter),
    FollowUps(TenantId, FollowUpFilter),
    Calls(TenantId, CallFilter),
    /// A nested call list, counted in batches with its siblings.
    CallsOf(CallsOf),
}

/// The `totalCount` of a connection, computed only when selected.
pub struct TotalCount(Count);

#[Object]
impl TotalCount {
    /// How many items the whole list holds, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let conn = ctx.db()?.conn();
        let count = match &self.0 {
            Count::Agents(tenant, filter) => directory::agents(*tenant, filter).count(conn).await,
            Count::Campaigns(tenant, filter) => {
                directory::campaigns(*tenant, filter).count(conn).await
            }
            Count::Contacts(tenant, filter) => {
                directory::contacts(*tenant, filter).count(conn).await
            }
            Count::FollowUps(tenant, filter) => {
                directory::follow_ups(*tenant, filter).count(conn).await
            }
            Count::Calls(tenant, filter) => calls::count(conn, *tenant, filter).await,
            Count::CallsOf(key) => {
                let loader = ctx.loader::<CallCountByParentLoader>()?;
                return Ok(loader.load_one(key.clone()).await?.unwrap_or(0));
            }
        };
        Ok(count.map_err(crate::error::ApiError::from)?)
    }
}
