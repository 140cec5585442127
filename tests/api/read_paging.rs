//! Order, cursors and page limits of the call list (every other list pages
//! the same way).

use crate::helpers::*;
use crate::ingest::send_analyses;
use crate::read_fixtures::*;
use serde_json::{Value, json};

const CALL_PAGE: &str = r#"query Page($first: Int, $after: String, $last: Int, $before: String) {
  calls(first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { providerCallId } }
  }
}"#;

db_test! {
    async fn calls_are_newest_first_ties_broken_by_id_and_unknown_initiation_last(app) {
        let t = app.create_tenant("Acme").await;
        ingest_calls(&app, &t.key, &[
            CallSpec::new("old", "a", "q", "98123 45601", 0),
            CallSpec::new("tie-1", "a", "q", "98123 45602", 600),
            CallSpec::new("tie-2", "a", "q", "98123 45603", 600),
            CallSpec::new("new", "a", "q", "98123 45604", 1200),
        ]).await;
        // An analysis creates its call before any event: initiation unknown.
        send_analyses(&app, &t.key, vec![analysis("a1", "pending", 0, 50)]).await;

        let body = app.gql(Some(&t.key), "{ calls { nodes { id providerCallId initiatedAt } } }", json!({})).await;
        let nodes = data(&body)["calls"]["nodes"].as_array().unwrap().clone();
        let order: Vec<&str> = nodes.iter().map(|n| n["providerCallId"].as_str().unwrap()).collect();
        assert_eq!(order[0], "new");
        assert_eq!(order[3], "old");
        assert_eq!(order[4], "pending");
        assert_eq!(nodes[4]["initiatedAt"], Value::Null);
        assert!(uuid_of(&nodes[1]["id"]) > uuid_of(&nodes[2]["id"]), "equal times: greater id first");
    }
}

db_test! {
    async fn cursors_page_forward_and_backward_without_gaps_or_repeats(app) {
        let t = app.create_tenant("Acme").await;
        let calls: Vec<CallSpec> = (0..6).map(|i| CallSpec::new(&format!("c{i}"), "a", "q", &format!("98123 4560{i}"), (i / 2) * 60)).collect();
        ingest_calls(&app, &t.key, &calls).await;
        send_analyses(&app, &t.key, vec![analysis("x1", "unknown-1", 0, 50), analysis("x2", "unknown-2", 0, 50)]).await;
        let all = app.gql(Some(&t.key), CALL_PAGE, json!({ "first": 50 })).await;
        let everything: Vec<String> = data(&all)["calls"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["providerCallId"].as_str().unwrap().to_owned()).collect();
        assert_eq!(everything.len(), 8);

        let mut forward = Vec::new();
        let mut after = Value::Null;
        loop {
            let body = app.gql(Some(&t.key), CALL_PAGE, json!({ "first": 3, "after": after })).await;
            let page = &data(&body)["calls"];
            forward.extend(call_ids(page));
            assert_eq!(page["pageInfo"]["hasPreviousPage"], !after.is_null());
            if page["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(forward, everything);

        let mut backward = Vec::new();
        let mut before = Value::Null;
        loop {
            let body = app.gql(Some(&t.key), CALL_PAGE, json!({ "last": 3, "before": before })).await;
            let page = &data(&body)["calls"];
            let mut ids = call_ids(page);
            ids.extend(backward);
            backward = ids;
            assert_eq!(page["pageInfo"]["hasNextPage"], !before.is_null());
            if page["pageInfo"]["hasPreviousPage"] == false {
                break;
            }
            before = page["pageInfo"]["startCursor"].clone();
        }
        assert_eq!(backward, everything);

        let again = app.gql(Some(&t.key), CALL_PAGE, json!({ "first": 50 })).await;
        assert_eq!(data(&again)["calls"]["edges"], data(&all)["calls"]["edges"], "cursors are stable");
    }
}

db_test! {
    async fn page_sizes_are_capped_and_bad_paging_is_bad_user_input(app) {
        let t = app.create_tenant("Acme").await;
        let body = app.gql(Some(&t.key), CALL_PAGE, json!({ "first": 500 })).await;
        data(&body);
        for variables in [
            json!({ "first": 501 }),
            json!({ "last": 501 }),
            json!({ "first": -1 }),
            json!({ "first": 1, "last": 1 }),
            json!({ "first": 1, "after": "not-a-cursor" }),
        ] {
            let body = app.gql(Some(&t.key), CALL_PAGE, variables.clone()).await;
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{variables}: {body}");
        }
        let body = app.gql(Some(&t.key), CALL_PAGE, json!({ "first": 501 })).await;
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("at most 500"), "{body}");

        ingest_calls(&app, &t.key, &[CallSpec::new("c1", "a", "q", "98123 45601", 0)]).await;
        let agents = app.gql(Some(&t.key), "{ agents { edges { cursor } } }", json!({})).await;
        let agent_cursor = data(&agents)["agents"]["edges"][0]["cursor"].clone();
        let body = app.gql(Some(&t.key), CALL_PAGE, json!({ "first": 1, "after": agent_cursor })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "a cursor of another list: {body}");
    }
}
