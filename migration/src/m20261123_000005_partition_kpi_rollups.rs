//! PostgreSQL only: each KPI rollup table becomes a table partitioned by
//! `grain`, one partition of quarter-hour rows and one of daily rows.
//!
//! A tenant has about a hundred quarter-hour rows for each daily row, and
//! rows are written as calls arrive, so in one table the daily rows that a
//! 30-day dashboard reads lay scattered one to a page among quarter-hour
//! rows. In their own partition they lie together. Queries name the parent
//! table and `grain`, so nothing else changes; existing rows are copied in
//! key order. SQLite keeps its tables as they are.

use crate::m20250101_000004_create_kpi_rollups::COUNTERS;
use crate::m20261123_000004_enable_row_level_security::tenant_policy;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The rollup tables and their key columns.
pub(crate) const TABLES: [(&str, &[&str]); 3] = [
    ("kpi_totals", &[]),
    ("kpi_agent_rollups", &["agent_id"]),
    (
        "kpi_rollups",
        &["agent_id", "campaign_id", "direction", "provider", "status"],
    ),
];

/// The partitions: name suffix and grain (`api::kpi::upkeep`'s
/// `QUARTER_GRAIN` and `DAY_GRAIN`).
const PARTITIONS: [(&str, i16); 2] = [("quarter", 0), ("day", 1)];

/// Rebuilds `table` with the same columns, keys, grants and policy,
/// partitioned by grain or not, and copies its rows over in key order.
fn rebuild(table: &str, keys: &[&str], partitioned: bool) -> String {
    let primary_key = ["tenant_id", "grain", "bucket"]
        .iter()
        .chain(keys)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let columns = ["tenant_id", "grain", "bucket"]
        .iter()
        .chain(keys)
        .chain(COUNTERS.iter())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = format!(
        "CREATE TABLE {table}_new (LIKE {table} INCLUDING DEFAULTS){};",
        if partitioned {
            " PARTITION BY LIST (grain)"
        } else {
            ""
        }
    );
    if partitioned {
        for (suffix, grain) in PARTITIONS {
            sql.push_str(&format!(
                "CREATE TABLE {table}_{suffix} PARTITION OF {table}_new FOR VALUES IN ({grain});"
            ));
        }
    }
    sql.push_str(&format!(
        "INSERT INTO {table}_new ({columns})
           SELECT {columns} FROM {table} ORDER BY {primary_key};
         DROP TABLE {table};
         ALTER TABLE {table}_new RENAME TO {table};
         ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({primary_key});
         ALTER TABLE {table} ADD CONSTRAINT fk_{table}_tenant FOREIGN KEY (tenant_id)
           REFERENCES tenants (id) ON DELETE CASCADE;
         GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO callboard_tenant;"
    ));
    sql.push_str(&tenant_policy(table));
    sql
}

async fn rebuild_all(manager: &SchemaManager<'_>, partitioned: bool) -> Result<(), DbErr> {
    if manager.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    let db = manager.get_connection();
    for (table, keys) in TABLES {
        db.execute_unprepared(&rebuild(table, keys, partitioned))
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild_all(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild_all(manager, false).await
    }
}
