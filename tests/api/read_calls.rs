//! `calls`, `call(id)` and `node(id)` for calls: the contract's `RecentCalls`
//! and `CallById` verbatim.

use crate::ingest::{event, event_with, send_analyses, send_events, send_transcripts};
use crate::read_fixtures::*;
use serde_json::{Value, json};

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

        let body = app.gql(Some(&t.key), &RECENT_CALLS, json!({ "first": 10 })).await;

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
        let listed = app.gql(Some(&t.key), &RECENT_CALLS, json!({ "first": 1 })).await;
        let id = data(&listed)["calls"]["edges"][0]["node"]["id"].clone();

        let body = app.gql(Some(&t.key), &CALL_BY_ID, json!({ "id": id })).await;
        assert_eq!(data(&body)["node"], json!({ "id": id, "providerCallId": "c1", "status": "COMPLETED", "agent": { "externalId": "priya" }, "contact": { "phone": "+919812345678" } }));
        let body = app.gql(Some(&t.key), "query($id: ID!) { call(id: $id) { providerCallId } }", json!({ "id": id })).await;
        assert_eq!(data(&body)["call"]["providerCallId"], "c1");

        let unknown = api::domain::GlobalId::new(api::domain::NodeKind::Call, uuid::Uuid::now_v7()).encode();
        let agent_kind = api::domain::GlobalId::new(api::domain::NodeKind::Agent, uuid_of(&id)).encode();
        for other in [unknown.as_str(), agent_kind.as_str(), "garbage"] {
            let body = app.gql(Some(&t.key), &CALL_BY_ID, json!({ "id": other })).await;
            assert_eq!(data(&body)["node"], Value::Null, "{other}");
            let body = app.gql(Some(&t.key), "query($id: ID!) { call(id: $id) { id } }", json!({ "id": other })).await;
            assert_eq!(data(&body)["call"], Value::Null, "{other}");
        }
    }
}

db_test! {
    async fn total_count_from_rollups_matches_the_calls_including_unknown_initiation(app) {
        let t = app.create_tenant("Acme").await;
        let events: Vec<serde_json::Value> = (0..30)
            .map(|i| crate::ingest::event_with(&format!("e{i}"), &format!("c{i}"), "INITIATED", i * 977, json!({ "direction": if i % 3 == 0 { "INBOUND" } else { "OUTBOUND" } })))
            .collect();
        crate::ingest::send_events(&app, &t.key, events).await;
        crate::ingest::send_analyses(&app, &t.key, vec![json!({ "analysisId": "a", "provider": "bolna", "providerCallId": "only-analysed", "analyzedAt": "2026-03-10T11:00:00Z", "totalScore": 10 })]).await;
        let q = "query($f: CallFilterInput) { calls(first: 1, filter: $f) { totalCount } }";
        let count = |body: serde_json::Value| body["data"]["calls"]["totalCount"].as_i64().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(count(app.gql(Some(&t.key), q, json!({})).await), 31, "30 initiated + 1 not yet initiated");
        assert_eq!(count(app.gql(Some(&t.key), q, json!({ "f": { "direction": "INBOUND" } })).await), 10);
        let range = json!({ "f": { "from": "2026-03-10T10:00:00Z", "to": "2026-03-10T10:16:17Z" } });
        assert_eq!(count(app.gql(Some(&t.key), q, range).await), 1, "ragged range, to exclusive, no unknown ones");
        let range = json!({ "f": { "from": "2026-03-10T10:00:00Z", "to": "2026-03-10T10:16:17.001Z" } });
        assert_eq!(count(app.gql(Some(&t.key), q, range).await), 2);
        assert_eq!(count(app.gql(Some(&t.key), q, json!({ "f": { "statuses": ["INITIATED"] } })).await), 31, "counted from rows");
    }
}
