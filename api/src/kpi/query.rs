//! KPI reads: sums over rollup pieces and ragged call ends, grouped by
//! output bucket and, optionally, one dimension.

use super::buckets::{Piece, Source, pieces};
use super::counters::{COLUMNS, CounterSet, Counters, contribution};
use super::upkeep::{DAY_GRAIN, MONTH_GRAIN, QUARTER_GRAIN};
use crate::read::uuid_in;
use anyhow::Context;
use chrono::{DateTime, Utc};
use entity::enums::{CallDirection, CallStatus};
use entity::{call, lead_analysis};
use sea_orm::sea_query::{
    Alias, Cond, Expr, ExprTrait, Func, Query, SelectStatement, SimpleExpr, UnionType,
};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Which calls count (KPIS.md: AND across fields, OR within a list; an
/// empty list matches nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct KpiFilter {
    pub agents: Option<Vec<Uuid>>,
    pub campaigns: Option<Vec<Uuid>>,
    pub direction: Option<CallDirection>,
    pub providers: Option<Vec<String>>,
}

impl KpiFilter {
    /// True when a list filter is empty, so nothing can match.
    pub fn matches_nothing(&self) -> bool {
        self.agents.as_ref().is_some_and(Vec::is_empty)
            || self.campaigns.as_ref().is_some_and(Vec::is_empty)
            || self.providers.as_ref().is_some_and(Vec::is_empty)
    }
}

/// A breakdown dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    Agent,
    Campaign,
    Direction,
    Provider,
    Status,
}

/// A group of a breakdown; `None` is the group of calls without one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GroupKey {
    All,
    Agent(Option<Uuid>),
    Campaign(Option<Uuid>),
    Direction(Option<CallDirection>),
    Provider(String),
    Status(CallStatus),
}

/// Sums per (range index, group) over `ranges` (disjoint, e.g. the buckets
/// of a series; one range for totals and breakdowns).
pub type Sums = HashMap<(usize, GroupKey), Counters>;

/// The rollup level that can answer a query.
fn table_for(filter: &KpiFilter, dimension: Option<Dimension>) -> &'static str {
    let needs_all_dims = filter.campaigns.is_some()
        || filter.direction.is_some()
        || filter.providers.is_some()
        || matches!(
            dimension,
            Some(
                Dimension::Campaign
                    | Dimension::Direction
                    | Dimension::Provider
                    | Dimension::Status
            )
        );
    if needs_all_dims {
        "kpi_rollups"
    } else if filter.agents.is_some() || dimension == Some(Dimension::Agent) {
        "kpi_agent_rollups"
    } else {
        "kpi_totals"
    }
}

fn dimension_column(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Agent => "agent_id",
        Dimension::Campaign => "campaign_id",
        Dimension::Direction => "direction",
        Dimension::Provider => "provider",
        Dimension::Status => "status",
    }
}

/// Which pieces one read serves: those of one source, added or subtracted.
/// Within one kind, the pieces of different ranges never overlap (a month or
/// day is read whole for at most one of several disjoint ranges, the one
/// covering more than half of it, and only that range subtracts the rest),
/// so each row belongs to at most one range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Kind {
    source: Source,
    subtract: bool,
}

impl Kind {
    fn of(self, piece: &Piece) -> bool {
        piece.source == self.source && piece.subtract == self.subtract
    }
}

/// Merges touching pieces of one kind into few intervals for SQL.
fn merged(pieces: &[(usize, Piece)], kind: Kind) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = pieces
        .iter()
        .filter(|(_, p)| kind.of(p))
        .map(|(_, p)| (p.start, p.end))
        .collect();
    spans.sort();
    let mut out: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for (start, end) in spans {
        match out.last_mut() {
            Some(last) if last.1 == start => last.1 = end,
            _ => out.push((start, end)),
        }
    }
    out
}

/// Finds which range a rollup bucket or call time of one kind falls in.
struct Lookup(Vec<(DateTime<Utc>, DateTime<Utc>, usize)>);

impl Lookup {
    fn new(pieces: &[(usize, Piece)], kind: Kind) -> Self {
        let mut spans: Vec<_> = pieces
            .iter()
            .filter(|(_, p)| kind.of(p))
            .map(|(i, p)| (p.start, p.end, *i))
            .collect();
        spans.sort();
        Self(spans)
    }

    fn range_of(&self, at: DateTime<Utc>) -> Option<usize> {
        let after = self.0.partition_point(|(start, _, _)| *start <= at);
        let (_, end, index) = self.0.get(after.checked_sub(1)?)?;
        (at < *end).then_some(*index)
    }
}

fn group_of_row(
    row: &sea_orm::QueryResult,
    dimension: Option<Dimension>,
) -> anyhow::Result<GroupKey> {
    let non_nil = |id: Uuid| (!id.is_nil()).then_some(id);
    Ok(match dimension {
        None => GroupKey::All,
        Some(Dimension::Agent) => GroupKey::Agent(non_nil(row.try_get("", "agent_id")?)),
        Some(Dimension::Campaign) => GroupKey::Campaign(non_nil(row.try_get("", "campaign_id")?)),
        Some(Dimension::Direction) => {
            let text: String = row.try_get("", "direction")?;
            GroupKey::Direction(if text.is_empty() {
                None
            } else {
                Some(CallDirection::try_from_value(&text)?)
            })
        }
        Some(Dimension::Provider) => GroupKey::Provider(row.try_get("", "provider")?),
        Some(Dimension::Status) => GroupKey::Status(CallStatus::try_from_value(
            &row.try_get::<String>("", "status")?,
        )?),
    })
}

fn group_of_call(call: &call::Model, dimension: Option<Dimension>) -> GroupKey {
    match dimension {
        None => GroupKey::All,
        Some(Dimension::Agent) => GroupKey::Agent(call.agent_id),
        Some(Dimension::Campaign) => GroupKey::Campaign(call.campaign_id),
        Some(Dimension::Direction) => GroupKey::Direction(call.direction),
        Some(Dimension::Provider) => GroupKey::Provider(call.provider.clone()),
        Some(Dimension::Status) => GroupKey::Status(call.status),
    }
}

/// Disjoint time spans `[start, end)`.
type Spans = Vec<(DateTime<Utc>, DateTime<Utc>)>;

/// How rollup rows are grouped before they reach us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slots {
    /// Equal, adjacent ranges `first, first + 1, ...` of `width` seconds from
    /// `origin`: the database groups rows by `(bucket - origin) / width`, so
    /// a 90-day series reads 90 rows, not 8,640 quarter-hours.
    Regular {
        first: usize,
        origin: i64,
        width: i64,
    },
    /// Anything else: one row per bucket, placed by lookup.
    PerBucket,
}

/// `WHERE` of a read of `table`'s rows of one grain in `spans`, filtered.
fn rollup_where(
    q: &mut SelectStatement,
    tenant: Uuid,
    grain: i16,
    spans: &[(DateTime<Utc>, DateTime<Utc>)],
    filter: &KpiFilter,
    backend: DbBackend,
) {
    let col = |c: &str| Expr::col(Alias::new(c));
    // The grain as a literal, so that PostgreSQL prunes the other grains'
    // partitions when it plans the statement.
    q.and_where(col("tenant_id").eq(tenant))
        .and_where(col("grain").eq(Expr::cust(grain.to_string())));
    let mut any = Cond::any();
    for (start, end) in spans {
        any = any.add(
            col("bucket")
                .gte(start.timestamp())
                .and(col("bucket").lt(end.timestamp())),
        );
    }
    q.cond_where(any);
    if let Some(agents) = &filter.agents {
        q.and_where(uuid_in(col("agent_id"), agents.iter().copied(), backend));
    }
    if let Some(campaigns) = &filter.campaigns {
        q.and_where(uuid_in(
            col("campaign_id"),
            campaigns.iter().copied(),
            backend,
        ));
    }
    if let Some(direction) = filter.direction {
        q.and_where(col("direction").eq(direction.to_value()));
    }
    if let Some(providers) = &filter.providers {
        q.and_where(col("provider").is_in(providers.iter().cloned()));
    }
}

/// The sum of a counter column as a 64-bit integer: PostgreSQL's
/// `sum_exact` (migration `m20261204_000004`), which adds `bigint`s without
/// `sum`'s detour through `numeric`; SQLite's `sum` of integers is one.
fn sum_of(column: &'static str, backend: DbBackend) -> SimpleExpr {
    let column = Expr::col(Alias::new(column));
    match backend {
        DbBackend::Postgres => Func::cust(Alias::new("sum_exact")).arg(column).into(),
        _ => Func::cast_as(Func::sum(column), Alias::new("BIGINT")).into(),
    }
}

/// The counters of `set` summed (as their columns, in storage order), then
/// the dimension's column when grouped by one.
fn sums_and_group(
    q: &mut SelectStatement,
    Shape {
        dimension,
        set,
        backend,
    }: Shape,
) {
    for c in set.indices().map(|i| COLUMNS[i]) {
        q.expr_as(sum_of(c, backend), Alias::new(c));
    }
    if let Some(d) = dimension {
        q.column(Alias::new(dimension_column(d)))
            .group_by_col(Alias::new(dimension_column(d)));
    }
}

/// What a read sums and how it groups, and for which database.
#[derive(Debug, Clone, Copy)]
struct Shape {
    dimension: Option<Dimension>,
    set: CounterSet,
    backend: DbBackend,
}

fn rollup_select(
    tenant: Uuid,
    table: &'static str,
    grain: i16,
    spans: &[(DateTime<Utc>, DateTime<Utc>)],
    filter: &KpiFilter,
    shape: Shape,
    slots: Slots,
) -> SelectStatement {
    let mut q = Query::select();
    q.from(Alias::new(table));
    match slots {
        Slots::Regular { origin, width, .. } => {
            let slot = Expr::col(Alias::new("bucket")).sub(origin).div(width);
            q.expr_as(slot, Alias::new("slot"))
                .group_by_col(Alias::new("slot"));
        }
        Slots::PerBucket => {
            q.column(Alias::new("bucket"))
                .group_by_col(Alias::new("bucket"));
        }
    }
    sums_and_group(&mut q, shape);
    rollup_where(&mut q, tenant, grain, spans, filter, shape.backend);
    q
}

/// One range's rollup pieces of every kind in one statement: the rows of
/// each kind (subtracted ones negated) together, summed once.
fn one_range_select(
    tenant: Uuid,
    table: &'static str,
    pieces: &[(usize, Piece)],
    filter: &KpiFilter,
    shape: Shape,
) -> Option<SelectStatement> {
    let Shape { dimension, set, .. } = shape;
    let mut branches = Vec::new();
    for subtract in [false, true] {
        for (source, grain) in ROLLUPS {
            let spans = merged(pieces, Kind { source, subtract });
            if spans.is_empty() {
                continue;
            }
            let mut q = Query::select();
            q.from(Alias::new(table));
            if let Some(d) = dimension {
                q.column(Alias::new(dimension_column(d)));
            }
            for c in set.indices().map(|i| COLUMNS[i]) {
                let value = Expr::col(Alias::new(c));
                if subtract {
                    q.expr_as(Expr::val(0i64).sub(value), Alias::new(c));
                } else {
                    q.expr_as(value, Alias::new(c));
                }
            }
            rollup_where(&mut q, tenant, grain, &spans, filter, shape.backend);
            branches.push(q);
        }
    }
    let mut rows = branches.pop()?;
    rows.unions(branches.into_iter().map(|b| (UnionType::All, b)));
    let mut q = Query::select();
    q.from_subquery(rows, Alias::new("pieces"));
    sums_and_group(&mut q, shape);
    Some(q)
}

/// The counters of `set` in a row whose counter columns start at `first`;
/// the others are 0.
fn counters_at(
    row: &sea_orm::QueryResult,
    first: usize,
    set: CounterSet,
) -> anyhow::Result<Counters> {
    let mut counters = Counters::default();
    for (column, i) in set.indices().enumerate() {
        // NULL when a sum without groups saw no rows.
        counters.0[i] = row
            .try_get_by_index::<Option<i64>>(first + column)?
            .unwrap_or(0);
    }
    Ok(counters)
}

/// The rollup grains and the pieces they serve.
const ROLLUPS: [(Source, i16); 3] = [
    (Source::Month, MONTH_GRAIN),
    (Source::Day, DAY_GRAIN),
    (Source::Quarter, QUARTER_GRAIN),
];

fn call_filter(spans: &[(DateTime<Utc>, DateTime<Utc>)], filter: &KpiFilter) -> Condition {
    let mut any = Condition::any();
    for (start, end) in spans {
        any = any.add(
            call::Column::InitiatedAt
                .gte(*start)
                .and(call::Column::InitiatedAt.lt(*end)),
        );
    }
    let mut all = Condition::all().add(any);
    if let Some(agents) = &filter.agents {
        all = all.add(call::Column::AgentId.is_in(agents.iter().copied()));
    }
    if let Some(campaigns) = &filter.campaigns {
        all = all.add(call::Column::CampaignId.is_in(campaigns.iter().copied()));
    }
    if let Some(direction) = filter.direction {
        all = all.add(call::Column::Direction.eq(direction));
    }
    if let Some(providers) = &filter.providers {
        all = all.add(call::Column::Provider.is_in(providers.iter().cloned()));
    }
    all
}

/// The queries of a series that read one kind of pieces: one per run of
/// equal adjacent pieces (three or more), and one per-bucket query for the
/// rest.
fn plan(pieces: &[(usize, Piece)], kind: Kind) -> Vec<(Spans, Slots)> {
    let mut mine: Vec<(usize, Piece)> =
        pieces.iter().filter(|(_, p)| kind.of(p)).copied().collect();
    if mine.is_empty() {
        return Vec::new();
    }
    mine.sort_by_key(|(_, p)| p.start);
    let mut out = Vec::new();
    let mut rest: Vec<(usize, Piece)> = Vec::new();
    let mut run: Vec<(usize, Piece)> = Vec::new();
    let flush =
        |run: &mut Vec<(usize, Piece)>, rest: &mut Vec<(usize, Piece)>, out: &mut Vec<_>| {
            if run.len() >= 3 {
                let (first, p0) = run[0];
                let width = (p0.end - p0.start).num_seconds();
                let last = run[run.len() - 1].1.end;
                out.push((
                    vec![(p0.start, last)],
                    Slots::Regular {
                        first,
                        origin: p0.start.timestamp(),
                        width,
                    },
                ));
            } else {
                rest.append(run);
            }
            run.clear();
        };
    for (index, piece) in mine {
        let continues = run.last().is_some_and(|(i, p)| {
            *i + 1 == index && p.end == piece.start && p.end - p.start == piece.end - piece.start
        });
        if !continues {
            flush(&mut run, &mut rest, &mut out);
        }
        run.push((index, piece));
    }
    flush(&mut run, &mut rest, &mut out);
    if !rest.is_empty() {
        out.push((merged(&rest, kind), Slots::PerBucket));
    }
    out
}

/// Sums the KPI counters of `set` (the others stay 0) of `tenant` over
/// each of `ranges`, filtered, and grouped by `dimension` when given.
pub async fn aggregate<C: ConnectionTrait>(
    db: &C,
    tenant: Uuid,
    ranges: &[(DateTime<Utc>, DateTime<Utc>)],
    filter: &KpiFilter,
    dimension: Option<Dimension>,
    set: CounterSet,
) -> anyhow::Result<Sums> {
    let mut sums = Sums::new();
    if filter.matches_nothing() {
        return Ok(sums);
    }
    let zone = super::rollup_zone(db, tenant).await?;
    // Which pieces are cheapest depends on what is still the future.
    let now = Utc::now();
    let all: Vec<(usize, Piece)> = ranges
        .iter()
        .enumerate()
        .flat_map(|(i, (from, to))| {
            pieces(*from, *to, zone, now)
                .into_iter()
                .map(move |p| (i, p))
        })
        .collect();
    let table = table_for(filter, dimension);
    let shape = Shape {
        dimension,
        set,
        backend: db.get_database_backend(),
    };
    if ranges.len() == 1
        && let Some(select) = one_range_select(tenant, table, &all, filter, shape)
    {
        for row in db.query_all(&select).await.context("reading KPI rollups")? {
            let counters = counters_at(&row, 0, set)?;
            *sums.entry((0, group_of_row(&row, dimension)?)).or_default() += &counters;
        }
    }
    for subtract in [false, true] {
        let mut add = |index: usize, key: GroupKey, counters: &Counters| {
            let sum = sums.entry((index, key)).or_default();
            if subtract {
                *sum -= counters;
            } else {
                *sum += counters;
            }
        };
        // A series: one statement per kind and run of equal buckets.
        for (source, grain) in ROLLUPS.into_iter().filter(|_| ranges.len() > 1) {
            let kind = Kind { source, subtract };
            let lookup = Lookup::new(&all, kind);
            for (spans, slots) in plan(&all, kind) {
                let select = rollup_select(tenant, table, grain, &spans, filter, shape, slots);
                let rows = db.query_all(&select).await.context("reading KPI rollups")?;
                for row in rows {
                    let index = match slots {
                        Slots::Regular { first, .. } => {
                            first + usize::try_from(row.try_get::<i64>("", "slot")?)?
                        }
                        Slots::PerBucket => {
                            let bucket: i64 = row.try_get("", "bucket")?;
                            let at = DateTime::from_timestamp(bucket, 0)
                                .context("bucket out of range")?;
                            match lookup.range_of(at) {
                                Some(index) => index,
                                None => continue,
                            }
                        }
                    };
                    // The slot or bucket, then the counters.
                    add(
                        index,
                        group_of_row(&row, dimension)?,
                        &counters_at(&row, 1, set)?,
                    );
                }
            }
        }
        let kind = Kind {
            source: Source::Calls,
            subtract,
        };
        let spans = merged(&all, kind);
        if spans.is_empty() {
            continue;
        }
        let calls = call::Entity::find()
            .filter(call::Column::TenantId.eq(tenant))
            .filter(call_filter(&spans, filter))
            .all(db)
            .await
            .context("reading ragged-end calls")?;
        let analyses = effective_analyses(db, tenant, calls.iter().map(|c| c.id).collect()).await?;
        let lookup = Lookup::new(&all, kind);
        for c in &calls {
            let (Some(at), Some(counters)) = (c.initiated_at, contribution(c, analyses.get(&c.id)))
            else {
                continue;
            };
            if let Some(index) = lookup.range_of(at) {
                add(index, group_of_call(c, dimension), &set.keep(&counters));
            }
        }
    }
    Ok(sums)
}

/// The effective analyses of these calls, by call id.
pub async fn effective_analyses<C: ConnectionTrait>(
    db: &C,
    tenant: Uuid,
    call_ids: Vec<Uuid>,
) -> anyhow::Result<HashMap<Uuid, lead_analysis::Model>> {
    let mut out = HashMap::new();
    for chunk in call_ids.chunks(500) {
        let rows = lead_analysis::Entity::find()
            .filter(lead_analysis::Column::TenantId.eq(tenant))
            .filter(lead_analysis::Column::Effective.eq(true))
            .filter(uuid_in(
                Expr::col(lead_analysis::Column::CallId),
                chunk.iter().copied(),
                db.get_database_backend(),
            ))
            .all(db)
            .await
            .context("reading effective analyses")?;
        out.extend(rows.into_iter().map(|a| (a.call_id, a)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::counters::c;
    use sea_orm::sea_query::PostgresQueryBuilder;

    fn sql(set: CounterSet) -> String {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let all: Vec<(usize, Piece)> = pieces(
            at("2026-11-05T00:00:00Z"),
            at("2026-12-04T10:07:00Z"),
            chrono_tz::Tz::UTC,
            at("2026-12-04T10:07:00Z"),
        )
        .into_iter()
        .map(|p| (0, p))
        .collect();
        let shape = Shape {
            dimension: Some(Dimension::Agent),
            set,
            backend: DbBackend::Postgres,
        };
        one_range_select(
            Uuid::nil(),
            "kpi_agent_rollups",
            &all,
            &KpiFilter::default(),
            shape,
        )
        .expect("rollup pieces")
        .to_string(PostgresQueryBuilder)
    }

    #[test]
    fn a_read_sums_only_the_counters_asked_for() {
        let some = sql(CounterSet::of(&[c::HOT, c::ANSWERED]));
        for column in ["total_calls", "answered_calls", "hot_leads", "agent_id"] {
            assert!(some.contains(column), "{column} in {some}");
        }
        for column in ["cold_leads", "cost_micros", "negative_calls"] {
            assert!(!some.contains(column), "{column} in {some}");
        }
        let every = sql(CounterSet::ALL);
        assert!(COLUMNS.iter().all(|column| every.contains(column)));
        // PostgreSQL sums without a detour through `numeric`.
        assert!(every.contains(r#"sum_exact("total_calls")"#), "{every}");
        assert!(!every.contains("SUM("), "{every}");
    }
}
