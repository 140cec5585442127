//! Monthly rollup rows (`grain` 2) beside the 15-minute and daily ones: a
//! tenant's local months, keyed like the daily bucket of their first day.
//!
//! A 30-day dashboard range then reads about a dozen rows per agent instead
//! of thirty. On PostgreSQL each rollup table gets a partition for the new
//! grain; on both databases the monthly rows of existing data are summed
//! from its daily rows, so nothing needs rebuilding.

use crate::m20250101_000004_create_kpi_rollups::COUNTERS;
use crate::m20261123_000005_partition_kpi_rollups::TABLES;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::prelude::Uuid;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `api::kpi::upkeep`'s `DAY_GRAIN` and `MONTH_GRAIN`.
const DAY_GRAIN: i16 = 1;
const MONTH_GRAIN: i16 = 2;

/// The first instant of the local day `date` in `zone`: its midnight, or
/// where a transition that skips midnight lands. Rollup buckets of days and
/// months are keyed by it.
pub fn local_midnight(zone: Tz, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    if let Some(t) = zone.from_local_datetime(&midnight).earliest() {
        return t.with_timezone(&Utc);
    }
    // A gap: walk forward in quarter-hours (every offset since 1970 is a
    // multiple of 15 minutes) from before any offset could place it.
    let mut t = midnight.and_utc() - Duration::hours(15);
    while t.with_timezone(&zone).naive_local() < midnight {
        t += Duration::minutes(15);
    }
    t
}

/// The monthly bucket of the daily bucket `day` in `zone`.
fn month_of(day: i64, zone: Tz) -> Option<i64> {
    let local = DateTime::from_timestamp(day, 0)?.with_timezone(&zone);
    let first = local.date_naive().with_day(1)?;
    Some(local_midnight(zone, first).timestamp())
}

async fn backfill(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let param = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let tenants = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT id, timezone FROM tenants",
        ))
        .await?;
    for tenant in tenants {
        let id: Uuid = tenant.try_get("", "id")?;
        let zone: Tz = match tenant.try_get::<String>("", "timezone")?.parse() {
            Ok(zone) => zone,
            Err(_) => continue,
        };
        let days = db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT DISTINCT bucket FROM kpi_totals WHERE tenant_id = {param} AND grain = {DAY_GRAIN}"
                ),
                [id.into()],
            ))
            .await?;
        let mut pairs = Vec::with_capacity(days.len());
        for row in days {
            let day: i64 = row.try_get("", "bucket")?;
            if let Some(month) = month_of(day, zone) {
                pairs.push(format!("({day}, {month})"));
            }
        }
        if pairs.is_empty() {
            continue;
        }
        let months = pairs.join(", ");
        for (table, dims) in TABLES {
            let columns: String = dims.iter().map(|d| format!(", {d}")).collect();
            let dims: String = dims.iter().map(|d| format!(", r.{d}")).collect();
            let sums: String = COUNTERS
                .iter()
                .map(|c| format!(", CAST(SUM(r.{c}) AS BIGINT)"))
                .collect();
            let counters = COUNTERS.join(", ");
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "INSERT INTO {table} (tenant_id, grain, bucket{columns}, {counters})
                     SELECT r.tenant_id, {MONTH_GRAIN}, m.column2{dims}{sums}
                     FROM {table} r JOIN (VALUES {months}) m ON r.bucket = m.column1
                     WHERE r.tenant_id = {param} AND r.grain = {DAY_GRAIN}
                     GROUP BY r.tenant_id, m.column2{dims}"
                ),
                [id.into()],
            ))
            .await?;
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            let db = manager.get_connection();
            for (table, _) in TABLES {
                db.execute_unprepared(&format!(
                    "CREATE TABLE {table}_month PARTITION OF {table} FOR VALUES IN ({MONTH_GRAIN})"
                ))
                .await?;
            }
        }
        backfill(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, _) in TABLES {
            if manager.get_database_backend() == DbBackend::Postgres {
                db.execute_unprepared(&format!("DROP TABLE {table}_month"))
                    .await?;
            } else {
                db.execute_unprepared(&format!("DELETE FROM {table} WHERE grain = {MONTH_GRAIN}"))
                    .await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_start_at_the_local_midnight_of_their_first_day() {
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        // 2026-03-17 00:00 in Kolkata is 2026-03-16T18:30Z.
        let day = 1_773_685_800;
        assert_eq!(
            DateTime::from_timestamp(month_of(day, kolkata).unwrap(), 0)
                .unwrap()
                .to_rfc3339(),
            "2026-02-28T18:30:00+00:00"
        );
        // Havana skipped its midnight on 2026-03-08: the day started at 01:00.
        let havana: Tz = "America/Havana".parse().unwrap();
        let date = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        assert_eq!(
            local_midnight(havana, date)
                .with_timezone(&havana)
                .to_rfc3339(),
            "2026-03-08T01:00:00-04:00"
        );
    }
}
