//! PostgreSQL only: one index per call list instead of two.
//!
//! Each list of calls had an ascending index for time ranges
//! (`ix_calls_initiated`, `ix_calls_agent`, `ix_calls_contact`,
//! `ix_calls_campaign`) and a descending one in list order, unknown
//! initiations last (`ix_calls_recent` and the `_recent` index of each
//! parent). An ascending index whose `initiated_at` puts NULLs *first*,
//! with `id` after it, serves both: forward for ranges and oldest-first
//! pages, backward for `initiated_at DESC NULLS LAST, id DESC`. Every call
//! written updated ten indexes; it now updates six.
//!
//! SQLite keeps its indexes: its ascending order already puts NULLs first,
//! and it has no `_recent` index for the tenant's own list.

use crate::helpers::on_postgres;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(merged index, descending index it replaces, parent column)`.
const LISTS: [(&str, &str, Option<&str>); 4] = [
    ("ix_calls_initiated", "ix_calls_recent", None),
    ("ix_calls_agent", "ix_calls_agent_recent", Some("agent_id")),
    (
        "ix_calls_contact",
        "ix_calls_contact_recent",
        Some("contact_id"),
    ),
    (
        "ix_calls_campaign",
        "ix_calls_campaign_recent",
        Some("campaign_id"),
    ),
];

fn columns(parent: Option<&str>, order: &str) -> String {
    match parent {
        Some(parent) => format!("tenant_id, {parent}, {order}"),
        None => format!("tenant_id, {order}"),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = LISTS.map(|(merged, recent, parent)| {
            let columns = columns(parent, "initiated_at NULLS FIRST, id");
            format!(
                "DROP INDEX {merged}; DROP INDEX {recent}; \
                 CREATE INDEX {merged} ON calls ({columns})"
            )
        });
        on_postgres(manager, statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = LISTS.map(|(merged, recent, parent)| {
            // As `m20250101_000003` and `m20261123_000001` made them.
            let ascending = match parent {
                Some(_) => columns(parent, "initiated_at"),
                None => columns(parent, "initiated_at, id"),
            };
            let descending = columns(parent, "initiated_at DESC NULLS LAST, id DESC");
            format!(
                "DROP INDEX {merged}; \
                 CREATE INDEX {merged} ON calls ({ascending}); \
                 CREATE INDEX {recent} ON calls ({descending})"
            )
        });
        on_postgres(manager, statements).await
    }
}
