//! Call lists: the tenant's calls, or the calls of many agents, contacts or
//! campaigns at once, filtered and paged in one statement either way.
//!
//! Order: `initiatedAt` descending, then id descending; calls whose
//! initiation is not known yet come last. Pages per parent use a LATERAL
//! join on PostgreSQL (each parent's page is an index range scan) and
//! `ROW_NUMBER() OVER (PARTITION BY ...)` on SQLite, which has no LATERAL.

use super::call_filter::CallFilter;
use super::cursor::{Cursor, List, SortValue};
use super::keyset::Keyset;
use super::page::{Page, PageRequest};
use super::rows::TenantOwned;
use crate::domain::TenantId;
use crate::kpi::counters::{CounterSet, c as kpi_c};
use crate::kpi::{GroupKey, KpiFilter, aggregate};
use chrono::{TimeZone, Utc};
use entity::call;
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, JoinType, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, FromQueryResult, PaginatorTrait, QueryFilter,
    QuerySelect, QueryTrait, Select,
};
use std::cmp::Ordering;
use std::collections::HashMap;
use uuid::Uuid;

/// The order of every call list.
pub const ORDER: Keyset<call::Column> = Keyset {
    key: call::Column::InitiatedAt,
    id: call::Column::Id,
    descending: true,
    nullable: true,
};

/// A call's place in a call list.
pub fn cursor(row: &call::Model) -> Cursor {
    Cursor {
        list: List::Calls,
        key: SortValue::Time(row.initiated_at),
        id: row.id,
    }
}

/// What a nested call list hangs off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallParent {
    Agent,
    Contact,
    Campaign,
}

impl CallParent {
    fn column(self) -> call::Column {
        match self {
            Self::Agent => call::Column::AgentId,
            Self::Contact => call::Column::ContactId,
            Self::Campaign => call::Column::CampaignId,
        }
    }

    fn of(self, row: &call::Model) -> Option<Uuid> {
        match self {
            Self::Agent => row.agent_id,
            Self::Contact => row.contact_id,
            Self::Campaign => row.campaign_id,
        }
    }
}

fn filtered(tenant: TenantId, filter: &CallFilter, backend: DbBackend) -> Select<call::Entity> {
    call::Entity::of_tenant(tenant).filter(filter.condition(tenant, backend))
}

/// One page of the tenant's calls.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    filter: &CallFilter,
    page: &PageRequest,
) -> Result<Page<call::Model>, DbErr> {
    let select = filtered(tenant, filter, db.get_database_backend());
    let rows = ORDER.apply(select, page).all(db).await?;
    Ok(page.finish(rows))
}

/// How many of the tenant's calls match. Filters the KPI rollups can answer
/// (time range, direction, agents, campaigns) are counted from them, which
/// costs the same for ten calls as for ten million; others count rows.
pub async fn count<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    filter: &CallFilter,
) -> Result<u64, DbErr> {
    let rollups_can_answer = filter.statuses.is_none()
        && filter.contact_phone.is_none()
        && filter.lead_tags.is_none()
        && filter.min_duration_seconds.is_none()
        && filter.tags.is_none();
    if !rollups_can_answer {
        return filtered(tenant, filter, db.get_database_backend())
            .count(db)
            .await;
    }
    let kpi_filter = KpiFilter {
        agents: filter.agent_ids.clone(),
        campaigns: filter.campaign_ids.clone(),
        direction: filter.direction,
        providers: None,
    };
    // Far enough apart to hold every call whose initiation is known.
    let from = filter
        .from
        .unwrap_or_else(|| Utc.with_ymd_and_hms(1000, 1, 1, 0, 0, 0).unwrap());
    let to = filter
        .to
        .unwrap_or_else(|| Utc.with_ymd_and_hms(9000, 1, 1, 0, 0, 0).unwrap());
    let sums = aggregate(
        db,
        tenant.uuid(),
        &[(from, to)],
        &kpi_filter,
        None,
        CounterSet::TOTAL,
    )
    .await
    .map_err(|e| DbErr::Custom(format!("counting calls from rollups: {e:#}")))?;
    let known = sums.get(&(0, GroupKey::All)).map_or(0, |c| c[kpi_c::TOTAL]);
    // Calls whose initiation is unknown are listed (last) unless a time
    // range is given; rollups do not hold them.
    let unknown = if filter.from.is_none() && filter.to.is_none() {
        filtered(tenant, filter, db.get_database_backend())
            .filter(call::Column::InitiatedAt.is_null())
            .count(db)
            .await?
    } else {
        0
    };
    Ok(u64::try_from(known).unwrap_or(0) + unknown)
}

/// The same page of each parent's calls, by parent id (parents without
/// calls are absent).
pub async fn pages_by_parent<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    parent: CallParent,
    parents: &[Uuid],
    filter: &CallFilter,
    page: &PageRequest,
) -> Result<HashMap<Uuid, Page<call::Model>>, DbErr> {
    if parents.is_empty() {
        return Ok(HashMap::new());
    }
    let backend = db.get_database_backend();
    let select = filtered(tenant, filter, backend);
    let column = (call::Entity, parent.column());
    let outer = Alias::new("page");
    let statement = if backend == DbBackend::Postgres {
        let parent_row = Alias::new("parent");
        let one =
            select.filter(Expr::col(column).equals((parent_row.clone(), Alias::new("column1"))));
        Query::select()
            .column((outer.clone(), Asterisk))
            .from_values(parents.iter().copied(), parent_row)
            .join_lateral(
                JoinType::InnerJoin,
                ORDER.apply(one, page).into_query(),
                outer,
                Expr::cust("TRUE"),
            )
            .to_owned()
    } else {
        let ranked = select
            .filter(super::uuid_in(
                Expr::col(column),
                parents.iter().copied(),
                backend,
            ))
            .filter(ORDER.bounds(page))
            .into_query()
            .expr_as(
                Expr::cust(row_number(parent, page.forward)),
                Alias::new("rn"),
            )
            .to_owned();
        Query::select()
            .column(Asterisk)
            .from_subquery(ranked, outer)
            .and_where(Expr::col(Alias::new("rn")).lte(page.fetch()))
            .to_owned()
    };
    let mut grouped: HashMap<Uuid, Vec<call::Model>> = HashMap::new();
    for row in db.query_all(&statement).await? {
        let call = call::Model::from_query_result(&row, "")?;
        if let Some(parent_id) = parent.of(&call) {
            grouped.entry(parent_id).or_default().push(call);
        }
    }
    Ok(grouped
        .into_iter()
        .map(|(parent_id, mut rows)| {
            rows.sort_by(|a, b| fetch_order(a, b, page.forward));
            (parent_id, page.finish(rows))
        })
        .collect())
}

/// How many of each parent's calls match, by parent id.
pub async fn counts_by_parent<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    parent: CallParent,
    parents: &[Uuid],
    filter: &CallFilter,
) -> Result<HashMap<Uuid, u64>, DbErr> {
    let column = parent.column();
    let backend = db.get_database_backend();
    let counts: Vec<(Uuid, i64)> = filtered(tenant, filter, backend)
        .filter(super::uuid_in(
            Expr::col(column),
            parents.iter().copied(),
            backend,
        ))
        .select_only()
        .column(column)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .group_by(column)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
        .collect())
}

/// `ROW_NUMBER()` over each parent's calls in fetch order.
fn row_number(parent: CallParent, forward: bool) -> String {
    let parent = match parent {
        CallParent::Agent => "agent_id",
        CallParent::Contact => "contact_id",
        CallParent::Campaign => "campaign_id",
    };
    let order = if forward {
        r#""calls"."initiated_at" DESC NULLS LAST, "calls"."id" DESC"#
    } else {
        r#""calls"."initiated_at" ASC NULLS FIRST, "calls"."id" ASC"#
    };
    format!(r#"ROW_NUMBER() OVER (PARTITION BY "calls"."{parent}" ORDER BY {order})"#)
}

/// Fetch order: list order when paging forward, its reverse otherwise.
fn fetch_order(a: &call::Model, b: &call::Model, forward: bool) -> Ordering {
    let list_order = match (a.initiated_at, b.initiated_at) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
    .then_with(|| b.id.cmp(&a.id));
    if forward {
        list_order
    } else {
        list_order.reverse()
    }
}
