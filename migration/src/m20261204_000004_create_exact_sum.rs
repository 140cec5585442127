//! PostgreSQL only: `sum_exact(bigint)`, a sum of 64-bit integers that
//! stays a 64-bit integer.
//!
//! PostgreSQL's `sum(bigint)` returns `numeric`: it accumulates in 128 bits
//! and converts every group's sum to a decimal, which the KPI reads then
//! cast back. A breakdown sums 40 counters in each of 500 groups, and those
//! conversions were most of its aggregation time. `sum_exact` adds with
//! `int8pl`, the `bigint` `+` operator: as exact, an error rather than a
//! wrong number on overflow, and no conversions. It is null over no rows,
//! like `sum`. SQLite's `sum` of integers is already an integer.

use crate::helpers::on_postgres;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        on_postgres(
            manager,
            ["CREATE AGGREGATE sum_exact(bigint) \
              (SFUNC = int8pl, STYPE = bigint, COMBINEFUNC = int8pl, PARALLEL = SAFE)"
                .to_owned()],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        on_postgres(manager, ["DROP AGGREGATE sum_exact(bigint)".to_owned()]).await
    }
}
