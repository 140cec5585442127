//! Rollup upkeep: the write path subtracts a call's old contribution and
//! adds its new one, in the same transaction as the write, so a query right
//! after a mutation sees it.

use super::buckets::{QUARTER, day_start, month_start, next_day, next_month};
use super::counters::{COLUMNS, Counters, contribution};
use crate::ingest::bulk::{Columns, Conflict};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entity::{call, lead_analysis};
use sea_orm::sea_query::{Alias, Expr, Query, SimpleExpr, Value};
use sea_orm::{ActiveEnum, ConnectionTrait, DbBackend, DbErr};
use std::collections::HashMap;
use uuid::Uuid;

/// The 15-minute rollup grain (buckets are UTC quarter-hours).
pub const QUARTER_GRAIN: i16 = 0;
/// The daily rollup grain: buckets are the tenant's local days, keyed by
/// the instant their local midnight falls on.
pub const DAY_GRAIN: i16 = 1;
/// The monthly rollup grain: buckets are the tenant's local months, keyed
/// like the daily bucket of their first day.
pub const MONTH_GRAIN: i16 = 2;
/// Every grain, each call counted once in each.
pub const GRAINS: [i16; 3] = [QUARTER_GRAIN, DAY_GRAIN, MONTH_GRAIN];

/// The full set of dimensions a call is rolled up by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dims {
    pub agent: Uuid,
    pub campaign: Uuid,
    pub direction: String,
    pub provider: String,
    pub status: String,
}

impl Dims {
    /// A call's dimensions; "none" is the nil UUID or the empty string.
    pub fn of(call: &call::Model) -> Self {
        Self {
            agent: call.agent_id.unwrap_or_default(),
            campaign: call.campaign_id.unwrap_or_default(),
            direction: call.direction.map(|d| d.to_value()).unwrap_or_default(),
            provider: call.provider.clone(),
            status: call.status.to_value(),
        }
    }
}

/// Pending changes to the three rollup tables of one tenant.
#[derive(Debug)]
pub struct RollupDelta {
    /// The tenant's time zone: where its days start.
    zone: Tz,
    /// The last day and month looked up, `[start, end)` in epoch seconds:
    /// calls of a batch mostly share a few days.
    day: (i64, i64),
    month: (i64, i64),
    totals: HashMap<(i16, i64), Counters>,
    agents: HashMap<(i16, i64, Uuid), Counters>,
    full: HashMap<(i16, i64, Dims), Counters>,
}

impl RollupDelta {
    /// No changes yet, for a tenant whose days are those of `zone`.
    pub fn new(zone: Tz) -> Self {
        Self {
            zone,
            day: (0, 0),
            month: (0, 0),
            totals: HashMap::new(),
            agents: HashMap::new(),
            full: HashMap::new(),
        }
    }

    /// The daily bucket of an instant: its local day's start.
    fn day_bucket(&mut self, at: DateTime<Utc>) -> i64 {
        bucket_in(&mut self.day, at, self.zone, day_start, next_day)
    }

    /// The monthly bucket of an instant: its local month's start.
    fn month_bucket(&mut self, at: DateTime<Utc>) -> i64 {
        bucket_in(&mut self.month, at, self.zone, month_start, next_month)
    }

    /// Adds (`sign` 1) or removes (`sign` -1) a call's contribution.
    pub fn add(&mut self, call: &call::Model, analysis: Option<&lead_analysis::Model>, sign: i64) {
        let (Some(at), Some(counters)) = (call.initiated_at, contribution(call, analysis)) else {
            return;
        };
        let counters = if sign < 0 {
            Counters::default().minus(&counters)
        } else {
            counters
        };
        let dims = Dims::of(call);
        let quarter = at.timestamp().div_euclid(QUARTER) * QUARTER;
        let day = self.day_bucket(at);
        let month = self.month_bucket(at);
        for (grain, bucket) in [
            (QUARTER_GRAIN, quarter),
            (DAY_GRAIN, day),
            (MONTH_GRAIN, month),
        ] {
            *self.totals.entry((grain, bucket)).or_default() += &counters;
            *self.agents.entry((grain, bucket, dims.agent)).or_default() += &counters;
            *self.full.entry((grain, bucket, dims.clone())).or_default() += &counters;
        }
    }

    /// Replaces a call's old contribution by its new one.
    pub fn replace(
        &mut self,
        before: (&call::Model, Option<&lead_analysis::Model>),
        after: (&call::Model, Option<&lead_analysis::Model>),
    ) {
        self.add(before.0, before.1, -1);
        self.add(after.0, after.1, 1);
    }

    /// The changes as rows keyed like `rebuild::RowKey`.
    pub fn rows(&self) -> Vec<(super::rebuild::RowKey, Counters)> {
        let mut out = Vec::new();
        for ((grain, bucket), c) in &self.totals {
            out.push((("kpi_totals", *grain, *bucket, vec![]), *c));
        }
        for ((grain, bucket, agent), c) in &self.agents {
            out.push((
                (
                    "kpi_agent_rollups",
                    *grain,
                    *bucket,
                    vec![agent.to_string()],
                ),
                *c,
            ));
        }
        for ((grain, bucket, d), c) in &self.full {
            let keys = vec![
                d.agent.to_string(),
                d.campaign.to_string(),
                d.direction.clone(),
                d.provider.clone(),
                d.status.clone(),
            ];
            out.push((("kpi_rollups", *grain, *bucket, keys), *c));
        }
        out
    }

    /// Writes the changes (upserts that add to existing rows), each table's
    /// rows in key order: two writers that add to the same rows lock them
    /// in the same order, so neither waits on the other in a cycle
    /// (`ingest::Writers::Shared`).
    pub async fn apply<C: ConnectionTrait>(self, db: &C, tenant: Uuid) -> Result<(), DbErr> {
        let totals: Vec<_> = sorted(self.totals)
            .map(|((grain, bucket), c)| (vec![grain.into(), bucket.into()], c))
            .collect();
        upsert(db, tenant, "kpi_totals", &[], totals).await?;
        let agents: Vec<_> = sorted(self.agents)
            .map(|((grain, bucket, agent), c)| (vec![grain.into(), bucket.into(), agent.into()], c))
            .collect();
        upsert(db, tenant, "kpi_agent_rollups", &["agent_id"], agents).await?;
        let full: Vec<_> = sorted(self.full)
            .map(|((grain, bucket, d), c)| {
                let keys: Vec<Value> = vec![
                    grain.into(),
                    bucket.into(),
                    d.agent.into(),
                    d.campaign.into(),
                    d.direction.into(),
                    d.provider.into(),
                    d.status.into(),
                ];
                (keys, c)
            })
            .collect();
        upsert(
            db,
            tenant,
            "kpi_rollups",
            &["agent_id", "campaign_id", "direction", "provider", "status"],
            full,
        )
        .await
    }
}

/// The changes that are not zero, in key order.
fn sorted<K: Ord>(changes: HashMap<K, Counters>) -> impl Iterator<Item = (K, Counters)> {
    let mut rows: Vec<(K, Counters)> = changes.into_iter().filter(|(_, c)| !c.is_zero()).collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    rows.into_iter()
}

/// The start of the bucket (`start` of it, ending at `next` of that) that
/// holds `at`, through `last`, the `[start, end)` in epoch seconds of the
/// bucket looked up last: the calls of a batch mostly share a few.
fn bucket_in(
    last: &mut (i64, i64),
    at: DateTime<Utc>,
    zone: Tz,
    start: fn(DateTime<Utc>, Tz) -> DateTime<Utc>,
    next: fn(DateTime<Utc>, Tz) -> DateTime<Utc>,
) -> i64 {
    let t = at.timestamp();
    if !(last.0..last.1).contains(&t) {
        let first = start(at, zone);
        *last = (first.timestamp(), next(first, zone).timestamp());
    }
    last.0
}

/// `INSERT ... ON CONFLICT (key) DO UPDATE SET c = c + excluded.c`: one
/// statement with a column of values per key and counter on PostgreSQL
/// (`ingest::bulk`), multi-row statements on SQLite.
async fn upsert<C: ConnectionTrait>(
    db: &C,
    tenant: Uuid,
    table: &'static str,
    dims: &[&'static str],
    rows: Vec<(Vec<Value>, Counters)>,
) -> Result<(), DbErr> {
    let mut keys = vec!["tenant_id", "grain", "bucket"];
    keys.extend_from_slice(dims);
    if rows.is_empty() {
        return Ok(());
    }
    let changed = changed_counters(&rows);
    let names: Vec<&str> = changed.iter().map(|&i| COLUMNS[i]).collect();
    if db.get_database_backend() == DbBackend::Postgres {
        return upsert_columns(db, tenant, table, &keys, &changed, &names, rows).await;
    }
    let columns: Vec<Alias> = keys
        .iter()
        .chain(names.iter())
        .map(|c| Alias::new(*c))
        .collect();
    let add = Conflict::Add {
        key: &keys,
        columns: &names,
    };
    for chunk in rows.chunks(crate::ingest::rows_per_statement(db, columns.len())) {
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new(table))
            .columns(columns.clone());
        for (key_values, counters) in chunk {
            let mut values: Vec<SimpleExpr> = Vec::with_capacity(columns.len());
            values.push(tenant.into());
            values.extend(key_values.iter().cloned().map(Expr::val));
            values.extend(changed.iter().map(|&i| SimpleExpr::from(counters.0[i])));
            insert.values_panic(values);
        }
        if let Some(conflict) = add.on_conflict(table) {
            insert.on_conflict(conflict);
        }
        db.execute(&insert).await?;
    }
    Ok(())
}

/// The counters (indexes into `COLUMNS`) that some row changes. Only these
/// are written: the others keep their value, the column's default (0) in a
/// new row. A batch of call events changes the call counters alone, and an
/// analysis the lead counters, so each upsert carries about a third of the
/// columns.
fn changed_counters(rows: &[(Vec<Value>, Counters)]) -> Vec<usize> {
    (0..COLUMNS.len())
        .filter(|&i| rows.iter().any(|(_, c)| c.0[i] != 0))
        .collect()
}

/// `upsert` on PostgreSQL: the rows as one array per column, the counters
/// `changed` (named `names`) alone.
async fn upsert_columns<C: ConnectionTrait>(
    db: &C,
    tenant: Uuid,
    table: &'static str,
    keys: &[&'static str],
    changed: &[usize],
    names: &[&str],
    rows: Vec<(Vec<Value>, Counters)>,
) -> Result<(), DbErr> {
    let mut columns = Columns::new(table);
    columns.column(keys[0], rows.iter().map(|_| Value::from(tenant)))?;
    for (i, key) in keys[1..].iter().enumerate() {
        columns.column(key, rows.iter().map(|(values, _)| values[i].clone()))?;
    }
    for (&i, name) in changed.iter().zip(names) {
        columns.column(name, rows.iter().map(|(_, c)| Value::from(c.0[i])))?;
    }
    let add = Conflict::Add {
        key: keys,
        columns: names,
    };
    db.execute_raw(columns.insert(add)).await?;
    Ok(())
}
