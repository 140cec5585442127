//! PostgreSQL only: drops two kinds of `tenant_id -> tenants` foreign keys
//! that ingest paid for on every row and that guard nothing:
//!
//! - `call_events`: its composite key `(tenant_id, call_id) -> calls`
//!   already implies the tenant (the call belongs to it), and deleting a
//!   tenant still cascades through its calls;
//! - the rollup tables: derived data, rebuilt from calls by `rollups
//!   rebuild`, never referenced, and written only by the engine.
//!
//! Each was a trigger running a key-share lookup of the tenant row for
//! every inserted row: about a fifth of an event insert and as much per new
//! rollup row. SQLite checks foreign keys through an index, cheaply, and
//! cannot drop a constraint without rebuilding its table; it keeps them.

use crate::helpers::on_postgres;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose `fk_<table>_tenant` goes.
const TABLES: [&str; 4] = [
    "call_events",
    "kpi_totals",
    "kpi_agent_rollups",
    "kpi_rollups",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = TABLES.map(|table| {
            format!("ALTER TABLE {table} DROP CONSTRAINT IF EXISTS fk_{table}_tenant")
        });
        on_postgres(manager, statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = TABLES.map(|table| {
            format!(
                "ALTER TABLE {table} ADD CONSTRAINT fk_{table}_tenant FOREIGN KEY (tenant_id)
                   REFERENCES tenants (id) ON DELETE CASCADE"
            )
        });
        on_postgres(manager, statements).await
    }
}
