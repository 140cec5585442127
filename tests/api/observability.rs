//! What the server tells its operator: Prometheus metrics and request ids.

use serde_json::json;

/// The value of the first sample of `metric` whose line has every label.
fn sample(exposition: &str, metric: &str, labels: &[&str]) -> Option<f64> {
    exposition
        .lines()
        .filter(|line| {
            line.starts_with(&format!("{metric}{{")) || line.starts_with(&format!("{metric} "))
        })
        .find(|line| labels.iter().all(|label| line.contains(label)))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

db_test! {
    async fn metrics_count_requests_by_operation_and_outcome(app) {
        let t = app.create_tenant("Acme").await;
        // The recorder is the process's: name the operation after the test's
        // backend, so the two variants running at once count apart.
        let name = format!("MetricsProbe{:?}", app.backend);
        let ok = format!("query {name} {{ tenant {{ name }} }}");
        app.gql(Some(&t.key), &ok, json!({})).await;
        app.gql(Some(&t.key), &ok, json!({})).await;
        app.gql(None, &ok, json!({})).await;
        let events = json!([{ "eventId": "e1", "provider": "bolna", "providerCallId": "c1", "type": "INITIATED", "occurredAt": "2026-01-01T00:00:00Z" }]);
        app.gql(Some(&t.key), "mutation($e: [CallEventInput!]!) { ingestCallEvents(events: $e) { accepted } }", json!({ "e": events })).await;

        let response = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
        let text = response.text().await.unwrap();
        let operation = format!("operation=\"{name}\"");
        assert_eq!(sample(&text, "callboard_graphql_requests_total", &[&operation, "outcome=\"ok\""]), Some(2.0), "{text}");
        assert_eq!(sample(&text, "callboard_graphql_requests_total", &[&operation, "outcome=\"UNAUTHENTICATED\""]), Some(1.0));
        assert_eq!(sample(&text, "callboard_graphql_request_duration_seconds_count", &[&operation]), Some(3.0));
        assert!(sample(&text, "callboard_graphql_request_duration_seconds_bucket", &[&operation, "le=\"0.005\""]).is_some());
        assert!(sample(&text, "callboard_ingest_items_total", &["kind=\"event\"", "outcome=\"accepted\""]).unwrap() >= 1.0);
        assert!(sample(&text, "callboard_db_pool_connections", &["state=\"max\""]).unwrap() >= 1.0);
        assert!(sample(&text, "callboard_db_statements_total", &[]).unwrap() > 0.0);
    }
}

db_test! {
    async fn every_response_carries_a_request_id(app) {
        let response = app.client.post(format!("{}/graphql", app.address)).json(&json!({ "query": "{ __typename }" })).send().await.unwrap();
        let id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");

        // One set by a load balancer is kept, so logs on both sides match.
        let response = app.client.post(format!("{}/graphql", app.address)).header("x-request-id", "lb-1234").json(&json!({ "query": "{ __typename }" })).send().await.unwrap();
        assert_eq!(response.headers()["x-request-id"], "lb-1234");
    }
}
