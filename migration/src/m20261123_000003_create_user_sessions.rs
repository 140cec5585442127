//! What dashboard sign-in and people's writes need: user sessions and their
//! rotating refresh tokens, failed sign-in attempts (shared by every
//! replica), the audit log, the API-key authorship of notes and follow-ups,
//! and an index to find a user by email across tenants.

use crate::helpers::{a, create_all, tenant_fk, tenant_index, tenant_table};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Columns added to existing tables for authorship and edits (by a user or
/// an API key).
const AUTHORSHIP_COLUMNS: [(&str, &str); 4] = [
    ("call_notes", "author_key_id"),
    ("follow_ups", "created_by_key_id"),
    ("follow_ups", "updated_by_user_id"),
    ("follow_ups", "updated_by_key_id"),
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::Cascade;

        // One session per sign-in: the family of its refresh tokens.
        let sessions = tenant_table("user_sessions")
            .col(uuid(a("user_id")))
            .col(timestamp_with_time_zone(a("created_at")))
            .col(timestamp_with_time_zone_null(a("revoked_at")))
            .foreign_key(&mut tenant_fk("user_sessions", "user_id", "users", Cascade))
            .to_owned();
        let refresh_tokens = tenant_table("refresh_tokens")
            .col(uuid(a("session_id")))
            .col(string_len(a("token_hash"), 64))
            .col(timestamp_with_time_zone(a("created_at")))
            .col(timestamp_with_time_zone(a("expires_at")))
            .col(timestamp_with_time_zone_null(a("used_at")))
            .foreign_key(&mut tenant_fk(
                "refresh_tokens",
                "session_id",
                "user_sessions",
                Cascade,
            ))
            .to_owned();
        // Sign-in happens before any tenant is known, so attempts are keyed
        // by lower-cased email and client address, not by tenant.
        let login_attempts = Table::create()
            .table(a("login_attempts"))
            .col(uuid(a("id")).primary_key())
            .col(string(a("attempt_key")))
            .col(timestamp_with_time_zone(a("at")))
            .to_owned();
        let audit_log = tenant_table("audit_log")
            .col(timestamp_with_time_zone(a("at")))
            .col(string_len(a("actor_kind"), 16))
            .col(uuid_null(a("actor_id")))
            .col(string_len(a("action"), 32))
            .col(string_null(a("target")))
            .col(json_binary(a("detail")))
            .to_owned();
        let indexes = vec![
            tenant_index(
                "refresh_tokens",
                "ix_refresh_tokens_session",
                &["session_id"],
                false,
            ),
            Index::create()
                .name("ix_login_attempts_key")
                .table(a("login_attempts"))
                .col(a("attempt_key"))
                .col(a("at"))
                .to_owned(),
            // The one index not led by `tenant_id`: sign-in finds a user by
            // email before it knows the tenant.
            Index::create()
                .name("ix_users_email_any_tenant")
                .table(a("users"))
                .col(a("email"))
                .to_owned(),
        ];
        create_all(
            manager,
            vec![sessions, refresh_tokens, login_attempts, audit_log],
            indexes,
        )
        .await?;

        // Authorship by API key. No foreign key: SQLite cannot add one to an
        // existing table, and keys are revoked, never deleted.
        for (table, column) in AUTHORSHIP_COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(a(table))
                        .add_column(uuid_null(a(column)))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in AUTHORSHIP_COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(a(table))
                        .drop_column(a(column))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("ix_users_email_any_tenant")
                    .table(a("users"))
                    .to_owned(),
            )
            .await?;
        crate::helpers::drop_all(
            manager,
            &[
                "audit_log",
                "login_attempts",
                "refresh_tokens",
                "user_sessions",
            ],
        )
        .await
    }
}
