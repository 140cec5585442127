//! `callboard rollups rebuild|verify`: recompute rollups from calls and
//! effective analyses, one tenant day at a time (so memory stays bounded;
//! a day's 15-minute and daily rows both lie inside it, and its monthly rows
//! are summed over the month's days), and either store them or compare them
//! with what is stored.

use super::buckets::{day_start, month_start, next_day};
use super::counters::{COLUMNS, Counters};
use super::query::effective_analyses;
use super::upkeep::{MONTH_GRAIN, RollupDelta};
use crate::db::Db;
use crate::ingest::lock_tenant;
use anyhow::Context;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entity::call;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IsolationLevel, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use std::collections::BTreeMap;
use uuid::Uuid;

const TABLES: [(&str, &[&str]); 3] = [
    ("kpi_totals", &[]),
    ("kpi_agent_rollups", &["agent_id"]),
    (
        "kpi_rollups",
        &["agent_id", "campaign_id", "direction", "provider", "status"],
    ),
];

/// A rollup row's identity, as text, for comparisons and reports.
pub type RowKey = (&'static str, i16, i64, Vec<String>);

async fn day_span<C: ConnectionTrait>(
    db: &C,
    tenant: Uuid,
    zone: Tz,
) -> anyhow::Result<Option<(DateTime<Utc>, DateTime<Utc>)>> {
    let first: Option<Option<DateTime<Utc>>> = call::Entity::find()
        .select_only()
        .column(call::Column::InitiatedAt)
        .filter(call::Column::TenantId.eq(tenant))
        .filter(call::Column::InitiatedAt.is_not_null())
        .order_by_asc(call::Column::InitiatedAt)
        .into_tuple()
        .one(db)
        .await?;
    let last: Option<Option<DateTime<Utc>>> = call::Entity::find()
        .select_only()
        .column(call::Column::InitiatedAt)
        .filter(call::Column::TenantId.eq(tenant))
        .filter(call::Column::InitiatedAt.is_not_null())
        .order_by_desc(call::Column::InitiatedAt)
        .into_tuple()
        .one(db)
        .await?;
    Ok(match (first.flatten(), last.flatten()) {
        (Some(a), Some(b)) => Some(days_around(a, b, zone)),
        _ => None,
    })
}

/// From the start of the day of `first` to the end of the day of `last`.
fn days_around(
    first: DateTime<Utc>,
    last: DateTime<Utc>,
    zone: Tz,
) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        day_start(first, zone),
        next_day(day_start(last, zone), zone),
    )
}

/// The rollup changes that the calls initiated in the tenant day starting
/// at `day` make.
async fn recompute_day<C: ConnectionTrait>(
    db: &C,
    tenant: Uuid,
    zone: Tz,
    day: DateTime<Utc>,
) -> anyhow::Result<(RollupDelta, u64)> {
    let calls = call::Entity::find()
        .filter(call::Column::TenantId.eq(tenant))
        .filter(call::Column::InitiatedAt.gte(day))
        .filter(call::Column::InitiatedAt.lt(next_day(day, zone)))
        .all(db)
        .await
        .context("reading calls")?;
    let analyses = effective_analyses(db, tenant, calls.iter().map(|c| c.id).collect()).await?;
    let mut delta = RollupDelta::new(zone);
    for c in &calls {
        delta.add(c, analyses.get(&c.id), 1);
    }
    Ok((delta, calls.len() as u64))
}

/// Recomputes every rollup of `tenant`; returns the number of calls counted.
pub async fn rebuild(db: &Db, tenant: Uuid) -> anyhow::Result<u64> {
    let (txn, _gate) = db.begin_write().await?;
    lock_tenant(&txn, tenant)
        .await
        .map_err(anyhow::Error::from)?;
    for (table, _) in TABLES {
        let delete = Query::delete()
            .from_table(Alias::new(table))
            .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant))
            .to_owned();
        txn.execute(&delete).await?;
    }
    let zone = super::rollup_zone(&txn, tenant).await?;
    let mut counted = 0;
    if let Some((mut day, end)) = day_span(&txn, tenant, zone).await? {
        while day < end {
            let (delta, calls) = recompute_day(&txn, tenant, zone, day).await?;
            delta.apply(&txn, tenant).await?;
            counted += calls;
            day = next_day(day, zone);
        }
    }
    txn.commit().await?;
    Ok(counted)
}

/// The stored rows with buckets in `[start, end)`: of the monthly grain
/// when `months`, else of the others.
async fn stored_rows<C: ConnectionTrait>(
    db: &C,
    tenant: Uuid,
    (start, end): (i64, i64),
    months: bool,
) -> anyhow::Result<BTreeMap<RowKey, Counters>> {
    let mut out = BTreeMap::new();
    for (table, dims) in TABLES {
        let col = |c: &str| Expr::col(Alias::new(c));
        let mut q = Query::select();
        q.from(Alias::new(table)).columns(
            ["grain", "bucket"]
                .iter()
                .chain(dims.iter())
                .chain(COLUMNS.iter())
                .map(|c| Alias::new(*c)),
        );
        q.and_where(col("tenant_id").eq(tenant))
            .and_where(if months {
                col("grain").eq(MONTH_GRAIN)
            } else {
                col("grain").ne(MONTH_GRAIN)
            })
            .and_where(col("bucket").gte(start))
            .and_where(col("bucket").lt(end));
        for row in db.query_all(&q).await? {
            let mut counters = Counters::default();
            for (i, c) in COLUMNS.iter().enumerate() {
                counters.0[i] = row.try_get("", c)?;
            }
            if counters.is_zero() {
                continue;
            }
            let mut keys = Vec::new();
            for d in dims {
                keys.push(match *d {
                    "agent_id" | "campaign_id" => row.try_get::<Uuid>("", d)?.to_string(),
                    _ => row.try_get::<String>("", d)?,
                });
            }
            out.insert(
                (
                    table,
                    row.try_get("", "grain")?,
                    row.try_get("", "bucket")?,
                    keys,
                ),
                counters,
            );
        }
    }
    Ok(out)
}

/// Compares stored rollups of `tenant` with a recomputation; returns one
/// line per difference (empty when they agree).
pub async fn verify(db: &Db, tenant: Uuid) -> anyhow::Result<Vec<String>> {
    // One snapshot, so that writes landing meanwhile cannot show up as
    // differences.
    let isolation = (db.backend() == DbBackend::Postgres).then_some(IsolationLevel::RepeatableRead);
    let txn = db.conn().begin_with_config(isolation, None).await?;
    let conn = &txn;
    let mut differences = Vec::new();
    let zone = super::rollup_zone(conn, tenant).await?;
    let calls_span = day_span(conn, tenant, zone).await?;
    let stored_span = stored_bucket_span(conn, tenant, zone).await?;
    let span = match (calls_span, stored_span) {
        (Some(a), Some(b)) => Some((Ord::min(a.0, b.0), Ord::max(a.1, b.1))),
        (a, b) => a.or(b),
    };
    let Some((first_day, end)) = span else {
        txn.commit().await?;
        return Ok(differences);
    };
    // Quarter-hour and daily rows are compared day by day; monthly rows once
    // their days are all summed.
    let mut months: BTreeMap<RowKey, Counters> = BTreeMap::new();
    let mut day = first_day;
    while day < end {
        let (delta, _) = recompute_day(conn, tenant, zone, day).await?;
        let mut expected = BTreeMap::new();
        for (key, counters) in delta.rows() {
            if key.1 == MONTH_GRAIN {
                *months.entry(key).or_default() += &counters;
            } else {
                expected.insert(key, counters);
            }
        }
        let span = (day.timestamp(), next_day(day, zone).timestamp());
        let stored = stored_rows(conn, tenant, span, false).await?;
        compare(&expected, &stored, &mut differences);
        day = next_day(day, zone);
    }
    let span = (month_start(first_day, zone).timestamp(), end.timestamp());
    let stored = stored_rows(conn, tenant, span, true).await?;
    compare(&months, &stored, &mut differences);
    txn.commit().await?;
    Ok(differences)
}

/// One line for each row where `stored` differs from `expected` (zero rows
/// count as absent).
fn compare(
    expected: &BTreeMap<RowKey, Counters>,
    stored: &BTreeMap<RowKey, Counters>,
    differences: &mut Vec<String>,
) {
    for (key, want) in expected.iter().filter(|(_, c)| !c.is_zero()) {
        match stored.get(key) {
            Some(have) if have == want => {}
            Some(have) => differences.push(format!(
                "{key:?}: stored {:?} != recomputed {:?}",
                have.0, want.0
            )),
            None => differences.push(format!("{key:?}: missing (recomputed {:?})", want.0)),
        }
    }
    for (key, have) in stored {
        if expected.get(key).is_none_or(Counters::is_zero) {
            differences.push(format!(
                "{key:?}: stored {:?} but no call counts there",
                have.0
            ));
        }
    }
}

async fn stored_bucket_span<C: ConnectionTrait>(
    db: &C,
    tenant: Uuid,
    zone: Tz,
) -> anyhow::Result<Option<(DateTime<Utc>, DateTime<Utc>)>> {
    let q = Query::select()
        .expr_as(
            Func::min(Expr::col(Alias::new("bucket"))),
            Alias::new("first"),
        )
        .expr_as(
            Func::max(Expr::col(Alias::new("bucket"))),
            Alias::new("last"),
        )
        .from(Alias::new("kpi_totals"))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant))
        .to_owned();
    let Some(row) = db.query_one(&q).await? else {
        return Ok(None);
    };
    let (first, last): (Option<i64>, Option<i64>) =
        (row.try_get("", "first")?, row.try_get("", "last")?);
    Ok(
        match (
            first.and_then(|f| DateTime::from_timestamp(f, 0)),
            last.and_then(|l| DateTime::from_timestamp(l, 0)),
        ) {
            (Some(a), Some(b)) => Some(days_around(a, b, zone)),
            _ => None,
        },
    )
}
