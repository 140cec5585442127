//! Persisted queries: trusted documents by id, Automatic Persisted Queries
//! (Apollo protocol, POST and GET), and `persistedOnly` keys.

use crate::contract::operation;
use crate::helpers::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn post(app: &TestApp, key: &str, body: Value) -> Value {
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

fn apq(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

const REGISTER: &str = "mutation RegisterPersistedDocuments($documents: [String!]!) { registerPersistedDocuments(documents: $documents) { id operationNames } }";

async fn key_with(app: &TestApp, admin_key: &str, persisted_only: bool) -> String {
    let body = app.gql(Some(admin_key), &CREATE_API_KEY, json!({ "input": { "name": "crm", "scopes": ["READ"], "persistedOnly": persisted_only } })).await;
    body["data"]["createApiKey"]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

db_test! {
    async fn registered_documents_run_by_id_or_by_apq_hash(app) {
        let t = app.create_tenant("Acme").await;
        let document = operation("Tenant");
        let registered = app.gql(Some(&t.key), REGISTER, json!({ "documents": [document] })).await;
        let id = format!("sha256:{}", sha256(&document));
        assert_eq!(registered["data"]["registerPersistedDocuments"], json!([{ "id": id, "operationNames": ["Tenant"] }]));
        let again = app.gql(Some(&t.key), REGISTER, json!({ "documents": [document] })).await;
        assert_eq!(again["data"]["registerPersistedDocuments"][0]["id"], id.as_str(), "registering again changes nothing");

        let by_id = post(&app, &t.key, json!({ "documentId": id })).await;
        assert_eq!(by_id["data"]["tenant"]["name"], "Acme", "{by_id}");
        let by_hash = post(&app, &t.key, json!({ "extensions": apq(&sha256(&document)) })).await;
        assert_eq!(by_hash["data"]["tenant"]["name"], "Acme");
        let unknown = post(&app, &t.key, json!({ "documentId": format!("sha256:{}", sha256("{ nope }")) })).await;
        assert_eq!(error_code(&unknown), "PERSISTED_QUERY_NOT_FOUND");

        let other = app.create_tenant("Other").await;
        let foreign = post(&app, &other.key, json!({ "documentId": id })).await;
        assert_eq!(error_code(&foreign), "PERSISTED_QUERY_NOT_FOUND", "another tenant's documents are not ours");
    }
}

db_test! {
    async fn apollo_apq_registers_on_a_miss_then_runs_by_hash_over_post_and_get(app) {
        let t = app.create_tenant("Acme").await;
        let query = "query Kpis($range: TimeRangeInput!) { kpis(range: $range) { totalCalls } }";
        let hash = sha256(query);
        let variables = json!({ "range": { "from": "2026-03-01T00:00:00Z", "to": "2026-03-02T00:00:00Z" } });
        let miss = post(&app, &t.key, json!({ "variables": variables, "extensions": apq(&hash) })).await;
        assert_eq!(error_code(&miss), "PERSISTED_QUERY_NOT_FOUND");
        assert_eq!(miss["errors"][0]["message"], "PersistedQueryNotFound");
        let full = post(&app, &t.key, json!({ "query": query, "variables": variables, "extensions": apq(&hash) })).await;
        assert_eq!(full["data"]["kpis"]["totalCalls"], 0, "{full}");
        let hit = post(&app, &t.key, json!({ "variables": variables, "extensions": apq(&hash) })).await;
        assert_eq!(hit["data"]["kpis"]["totalCalls"], 0, "{hit}");

        let get: Value = app
            .client
            .get(format!("{}/graphql", app.address))
            .query(&[("variables", variables.to_string()), ("extensions", apq(&hash).to_string())])
            .header("Accept", "application/json")
            .bearer_auth(&t.key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(get["data"]["kpis"]["totalCalls"], 0, "{get}");

        let mismatch = post(&app, &t.key, json!({ "query": "{ tenant { name } }", "extensions": apq(&hash) })).await;
        assert_eq!(error_code(&mismatch), "BAD_USER_INPUT");
    }
}

db_test! {
    async fn a_persisted_only_key_runs_registered_documents_and_nothing_else(app) {
        let t = app.create_tenant("Acme").await;
        let locked = key_with(&app, &t.key, true).await;
        let registered = operation("Tenant");
        app.gql(Some(&t.key), REGISTER, json!({ "documents": [registered] })).await;

        let by_id = post(&app, &locked, json!({ "documentId": format!("sha256:{}", sha256(&registered)) })).await;
        assert_eq!(by_id["data"]["tenant"]["name"], "Acme", "{by_id}");
        let by_hash = post(&app, &locked, json!({ "extensions": apq(&sha256(&registered)) })).await;
        assert_eq!(by_hash["data"]["tenant"]["name"], "Acme");
        let full_registered = post(&app, &locked, json!({ "query": registered, "extensions": apq(&sha256(&registered)) })).await;
        assert_eq!(full_registered["data"]["tenant"]["name"], "Acme", "a registered document sent whole with its hash");

        let other = "{ tenant { id } }";
        let full = post(&app, &locked, json!({ "query": other })).await;
        assert_eq!(error_code(&full), "PERSISTED_QUERY_NOT_IN_LIST");
        let apq_registration = post(&app, &locked, json!({ "query": other, "extensions": apq(&sha256(other)) })).await;
        assert_eq!(error_code(&apq_registration), "PERSISTED_QUERY_NOT_IN_LIST");
        let unknown = post(&app, &locked, json!({ "documentId": format!("sha256:{}", sha256(other)) })).await;
        assert_eq!(error_code(&unknown), "PERSISTED_QUERY_NOT_FOUND");

        // An APQ-cached (untrusted) document is not in the list either.
        let open = key_with(&app, &t.key, false).await;
        post(&app, &open, json!({ "query": other, "extensions": apq(&sha256(other)) })).await;
        let cached = post(&app, &locked, json!({ "extensions": apq(&sha256(other)) })).await;
        assert_eq!(error_code(&cached), "PERSISTED_QUERY_NOT_IN_LIST");
    }
}

db_test! {
    async fn registering_needs_admin_and_parseable_documents(app) {
        let t = app.create_tenant("Acme").await;
        let reader = key_with(&app, &t.key, false).await;
        let forbidden = app.gql(Some(&reader), REGISTER, json!({ "documents": ["{ tenant { name } }"] })).await;
        assert_eq!(error_code(&forbidden), "FORBIDDEN");
        let broken = app.gql(Some(&t.key), REGISTER, json!({ "documents": ["{ tenant { name } }", "query {"] })).await;
        assert_eq!(error_code(&broken), "BAD_USER_INPUT");
        let nothing = post(&app, &t.key, json!({ "extensions": apq(&sha256("{ tenant { name } }")) })).await;
        assert_eq!(error_code(&nothing), "PERSISTED_QUERY_NOT_FOUND", "a refused request registers nothing");
    }
}
