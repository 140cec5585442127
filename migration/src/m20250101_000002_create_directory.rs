//! The tenant's directory: agents, campaigns, contacts and dashboard users.

use crate::helpers::{create_all, drop_all, stamps, tenant_fk, tenant_index, tenant_table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut agents = tenant_table("agents");
        agents
            .col(string(Alias::new("external_id")))
            .col(string(Alias::new("name")))
            .col(string_len(Alias::new("kind"), 16))
            .col(string_null(Alias::new("language")))
            .col(boolean(Alias::new("active")))
            .col(json_binary_null(Alias::new("config")));
        stamps(&mut agents);

        let campaigns = tenant_table("campaigns")
            .col(string(Alias::new("name")))
            .col(timestamp_with_time_zone(Alias::new("created_at")))
            .to_owned();

        let mut contacts = tenant_table("contacts");
        contacts
            .col(string(Alias::new("phone")))
            .col(string_null(Alias::new("name")))
            .col(string_null(Alias::new("email")))
            .col(string_null(Alias::new("external_id")))
            .col(json_binary_null(Alias::new("context")));
        stamps(&mut contacts);

        let mut users = tenant_table("users");
        users
            .col(string(Alias::new("email")))
            .col(string(Alias::new("name")))
            .col(string_len(Alias::new("role"), 16))
            .col(uuid_null(Alias::new("agent_id")))
            .col(string_null(Alias::new("password_hash")))
            .col(boolean(Alias::new("active")))
            .foreign_key(&mut tenant_fk(
                "users",
                "agent_id",
                "agents",
                ForeignKeyAction::NoAction,
            ));
        stamps(&mut users);

        let indexes = vec![
            tenant_index("agents", "ux_agents_external_id", &["external_id"], true),
            tenant_index("agents", "ix_agents_name", &["name", "id"], false),
            tenant_index("campaigns", "ux_campaigns_name", &["name"], true),
            tenant_index("contacts", "ux_contacts_phone", &["phone"], true),
            tenant_index(
                "contacts",
                "ix_contacts_external_id",
                &["external_id"],
                false,
            ),
            tenant_index("users", "ux_users_email", &["email"], true),
        ];
        create_all(manager, vec![agents, campaigns, contacts, users], indexes).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["users", "contacts", "campaigns", "agents"]).await
    }
}
