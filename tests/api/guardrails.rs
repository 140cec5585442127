//! Request guardrails, each with its stable code: aliases, introspection,
//! complexity, body size, time limit and the rate limit per credential.
//! (Depth: server.rs; page size: read_paging.rs.)

use crate::helpers::error_code;
use serde_json::{Value, json};

/// POSTs `query` to `address` asking for `application/graphql-response+json`;
/// returns the status, headers and body.
async fn post(
    client: &reqwest::Client,
    address: &str,
    bearer: &str,
    body: Value,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = client
        .post(format!("{address}/graphql"))
        .bearer_auth(bearer)
        .header("Accept", "application/graphql-response+json")
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().await.expect("JSON body"))
}

fn aliased(count: usize) -> String {
    let fields: Vec<String> = (0..count).map(|i| format!("a{i}: __typename")).collect();
    format!("{{ {} }}", fields.join(" "))
}

db_test! {
    async fn too_many_aliases_are_refused_before_anything_runs(app) {
        let t = app.create_tenant("Acme").await;
        let address = app.serve_with(|config| config.max_aliases = 3).await;
        let (status, _, body) = post(&app.client, &address, &t.key, json!({ "query": aliased(3) })).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["a2"], "Query");

        let (status, _, body) = post(&app.client, &address, &t.key, json!({ "query": aliased(4) })).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error_code(&body), "MAX_ALIASES_LIMIT");
        assert!(body.get("data").is_none(), "a request error has no data: {body}");

        // Aliases hidden in a fragment count too.
        let fragment = "query { ...F } fragment F on Query { a: __typename b: __typename c: __typename d: __typename }";
        let (_, _, body) = post(&app.client, &address, &t.key, json!({ "query": fragment })).await;
        assert_eq!(error_code(&body), "MAX_ALIASES_LIMIT");
    }
}

db_test! {
    async fn introspection_can_be_switched_off(app) {
        let t = app.create_tenant("Acme").await;
        let open = app.gql(Some(&t.key), "{ __schema { queryType { name } } }", json!({})).await;
        assert_eq!(open["data"]["__schema"]["queryType"]["name"], "Query", "on by default: {open}");

        let address = app.serve_with(|config| config.introspection = false).await;
        for query in [
            "{ __schema { queryType { name } } }",
            "{ __type(name: \"Tenant\") { name } }",
            "query { ...F } fragment F on Query { __schema { types { name } } }",
        ] {
            let (status, _, body) = post(&app.client, &address, &t.key, json!({ "query": query })).await;
            assert_eq!(status, 400, "{query}: {body}");
            assert_eq!(error_code(&body), "INTROSPECTION_DISABLED", "{query}");
        }
        // `__typename` is not introspection: clients rely on it.
        let (_, _, body) = post(&app.client, &address, &t.key, json!({ "query": "{ __typename tenant { name } }" })).await;
        assert_eq!(body["data"]["tenant"]["name"], "Acme", "{body}");
    }
}

db_test! {
    async fn oversized_bodies_are_refused_with_a_code(app) {
        let t = app.create_tenant("Acme").await;
        let address = app.serve_with(|config| config.max_body_bytes = 1024).await;
        let padding = "#".repeat(2048);
        let (status, _, body) = post(&app.client, &address, &t.key, json!({ "query": format!("{padding}\n{{ __typename }}") })).await;
        assert_eq!(status, 413, "{body}");
        assert_eq!(error_code(&body), "PAYLOAD_TOO_LARGE");
        let (status, _, _) = post(&app.client, &address, &t.key, json!({ "query": "{ __typename }" })).await;
        assert_eq!(status, 200, "a small body still passes");
    }
}

db_test! {
    async fn a_request_over_the_time_limit_is_cut_off_with_a_code(app) {
        use sea_orm::TransactionTrait;
        let t = app.create_tenant("Acme").await;
        let address = app.serve_with(|config| config.request_timeout_secs = 1).await;
        // Hold the tenant's write lock, so an ingest batch waits past the limit.
        let txn = app.db.conn().begin().await.unwrap();
        let gate = app.db.write_gate().await;
        api::ingest::lock_tenant(&txn, t.uuid).await.unwrap();

        let ingest = json!({
            "query": "mutation($e: [CallEventInput!]!) { ingestCallEvents(events: $e) { accepted } }",
            "variables": { "e": [{ "eventId": "e1", "provider": "bolna", "providerCallId": "c1", "type": "INITIATED", "occurredAt": "2026-01-01T00:00:00Z" }] },
        });
        let (status, _, body) = post(&app.client, &address, &t.key, ingest.clone()).await;
        assert_eq!(status, 504, "{body}");
        assert_eq!(error_code(&body), "REQUEST_TIMEOUT");

        drop(gate);
        txn.rollback().await.unwrap();
        let (status, _, body) = post(&app.client, &address, &t.key, ingest).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["ingestCallEvents"]["accepted"], 1, "{body}");
    }
}

db_test! {
    async fn each_credential_has_its_own_rate_limit(app) {
        let a = app.create_tenant("Acme").await;
        let b = app.create_tenant("Globex").await;
        let address = app.serve_with(|config| {
            config.rate_limit_per_second = 1;
            config.rate_limit_burst = 3;
        }).await;
        let query = json!({ "query": "{ tenant { name } }" });
        for _ in 0..3 {
            let (status, _, body) = post(&app.client, &address, &a.key, query.clone()).await;
            assert_eq!(status, 200, "{body}");
        }
        let (status, headers, body) = post(&app.client, &address, &a.key, query.clone()).await;
        assert_eq!(status, 429, "{body}");
        assert_eq!(error_code(&body), "RATE_LIMITED");
        let retry_after: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=2).contains(&retry_after), "{retry_after}");

        // Another credential is not slowed down by the first.
        let (status, _, body) = post(&app.client, &address, &b.key, query.clone()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["tenant"]["name"], "Globex");

        // After waiting as told, the first may go on.
        tokio::time::sleep(std::time::Duration::from_secs(retry_after)).await;
        let (status, _, _) = post(&app.client, &address, &a.key, query).await;
        assert_eq!(status, 200);
    }
}

db_test! {
    async fn too_complex_queries_are_refused(app) {
        let t = app.create_tenant("Acme").await;
        let address = app.serve_with(|config| config.max_complexity = 3).await;
        let (status, _, body) = post(&app.client, &address, &t.key, json!({ "query": "{ tenant { name timezone } }" })).await;
        assert_eq!(status, 200, "{body}");
        let (status, _, body) = post(&app.client, &address, &t.key, json!({ "query": "{ tenant { id name timezone defaultCountry } }" })).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error_code(&body), "MAX_COMPLEXITY_LIMIT");
    }
}
