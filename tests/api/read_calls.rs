//! `calls`, `call(id)` and `node(id)` for calls: the contract's `RecentCalls`
//! and `CallById` verbatim, the order, cursors and page limits.

use crate::helpers::*;
use crate::ingest::{event, event_with, send_analyses, send_events, send_transcripts};
use crate::read_fixtures::*;
use serde_json::{Value, json};

const CALL_PAGE: &str = r#"query Page($first: Int, $after: String, $last: Int, $before: String) {
  calls(first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { providerCallId } }
  }
}"#;

fn uuid_of(id: &Value) -> uuid::Uuid {
    api::domain::GlobalId::decode(id.as_str().unwrap())
        .unwrap()
        .id
}

db_test! {
    async fn recent_calls_returns_what_the_contract_asks_for(app) {
        let t = app.create_tenant("Acme").await;
        send_events(&app, &t.key, vec![
            event_with("e1", "c1", "INITIATED", 0, json!({
                "direction": "OUTBOUND", "fromNumber": "080 4719 2000", "toNumber": "98123 45678",
                "agentExternalId": "priya", "campaign": "collections_q1", "contactName": "Ravi",
                "contactExternalId": "crm-7", "contactContext": { "daysOverdue": 45 },
                "tags": ["vip", "renewal"], "metadata": { "callType": "collections" } })),
            event("e2", "c1", "ANSWERED", 10),
            event_with("e3", "c1", "COMPLETED", 131, json!({ "durationSeconds": 121, "cost": "0.905" })),
        ]).await;
        send_analyses(&app, &t.key, vec![analysis("a1", "c1", 200, 85)]).await;
        send_transcripts(&app, &t.key, vec![transcript("c1")]).await;

        let body = app.gql(Some(&t.key), RECENT_CALLS, json!({ "first": 10 })).await;

        let calls = &data(&body)["calls"];
        assert_eq!(calls["totalCount"], 1);
        assert_eq!(calls["pageInfo"]["hasNextPage"], false);
        let edge = &calls["edges"][0];
        assert_eq!(calls["pageInfo"]["endCursor"], edge["cursor"]);
        let call = &edge["node"];
        assert_eq!(uuid_of(&call["id"]), call_uuid(&app, t.uuid, "c1").await);
        let expected = json!({
            "provider": "bolna", "providerCallId": "c1", "status": "COMPLETED", "direction": "OUTBOUND",
            "fromNumber": "+918047192000", "toNumber": "+919812345678",
            "initiatedAt": "2026-03-10T10:00:00+00:00", "answeredAt": "2026-03-10T10:00:10+00:00",
            "endedAt": "2026-03-10T10:02:11+00:00", "durationSeconds": 121, "billedMinutes": 3,
            "creditsUsed": 3, "cost": "0.905", "tags": ["vip", "renewal"], "metadata": { "callType": "collections" },
        });
        for (field, value) in expected.as_object().unwrap() {
            assert_eq!(&call[field], value, "{field}");
        }
        assert_eq!(call["agent"]["externalId"], "priya");
        assert_eq!(call["agent"]["name"], "priya");
        assert_eq!(call["contact"]["phone"], "+919812345678");
        assert_eq!(call["contact"]["name"], "Ravi");
        assert_eq!(call["contact"]["externalId"], "crm-7");
        assert_eq!(call["contact"]["context"], json!({ "daysOverdue": 45 }));
        assert_eq!(call["campaign"]["name"], "collections_q1");
        assert_eq!(call["leadAnalysis"], json!({ "totalScore": 85, "leadTag": "HOT", "sentiment": "POSITIVE", "ctaDemo": true, "analyzedAt": "2026-03-10T10:03:20+00:00" }));
        assert_eq!(call["transcript"]["language"], "hi-IN");
        assert_eq!(call["transcript"]["segments"][1], json!({ "speaker": "CUSTOMER", "text": "Haan ji", "startMs": 1000, "endMs": 1800 }));
        let events: Vec<&str> = call["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(events, ["INITIATED", "ANSWERED", "COMPLETED"]);
        assert_eq!(call["events"][0]["eventId"], "e1");
    }
}

db_test! {
    async fn call_by_id_and_call_fetch_one_call_and_unknown_ids_give_null(app) {
        let t = app.create_tenant("Acme").await;
        ingest_calls(&app, &t.key, &[CallSpec::new("c1", "priya", "q1", "98123 45678", 0)]).await;
        let listed = app.gql(Some(&t.key), RECENT_CALLS, json!({ "first": 1 })).await;
        let id = data(&listed)["calls"]["edges"][0]["node"]["id"].clone();

        let body = app.gql(Some(&t.key), CALL_BY_ID, json!({ "id": id })).await;
        assert_eq!(data(&body)["node"], json!({ "id": id, "providerCallId": "c1", "status": "COMPLETED", "agent": { "externalId": "priya" }, "contact": { "phone": "+919812345678" } }));
        let body = app.gql(Some(&t.key), "query($id: ID!) { call(id: $id) { providerCallId } }", json!({ "id": id })).await;
        assert_eq!(data(&body)["call"]["providerCallId"], "c1");

        let unknown = api::domain::GlobalId::new(api::domain::NodeKind::Call, uuid::Uuid::now_v7()).encode();
        let agent_kind = api::domain::GlobalId::new(api::domain::NodeKind::Agent, uuid_of(&id)).encode();
        for other in [unknown.as_str(), agent_kind.as_str(), "garbage"] {
            let body = app.gql(Some(&t.key), CALL_BY_ID, json!({ "id": other })).await;
            assert_eq!(data(&body)["node"], Value::Null, "{other}");
            let body = app.gql(Some(&t.key), "query($id: ID!) { call(id: $id) { id } }", json!({ "id": other })).await;
            assert_eq!(data(&body)["call"], Value::Null, "{other}");
        }
    }
}

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
