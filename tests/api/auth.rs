//! Credentials: the operator secret, API keys and their scopes, revocation,
//! and the error codes each failure carries.

use crate::helpers::*;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use sha2::{Digest, Sha256};

db_test! {
    async fn tenant_administration_needs_the_operator_secret(app) {
        let tenant = app.create_tenant("Acme").await;
        let input = json!({ "input": { "name": "Sneaky", "timezone": "UTC" } });
        let anonymous = app.gql(None, &CREATE_TENANT, input.clone()).await;
        assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
        let with_key = app.gql(Some(&tenant.key), &CREATE_TENANT, input.clone()).await;
        assert_eq!(error_code(&with_key), "FORBIDDEN");
        let wrong_secret = app.gql(Some("test-operator-secret-0123456788"), &CREATE_TENANT, input).await;
        assert_eq!(error_code(&wrong_secret), "UNAUTHENTICATED");
    }
}

db_test! {
    async fn tenant_data_needs_a_tenant_credential(app) {
        assert_eq!(error_code(&app.gql(None, &TENANT, json!({})).await), "UNAUTHENTICATED");
        assert_eq!(error_code(&app.gql(Some("cbk_garbage"), &TENANT, json!({})).await), "UNAUTHENTICATED");
        assert_eq!(error_code(&app.gql(Some(OPERATOR), &TENANT, json!({})).await), "FORBIDDEN");
    }
}

db_test! {
    async fn scopes_limit_what_a_key_may_do(app) {
        let tenant = app.create_tenant("Acme").await;
        let create = |name: &str, scopes: serde_json::Value| json!({ "input": { "name": name, "scopes": scopes } });
        let read = app.gql(Some(&tenant.key), &CREATE_API_KEY, create("dashboard", json!(["READ"]))).await;
        let read_key = read["data"]["createApiKey"]["secret"].as_str().unwrap().to_owned();
        assert_eq!(read["data"]["createApiKey"]["apiKey"]["scopes"], json!(["READ"]));
        assert_eq!(read["data"]["createApiKey"]["apiKey"]["persistedOnly"], false);
        let ingest = app.gql(Some(&tenant.key), &CREATE_API_KEY, create("crm", json!(["INGEST"]))).await;
        let ingest_key = ingest["data"]["createApiKey"]["secret"].as_str().unwrap().to_owned();

        assert!(app.gql(Some(&read_key), &TENANT, json!({})).await["data"]["tenant"].is_object());
        let events = json!({ "events": [] });
        assert_eq!(error_code(&app.gql(Some(&read_key), &INGEST_CALL_EVENTS, events.clone()).await), "FORBIDDEN");
        assert_eq!(error_code(&app.gql(Some(&read_key), &CREATE_API_KEY, create("x", json!(["READ"]))).await), "FORBIDDEN");
        assert_eq!(error_code(&app.gql(Some(&ingest_key), &TENANT, json!({})).await), "FORBIDDEN");
        let ingested = app.gql(Some(&ingest_key), &INGEST_CALL_EVENTS, events).await;
        assert_eq!(ingested["data"]["ingestCallEvents"]["accepted"], 0, "{ingested}");
    }
}

db_test! {
    async fn a_revoked_key_stops_working_at_once(app) {
        let tenant = app.create_tenant("Acme").await;
        let created = app.gql(Some(&tenant.key), &CREATE_API_KEY, json!({ "input": { "name": "old", "scopes": ["READ"] } })).await;
        let key = created["data"]["createApiKey"]["secret"].as_str().unwrap().to_owned();
        let id = created["data"]["createApiKey"]["apiKey"]["id"].as_str().unwrap().to_owned();
        assert!(app.gql(Some(&key), &TENANT, json!({})).await["data"]["tenant"].is_object());

        let revoked = app.gql(Some(&tenant.key), &REVOKE_API_KEY, json!({ "id": id })).await;
        assert_eq!(revoked["data"]["revokeApiKey"]["id"], id.as_str());
        let revoked_at = revoked["data"]["revokeApiKey"]["revokedAt"].as_str().expect("revokedAt set").to_owned();
        assert_eq!(error_code(&app.gql(Some(&key), &TENANT, json!({})).await), "UNAUTHENTICATED");

        let again = app.gql(Some(&tenant.key), &REVOKE_API_KEY, json!({ "id": id })).await;
        assert_eq!(again["data"]["revokeApiKey"]["revokedAt"], revoked_at.as_str(), "revoking twice keeps the first time");
    }
}

db_test! {
    async fn another_tenants_key_id_is_not_found(app) {
        let a = app.create_tenant("A").await;
        let b = app.create_tenant("B").await;
        let created = app.gql(Some(&a.key), &CREATE_API_KEY, json!({ "input": { "name": "k", "scopes": ["READ"] } })).await;
        let id_of_a = created["data"]["createApiKey"]["apiKey"]["id"].as_str().unwrap();
        let key_of_a = created["data"]["createApiKey"]["secret"].as_str().unwrap();
        let by_b = app.gql(Some(&b.key), &REVOKE_API_KEY, json!({ "id": id_of_a })).await;
        assert_eq!(error_code(&by_b), "NOT_FOUND");
        let nonexistent = app.gql(Some(&b.key), &REVOKE_API_KEY, json!({ "id": "QXBpS2V5OjAwMDA" })).await;
        assert_eq!(error_code(&nonexistent), "NOT_FOUND");
        assert_eq!(by_b["errors"][0]["message"], nonexistent["errors"][0]["message"], "indistinguishable");
        assert!(app.gql(Some(key_of_a), &TENANT, json!({})).await["data"]["tenant"].is_object(), "A's key still works");
    }
}

db_test! {
    async fn keys_are_stored_only_as_hashes_and_their_use_is_recorded(app) {
        let tenant = app.create_tenant("Acme").await;
        let rows = app
            .db
            .conn()
            .query_all_raw(Statement::from_string(app.db.backend(), "SELECT secret_hash, last_used_at FROM api_keys"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        let stored: String = rows[0].try_get("", "secret_hash").unwrap();
        let expected: String = Sha256::digest(tenant.key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(stored, expected);
        assert!(!stored.contains(&tenant.key[4..20]));

        app.gql(Some(&tenant.key), &TENANT, json!({})).await;
        let keys = app.gql(Some(&tenant.key), "{ apiKeys { lastUsedAt } }", json!({})).await;
        assert!(keys["data"]["apiKeys"][0]["lastUsedAt"].is_string(), "{keys}");
    }
}

db_test! {
    async fn a_key_needs_a_name_and_a_scope(app) {
        let tenant = app.create_tenant("Acme").await;
        let none = app.gql(Some(&tenant.key), &CREATE_API_KEY, json!({ "input": { "name": "k", "scopes": [] } })).await;
        assert_eq!(error_code(&none), "BAD_USER_INPUT");
        let unnamed = app.gql(Some(&tenant.key), &CREATE_API_KEY, json!({ "input": { "name": " ", "scopes": ["READ"] } })).await;
        assert_eq!(error_code(&unnamed), "BAD_USER_INPUT");
    }
}

db_test! {
    async fn internal_errors_never_show_database_text(app) {
        let tenant = app.create_tenant("Acme").await;
        app.db.conn().execute_unprepared("DROP TABLE call_events").await.unwrap();
        let event = json!({ "eventId": "e1", "provider": "twilio", "providerCallId": "CA1", "type": "INITIATED", "occurredAt": "2026-01-01T00:00:00Z" });
        let body = app.gql(Some(&tenant.key), &INGEST_CALL_EVENTS, json!({ "events": [event] })).await;
        assert_eq!(error_code(&body), "INTERNAL");
        assert_eq!(body["errors"][0]["message"], "internal error");
        assert!(!body.to_string().contains("call_events"), "{body}");
    }
}
