//! The HTTP surface: health, readiness, the playground and GraphQL over GET.

use serde_json::json;

db_test! {
    async fn health_and_readiness_answer(app) {
        let health = app.client.get(format!("{}/healthz", app.address)).send().await.unwrap();
        assert_eq!(health.status(), 200);
        let ready = app.client.get(format!("{}/readyz", app.address)).send().await.unwrap();
        assert_eq!(ready.status(), 200);
        assert_eq!(ready.text().await.unwrap(), "ready");
    }
}

db_test! {
    async fn browsers_get_graphiql_and_clients_get_graphql_over_get(app) {
        let page = app
            .client
            .get(format!("{}/graphql", app.address))
            .header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
        let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.starts_with("default-src 'none'; script-src 'self';"), "{csp}");
        assert!(page.headers().get_all("vary").iter().any(|v| v == "accept"));
        assert!(page.text().await.unwrap().to_lowercase().contains("graphiql"));

        let tenant = app.create_tenant("Acme").await;
        let response = app
            .client
            .get(format!("{}/graphql", app.address))
            .query(&[("query", "{ tenant { name } }")])
            .bearer_auth(&tenant.key)
            .header("Accept", "application/graphql-response+json, application/json;q=0.9")
            .send()
            .await
            .unwrap();
        assert!(response.headers().get_all("vary").iter().any(|v| v == "accept"));
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body, json!({ "data": { "tenant": { "name": "Acme" } } }));
    }
}

db_test! {
    async fn the_playground_of_serve_never_contains_a_key(app) {
        let tenant = app.create_tenant("Acme").await;

        let page = app
            .client
            .get(format!("{}/graphql", app.address))
            .header("Accept", "text/html")
            .bearer_auth(&tenant.key)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();

        assert!(!page.contains(&tenant.key));
        assert!(!page.contains("cbk_"), "no API key of any tenant");
        assert!(page.contains(r#""guided":false"#));
        assert!(page.contains(r#""tabs":[]"#));
    }
}

db_test! {
    async fn the_playground_loads_only_files_of_the_binary_cached_for_a_year(app) {
        let page = app
            .client
            .get(format!("{}/graphql", app.address))
            .header("Accept", "text/html")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let urls: Vec<&str> = page
            .split('"')
            .filter(|part| part.starts_with("/playground/assets/"))
            .collect();
        assert_eq!(urls.len(), 4, "{page}");

        for url in &urls {
            let response = app
                .client
                .get(format!("{}{url}", app.address))
                .header("Accept-Encoding", "gzip, deflate, br")
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{url}");
            let content_type = response.headers()["content-type"].to_str().unwrap();
            assert!(content_type.ends_with("; charset=utf-8"), "{url}: {content_type}");
            assert_eq!(
                response.headers()["cache-control"],
                "public, max-age=31536000, immutable"
            );
        }

        let script = urls.iter().find(|url| url.ends_with("/graphiql.js")).unwrap();
        let gzipped = app
            .client
            .get(format!("{}{script}", app.address))
            .header("Accept-Encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(gzipped.headers()["content-encoding"], "gzip");
        let plain = app.client.get(format!("{}{script}", app.address)).send().await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none());
        assert!(plain.text().await.unwrap().starts_with("/*! Bundled for callboard"));

        let stale = script.replace("/playground/assets/", "/playground/assets/0");
        let response = app.client.get(format!("{}{stale}", app.address)).send().await.unwrap();
        assert_eq!(response.status(), 404);
    }
}

db_test! {
    async fn the_root_leads_to_the_playground(app) {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let response = client.get(format!("{}/", app.address)).send().await.unwrap();
        assert!(response.status().is_redirection());
        assert_eq!(response.headers()["location"], "/graphql");
    }
}

/// `{ __schema { types { fields { type { ofType { ... { name } } } } } } }`
/// nested `depth` levels.
fn nested_introspection(depth: usize) -> String {
    let of_types = depth - 5;
    format!(
        "{{ __schema {{ types {{ fields {{ type {{ {} name {} }} }} }} }} }}",
        "ofType { ".repeat(of_types),
        "} ".repeat(of_types)
    )
}

db_test! {
    async fn tools_can_introspect_but_deeper_queries_are_refused(app) {
        let t = app.create_tenant("Acme").await;
        let introspection = app.gql(Some(&t.key), &nested_introspection(15), json!({})).await;
        assert!(introspection["errors"].is_null(), "{introspection}");
        let too_deep = app.gql(Some(&t.key), &nested_introspection(17), json!({})).await;
        assert!(too_deep["errors"][0]["message"].as_str().unwrap().contains("nested too deep"), "{too_deep}");
        assert_eq!(too_deep["errors"][0]["extensions"]["code"], "MAX_DEPTH_LIMIT");
    }
}

db_test! {
    async fn request_level_errors_carry_stable_codes(app) {
        let t = app.create_tenant("Acme").await;
        let unknown_field = app.gql(Some(&t.key), "{ tenant { nope } }", json!({})).await;
        assert_eq!(unknown_field["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED", "{unknown_field}");
        let unparsable = app.gql(Some(&t.key), "{ tenant { name }", json!({})).await;
        assert_eq!(unparsable["errors"][0]["extensions"]["code"], "GRAPHQL_PARSE_FAILED", "{unparsable}");
        let bad_variable = app.gql(Some(&t.key), "query($r: TimeRangeInput!) { kpis(range: $r) { totalCalls } }", json!({ "r": { "from": "yesterday", "to": "today" } })).await;
        assert_eq!(bad_variable["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{bad_variable}");
    }
}

db_test! {
    async fn mutations_over_get_are_refused(app) {
        let t = app.create_tenant("Acme").await;
        let mutation = "mutation { createApiKey(input: { name: \"x\", scopes: [READ] }) { secret } }";
        let response = app
            .client
            .get(format!("{}/graphql", app.address))
            .query(&[("query", mutation)])
            .header("Accept", "application/json")
            .bearer_auth(&t.key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405);
        assert_eq!(response.headers()["allow"], "POST");
        let keys = app.gql(Some(&t.key), "{ apiKeys { id } }", json!({})).await;
        assert_eq!(keys["data"]["apiKeys"].as_array().unwrap().len(), 1, "nothing was created");
    }
}
