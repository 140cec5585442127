//! PostgreSQL only: row-level security as a second wall behind the
//! application's own tenant filters.
//!
//! A `NOLOGIN` role `callboard_tenant` may read and write the tenant-owned
//! tables and `tenants` (nothing else), and on each a policy shows it only
//! the rows of the tenant
//! named by the transaction-local setting `callboard.tenant_id`. The server
//! connects as the tables' owner (which the policies do not bind) and drops
//! to this role with `SET LOCAL ROLE` in the transactions it scopes to one
//! tenant (see `db::scope_to_tenant`). With no tenant set, the role sees no
//! rows at all. SQLite has no row-level security; there this does nothing.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every table holding a `tenant_id`.
pub const TENANT_TABLES: [&str; 19] = [
    "api_keys",
    "agents",
    "campaigns",
    "contacts",
    "users",
    "calls",
    "call_events",
    "call_notes",
    "transcripts",
    "transcript_segments",
    "lead_analyses",
    "follow_ups",
    "kpi_totals",
    "kpi_agent_rollups",
    "kpi_rollups",
    "persisted_documents",
    "user_sessions",
    "refresh_tokens",
    "audit_log",
];

/// The tenant a transaction is scoped to; no rows when unset. (After a
/// transaction-local setting ends, PostgreSQL leaves `''`, hence `NULLIF`.)
const CURRENT_TENANT: &str = "NULLIF(current_setting('callboard.tenant_id', true), '')::uuid";

/// Turns on row-level security for tenant-owned `table` with the policy
/// that shows the role `callboard_tenant` only the current tenant's rows.
pub fn tenant_policy(table: &str) -> String {
    format!(
        "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
         CREATE POLICY tenant_isolation ON {table} TO callboard_tenant
           USING (tenant_id = {CURRENT_TENANT}) WITH CHECK (tenant_id = {CURRENT_TENANT});"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        // Roles belong to the whole server, not to one database: create it
        // once, tolerating a concurrent creation by another database's
        // migration, then make the connecting user a member so that it may
        // `SET ROLE` to it. A user without CREATEROLE needs a superuser to
        // do both first; the error says so.
        const NEEDS_SUPERUSER: &str = "WHEN insufficient_privilege THEN RAISE EXCEPTION
                 'callboard needs the role callboard_tenant: as a superuser run '
                 'CREATE ROLE callboard_tenant NOLOGIN; GRANT callboard_tenant TO %; '
                 '(or give this user CREATEROLE)', current_user;";
        db.execute_unprepared(&format!(
            "DO $$ BEGIN
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'callboard_tenant') THEN
                 CREATE ROLE callboard_tenant NOLOGIN;
               END IF;
             EXCEPTION
               WHEN duplicate_object OR unique_violation THEN NULL;
               {NEEDS_SUPERUSER}
             END $$"
        ))
        .await?;
        db.execute_unprepared(&format!(
            "DO $$ BEGIN
               IF NOT pg_has_role(current_user, 'callboard_tenant', 'MEMBER') THEN
                 EXECUTE format('GRANT callboard_tenant TO %I', current_user);
               END IF;
             EXCEPTION
               WHEN duplicate_object OR unique_violation THEN NULL;
               {NEEDS_SUPERUSER}
             END $$"
        ))
        .await?;
        // Only the tables that exist now, each with its policy below: a
        // table added later is out of the role's reach until a migration
        // grants it with a policy (fail closed).
        db.execute_unprepared(&format!(
            "GRANT USAGE ON SCHEMA public TO callboard_tenant;
             GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, {} TO callboard_tenant;",
            TENANT_TABLES.join(", ")
        ))
        .await?;
        let mut sql = format!(
            "ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
             CREATE POLICY tenant_isolation ON tenants TO callboard_tenant
               USING (id = {CURRENT_TENANT}) WITH CHECK (id = {CURRENT_TENANT});"
        );
        for table in TENANT_TABLES {
            sql.push_str(&tenant_policy(table));
        }
        db.execute_unprepared(&sql).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        let mut sql = String::from(
            "DROP POLICY IF EXISTS tenant_isolation ON tenants;
             ALTER TABLE tenants DISABLE ROW LEVEL SECURITY;",
        );
        for table in TENANT_TABLES {
            sql.push_str(&format!(
                "DROP POLICY IF EXISTS tenant_isolation ON {table};
                 ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;"
            ));
        }
        manager.get_connection().execute_unprepared(&sql).await?;
        Ok(())
    }
}
