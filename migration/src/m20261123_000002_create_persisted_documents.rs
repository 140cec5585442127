//! Persisted documents per tenant: trusted documents registered by the
//! tenant, and documents cached by Automatic Persisted Queries, keyed by the
//! SHA-256 of their exact text. In the database so every replica shares them.

use crate::helpers::create_all;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(Alias::new("persisted_documents"))
            .col(uuid(Alias::new("tenant_id")))
            .col(string_len(Alias::new("sha256"), 64))
            .col(text(Alias::new("document")))
            .col(json_binary(Alias::new("operation_names")))
            // Registered by the tenant (a trusted document), not only cached by APQ.
            .col(boolean(Alias::new("trusted")))
            .col(timestamp_with_time_zone(Alias::new("created_at")))
            .primary_key(
                Index::create()
                    .col(Alias::new("tenant_id"))
                    .col(Alias::new("sha256")),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_persisted_documents_tenant")
                    .from(Alias::new("persisted_documents"), Alias::new("tenant_id"))
                    .to(Alias::new("tenants"), Alias::new("id"))
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned();
        create_all(manager, vec![table], vec![]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("persisted_documents"))
                    .to_owned(),
            )
            .await
    }
}
