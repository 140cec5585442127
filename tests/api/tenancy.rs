//! Tenants and isolation: operator-created tenants, the tenant taken from
//! the credential, and composite foreign keys the database itself enforces.

use crate::helpers::*;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

db_test! {
    async fn operator_creates_a_tenant_whose_key_reads_it(app) {
        let body = app
            .gql(
                Some(OPERATOR),
                &CREATE_TENANT,
                json!({ "input": { "name": "Ribbon Calls", "timezone": "Asia/Kathmandu", "defaultCountry": "np", "creditsPerMinute": 3 } }),
            )
            .await;
        let created = &body["data"]["createTenant"];
        assert_eq!(created["tenant"]["name"], "Ribbon Calls");
        assert_eq!(created["tenant"]["timezone"], "Asia/Kathmandu");
        assert_eq!(created["tenant"]["defaultCountry"], "NP");
        assert_eq!(created["tenant"]["creditsPerMinute"], 3);
        assert_eq!(created["apiKey"]["scopes"], json!(["READ", "INGEST", "ADMIN"]));
        let secret = created["apiKeySecret"].as_str().unwrap();
        assert!(secret.starts_with("cbk_"));

        let read = app.gql(Some(secret), &TENANT, json!({})).await;
        assert_eq!(read["data"]["tenant"], created["tenant"], "{read}");
    }
}

db_test! {
    async fn each_key_sees_only_its_own_tenant(app) {
        let a = app.create_tenant("Tenant A").await;
        let b = app.create_tenant("Tenant B").await;
        let seen_by_a = app.gql(Some(&a.key), &TENANT, json!({})).await;
        let seen_by_b = app.gql(Some(&b.key), &TENANT, json!({})).await;
        assert_eq!(seen_by_a["data"]["tenant"]["id"], a.id.as_str());
        assert_eq!(seen_by_b["data"]["tenant"]["id"], b.id.as_str());
        let keys_of_b = app.gql(Some(&b.key), "{ apiKeys { id } }", json!({})).await;
        assert_eq!(keys_of_b["data"]["apiKeys"].as_array().unwrap().len(), 1, "only B's own key: {keys_of_b}");
    }
}

db_test! {
    async fn bad_tenant_settings_are_bad_user_input(app) {
        for input in [
            json!({ "name": "x", "timezone": "Mars/Olympus" }),
            json!({ "name": "x", "timezone": "Asia/Kolkata", "defaultCountry": "ZZ" }),
            json!({ "name": "", "timezone": "Asia/Kolkata" }),
            json!({ "name": "x", "timezone": "Asia/Kolkata", "creditsPerMinute": -1 }),
        ] {
            let body = app.gql(Some(OPERATOR), &CREATE_TENANT, json!({ "input": input })).await;
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{input}: {body}");
        }
        let count = app.db.conn().query_one_raw(Statement::from_string(app.db.backend(), "SELECT COUNT(*) AS n FROM tenants")).await.unwrap().unwrap();
        assert_eq!(count.try_get::<i64>("", "n").unwrap(), 0, "nothing was created");
    }
}

db_test! {
    async fn the_database_refuses_a_row_that_points_at_another_tenants_row(app) {
        let a = app.create_tenant("Tenant A").await;
        let b = app.create_tenant("Tenant B").await;
        let agents = app.gql(Some(&b.key), &UPSERT_AGENTS, json!({ "agents": [{ "externalId": "b-agent", "name": "B" }] })).await;
        let agent_of_b = api::domain::GlobalId::decode(agents["data"]["upsertAgents"][0]["id"].as_str().unwrap()).unwrap().id;

        let backend = app.db.backend();
        let (p, cast) = match backend {
            DbBackend::Postgres => (["$1", "$2", "$3"], "::uuid"),
            _ => (["?", "?", "?"], ""),
        };
        let now = chrono::Utc::now();
        let insert = |agent: uuid::Uuid| {
            Statement::from_sql_and_values(
                backend,
                format!(
                    "INSERT INTO calls (tenant_id, id, provider, provider_call_id, agent_id, status, answered, duration_seconds, billed_minutes, credits, created_at, updated_at) \
                     VALUES ({}{cast}, {}{cast}, 'twilio', 'CA1', {}{cast}, 'INITIATED', false, 0, 0, 0, '{now}', '{now}')",
                    p[0], p[1], p[2]
                ),
                [a.uuid.into(), uuid::Uuid::now_v7().into(), agent.into()],
            )
        };
        let error = app.db.conn().execute_raw(insert(agent_of_b)).await.expect_err("a call of A pointing at B's agent is refused");
        let text = error.to_string().to_lowercase();
        assert!(text.contains("foreign key"), "{text}");

        // The same row pointing at an agent of its own tenant is fine.
        let agents = app.gql(Some(&a.key), &UPSERT_AGENTS, json!({ "agents": [{ "externalId": "a-agent", "name": "A" }] })).await;
        let agent_of_a = api::domain::GlobalId::decode(agents["data"]["upsertAgents"][0]["id"].as_str().unwrap()).unwrap().id;
        app.db.conn().execute_raw(insert(agent_of_a)).await.expect("same-tenant reference is accepted");
    }
}
