//! The HTTP surface: health, readiness, GraphiQL and GraphQL over GET.

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
        let page = app.client.get(format!("{}/graphql", app.address)).header("Accept", "text/html").send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        assert!(page.text().await.unwrap().to_lowercase().contains("graphiql"));

        let tenant = app.create_tenant("Acme").await;
        let response = app
            .client
            .get(format!("{}/graphql", app.address))
            .query(&[("query", "{ tenant { name } }")])
            .bearer_auth(&tenant.key)
            .header("Accept", "application/json")
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body, json!({ "data": { "tenant": { "name": "Acme" } } }));
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
