//! Database migrations, identical in meaning on SQLite and PostgreSQL.
//!
//! Conventions every table follows (see `docs/data-model.md`):
//! - a tenant-owned table has `tenant_id` first and the primary key
//!   `(tenant_id, id)`; every unique key starts with `tenant_id`, so the schema
//!   can be distributed by `tenant_id` (Citus) without change;
//! - references between tenant-owned rows are composite foreign keys
//!   `(tenant_id, parent_id) -> parent(tenant_id, id)`;
//! - enums are stored as their names in short strings.

pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20250101_000001_create_tenant;
mod m20250101_000002_create_directory;
mod m20250101_000003_create_call;
pub mod m20250101_000004_create_kpi_rollups;
mod m20261123_000001_create_list_indexes;
mod m20261123_000002_create_persisted_documents;
mod m20261123_000003_create_user_sessions;
pub mod m20261123_000004_enable_row_level_security;
mod m20261123_000005_partition_kpi_rollups;
mod m20261123_000006_add_tenant_data_version;
mod m20261204_000001_add_month_rollups;
mod m20261204_000002_drop_implied_tenant_keys;
mod m20261204_000003_merge_call_list_indexes;
mod m20261204_000004_create_exact_sum;
mod m20261204_000005_skip_counter_statistics;

pub use m20261204_000001_add_month_rollups::local_midnight;

/// Runs callboard's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20250101_000001_create_tenant::Migration),
            Box::new(m20250101_000002_create_directory::Migration),
            Box::new(m20250101_000003_create_call::Migration),
            Box::new(m20250101_000004_create_kpi_rollups::Migration),
            Box::new(m20261123_000001_create_list_indexes::Migration),
            Box::new(m20261123_000002_create_persisted_documents::Migration),
            Box::new(m20261123_000003_create_user_sessions::Migration),
            Box::new(m20261123_000004_enable_row_level_security::Migration),
            Box::new(m20261123_000005_partition_kpi_rollups::Migration),
            Box::new(m20261123_000006_add_tenant_data_version::Migration),
            Box::new(m20261204_000001_add_month_rollups::Migration),
            Box::new(m20261204_000002_drop_implied_tenant_keys::Migration),
            Box::new(m20261204_000003_merge_call_list_indexes::Migration),
            Box::new(m20261204_000004_create_exact_sum::Migration),
            Box::new(m20261204_000005_skip_counter_statistics::Migration),
        ]
    }
}
