//! `CallFilterInput`: each field narrows the list as the contract says.

use crate::helpers::*;
use crate::ingest::{event_with, send_analyses, send_events};
use crate::read_fixtures::*;
use serde_json::{Value, json};

const FILTERED: &str = r#"query Filtered($filter: CallFilterInput) {
  calls(first: 50, filter: $filter) { totalCount nodes { providerCallId } }
}"#;

/// The calls a filter lets through, sorted, checking `totalCount` agrees.
async fn matching(app: &TestApp, key: &str, filter: Value) -> Vec<String> {
    let body = app
        .gql(Some(key), FILTERED, json!({ "filter": filter }))
        .await;
    let calls = &data(&body)["calls"];
    let mut ids = call_ids(calls);
    assert_eq!(calls["totalCount"], ids.len(), "{filter}");
    ids.sort();
    ids
}

async fn id_of(app: &TestApp, key: &str, query: &str, path: &[&str]) -> Value {
    let body = app.gql(Some(key), query, json!({})).await;
    path.iter().fold(data(&body).clone(), |value, step| {
        match step.parse::<usize>() {
            Ok(index) => value[index].clone(),
            Err(_) => value[step].clone(),
        }
    })
}

db_test! {
    async fn each_call_filter_narrows_the_list(app) {
        let t = app.create_tenant("Acme").await;
        let mut long = CallSpec::new("long", "asha", "q1", "98123 45601", 0);
        long.duration = 600;
        long.tags = vec!["vip", "renewal"];
        let mut tagged = CallSpec::new("tagged", "ravi", "q2", "98123 45602", 60);
        tagged.tags = vec!["renewal"];
        ingest_calls(&app, &t.key, &[long, tagged, CallSpec::new("plain", "ravi", "q1", "98123 45603", 120)]).await;
        send_events(&app, &t.key, vec![
            event_with("in-1", "inbound", "INITIATED", 180, json!({ "direction": "INBOUND", "fromNumber": "98123 45601", "agentExternalId": "asha" })),
            event_with("in-2", "inbound", "NO_ANSWER", 200, json!({})),
        ]).await;
        send_analyses(&app, &t.key, vec![
            analysis("a-long", "long", 900, 90),
            analysis("a-tagged", "tagged", 900, 60),
            analysis("a-plain-old", "plain", 300, 95),
            analysis("a-plain", "plain", 900, 20),
            analysis("a-unknown", "unknown", 900, 99),
        ]).await;
        let asha = id_of(&app, &t.key, r#"{ agents(filter: { search: "asha" }) { nodes { id } } }"#, &["agents", "nodes", "0", "id"]).await;
        let q2 = id_of(&app, &t.key, r#"{ campaigns(filter: { search: "Q2" }) { nodes { id } } }"#, &["campaigns", "nodes", "0", "id"]).await;
        let all = ["inbound", "long", "plain", "tagged", "unknown"];
        assert_eq!(matching(&app, &t.key, json!({})).await, all);

        let cases = [
            (json!({ "from": at(60).to_rfc3339(), "to": at(180).to_rfc3339() }), vec!["plain", "tagged"]),
            (json!({ "from": at(0).to_rfc3339() }), vec!["inbound", "long", "plain", "tagged"]),
            (json!({ "statuses": ["NO_ANSWER", "FAILED"] }), vec!["inbound"]),
            (json!({ "statuses": ["INITIATED"] }), vec!["unknown"]),
            (json!({ "direction": "INBOUND" }), vec!["inbound"]),
            (json!({ "agentIds": [asha] }), vec!["inbound", "long"]),
            (json!({ "campaignIds": [q2] }), vec!["tagged"]),
            (json!({ "contactPhone": "098123 45601" }), vec!["inbound", "long"]),
            (json!({ "contactPhone": "+91 98123 45602" }), vec!["tagged"]),
            (json!({ "leadTags": ["HOT"] }), vec!["long", "unknown"]),
            (json!({ "leadTags": ["WARM", "COLD"] }), vec!["plain", "tagged"]),
            (json!({ "minDurationSeconds": 62 }), vec!["long"]),
            (json!({ "minDurationSeconds": 61 }), vec!["long", "plain", "tagged"]),
            (json!({ "tags": ["renewal", "nope"] }), vec!["long", "tagged"]),
            (json!({ "tags": ["vip"], "agentIds": [asha], "direction": "OUTBOUND" }), vec!["long"]),
        ];
        for (filter, expected) in cases {
            assert_eq!(matching(&app, &t.key, filter.clone()).await, expected, "{filter}");
        }
    }
}

db_test! {
    async fn empty_lists_and_foreign_ids_match_nothing(app) {
        let t = app.create_tenant("Acme").await;
        ingest_calls(&app, &t.key, &[CallSpec::new("c1", "asha", "q1", "98123 45601", 0)]).await;
        send_analyses(&app, &t.key, vec![analysis("a1", "c1", 900, 90)]).await;
        let call_id = id_of(&app, &t.key, "{ calls { nodes { id } } }", &["calls", "nodes", "0", "id"]).await;
        for filter in [
            json!({ "statuses": [] }),
            json!({ "agentIds": [] }),
            json!({ "campaignIds": [] }),
            json!({ "leadTags": [] }),
            json!({ "tags": [] }),
            json!({ "agentIds": [call_id] }),
            json!({ "agentIds": ["not an id"] }),
            json!({ "contactPhone": "98123 45699" }),
        ] {
            assert!(matching(&app, &t.key, filter.clone()).await.is_empty(), "{filter}");
        }
    }
}

db_test! {
    async fn impossible_ranges_and_unreadable_phones_are_bad_user_input(app) {
        let t = app.create_tenant("Acme").await;
        for filter in [
            json!({ "from": at(60).to_rfc3339(), "to": at(60).to_rfc3339() }),
            json!({ "from": at(61).to_rfc3339(), "to": at(60).to_rfc3339() }),
            json!({ "contactPhone": "not a phone" }),
            json!({ "minDurationSeconds": -1 }),
        ] {
            let body = app.gql(Some(&t.key), FILTERED, json!({ "filter": filter })).await;
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{filter}: {body}");
        }
    }
}
