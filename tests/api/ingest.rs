//! Every rule of INGEST.md, through the contract's mutations.

use crate::helpers::*;
use entity::enums::{CallDirection, CallStatus};
use entity::{agent, call, campaign, contact, lead_analysis};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

/// A call event at `second` seconds after 2026-03-10T10:00:00Z.
pub fn event(id: &str, call: &str, kind: &str, second: i64) -> Value {
    let at = chrono::DateTime::parse_from_rfc3339("2026-03-10T10:00:00Z").unwrap()
        + chrono::Duration::seconds(second);
    json!({ "eventId": id, "provider": "bolna", "providerCallId": call, "type": kind, "occurredAt": at.to_rfc3339() })
}

/// `event` with extra fields merged in.
pub fn event_with(id: &str, call: &str, kind: &str, second: i64, extra: Value) -> Value {
    let mut e = event(id, call, kind, second);
    e.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    e
}

pub async fn send_events(app: &TestApp, key: &str, events: Vec<Value>) -> Value {
    let body = app
        .gql(Some(key), &INGEST_CALL_EVENTS, json!({ "events": events }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["ingestCallEvents"].clone()
}

pub async fn send_analyses(app: &TestApp, key: &str, analyses: Vec<Value>) -> Value {
    let body = app
        .gql(
            Some(key),
            &INGEST_LEAD_ANALYSES,
            json!({ "analyses": analyses }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["ingestLeadAnalyses"].clone()
}

pub async fn send_transcripts(app: &TestApp, key: &str, transcripts: Vec<Value>) -> Value {
    let body = app
        .gql(
            Some(key),
            &INGEST_TRANSCRIPTS,
            json!({ "transcripts": transcripts }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["ingestTranscripts"].clone()
}

pub async fn call_row(app: &TestApp, tenant: Uuid, provider_call_id: &str) -> call::Model {
    call::Entity::find()
        .filter(call::Column::TenantId.eq(tenant))
        .filter(call::Column::ProviderCallId.eq(provider_call_id))
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no call {provider_call_id}"))
}

fn at(second: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-03-10T10:00:00Z")
        .unwrap()
        .to_utc()
        + chrono::Duration::seconds(second)
}

fn rejected_indexes(result: &Value) -> Vec<i64> {
    result["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["index"].as_i64().unwrap())
        .collect()
}

db_test! {
    async fn a_full_lifecycle_becomes_a_completed_billed_call(app) {
        let t = app.create_tenant("Acme").await;
        let result = send_events(&app, &t.key, vec![
            event_with("e1", "c1", "INITIATED", 0, json!({ "direction": "OUTBOUND", "fromNumber": "080 4719 2000", "toNumber": "98123 45678", "agentExternalId": "priya", "campaign": "collections_q1" })),
            event("e2", "c1", "RINGING", 3),
            event("e3", "c1", "ANSWERED", 10),
            event_with("e4", "c1", "COMPLETED", 131, json!({ "durationSeconds": 121, "cost": "0.905" })),
        ]).await;
        assert_eq!(result, json!({ "accepted": 4, "duplicates": 0, "rejected": [] }));
        let c = call_row(&app, t.uuid, "c1").await;
        assert_eq!(c.status, CallStatus::Completed);
        assert_eq!((c.initiated_at, c.ringing_at, c.answered_at, c.ended_at), (Some(at(0)), Some(at(3)), Some(at(10)), Some(at(131))));
        assert!(c.answered);
        assert_eq!((c.duration_seconds, c.billed_minutes, c.credits), (121, 3, 3));
        assert_eq!(c.cost_micros, Some(905_000));
        assert_eq!(c.direction, Some(CallDirection::Outbound));
        assert_eq!(c.from_number.as_deref(), Some("+918047192000"));
        assert_eq!(c.to_number.as_deref(), Some("+919812345678"));
        let contact = contact::Entity::find_by_id((t.uuid, c.contact_id.expect("contact from toNumber"))).one(app.db.conn()).await.unwrap().unwrap();
        assert_eq!(contact.phone, "+919812345678");
        let agent = agent::Entity::find_by_id((t.uuid, c.agent_id.expect("agent"))).one(app.db.conn()).await.unwrap().unwrap();
        assert_eq!((agent.external_id.as_str(), agent.name.as_str()), ("priya", "priya"), "created, named by its external id");
        let campaign = campaign::Entity::find_by_id((t.uuid, c.campaign_id.expect("campaign"))).one(app.db.conn()).await.unwrap().unwrap();
        assert_eq!(campaign.name, "collections_q1");
    }
}

db_test! {
    async fn replayed_ids_are_duplicates_whatever_their_payload(app) {
        let t = app.create_tenant("Acme").await;
        send_events(&app, &t.key, vec![event("e1", "c1", "INITIATED", 0), event_with("e2", "c1", "COMPLETED", 60, json!({ "durationSeconds": 60 }))]).await;
        let before = call_row(&app, t.uuid, "c1").await;
        let replay = send_events(&app, &t.key, vec![
            event_with("e2", "c1", "FAILED", 90, json!({ "durationSeconds": 600 })),
            event_with("e1", "c1", "INITIATED", 0, json!({ "contactPhone": "not a phone" })),
        ]).await;
        assert_eq!(replay, json!({ "accepted": 0, "duplicates": 2, "rejected": [] }), "an invalid replay is still a duplicate");
        let after = call_row(&app, t.uuid, "c1").await;
        assert_eq!(before, after, "duplicates change nothing");
    }
}

db_test! {
    async fn inside_a_batch_the_first_accepted_delivery_keeps_the_id(app) {
        let t = app.create_tenant("Acme").await;
        let result = send_events(&app, &t.key, vec![
            event_with("x", "c1", "COMPLETED", 10, json!({ "durationSeconds": -5 })),
            event_with("x", "c1", "COMPLETED", 20, json!({ "durationSeconds": 30 })),
            event_with("x", "c1", "COMPLETED", 30, json!({ "durationSeconds": 45 })),
        ]).await;
        assert_eq!(result["accepted"], 1);
        assert_eq!(result["duplicates"], 1);
        assert_eq!(rejected_indexes(&result), vec![0], "a rejected item does not take its id");
        assert_eq!(call_row(&app, t.uuid, "c1").await.duration_seconds, 30, "index 1 was kept");
    }
}

db_test! {
    async fn bad_items_are_rejected_with_index_and_code_and_never_lose_the_others(app) {
        let t = app.create_tenant("Acme").await;
        let future = (chrono::Utc::now() + chrono::Duration::hours(25)).to_rfc3339();
        let near_future = (chrono::Utc::now() + chrono::Duration::hours(23)).to_rfc3339();
        let long = "x".repeat(201);
        let events = vec![
            event("ok-0", "c1", "INITIATED", 0),
            event("", "c1", "RINGING", 1),
            json!({ "eventId": "e2", "provider": "", "providerCallId": "c1", "type": "RINGING", "occurredAt": "2026-03-10T10:00:01Z" }),
            json!({ "eventId": "e3", "provider": "bolna", "providerCallId": "", "type": "RINGING", "occurredAt": "2026-03-10T10:00:01Z" }),
            event_with("e4", "c1", "RINGING", 1, json!({ "contactPhone": "12" })),
            json!({ "eventId": "e5", "provider": "bolna", "providerCallId": "c1", "type": "RINGING", "occurredAt": future }),
            event_with("e6", "c1", "COMPLETED", 9, json!({ "durationSeconds": -1 })),
            event_with("e7", "c1", "RINGING", 1, json!({ "contactName": long })),
            event_with("e8", "c1", "RINGING", 1, json!({ "hangupReason": "y".repeat(10_001) })),
            event_with("e9", "c1", "RINGING", 1, json!({ "payload": { "blob": "z".repeat(70 * 1024) } })),
            event_with("ok-10", "c1", "RINGING", 2, json!({ "hangupReason": "y".repeat(10_000), "contactName": "₹".repeat(200) })),
            json!({ "eventId": "ok-11", "provider": "bolna", "providerCallId": "c1", "type": "HOLD", "occurredAt": near_future }),
        ];
        let result = send_events(&app, &t.key, events).await;
        assert_eq!(result["accepted"], 3, "{result}");
        assert_eq!(rejected_indexes(&result), vec![1, 2, 3, 4, 5, 6, 7, 8, 9]);
        for r in result["rejected"].as_array().unwrap() {
            assert_eq!(r["code"], "BAD_USER_INPUT");
            assert!(!r["message"].as_str().unwrap().is_empty());
        }
        assert!(result["rejected"][3]["message"].as_str().unwrap().contains("contactPhone"));
        assert_eq!(call_row(&app, t.uuid, "c1").await.status, CallStatus::Ringing);
    }
}

db_test! {
    async fn a_batch_over_a_thousand_items_is_refused_whole(app) {
        let t = app.create_tenant("Acme").await;
        let events: Vec<Value> = (0..1001).map(|i| event(&format!("e{i}"), "c1", "HOLD", i)).collect();
        let body = app.gql(Some(&t.key), &INGEST_CALL_EVENTS, json!({ "events": events })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT");
        assert!(call::Entity::find().all(app.db.conn()).await.unwrap().is_empty(), "nothing stored");
        let events: Vec<Value> = (0..1000).map(|i| event(&format!("e{i}"), "c1", "HOLD", i)).collect();
        assert_eq!(send_events(&app, &t.key, events).await["accepted"], 1000);
    }
}

db_test! {
    async fn type_errors_fail_the_whole_request_and_store_nothing(app) {
        let t = app.create_tenant("Acme").await;
        for bad in [
            json!({ "eventId": "e1", "provider": "p", "providerCallId": "c", "type": "EXPLODED", "occurredAt": "2026-03-10T10:00:00Z" }),
            json!({ "eventId": "e1", "provider": "p", "providerCallId": "c", "type": "INITIATED", "occurredAt": "yesterday" }),
            json!({ "eventId": "e1", "provider": "p", "providerCallId": "c", "type": "INITIATED", "occurredAt": "2026-03-10T10:00:00Z", "durationSeconds": "ten" }),
        ] {
            let body = app.gql(Some(&t.key), &INGEST_CALL_EVENTS, json!({ "events": [event("ok", "c", "INITIATED", 0), bad] })).await;
            assert!(body["errors"].is_array() && body["data"].is_null(), "{body}");
        }
        assert!(call::Entity::find().all(app.db.conn()).await.unwrap().is_empty());
    }
}

db_test! {
    async fn without_initiated_the_earliest_event_starts_the_call_and_status_falls_back(app) {
        let t = app.create_tenant("Acme").await;
        send_events(&app, &t.key, vec![event("a", "c1", "ANSWERED", 40), event("r", "c1", "RINGING", 30), event("d", "c1", "DTMF", 50)]).await;
        let c = call_row(&app, t.uuid, "c1").await;
        assert_eq!(c.initiated_at, Some(at(30)));
        assert_eq!(c.status, CallStatus::InProgress);
        assert!(c.answered);
        send_events(&app, &t.key, vec![event("i", "c1", "INITIATED", 35)]).await;
        assert_eq!(call_row(&app, t.uuid, "c1").await.initiated_at, Some(at(35)), "the INITIATED event wins even if later");

        send_events(&app, &t.key, vec![event("r2", "c2", "RINGING", 0)]).await;
        assert_eq!(call_row(&app, t.uuid, "c2").await.status, CallStatus::Ringing);
        send_events(&app, &t.key, vec![event("h3", "c3", "HOLD", 0)]).await;
        assert_eq!(call_row(&app, t.uuid, "c3").await.status, CallStatus::Initiated);
    }
}

db_test! {
    async fn the_latest_terminal_event_is_the_outcome_ties_to_the_greater_id(app) {
        let t = app.create_tenant("Acme").await;
        send_events(&app, &t.key, vec![
            event("i", "c1", "INITIATED", 0),
            event_with("b", "c1", "BUSY", 20, json!({ "durationSeconds": 5, "cost": "1.5" })),
            event_with("a", "c1", "FAILED", 20, json!({ "durationSeconds": 7, "cost": "2" })),
            event_with("z", "c1", "NO_ANSWER", 10, json!({ "durationSeconds": 9 })),
        ]).await;
        let c = call_row(&app, t.uuid, "c1").await;
        assert_eq!(c.status, CallStatus::Busy, "b > a at the same time");
        assert_eq!(c.ended_at, Some(at(20)));
        assert_eq!((c.duration_seconds, c.billed_minutes, c.cost_micros), (5, 1, Some(1_500_000)));
        assert!(!c.answered);

        // A late terminal event changes the outcome.
        send_events(&app, &t.key, vec![event_with("late", "c1", "COMPLETED", 25, json!({ "durationSeconds": 0 }))]).await;
        let c = call_row(&app, t.uuid, "c1").await;
        assert_eq!(c.status, CallStatus::Completed);
        assert!(c.answered, "COMPLETED counts as answered without ANSWERED");
        assert_eq!((c.duration_seconds, c.billed_minutes, c.cost_micros), (0, 0, None));
    }
}

db_test! {
    async fn duration_falls_back_to_end_minus_answer_and_credits_use_the_tenant_rate(app) {
        let body = app.gql(Some(OPERATOR), &CREATE_TENANT, json!({ "input": { "name": "Pricey", "timezone": "UTC", "creditsPerMinute": 5 } })).await;
        let key = body["data"]["createTenant"]["apiKeySecret"].as_str().unwrap().to_owned();
        let uuid = api::domain::GlobalId::decode(body["data"]["createTenant"]["tenant"]["id"].as_str().unwrap()).unwrap().id;
        let mut answered = event("a", "c1", "ANSWERED", 10);
        answered["occurredAt"] = json!("2026-03-10T10:00:10.600Z");
        send_events(&app, &key, vec![answered, event_with("h", "c1", "HOLD", 20, json!({ "durationSeconds": 999, "cost": "9" })), event("c", "c1", "COMPLETED", 71)]).await;
        let c = call_row(&app, uuid, "c1").await;
        assert_eq!(c.duration_seconds, 60, "floor of 60.4 s; non-outcome durationSeconds ignored");
        assert_eq!((c.billed_minutes, c.credits), (1, 5));
        assert_eq!(c.cost_micros, None, "cost on a non-outcome event is ignored");

        send_events(&app, &key, vec![event("a2", "c2", "ANSWERED", 50), event("c2", "c2", "CANCELLED", 40)]).await;
        assert_eq!(call_row(&app, uuid, "c2").await.duration_seconds, 0, "never negative");
    }
}

db_test! {
    async fn attributes_come_from_the_latest_event_that_carries_them(app) {
        let t = app.create_tenant("Acme").await;
        send_events(&app, &t.key, vec![
            event_with("e1", "c1", "INITIATED", 0, json!({ "campaign": "spring", "tags": ["a", "b"], "metadata": { "x": 1 }, "recordingUrl": "https://r/1", "agentExternalId": "first" })),
            event_with("e3", "c1", "COMPLETED", 30, json!({ "tags": ["c"], "campaign": null, "agentExternalId": "second" })),
            event_with("e2", "c1", "ANSWERED", 10, json!({ "campaign": "summer", "metadata": { "y": 2 } })),
        ]).await;
        let c = call_row(&app, t.uuid, "c1").await;
        assert_eq!(c.tags, Some(json!(["c"])), "replaced whole, not merged");
        assert_eq!(c.metadata, Some(json!({ "y": 2 })));
        assert_eq!(c.recording_url.as_deref(), Some("https://r/1"));
        let campaign = campaign::Entity::find_by_id((t.uuid, c.campaign_id.unwrap())).one(app.db.conn()).await.unwrap().unwrap();
        assert_eq!(campaign.name, "summer", "null does not count as carrying a value");
        let agent = agent::Entity::find_by_id((t.uuid, c.agent_id.unwrap())).one(app.db.conn()).await.unwrap().unwrap();
        assert_eq!(agent.external_id, "second");
        let agents: Vec<String> = agent::Entity::find().filter(agent::Column::TenantId.eq(t.uuid)).order_by_asc(agent::Column::ExternalId).all(app.db.conn()).await.unwrap().into_iter().map(|a| a.external_id).collect();
        assert_eq!(agents, vec!["first", "second"], "every named agent was created");
        let campaigns = campaign::Entity::find().filter(campaign::Column::TenantId.eq(t.uuid)).all(app.db.conn()).await.unwrap();
        assert_eq!(campaigns.len(), 2, "every named campaign was created");
    }
}

db_test! {
    async fn contacts_come_from_contact_phone_or_the_far_end_in_the_tenants_country(app) {
        let t = app.create_tenant("Acme").await;
        send_events(&app, &t.key, vec![
            event_with("o1", "out", "INITIATED", 0, json!({ "direction": "OUTBOUND", "fromNumber": "+14155552671", "toNumber": "09812345678" })),
            event_with("i1", "in", "INITIATED", 0, json!({ "direction": "INBOUND", "fromNumber": "+91 98123 45678", "toNumber": "+14155552671" })),
            event_with("w1", "withheld", "INITIATED", 0, json!({ "direction": "INBOUND", "fromNumber": "anonymous", "toNumber": "+14155552671" })),
            event_with("p1", "explicit", "INITIATED", 0, json!({ "direction": "OUTBOUND", "toNumber": "+14155552671", "contactPhone": "9876543210" })),
            event_with("n1", "nodirection", "INITIATED", 0, json!({ "toNumber": "9876543210" })),
        ]).await;
        let out = call_row(&app, t.uuid, "out").await;
        let inbound = call_row(&app, t.uuid, "in").await;
        assert_eq!(out.contact_id, inbound.contact_id, "the same person, however the number was written");
        let withheld = call_row(&app, t.uuid, "withheld").await;
        assert_eq!(withheld.from_number.as_deref(), Some("anonymous"), "kept verbatim");
        assert_eq!(withheld.contact_id, None);
        let explicit = call_row(&app, t.uuid, "explicit").await;
        let c = contact::Entity::find_by_id((t.uuid, explicit.contact_id.unwrap())).one(app.db.conn()).await.unwrap().unwrap();
        assert_eq!(c.phone, "+919876543210", "contactPhone wins over the far end");
        assert_eq!(call_row(&app, t.uuid, "nodirection").await.contact_id, None);
    }
}

db_test! {
    async fn contact_details_come_from_the_latest_event_across_all_their_calls(app) {
        let t = app.create_tenant("Acme").await;
        send_events(&app, &t.key, vec![
            event_with("a1", "first", "INITIATED", 0, json!({ "contactPhone": "9812345678", "contactName": "Ravi", "contactExternalId": "CRM-1", "contactContext": { "loan": 1 } })),
            event_with("b1", "second", "INITIATED", 100, json!({ "contactPhone": "+919812345678", "contactName": "Ravi Kumar" })),
        ]).await;
        let contact_id = call_row(&app, t.uuid, "first").await.contact_id.unwrap();
        let c = contact::Entity::find_by_id((t.uuid, contact_id)).one(app.db.conn()).await.unwrap().unwrap();
        assert_eq!(c.name.as_deref(), Some("Ravi Kumar"));
        assert_eq!(c.external_id.as_deref(), Some("CRM-1"));
        assert_eq!(c.context, Some(json!({ "loan": 1 })));
        // A later-arriving but earlier-occurring event does not overwrite.
        send_events(&app, &t.key, vec![event_with("a0", "first", "HOLD", 50, json!({ "contactName": "R." }))]).await;
        let c = contact::Entity::find_by_id((t.uuid, contact_id)).one(app.db.conn()).await.unwrap().unwrap();
        assert_eq!(c.name.as_deref(), Some("Ravi Kumar"));
    }
}

db_test! {
    async fn the_latest_analysis_is_effective_and_may_arrive_before_the_call(app) {
        let t = app.create_tenant("Acme").await;
        let analysis = |id: &str, at: &str, total: i64| json!({ "analysisId": id, "provider": "bolna", "providerCallId": "c1", "analyzedAt": at, "totalScore": total });
        let result = send_analyses(&app, &t.key, vec![analysis("an-b", "2026-03-10T11:00:00Z", 85), analysis("an-a", "2026-03-10T11:00:00Z", 40), analysis("an-0", "2026-03-10T10:30:00Z", 60)]).await;
        assert_eq!(result["accepted"], 3);
        let c = call_row(&app, t.uuid, "c1").await;
        assert_eq!(c.initiated_at, None, "stored, but in no KPI until initiated");
        send_events(&app, &t.key, vec![event("e1", "c1", "INITIATED", 0)]).await;
        assert_eq!(call_row(&app, t.uuid, "c1").await.id, c.id, "the analysis's call is the events' call");
        let effective: Vec<String> = lead_analysis::Entity::find().filter(lead_analysis::Column::Effective.eq(true)).all(app.db.conn()).await.unwrap().into_iter().map(|a| a.analysis_id).collect();
        assert_eq!(effective, vec!["an-b"], "latest analyzedAt, tie to the greater id");

        send_analyses(&app, &t.key, vec![analysis("an-c", "2026-03-10T12:00:00Z", 10)]).await;
        let effective: Vec<String> = lead_analysis::Entity::find().filter(lead_analysis::Column::Effective.eq(true)).all(app.db.conn()).await.unwrap().into_iter().map(|a| a.analysis_id).collect();
        assert_eq!(effective, vec!["an-c"], "a re-analysis replaces the effective one");
        assert_eq!(lead_analysis::Entity::find().all(app.db.conn()).await.unwrap().len(), 4, "older ones stay as history");
    }
}

db_test! {
    async fn analyses_with_scores_outside_zero_to_hundred_are_rejected(app) {
        let t = app.create_tenant("Acme").await;
        let base = json!({ "analysisId": "a", "provider": "bolna", "providerCallId": "c1", "analyzedAt": "2026-03-10T11:00:00Z", "totalScore": 50 });
        let with = |id: &str, extra: Value| {
            let mut a = base.clone();
            a["analysisId"] = json!(id);
            a.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            a
        };
        let far = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
        let result = send_analyses(&app, &t.key, vec![
            with("ok", json!({ "intentScore": 0, "fitScore": 100, "demoBookedAt": far })),
            with("t", json!({ "totalScore": 101 })),
            with("i", json!({ "intentScore": -1 })),
            with("u", json!({ "urgencyScore": 1000 })),
            with("f", json!({ "analyzedAt": far })),
            with("s", json!({ "summary": "s".repeat(10_001) })),
            with("r", json!({ "reasoning": { "why": "w".repeat(65 * 1024) } })),
            with("", json!({})),
        ]).await;
        assert_eq!(result["accepted"], 1, "{result}");
        assert_eq!(rejected_indexes(&result), vec![1, 2, 3, 4, 5, 6, 7]);
    }
}

db_test! {
    async fn the_latest_transcript_replaces_earlier_ones_and_a_repeat_is_a_duplicate(app) {
        let t = app.create_tenant("Acme").await;
        let transcript = |at: &str, text: &str| json!({ "provider": "bolna", "providerCallId": "c1", "recordedAt": at, "language": "hi-IN",
            "segments": [{ "speaker": "AGENT", "text": text, "startMs": 0, "endMs": 900 }, { "speaker": "CUSTOMER", "text": "haan", "startMs": 0, "endMs": 400 }] });
        let first = send_transcripts(&app, &t.key, vec![transcript("2026-03-10T11:00:00Z", "v1"), transcript("2026-03-10T11:00:00Z", "v1 again")]).await;
        assert_eq!((first["accepted"].as_i64(), first["duplicates"].as_i64()), (Some(1), Some(1)));
        let second = send_transcripts(&app, &t.key, vec![transcript("2026-03-10T12:00:00Z", "v2"), transcript("2026-03-10T11:00:00Z", "changed")]).await;
        assert_eq!((second["accepted"].as_i64(), second["duplicates"].as_i64()), (Some(1), Some(1)));
        let call = call_row(&app, t.uuid, "c1").await;
        let current = api::read::transcript::current(app.db.conn(), t.uuid, call.id).await.unwrap().expect("a transcript");
        assert_eq!(current.0.language.as_deref(), Some("hi-IN"));
        let texts: Vec<&str> = current.1.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, vec!["v2", "haan"], "latest recordedAt; startMs order, ties in input order");

        let bad = send_transcripts(&app, &t.key, vec![
            json!({ "provider": "bolna", "providerCallId": "c2", "recordedAt": "2026-03-10T11:00:00Z", "segments": [{ "text": "x", "startMs": -1, "endMs": 5 }] }),
            json!({ "provider": "bolna", "providerCallId": "c2", "recordedAt": "2026-03-10T11:00:01Z", "segments": [{ "text": "x", "startMs": 5, "endMs": 5 }] }),
            json!({ "provider": "bolna", "providerCallId": "c2", "recordedAt": "2026-03-10T11:00:02Z", "segments": (0..5001).map(|i| json!({ "text": "x", "startMs": i, "endMs": i + 1 })).collect::<Vec<_>>() }),
            json!({ "provider": "bolna", "providerCallId": "c2", "recordedAt": "2026-03-10T11:00:03Z", "segments": [{ "text": "t".repeat(10_001), "startMs": 0, "endMs": 5 }] }),
            json!({ "provider": "bolna", "providerCallId": "c2", "recordedAt": "2026-03-10T11:00:04Z", "segments": (0..5000).map(|i| json!({ "text": "x", "startMs": i, "endMs": i + 1 })).collect::<Vec<_>>() }),
        ]).await;
        assert_eq!(rejected_indexes(&bad), vec![0, 1, 2, 3]);
        assert_eq!(bad["accepted"], 1);
    }
}

db_test! {
    async fn upsert_agents_creates_updates_and_refuses_bad_input_whole(app) {
        let t = app.create_tenant("Acme").await;
        let body = app.gql(Some(&t.key), &UPSERT_AGENTS, json!({ "agents": [{ "externalId": "priya", "name": "Priya", "kind": "AI", "language": "hi-IN" }, { "externalId": "rohit", "name": "Rohit", "kind": "HUMAN" }] })).await;
        let agents = body["data"]["upsertAgents"].as_array().unwrap();
        assert_eq!(agents.len(), 2);
        assert_eq!(agents[1]["kind"], "HUMAN");
        let priya_id = agents[0]["id"].clone();
        let renamed = app.gql(Some(&t.key), &UPSERT_AGENTS, json!({ "agents": [{ "externalId": "priya", "name": "Priya v2" }] })).await;
        assert_eq!(renamed["data"]["upsertAgents"][0]["id"], priya_id, "same agent");
        assert_eq!(renamed["data"]["upsertAgents"][0]["name"], "Priya v2");
        let bad = app.gql(Some(&t.key), &UPSERT_AGENTS, json!({ "agents": [{ "externalId": "new", "name": "New" }, { "externalId": "", "name": "x" }] })).await;
        assert_eq!(error_code(&bad), "BAD_USER_INPUT");
        let count = agent::Entity::find().filter(agent::Column::TenantId.eq(t.uuid)).all(app.db.conn()).await.unwrap().len();
        assert_eq!(count, 2, "nothing of the refused request was stored");
    }
}

db_test! {
    async fn timestamps_keep_milliseconds_and_microseconds_exactly(app) {
        let t = app.create_tenant("Acme").await;
        let mut e = event("e1", "c1", "INITIATED", 0);
        e["occurredAt"] = json!("2026-03-10T10:00:00.123456Z");
        let mut r = event("e2", "c1", "RINGING", 0);
        r["occurredAt"] = json!("2026-03-10T15:30:00.789+05:30");
        send_events(&app, &t.key, vec![e, r]).await;
        let c = call_row(&app, t.uuid, "c1").await;
        assert_eq!(c.initiated_at.unwrap().to_rfc3339(), "2026-03-10T10:00:00.123456+00:00");
        assert_eq!(c.ringing_at.unwrap().to_rfc3339(), "2026-03-10T10:00:00.789+00:00");
    }
}

db_test! {
    async fn one_tenants_ids_never_collide_with_anothers(app) {
        let a = app.create_tenant("A").await;
        let b = app.create_tenant("B").await;
        send_events(&app, &a.key, vec![event("e1", "c1", "INITIATED", 0)]).await;
        let result = send_events(&app, &b.key, vec![event("e1", "c1", "INITIATED", 5)]).await;
        assert_eq!(result["accepted"], 1, "the same ids in another tenant are new");
        assert_eq!(call_row(&app, a.uuid, "c1").await.initiated_at, Some(at(0)));
        assert_eq!(call_row(&app, b.uuid, "c1").await.initiated_at, Some(at(5)));
    }
}

db_test! {
    async fn parallel_requests_on_the_same_call_lose_nothing(app) {
        let t = app.create_tenant("Acme").await;
        let mut handles = Vec::new();
        for round in 0..8 {
            for part in 0..4 {
                let events = match part {
                    0 => vec![event(&format!("{round}-i"), &format!("c{round}"), "INITIATED", 0)],
                    1 => vec![event(&format!("{round}-a"), &format!("c{round}"), "ANSWERED", 10)],
                    2 => vec![event_with(&format!("{round}-c"), &format!("c{round}"), "COMPLETED", 70, json!({ "durationSeconds": 60, "agentExternalId": format!("agent{}", round % 2) }))],
                    _ => vec![event_with(&format!("{round}-h"), &format!("c{round}"), "HOLD", 20, json!({ "contactPhone": "9812345678", "campaign": "same" }))],
                };
                let client = app.client.clone();
                let url = format!("{}/graphql", app.address);
                let key = t.key.clone();
                handles.push(tokio::spawn(async move {
                    let body: Value = client.post(url).bearer_auth(key).json(&json!({ "query": INGEST_CALL_EVENTS.as_str(), "variables": { "events": events } })).send().await.unwrap().json().await.unwrap();
                    assert_eq!(body["data"]["ingestCallEvents"]["accepted"], 1, "{body}");
                }));
            }
        }
        for handle in handles {
            handle.await.unwrap();
        }
        for round in 0..8 {
            let c = call_row(&app, t.uuid, &format!("c{round}")).await;
            assert_eq!(c.status, CallStatus::Completed);
            assert_eq!((c.initiated_at, c.answered_at, c.duration_seconds), (Some(at(0)), Some(at(10)), 60));
            assert!(c.agent_id.is_some() && c.contact_id.is_some() && c.campaign_id.is_some());
        }
        assert_eq!(contact::Entity::find().all(app.db.conn()).await.unwrap().len(), 1);
        assert_eq!(campaign::Entity::find().all(app.db.conn()).await.unwrap().len(), 1);
        assert_eq!(agent::Entity::find().all(app.db.conn()).await.unwrap().len(), 2);
    }
}

db_test! {
    async fn batches_that_alternate_set_and_missing_ids_store_every_call(app) {
        // A column whose values are all set (each call's agent) travels as a
        // binary array; one with a missing value as a literal. Batches of
        // each kind in turn, over the same pooled connections, must each be
        // read as what they are.
        let t = app.create_tenant("Acme").await;
        for round in 0..4 {
            let with_agent = round % 2 == 0;
            let events = (0..3)
                .map(|i| {
                    let call = format!("r{round}c{i}");
                    let extra = match with_agent || i > 0 {
                        true => json!({ "agentExternalId": format!("agent-{i}"), "campaign": "spring" }),
                        false => json!({}),
                    };
                    event_with(&format!("{call}-e"), &call, "INITIATED", round * 10 + i, extra)
                })
                .collect();
            let result = send_events(&app, &t.key, events).await;
            assert_eq!(result["accepted"], 3, "round {round}: {result}");
        }
        for round in 0..4 {
            for i in 0..3 {
                let c = call_row(&app, t.uuid, &format!("r{round}c{i}")).await;
                let expect_agent = round % 2 == 0 || i > 0;
                assert_eq!(c.agent_id.is_some(), expect_agent, "r{round}c{i}");
                assert_eq!(c.campaign_id.is_some(), expect_agent, "r{round}c{i}");
                assert_eq!(c.initiated_at, Some(at(round * 10 + i)), "r{round}c{i}");
            }
        }
    }
}
