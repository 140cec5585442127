//! Tenants (a reference table) and their API keys.

use crate::helpers::{create_all, drop_all, tenant_table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tenants = Table::create()
            .table(Alias::new("tenants"))
            .col(uuid(Alias::new("id")).primary_key())
            .col(string(Alias::new("name")))
            .col(string(Alias::new("timezone")))
            .col(string_len(Alias::new("default_country"), 2))
            .col(integer(Alias::new("credits_per_minute")))
            .col(boolean(Alias::new("active")))
            .col(json_binary(Alias::new("settings")))
            .col(timestamp_with_time_zone(Alias::new("created_at")))
            .col(timestamp_with_time_zone(Alias::new("updated_at")))
            .to_owned();
        let api_keys = tenant_table("api_keys")
            .col(string(Alias::new("name")))
            .col(json_binary(Alias::new("scopes")))
            .col(string_len(Alias::new("secret_hash"), 64))
            .col(boolean(Alias::new("persisted_only")))
            .col(timestamp_with_time_zone(Alias::new("created_at")))
            .col(timestamp_with_time_zone_null(Alias::new("last_used_at")))
            .col(timestamp_with_time_zone_null(Alias::new("revoked_at")))
            .to_owned();
        create_all(manager, vec![tenants, api_keys], vec![]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["api_keys", "tenants"]).await
    }
}
