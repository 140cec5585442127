//! The response cache: a query answered once is answered again from memory
//! for the same credential, document and variables, until any write of the
//! tenant; never across credentials or tenants, never for answers with
//! errors or for fields whose rows change without a data write.

use crate::helpers::{CREATE_API_KEY, TestApp};
use crate::ingest::{event, send_analyses, send_events, send_transcripts};
use serde_json::{Value, json};

/// POSTs a query; returns the `callboard-cache` header (`hit`, `miss` or
/// none) and the body.
async fn ask(
    app: &TestApp,
    address: &str,
    key: &str,
    query: &str,
    variables: Value,
) -> (Option<String>, Value) {
    let response = app
        .client
        .post(format!("{address}/graphql"))
        .bearer_auth(key)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("request");
    let cache = response
        .headers()
        .get("callboard-cache")
        .map(|v| v.to_str().unwrap().to_owned());
    (cache, response.json().await.expect("JSON body"))
}

const CALL: &str = "query($first: Int!) {
  calls(first: $first) {
    totalCount
    nodes {
      providerCallId status durationSeconds
      leadAnalysis { totalScore }
      transcript { segments { text } }
      notes { body }
    }
  }
  kpis(range: { from: \"2026-03-01T00:00:00Z\", to: \"2026-04-01T00:00:00Z\" }) { totalCalls answeredCalls }
}";

async fn served_with_cache(app: &TestApp) -> String {
    app.serve_with(|config| config.response_cache_mb = 8).await
}

db_test! {
    async fn a_repeated_query_is_answered_from_the_cache_until_the_tenant_writes(app) {
        let t = app.create_tenant("Acme").await;
        let address = served_with_cache(&app).await;
        send_events(&app, &t.key, vec![event("e1", "c1", "INITIATED", 0)]).await;
        let vars = json!({ "first": 5 });

        let (cache, first) = ask(&app, &address, &t.key, CALL, vars.clone()).await;
        assert_eq!(cache.as_deref(), Some("miss"), "{first}");
        assert_eq!(first["data"]["calls"]["totalCount"], 1, "{first}");
        let (cache, again) = ask(&app, &address, &t.key, CALL, vars.clone()).await;
        assert_eq!(cache.as_deref(), Some("hit"));
        assert_eq!(again, first, "the same answer");

        // Each kind of write ends the cached answer, and the next answer
        // shows the write.
        send_events(&app, &t.key, vec![event("e2", "c1", "ANSWERED", 5), event("e3", "c1", "COMPLETED", 65)]).await;
        let (cache, body) = ask(&app, &address, &t.key, CALL, vars.clone()).await;
        assert_eq!(cache.as_deref(), Some("miss"), "after events: {body}");
        assert_eq!(body["data"]["calls"]["nodes"][0]["status"], "COMPLETED", "{body}");
        assert_eq!(body["data"]["kpis"]["answeredCalls"], 1, "{body}");
        assert_eq!(ask(&app, &address, &t.key, CALL, vars.clone()).await.0.as_deref(), Some("hit"));

        let analysis = json!({ "analysisId": "a1", "provider": "bolna", "providerCallId": "c1", "analyzedAt": "2026-03-10T11:00:00Z", "totalScore": 77 });
        send_analyses(&app, &t.key, vec![analysis]).await;
        let (cache, body) = ask(&app, &address, &t.key, CALL, vars.clone()).await;
        assert_eq!(cache.as_deref(), Some("miss"), "after an analysis");
        assert_eq!(body["data"]["calls"]["nodes"][0]["leadAnalysis"]["totalScore"], 77, "{body}");

        let transcript = json!({ "provider": "bolna", "providerCallId": "c1", "recordedAt": "2026-03-10T11:05:00Z", "segments": [{ "speaker": "AGENT", "text": "Namaste", "startMs": 0, "endMs": 900 }] });
        send_transcripts(&app, &t.key, vec![transcript]).await;
        let (cache, body) = ask(&app, &address, &t.key, CALL, vars.clone()).await;
        assert_eq!(cache.as_deref(), Some("miss"), "after a transcript");
        assert_eq!(body["data"]["calls"]["nodes"][0]["transcript"]["segments"][0]["text"], "Namaste", "{body}");

        let call_id = app.gql(Some(&t.key), "{ calls(first: 1) { nodes { id } } }", json!({})).await["data"]["calls"]["nodes"][0]["id"].clone();
        let note = app.gql(Some(&t.key), crate::roles::ADD_NOTE, json!({ "callId": call_id, "body": "call back Monday" })).await;
        assert!(note["errors"].is_null(), "{note}");
        let (cache, body) = ask(&app, &address, &t.key, CALL, vars.clone()).await;
        assert_eq!(cache.as_deref(), Some("miss"), "after a note");
        assert_eq!(body["data"]["calls"]["nodes"][0]["notes"][0]["body"], "call back Monday", "{body}");
    }
}

db_test! {
    async fn answers_are_never_shared_between_credentials_variables_or_tenants(app) {
        let a = app.create_tenant("Acme").await;
        let b = app.create_tenant("Globex").await;
        let address = served_with_cache(&app).await;
        send_events(&app, &a.key, vec![event("e1", "c1", "INITIATED", 0)]).await;
        let vars = json!({ "first": 5 });
        let (cache, _) = ask(&app, &address, &a.key, CALL, vars.clone()).await;
        assert_eq!(cache.as_deref(), Some("miss"));
        assert_eq!(ask(&app, &address, &a.key, CALL, vars.clone()).await.0.as_deref(), Some("hit"));

        // Another key of the same tenant computes its own answer.
        let created = app.gql(Some(&a.key), &CREATE_API_KEY, json!({ "input": { "name": "dashboard", "scopes": ["READ"] } })).await;
        let read_key = created["data"]["createApiKey"]["secret"].as_str().expect("secret").to_owned();
        let (cache, body) = ask(&app, &address, &read_key, CALL, vars.clone()).await;
        assert_eq!(cache.as_deref(), Some("miss"), "{body}");
        assert_eq!(body["data"]["calls"]["totalCount"], 1);

        // Other variables are another question.
        let (cache, _) = ask(&app, &address, &a.key, CALL, json!({ "first": 6 })).await;
        assert_eq!(cache.as_deref(), Some("miss"));

        // The same document for another tenant: its own data.
        let (cache, body) = ask(&app, &address, &b.key, CALL, vars.clone()).await;
        assert_eq!(cache.as_deref(), Some("miss"));
        assert_eq!(body["data"]["calls"]["totalCount"], 0, "{body}");

        // A revoked key gets no cached answer.
        let revoked = app.gql(Some(&a.key), &crate::helpers::REVOKE_API_KEY, json!({ "id": created["data"]["createApiKey"]["apiKey"]["id"] })).await;
        assert!(revoked["errors"].is_null(), "{revoked}");
        let (cache, body) = ask(&app, &address, &read_key, CALL, vars).await;
        assert_eq!(cache, None);
        assert_eq!(crate::helpers::error_code(&body), "UNAUTHENTICATED");
    }
}

db_test! {
    async fn only_error_free_reads_of_tenant_data_are_cached(app) {
        let t = app.create_tenant("Acme").await;
        let address = served_with_cache(&app).await;
        // Rows that change without a data write: never cached.
        for query in ["{ apiKeys { name } }", "{ tenant { name } apiKeys { name } }"] {
            for _ in 0..2 {
                let (cache, body) = ask(&app, &address, &t.key, query, json!({})).await;
                assert_eq!(cache, None, "{query}: {body}");
            }
        }
        // An answer with an error is computed again each time.
        let failing = "{ calls(first: 100000) { totalCount } }";
        for _ in 0..2 {
            let (cache, body) = ask(&app, &address, &t.key, failing, json!({})).await;
            assert!(!body["errors"].is_null(), "{body}");
            assert_eq!(cache.as_deref(), Some("miss"));
        }
        // Mutations are never answered from the cache.
        let upsert = "mutation { upsertAgents(agents: [{ externalId: \"a1\", name: \"Priya\" }]) { name } }";
        for _ in 0..2 {
            let (cache, body) = ask(&app, &address, &t.key, upsert, json!({})).await;
            assert!(body["errors"].is_null(), "{body}");
            assert_eq!(cache, None);
        }
        // With the cache off (the tests' default) nothing is cached.
        for _ in 0..2 {
            let body = app.gql(Some(&t.key), CALL, json!({ "first": 1 })).await;
            assert!(body["errors"].is_null(), "{body}");
        }
        let response = app.client.post(format!("{}/graphql", app.address)).bearer_auth(&t.key)
            .json(&json!({ "query": CALL, "variables": { "first": 1 } })).send().await.unwrap();
        assert!(response.headers().get("callboard-cache").is_none());
    }
}
