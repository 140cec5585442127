//! GraphQL over HTTP details the `graphql-http` audit (tests/conformance,
//! run by `.ci/run`) does not cover, or covers only as SHOULD: media types
//! and status codes, GET's `operationName`, batches and content types.

use crate::helpers::error_code;
use serde_json::{Value, json};

async fn send(request: reqwest::RequestBuilder) -> (u16, String, Value) {
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = response.text().await.unwrap();
    (
        status,
        content_type,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

db_test! {
    async fn the_answer_has_the_media_type_asked_for_and_its_status_rules(app) {
        let t = app.create_tenant("Acme").await;
        let url = format!("{}/graphql", app.address);
        let invalid = json!({ "query": "{ tenant { nope } }" });

        // application/json: 200 even for a request error.
        let (status, content_type, body) = send(app.client.post(&url).bearer_auth(&t.key).header("Accept", "application/json").json(&invalid)).await;
        assert_eq!((status, content_type.as_str()), (200, "application/json; charset=utf-8"));
        assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED");

        // application/graphql-response+json: 400 and no `data` for a request error...
        let (status, content_type, body) = send(app.client.post(&url).bearer_auth(&t.key).header("Accept", "application/graphql-response+json").json(&invalid)).await;
        assert_eq!((status, content_type.as_str()), (400, "application/graphql-response+json; charset=utf-8"));
        assert!(body.get("data").is_none(), "{body}");

        // ...and 200 with `data` for a field error.
        let (status, _, body) = send(app.client.post(&url).header("Accept", "application/graphql-response+json").json(&json!({ "query": "{ tenant { name } }" }))).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(error_code(&body), "UNAUTHENTICATED");
        assert!(body.get("data").is_some(), "{body}");

        // Nothing acceptable: 406.
        let (status, _, _) = send(app.client.post(&url).bearer_auth(&t.key).header("Accept", "application/xml").json(&invalid)).await;
        assert_eq!(status, 406);
    }
}

db_test! {
    async fn get_runs_the_operation_named_by_operation_name(app) {
        let t = app.create_tenant("Acme").await;
        let document = "query First { __typename } query Second { tenant { name } }";
        let (status, _, body) = send(
            app.client
                .get(format!("{}/graphql", app.address))
                .query(&[("query", document), ("operationName", "Second")])
                .header("Accept", "application/json")
                .bearer_auth(&t.key),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({ "data": { "tenant": { "name": "Acme" } } }));

        let (_, _, body) = send(
            app.client
                .get(format!("{}/graphql", app.address))
                .query(&[("query", "query Q($n: String!) { __type(name: $n) { name } }"), ("variables", r#"{"n":"Tenant"}"#)])
                .header("Accept", "application/json")
                .bearer_auth(&t.key),
        )
        .await;
        assert_eq!(body["data"]["__type"]["name"], "Tenant", "variables travel JSON-encoded: {body}");
    }
}

db_test! {
    async fn batches_and_other_content_types_are_refused(app) {
        let t = app.create_tenant("Acme").await;
        let url = format!("{}/graphql", app.address);
        let batch = json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }]);
        let (status, _, body) = send(app.client.post(&url).bearer_auth(&t.key).json(&batch)).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error_code(&body), "BAD_REQUEST");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("batched"));

        let (status, _, _) = send(app.client.post(&url).bearer_auth(&t.key).body(r#"{"query":"{ __typename }"}"#)).await;
        assert_eq!(status, 415, "no content type");
        let (status, _, _) = send(app.client.post(&url).bearer_auth(&t.key).header("Content-Type", "text/plain").body(r#"{"query":"{ __typename }"}"#)).await;
        assert_eq!(status, 415, "text/plain");

        let (status, _, body) = send(app.client.post(&url).bearer_auth(&t.key).json(&json!({ "query": 7 }))).await;
        assert_eq!(status, 400, "{body}");
        let (status, _, body) = send(app.client.post(&url).bearer_auth(&t.key).json(&json!({}))).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error_code(&body), "BAD_REQUEST");
    }
}
