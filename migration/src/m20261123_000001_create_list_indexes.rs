//! Indexes in the exact order the read API lists calls: `initiated_at`
//! descending with unknown values last, then `id` descending, for the
//! tenant's calls and for each agent's, contact's and campaign's. A page is
//! then an index range scan, however many calls the tenant has. Also
//! contacts newest first.
//!
//! PostgreSQL needs `NULLS LAST` spelled out (its descending default puts
//! NULLs first, and a backward scan of an ascending index does too);
//! SQLite's descending order already puts NULLs last, and it scans
//! `ix_calls_initiated` backward for the tenant's list.

use crate::helpers::tenant_index;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(index name, parent column)`; no parent: the tenant's whole list.
const CALL_LISTS: [(&str, Option<&str>); 4] = [
    ("ix_calls_recent", None),
    ("ix_calls_agent_recent", Some("agent_id")),
    ("ix_calls_contact_recent", Some("contact_id")),
    ("ix_calls_campaign_recent", Some("campaign_id")),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        let order = if postgres {
            "initiated_at DESC NULLS LAST, id DESC"
        } else {
            "initiated_at DESC, id DESC"
        };
        for (name, parent) in CALL_LISTS {
            let columns = match parent {
                Some(parent) => format!("tenant_id, {parent}, {order}"),
                None if postgres => format!("tenant_id, {order}"),
                None => continue,
            };
            manager
                .get_connection()
                .execute_unprepared(&format!("CREATE INDEX {name} ON calls ({columns})"))
                .await?;
        }
        manager
            .create_index(tenant_index(
                "contacts",
                "ix_contacts_created",
                &["created_at", "id"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let names = CALL_LISTS
            .iter()
            .map(|(name, _)| *name)
            .chain(["ix_contacts_created"]);
        for name in names {
            manager
                .get_connection()
                .execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }
}
