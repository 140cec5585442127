//! What hangs off agents, campaigns, contacts and calls: nested call lists,
//! lead profiles, analysis history and notes.

use crate::ingest::send_analyses;
use crate::read_fixtures::*;
use serde_json::json;

db_test! {
    async fn agents_campaigns_and_contacts_page_through_their_own_calls(app) {
        let t = app.create_tenant("Acme").await;
        let calls: Vec<CallSpec> = (0..5).map(|i| CallSpec::new(&format!("c{i}"), if i < 3 { "asha" } else { "ravi" }, "q1", "98123 45601", i * 60)).collect();
        ingest_calls(&app, &t.key, &calls).await;
        let query = r#"query($after: String) {
          agents { nodes { name calls(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { providerCallId } } } }
          campaigns { nodes { calls(last: 1) { nodes { providerCallId } } } }
          contacts { nodes { calls(first: 10, filter: { from: "2026-03-10T10:01:00Z" }) { totalCount nodes { providerCallId } } } }
        }"#;
        let body = app.gql(Some(&t.key), query, json!({})).await;
        let d = data(&body);
        let asha = &d["agents"]["nodes"][0];
        assert_eq!(asha["name"], "asha");
        assert_eq!(call_ids(&asha["calls"]), ["c2", "c1"]);
        assert_eq!(asha["calls"]["totalCount"], 3);
        assert_eq!(call_ids(&d["agents"]["nodes"][1]["calls"]), ["c4", "c3"]);
        assert_eq!(call_ids(&d["campaigns"]["nodes"][0]["calls"]), ["c0"]);
        assert_eq!(call_ids(&d["contacts"]["nodes"][0]["calls"]), ["c4", "c3", "c2", "c1"]);
        assert_eq!(d["contacts"]["nodes"][0]["calls"]["totalCount"], 4);

        let next = app.gql(Some(&t.key), query, json!({ "after": asha["calls"]["pageInfo"]["endCursor"] })).await;
        let asha = &data(&next)["agents"]["nodes"][0]["calls"];
        assert_eq!(call_ids(asha), ["c0"]);
        assert_eq!(asha["pageInfo"]["hasNextPage"], false);
    }
}

db_test! {
    async fn a_contacts_lead_profile_follows_its_scores_across_calls(app) {
        let t = app.create_tenant("Acme").await;
        let calls: Vec<CallSpec> = (0..4).map(|i| CallSpec::new(&format!("c{i}"), "a", "q", "98123 45601", i * 3600)).collect();
        ingest_calls(&app, &t.key, &calls).await;
        send_analyses(&app, &t.key, vec![
            analysis("a0", "c0", 100, 40),
            analysis("a1", "c1", 3700, 85),
            analysis("a2-old", "c2", 7300, 10),
            analysis("a2", "c2", 7400, 70),
        ]).await;
        let body = app.gql(Some(&t.key), r#"{ contacts { nodes { leadProfile {
            callCount analyzedCallCount firstCallAt lastCallAt latestScore latestLeadTag bestScore averageScore scoreChange scoreTrend
            scores { totalScore leadTag initiatedAt }
        } } } }"#, json!({})).await;
        let profile = &data(&body)["contacts"]["nodes"][0]["leadProfile"];
        assert_eq!(profile["callCount"], 4);
        assert_eq!(profile["analyzedCallCount"], 3);
        assert_eq!(profile["firstCallAt"], "2026-03-10T10:00:00+00:00");
        assert_eq!(profile["lastCallAt"], "2026-03-10T13:00:00+00:00");
        assert_eq!((profile["latestScore"].clone(), profile["latestLeadTag"].clone(), profile["bestScore"].clone()), (json!(70), json!("WARM"), json!(85)));
        assert!((profile["averageScore"].as_f64().unwrap() - 65.0).abs() < 1e-9);
        assert_eq!((profile["scoreChange"].clone(), profile["scoreTrend"].clone()), (json!(-15), json!("FALLING")));
        let scores: Vec<i64> = profile["scores"].as_array().unwrap().iter().map(|s| s["totalScore"].as_i64().unwrap()).collect();
        assert_eq!(scores, [40, 85, 70]);
    }
}

db_test! {
    async fn a_call_shows_its_analysis_history_and_notes(app) {
        let t = app.create_tenant("Acme").await;
        ingest_calls(&app, &t.key, &[CallSpec::new("c1", "a", "q", "98123 45601", 0)]).await;
        send_analyses(&app, &t.key, vec![analysis("old", "c1", 100, 40), analysis("new", "c1", 200, 90)]).await;
        let call = call_uuid(&app, t.uuid, "c1").await;
        insert_note(&app, t.uuid, call, "second", 20).await;
        insert_note(&app, t.uuid, call, "first", 10).await;
        let body = app.gql(Some(&t.key), "{ calls { nodes { leadAnalysis { analysisId } leadAnalyses { analysisId effective leadTag } notes { body } } } }", json!({})).await;
        let node = &data(&body)["calls"]["nodes"][0];
        assert_eq!(node["leadAnalysis"]["analysisId"], "new");
        assert_eq!(node["leadAnalyses"], json!([{ "analysisId": "new", "effective": true, "leadTag": "HOT" }, { "analysisId": "old", "effective": false, "leadTag": "COLD" }]));
        assert_eq!(node["notes"], json!([{ "body": "first" }, { "body": "second" }]));
    }
}

db_test! {
    async fn a_calls_events_read_only_the_columns_their_selection_needs(app) {
        use crate::ingest::{event_with, send_events};
        use entity::call_event;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let t = app.create_tenant("Acme").await;
        let body = json!({ "transcript": "x".repeat(4096), "telephony": { "hops": [1, 2] } });
        send_events(&app, &t.key, vec![
            event_with("e1", "c1", "INITIATED", 0, json!({ "direction": "OUTBOUND", "payload": body })),
            event_with("e2", "c1", "COMPLETED", 70, json!({ "durationSeconds": 64 })),
        ]).await;
        let events = |reply: &serde_json::Value| data(reply)["calls"]["nodes"][0]["events"].clone();

        // What happened when: the core columns only.
        let reply = app.gql(Some(&t.key), "{ calls { nodes { events { __typename eventId type occurredAt } } } }", json!({})).await;
        assert_eq!(events(&reply), json!([
            { "__typename": "CallEvent", "eventId": "e1", "type": "INITIATED", "occurredAt": "2026-03-10T10:00:00+00:00" },
            { "__typename": "CallEvent", "eventId": "e2", "type": "COMPLETED", "occurredAt": "2026-03-10T10:01:10+00:00" },
        ]));
        // Other fields, directly or through a fragment, without the payload.
        for query in [
            "{ calls { nodes { events { eventId direction durationSeconds } } } }",
            "{ calls { nodes { events { eventId ...more } } } } fragment more on CallEvent { direction durationSeconds }",
        ] {
            let reply = app.gql(Some(&t.key), query, json!({})).await;
            assert_eq!(events(&reply), json!([
                { "eventId": "e1", "direction": "OUTBOUND", "durationSeconds": null },
                { "eventId": "e2", "direction": null, "durationSeconds": 64 },
            ]), "{query}");
        }
        // The payload, directly or through a fragment.
        for query in [
            "{ calls { nodes { events { eventId payload } } } }",
            "{ calls { nodes { events { eventId ...raw } } } } fragment raw on CallEvent { payload }",
        ] {
            let reply = app.gql(Some(&t.key), query, json!({})).await;
            assert_eq!(events(&reply), json!([
                { "eventId": "e1", "payload": body },
                { "eventId": "e2", "payload": null },
            ]), "{query}");
        }

        // Each of the three selections reads through its own statement.
        let core = "{ calls { nodes { a: events { eventId } b: events { type } } } }";
        let more = "{ calls { nodes { a: events { eventId } b: events { direction } } } }";
        let all = "{ calls { nodes { a: events { eventId } b: events { direction } c: events { payload } } } }";
        let (_, for_core) = counted(&app, &t.key, core, json!({})).await;
        let (_, for_more) = counted(&app, &t.key, more, json!({})).await;
        let (_, for_all) = counted(&app, &t.key, all, json!({})).await;
        assert_eq!((for_more, for_all), (for_core + 1, for_core + 2), "statements per selection");

        // The statement without the payload leaves that column out.
        let call = call_uuid(&app, t.uuid, "c1").await;
        let light = api::read::rows::events_without_payload(
            call_event::Entity::find().filter(call_event::Column::TenantId.eq(t.uuid)),
            app.db.backend(),
        );
        let rows = api::read::rows::by_parent(app.db.conn(), light, &[call]).await.unwrap();
        let events = &rows[&call];
        assert_eq!(events.iter().map(|e| e.event_id.as_str()).collect::<Vec<_>>(), ["e1", "e2"]);
        assert!(events.iter().all(|e| e.payload.is_none()), "no payload read");
        assert_eq!(events[1].duration_seconds, Some(64));
    }
}

db_test! {
    async fn a_calls_fields_come_back_in_the_order_they_were_asked_for(app) {
        let t = app.create_tenant("Acme").await;
        ingest_calls(&app, &t.key, &[CallSpec::new("c1", "asha", "q1", "98123 45601", 0)]).await;
        // Relations first, plain fields after: the answer keeps that order
        // (GraphQL's rule), though the plain fields are ready first.
        let query = "{ calls { nodes { agent { name } contact { phone } providerCallId events { type } status } } }";
        let body = app.gql_text(Some(&t.key), query, json!({})).await;
        let node = body.find(r#""nodes":[{"#).expect("a call") + 10;
        let keys = ["agent", "contact", "providerCallId", "events", "status"];
        let at: Vec<usize> = keys.iter().map(|k| body[node..].find(&format!(r#""{k}":"#)).expect(k)).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{body}");
        let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
        let call = &data(&parsed)["calls"]["nodes"][0];
        assert_eq!(call["agent"]["name"], "asha");
        assert_eq!(call["status"], "COMPLETED");

        // The same for one call by id.
        let id = app.gql(Some(&t.key), "{ calls { nodes { id } } }", json!({})).await;
        let id = data(&id)["calls"]["nodes"][0]["id"].clone();
        let query = "query($id: ID!) { call(id: $id) { agent { name } providerCallId } }";
        let body = app.gql_text(Some(&t.key), query, json!({ "id": id })).await;
        let (agent, provider_call_id) = (body.find(r#""agent":"#).expect("agent"), body.find(r#""providerCallId":"#).expect("id"));
        assert!(agent < provider_call_id, "{body}");
    }
}
