//! PostgreSQL's row-level security, the second wall: inside a transaction
//! scoped to tenant A (`db::scope_to_tenant`), a query that forgets its
//! tenant filter still sees and writes A's rows only; the KPI reads run
//! under it. SQLite has no row-level security, so these run on PostgreSQL
//! only.

use crate::helpers::*;
use crate::read_fixtures::{CallSpec, data, ingest_calls};
use crate::users::invite;
use migration::m20261123_000004_enable_row_level_security::TENANT_TABLES;
use sea_orm::{ConnectionTrait, DatabaseTransaction, Statement, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

async fn postgres_app(test: &str) -> Option<TestApp> {
    spawn_app(Backend::Postgres, test).await
}

/// The `tenant_id` of every row of `table` that `txn` can see.
async fn tenant_ids(txn: &DatabaseTransaction, table: &str) -> Vec<Uuid> {
    let column = if table == "tenants" {
        "id"
    } else {
        "tenant_id"
    };
    txn.query_all_raw(Statement::from_string(
        txn.get_database_backend(),
        format!("SELECT {column} AS tenant_id FROM {table}"),
    ))
    .await
    .unwrap_or_else(|e| panic!("{table}: {e}"))
    .iter()
    .map(|row| row.try_get::<Uuid>("", "tenant_id").unwrap())
    .collect()
}

/// Two tenants with rows in every tenant-owned table.
async fn two_tenants(app: &TestApp) -> (TestTenant, TestTenant) {
    let a = app.create_tenant("A").await;
    let b = app.create_tenant("B").await;
    for t in [&a, &b] {
        let calls = [CallSpec::new("c1", "priya", "q1", "98123 45601", 0)];
        ingest_calls(app, &t.key, &calls).await;
        crate::ingest::send_analyses(
            app,
            &t.key,
            vec![crate::read_fixtures::analysis("an", "c1", 300, 90)],
        )
        .await;
        crate::ingest::send_transcripts(app, &t.key, vec![crate::read_fixtures::transcript("c1")])
            .await;
        let (_, password) = invite(app, &t.key, "ana@example.com", "ANALYST", None).await;
        crate::users::sign_in(app, "ana@example.com", &password).await;
        let body = app
            .gql(
                Some(&t.key),
                "{ calls { nodes { id contact { id } } } }",
                json!({}),
            )
            .await;
        let call = data(&body)["calls"]["nodes"][0].clone();
        app.gql(
            Some(&t.key),
            crate::roles::ADD_NOTE,
            json!({ "callId": call["id"], "body": "note" }),
        )
        .await;
        let follow_up = json!({ "input": { "contactId": call["contact"]["id"], "dueAt": "2026-04-01T09:00:00Z" } });
        app.gql(Some(&t.key), crate::roles::CREATE_FOLLOW_UP, follow_up)
            .await;
        let register =
            "mutation($d: [String!]!) { registerPersistedDocuments(documents: $d) { id } }";
        app.gql(
            Some(&t.key),
            register,
            json!({ "d": ["query T { tenant { id } }"] }),
        )
        .await;
    }
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unscoped_query_in_a_tenants_transaction_sees_only_that_tenants_rows() {
    let Some(app) = postgres_app(module_path!()).await else {
        return;
    };
    let (a, b) = two_tenants(&app).await;
    let conn = app.db.conn();

    // As the owner, outside any scope, both tenants' rows are there.
    let owner = conn.begin().await.unwrap();
    let mut empty: Vec<&str> = Vec::new();
    for table in TENANT_TABLES.iter().chain(&["tenants"]) {
        let seen = tenant_ids(&owner, table).await;
        if !(seen.contains(&a.uuid) && seen.contains(&b.uuid)) {
            empty.push(*table);
        }
    }
    owner.rollback().await.unwrap();
    assert!(
        empty.is_empty(),
        "the fixture leaves no rows of both tenants in {empty:?}"
    );

    // Scoped to A: every table shows A's rows only, without any WHERE.
    let txn = conn.begin().await.unwrap();
    api::db::scope_to_tenant(&txn, a.uuid).await.unwrap();
    for table in TENANT_TABLES.iter().chain(&["tenants"]) {
        let seen = tenant_ids(&txn, table).await;
        assert!(
            seen.iter().all(|t| *t == a.uuid),
            "{table} shows another tenant's rows"
        );
        assert!(!seen.is_empty(), "{table} shows A's own rows");
    }
    // Writing B's rows is refused too.
    let insert = txn
        .execute_unprepared(&format!(
            "INSERT INTO campaigns (tenant_id, id, name, created_at) VALUES ('{}', '{}', 'sneaky', now())",
            b.uuid,
            Uuid::now_v7()
        ))
        .await;
    assert!(insert.is_err(), "a row of B written in A's scope");
    txn.rollback().await.unwrap();

    // The role without a tenant sees nothing at all.
    let txn = conn.begin().await.unwrap();
    txn.execute_unprepared("SET LOCAL ROLE callboard_tenant")
        .await
        .unwrap();
    for table in ["calls", "users", "api_keys", "tenants"] {
        assert!(
            tenant_ids(&txn, table).await.is_empty(),
            "{table} without a tenant"
        );
    }
    txn.rollback().await.unwrap();

    // And the scope ends with its transaction.
    let after = conn.begin().await.unwrap();
    assert_eq!(tenant_ids(&after, "calls").await.len(), 2);
    after.rollback().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_table_with_a_tenant_id_has_a_policy_and_nothing_else_is_granted() {
    let Some(app) = postgres_app(module_path!()).await else {
        return;
    };
    let rows = app
        .db
        .conn()
        .query_all_raw(Statement::from_string(
            app.db.backend(),
            "SELECT c.table_name::text AS name, t.relrowsecurity AS rls,
                    EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.table_name) AS policy
             FROM information_schema.columns c JOIN pg_class t ON t.relname = c.table_name
             WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id'
               AND NOT t.relispartition ORDER BY 1",
        ))
        .await
        .unwrap();
    let mut tables: Vec<String> = Vec::new();
    for row in rows {
        let name: String = row.try_get("", "name").unwrap();
        assert!(
            row.try_get::<bool>("", "rls").unwrap(),
            "{name} has row-level security"
        );
        assert!(
            row.try_get::<bool>("", "policy").unwrap(),
            "{name} has a policy"
        );
        tables.push(name);
    }
    let mut expected: Vec<String> = TENANT_TABLES.iter().map(|t| t.to_string()).collect();
    expected.sort();
    assert_eq!(tables, expected);

    // The partitions of the rollup tables are reached through their parent
    // (whose policy applies) and never directly.
    let partitions = app
        .db
        .conn()
        .query_all_raw(Statement::from_string(
            app.db.backend(),
            "SELECT c.relname::text AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relkind = 'r'",
        ))
        .await
        .unwrap();
    let mut out_of_reach: Vec<String> = partitions
        .iter()
        .map(|row| row.try_get("", "name").unwrap())
        .collect();
    assert_eq!(
        out_of_reach.len(),
        9,
        "three partitions (quarter, day, month) per rollup table: {out_of_reach:?}"
    );
    out_of_reach.extend(["login_attempts", "seaql_migrations"].map(String::from));
    for table in out_of_reach {
        let txn = app.db.conn().begin().await.unwrap();
        txn.execute_unprepared("SET LOCAL ROLE callboard_tenant")
            .await
            .unwrap();
        let denied = txn
            .execute_unprepared(&format!("SELECT 1 FROM {table}"))
            .await;
        assert!(denied.is_err(), "{table} is out of the role's reach");
        txn.rollback().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kpi_reads_run_under_row_level_security() {
    let Some(app) = postgres_app(module_path!()).await else {
        return;
    };
    let (a, _) = two_tenants(&app).await;
    let query = r#"{ kpis(range: { from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z" }) { totalCalls } }"#;
    assert_eq!(
        data(&app.gql(Some(&a.key), query, json!({})).await)["kpis"]["totalCalls"],
        1
    );

    // A policy that shows nothing: if KPI reads run under it, they count nothing.
    for table in [
        "kpi_totals",
        "kpi_agent_rollups",
        "kpi_rollups",
        "calls",
        "lead_analyses",
    ] {
        app.db
            .conn()
            .execute_unprepared(&format!(
                "ALTER POLICY tenant_isolation ON {table} USING (false)"
            ))
            .await
            .unwrap();
    }
    assert_eq!(
        data(&app.gql(Some(&a.key), query, json!({})).await)["kpis"]["totalCalls"],
        0
    );
    let calls = app
        .gql(Some(&a.key), "{ calls { totalCount } }", json!({}))
        .await;
    assert_eq!(
        data(&calls)["calls"]["totalCount"],
        1,
        "lists do not run under it (yet)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_and_peoples_writes_run_under_row_level_security() {
    let Some(app) = postgres_app(module_path!()).await else {
        return;
    };
    let (a, _) = two_tenants(&app).await;
    let body = app
        .gql(Some(&a.key), "{ calls { nodes { id } } }", json!({}))
        .await;
    let call = data(&body)["calls"]["nodes"][0]["id"].clone();
    let event = json!({ "events": [crate::ingest::event("e-late", "c9", "INITIATED", 5)] });
    let note = json!({ "callId": call, "body": "note" });

    // Policies that refuse every write: if these paths run under them, they fail.
    for table in ["call_events", "call_notes"] {
        app.db
            .conn()
            .execute_unprepared(&format!(
                "ALTER POLICY tenant_isolation ON {table} WITH CHECK (false)"
            ))
            .await
            .unwrap();
    }
    let ingested = app
        .gql(Some(&a.key), &INGEST_CALL_EVENTS, event.clone())
        .await;
    assert_eq!(error_code(&ingested), "INTERNAL", "{ingested}");
    assert_eq!(
        error_code(
            &app.gql(Some(&a.key), crate::roles::ADD_NOTE, note.clone())
                .await
        ),
        "INTERNAL"
    );

    for table in ["call_events", "call_notes"] {
        app.db
            .conn()
            .execute_unprepared(&format!(
                "ALTER POLICY tenant_isolation ON {table} WITH CHECK \
                 (tenant_id = NULLIF(current_setting('callboard.tenant_id', true), '')::uuid)"
            ))
            .await
            .unwrap();
    }
    let ingested = app.gql(Some(&a.key), &INGEST_CALL_EVENTS, event).await;
    assert_eq!(
        data(&ingested)["ingestCallEvents"]["accepted"],
        1,
        "{ingested}"
    );
    assert!(
        data(&app.gql(Some(&a.key), crate::roles::ADD_NOTE, note).await)["addCallNote"].is_object()
    );
}
