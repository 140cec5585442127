//! The three KPI shapes of KPIS.md — totals, gap-filled series, breakdowns —
//! each read inside one read-only snapshot so that all its pieces agree, and
//! on PostgreSQL under row-level security scoped to the tenant.

use super::buckets::{Granularity, series};
use super::counters::{CounterSet, Counters, c};
use super::query::{Dimension, GroupKey, KpiFilter, aggregate};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, FixedOffset, Utc};
use std::cmp::Ordering;
use uuid::Uuid;

/// A half-open time range `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Range {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Range {
    /// A range; `BAD_USER_INPUT` unless `from < to`.
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> ApiResult<Self> {
        if from >= to {
            return Err(ApiError::invalid("range", "`from` must be before `to`"));
        }
        Ok(Self { from, to })
    }
}

/// Numbers with the instant they are exact for.
#[derive(Debug, Clone, Copy)]
pub struct Snapshot<T> {
    pub value: T,
    pub as_of: DateTime<Utc>,
}

/// Runs `aggregate` in a read-only, repeatable-read transaction.
async fn read(
    db: &Db,
    tenant: Uuid,
    ranges: &[(DateTime<Utc>, DateTime<Utc>)],
    filter: &KpiFilter,
    dimension: Option<Dimension>,
    set: CounterSet,
) -> ApiResult<Snapshot<super::query::Sums>> {
    // Row-level security as a second wall behind `aggregate`'s own filter.
    let txn = db.begin_tenant_read(tenant).await?;
    let as_of = Utc::now();
    let sums = aggregate(&txn, tenant, ranges, filter, dimension, set).await?;
    txn.commit().await?;
    Ok(Snapshot { value: sums, as_of })
}

/// KPIs over the whole range (the counters of `set`; the others are 0).
pub async fn totals(
    db: &Db,
    tenant: Uuid,
    range: Range,
    filter: &KpiFilter,
    set: CounterSet,
) -> ApiResult<Snapshot<Counters>> {
    let sums = read(db, tenant, &[(range.from, range.to)], filter, None, set).await?;
    let value = sums
        .value
        .get(&(0, GroupKey::All))
        .copied()
        .unwrap_or_default();
    Ok(Snapshot {
        value,
        as_of: sums.as_of,
    })
}

/// One point per bucket intersecting the range, empty buckets included.
pub async fn series_of(
    db: &Db,
    tenant: Uuid,
    range: Range,
    granularity: Granularity,
    zone: chrono_tz::Tz,
    filter: &KpiFilter,
    set: CounterSet,
) -> ApiResult<Snapshot<Vec<(DateTime<FixedOffset>, Counters)>>> {
    let buckets = series(range.from, range.to, zone, granularity).ok_or_else(|| {
        ApiError::invalid(
            "granularity",
            format!(
                "more than {} buckets; narrow the range",
                super::buckets::MAX_BUCKETS
            ),
        )
    })?;
    let ranges: Vec<_> = buckets.iter().map(|b| (b.from, b.to)).collect();
    let sums = read(db, tenant, &ranges, filter, None, set).await?;
    let value = buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            (
                b.start,
                sums.value
                    .get(&(i, GroupKey::All))
                    .copied()
                    .unwrap_or_default(),
            )
        })
        .collect();
    Ok(Snapshot {
        value,
        as_of: sums.as_of,
    })
}

/// A group's sort key: its text, `None` for the group without a value.
pub fn key_text(key: &GroupKey, global_id: impl Fn(Dimension, Uuid) -> String) -> Option<String> {
    use sea_orm::ActiveEnum;
    match key {
        GroupKey::All => None,
        GroupKey::Agent(id) => id.map(|id| global_id(Dimension::Agent, id)),
        GroupKey::Campaign(id) => id.map(|id| global_id(Dimension::Campaign, id)),
        GroupKey::Direction(d) => d.map(|d| d.to_value()),
        GroupKey::Provider(p) => Some(p.clone()),
        GroupKey::Status(s) => Some(s.to_value()),
    }
}

/// One group per value with calls in range, ordered by `totalCalls`
/// descending, then key in code-point order, the `None` key last.
pub async fn breakdown(
    db: &Db,
    tenant: Uuid,
    range: Range,
    dimension: Dimension,
    filter: &KpiFilter,
    set: CounterSet,
    global_id: impl Fn(Dimension, Uuid) -> String,
) -> ApiResult<Snapshot<Vec<(Option<String>, GroupKey, Counters)>>> {
    let sums = read(
        db,
        tenant,
        &[(range.from, range.to)],
        filter,
        Some(dimension),
        set,
    )
    .await?;
    let mut groups: Vec<(Option<String>, GroupKey, Counters)> = sums
        .value
        .into_iter()
        .filter(|(_, counters)| counters[c::TOTAL] > 0)
        .map(|((_, key), counters)| (key_text(&key, &global_id), key, counters))
        .collect();
    groups.sort_by(|a, b| {
        b.2[c::TOTAL]
            .cmp(&a.2[c::TOTAL])
            .then_with(|| match (&a.0, &b.0) {
                (Some(x), Some(y)) => x.as_bytes().cmp(y.as_bytes()),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            })
    });
    Ok(Snapshot {
        value: groups,
        as_of: sums.as_of,
    })
}

/// KPIs of each of `ids` (agents or campaigns) in one read; ids without
/// calls get zeros.
pub async fn per_member(
    db: &Db,
    tenant: Uuid,
    range: Range,
    dimension: Dimension,
    filter: &KpiFilter,
    set: CounterSet,
    ids: &[Uuid],
) -> ApiResult<Snapshot<std::collections::HashMap<Uuid, Counters>>> {
    let mut scoped = filter.clone();
    let restrict = |given: &Option<Vec<Uuid>>| -> Vec<Uuid> {
        match given {
            Some(list) => ids.iter().copied().filter(|id| list.contains(id)).collect(),
            None => ids.to_vec(),
        }
    };
    match dimension {
        Dimension::Agent => scoped.agents = Some(restrict(&filter.agents)),
        Dimension::Campaign => scoped.campaigns = Some(restrict(&filter.campaigns)),
        _ => {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "per_member works on agents and campaigns"
            )));
        }
    }
    let sums = read(
        db,
        tenant,
        &[(range.from, range.to)],
        &scoped,
        Some(dimension),
        set,
    )
    .await?;
    let value = sums
        .value
        .into_iter()
        .filter_map(|((_, key), counters)| match key {
            GroupKey::Agent(Some(id)) | GroupKey::Campaign(Some(id)) => Some((id, counters)),
            _ => None,
        })
        .collect();
    Ok(Snapshot {
        value,
        as_of: sums.as_of,
    })
}
