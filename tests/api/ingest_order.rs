//! Order independence (INGEST.md): the same messages, in any order, any
//! number of times, in any batch split, give the same stored state. A
//! property test generates message sets with retries, conflicting terminal
//! events, missing INITIATED, analyses before events, re-analyses and
//! invalid items, delivers them to two tenants in two orders, and compares
//! everything stored.

use crate::helpers::{Backend, TestApp, spawn_app};
use api::ingest::input::{
    CallEventInput, LeadAnalysisInput, TranscriptInput, TranscriptSegmentInput,
};
use chrono::{DateTime, Duration, Utc};
use entity::enums::{CallDirection, CallEventType, Sentiment, Speaker};
use entity::{
    agent, call, call_event, campaign, contact, lead_analysis, tenant, transcript,
    transcript_segment,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

// A few hundred test messages at most: their size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Message {
    Event(CallEventInput),
    Analysis(LeadAnalysisInput),
    Transcript(TranscriptInput),
}

fn base() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-02-01T09:00:00Z")
        .unwrap()
        .to_utc()
}

const TYPES: [CallEventType; 14] = [
    CallEventType::Initiated,
    CallEventType::Ringing,
    CallEventType::Answered,
    CallEventType::Completed,
    CallEventType::Failed,
    CallEventType::Busy,
    CallEventType::NoAnswer,
    CallEventType::Cancelled,
    CallEventType::Hold,
    CallEventType::Unhold,
    CallEventType::Mute,
    CallEventType::Unmute,
    CallEventType::Transfer,
    CallEventType::Dtmf,
];

fn pick<T: Clone + std::fmt::Debug + 'static>(options: Vec<T>) -> impl Strategy<Value = T> {
    proptest::sample::select(options)
}

prop_compose! {
    fn event_strategy()(
        call in 0..4usize,
        provider in pick(vec!["bolna", "exotel"]),
        kind in 0..TYPES.len(),
        second in 0..12i64,
        agent in pick(vec![None, Some("a1"), Some("a2")]),
        direction in pick(vec![None, Some(CallDirection::Outbound), Some(CallDirection::Inbound)]),
        to in pick(vec![None, Some("9812345678"), Some("+14155552671"), Some("anonymous")]),
        from in pick(vec![None, Some("+91 98765 43210"), Some("withheld")]),
        phone in pick(vec![None, None, Some("09123456789"), Some("not-a-phone")]),
        name in pick(vec![None, Some("Ravi"), Some("Asha")]),
        campaign in pick(vec![None, Some("x"), Some("y")]),
        duration in pick(vec![None, Some(0i64), Some(61), Some(150), Some(-1)]),
        cost in pick(vec![None, Some("0.5"), Some("1.25")]),
        tags in pick(vec![None, Some(vec!["t1"]), Some(vec!["t2", "t3"])]),
        meta in pick(vec![None, Some(1), Some(2)]),
    ) -> CallEventInput {
        CallEventInput {
            event_id: String::new(),
            provider: provider.into(),
            provider_call_id: format!("call-{call}"),
            event_type: TYPES[kind],
            occurred_at: base() + Duration::seconds(second),
            agent_external_id: agent.map(Into::into),
            direction,
            from_number: from.map(Into::into),
            to_number: to.map(Into::into),
            contact_phone: phone.map(Into::into),
            contact_name: name.map(Into::into),
            contact_external_id: name.map(|n| format!("crm-{n}")),
            campaign: campaign.map(Into::into),
            duration_seconds: duration,
            cost: cost.map(|c| c.parse::<Decimal>().unwrap()),
            hangup_by: None,
            hangup_reason: None,
            recording_url: None,
            contact_context: meta.map(|m| json!({ "m": m })),
            metadata: meta.map(|m| json!({ "k": m })),
            tags: tags.map(|t| t.into_iter().map(Into::into).collect()),
            payload: None,
        }
    }
}

prop_compose! {
    fn analysis_strategy()(
        call in 0..5usize,
        second in 0..4i64,
        total in pick(vec![10, 49, 50, 79, 80, 100, 101]),
        intent in pick(vec![None, Some(30), Some(90)]),
        sentiment in pick(vec![None, Some(Sentiment::Positive), Some(Sentiment::Negative)]),
        demo in any::<bool>(),
    ) -> LeadAnalysisInput {
        LeadAnalysisInput {
            analysis_id: String::new(),
            provider: "bolna".into(),
            provider_call_id: format!("call-{call}"),
            analyzed_at: base() + Duration::minutes(10) + Duration::seconds(second),
            total_score: total,
            intent_score: intent,
            urgency_score: None,
            budget_score: None,
            fit_score: None,
            engagement_score: None,
            sentiment,
            cta_pricing: Some(!demo),
            cta_demo: Some(demo),
            cta_followup: None,
            cta_sample: None,
            escalated_to_human: None,
            demo_booked_at: None,
            extracted_name: None,
            extracted_email: None,
            extracted_company: None,
            summary: None,
            reasoning: None,
        }
    }
}

/// A transcript's content is a function of its identity (call, recordedAt),
/// as a provider's retry would be; a bad variant (startMs >= endMs) shares it.
fn transcript_for(call: usize, second: i64, bad: bool) -> TranscriptInput {
    TranscriptInput {
        provider: "bolna".into(),
        provider_call_id: format!("call-{call}"),
        recorded_at: base() + Duration::minutes(20) + Duration::seconds(second),
        language: Some("hi-IN".into()),
        segments: vec![
            TranscriptSegmentInput {
                speaker: Some(Speaker::Agent),
                text: format!("hello {call}/{second}"),
                start_ms: 500,
                end_ms: if bad { 500 } else { 900 },
            },
            TranscriptSegmentInput {
                speaker: Some(Speaker::Customer),
                text: "haan".into(),
                start_ms: 0,
                end_ms: 400,
            },
        ],
    }
}

/// A message set: unique ids for distinct payloads, then retries (exact
/// copies) and invalid variants that reuse a valid message's id.
pub fn messages() -> impl Strategy<Value = Vec<Message>> {
    (
        prop::collection::vec(event_strategy(), 1..24),
        prop::collection::vec(analysis_strategy(), 0..6),
        prop::collection::vec((0..5usize, 0..3i64, any::<bool>()), 0..4),
        prop::collection::vec(any::<prop::sample::Index>(), 0..8),
    )
        .prop_map(|(events, analyses, transcripts, retries)| {
            let mut out: Vec<Message> = Vec::new();
            for (i, mut e) in events.into_iter().enumerate() {
                e.event_id = format!("ev-{i:02}");
                out.push(Message::Event(e));
            }
            for (i, mut a) in analyses.into_iter().enumerate() {
                a.analysis_id = format!("an-{i:02}");
                out.push(Message::Analysis(a));
            }
            for (call, second, bad) in transcripts {
                out.push(Message::Transcript(transcript_for(call, second, bad)));
            }
            let originals = out.clone();
            for index in retries {
                let mut copy = index.get(&originals).clone();
                if let Message::Event(e) = &mut copy
                    && index.index(3) == 0
                {
                    // An invalid variant under the same id: whichever order,
                    // the valid one is the one kept.
                    e.contact_phone = Some("12".into());
                }
                out.push(copy);
            }
            out
        })
}

/// Delivers `messages` in batches of the given sizes, each batch split by kind.
pub async fn deliver(app: &TestApp, tenant: &tenant::Model, messages: &[Message], sizes: &[usize]) {
    let mut rest = messages;
    let mut turn = 0;
    while !rest.is_empty() {
        let size = sizes[turn % sizes.len()].clamp(1, rest.len());
        turn += 1;
        let (batch, tail) = rest.split_at(size);
        rest = tail;
        let events: Vec<_> = batch
            .iter()
            .filter_map(|m| {
                if let Message::Event(e) = m {
                    Some(e.clone())
                } else {
                    None
                }
            })
            .collect();
        let analyses: Vec<_> = batch
            .iter()
            .filter_map(|m| {
                if let Message::Analysis(a) = m {
                    Some(a.clone())
                } else {
                    None
                }
            })
            .collect();
        let transcripts: Vec<_> = batch
            .iter()
            .filter_map(|m| {
                if let Message::Transcript(t) = m {
                    Some(t.clone())
                } else {
                    None
                }
            })
            .collect();
        api::ingest::events::ingest(&app.db, tenant, events)
            .await
            .map_err(anyhow::Error::from)
            .unwrap();
        api::ingest::analyses::ingest(&app.db, tenant, analyses)
            .await
            .map_err(anyhow::Error::from)
            .unwrap();
        api::ingest::transcripts::ingest(&app.db, tenant, transcripts)
            .await
            .map_err(anyhow::Error::from)
            .unwrap();
    }
}

/// Everything stored for a tenant, with row ids replaced by natural keys.
pub async fn snapshot(app: &TestApp, tenant: Uuid) -> Value {
    let db = app.db.conn();
    let agents = agent::Entity::find()
        .filter(agent::Column::TenantId.eq(tenant))
        .order_by_asc(agent::Column::ExternalId)
        .all(db)
        .await
        .unwrap();
    let campaigns = campaign::Entity::find()
        .filter(campaign::Column::TenantId.eq(tenant))
        .order_by_asc(campaign::Column::Name)
        .all(db)
        .await
        .unwrap();
    let contacts = contact::Entity::find()
        .filter(contact::Column::TenantId.eq(tenant))
        .order_by_asc(contact::Column::Phone)
        .all(db)
        .await
        .unwrap();
    let calls = call::Entity::find()
        .filter(call::Column::TenantId.eq(tenant))
        .all(db)
        .await
        .unwrap();
    let agent_of: HashMap<Uuid, String> = agents
        .iter()
        .map(|a| (a.id, a.external_id.clone()))
        .collect();
    let campaign_of: HashMap<Uuid, String> =
        campaigns.iter().map(|c| (c.id, c.name.clone())).collect();
    let phone_of: HashMap<Uuid, String> =
        contacts.iter().map(|c| (c.id, c.phone.clone())).collect();
    let key_of: HashMap<Uuid, String> = calls
        .iter()
        .map(|c| (c.id, format!("{}/{}", c.provider, c.provider_call_id)))
        .collect();
    let mut call_rows: Vec<Value> = calls
        .iter()
        .map(|c| {
            json!({
                "key": key_of[&c.id], "direction": c.direction, "from": c.from_number, "to": c.to_number,
                "agent": c.agent_id.map(|id| agent_of[&id].clone()), "contact": c.contact_id.map(|id| phone_of[&id].clone()),
                "campaign": c.campaign_id.map(|id| campaign_of[&id].clone()),
                "initiated": c.initiated_at, "ringing": c.ringing_at, "answered_at": c.answered_at, "ended": c.ended_at,
                "status": c.status, "answered": c.answered, "duration": c.duration_seconds, "billed": c.billed_minutes,
                "credits": c.credits, "cost": c.cost_micros, "hangup_by": c.hangup_by, "hangup_reason": c.hangup_reason,
                "recording": c.recording_url, "metadata": c.metadata, "tags": c.tags,
            })
        })
        .collect();
    call_rows.sort_by_key(|c| c["key"].as_str().unwrap().to_owned());
    let mut events: Vec<Value> = call_event::Entity::find()
        .filter(call_event::Column::TenantId.eq(tenant))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| json!({ "id": e.event_id, "call": key_of[&e.call_id], "type": e.event_type, "at": e.occurred_at, "phone": e.contact_phone, "to": e.to_number, "duration": e.duration_seconds }))
        .collect();
    events.sort_by_key(|e| e["id"].as_str().unwrap().to_owned());
    let mut analyses: Vec<Value> = lead_analysis::Entity::find()
        .filter(lead_analysis::Column::TenantId.eq(tenant))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| json!({ "id": a.analysis_id, "call": key_of[&a.call_id], "at": a.analyzed_at, "total": a.total_score, "effective": a.effective, "demo": a.cta_demo }))
        .collect();
    analyses.sort_by_key(|a| a["id"].as_str().unwrap().to_owned());
    let transcripts = transcript::Entity::find()
        .filter(transcript::Column::TenantId.eq(tenant))
        .all(db)
        .await
        .unwrap();
    let mut transcript_rows = Vec::new();
    for t in transcripts {
        let segments: Vec<Value> = transcript_segment::Entity::find()
            .filter(transcript_segment::Column::TenantId.eq(tenant))
            .filter(transcript_segment::Column::TranscriptId.eq(t.id))
            .order_by_asc(transcript_segment::Column::Position)
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|s| json!([s.speaker, s.text, s.start_ms, s.end_ms]))
            .collect();
        transcript_rows.push(json!({ "call": key_of[&t.call_id], "at": t.recorded_at, "language": t.language, "segments": segments }));
    }
    transcript_rows.sort_by_key(|t| format!("{}{}", t["call"], t["at"]));
    json!({
        "agents": agents.iter().map(|a| json!([a.external_id, a.name, a.kind])).collect::<Vec<_>>(),
        "campaigns": campaigns.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
        "contacts": contacts.iter().map(|c| json!([c.phone, c.name, c.external_id, c.context])).collect::<Vec<_>>(),
        "calls": call_rows,
        "events": events,
        "analyses": analyses,
        "transcripts": transcript_rows,
    })
}

pub async fn new_tenant(app: &TestApp, name: &str) -> tenant::Model {
    let t = app.create_tenant(name).await;
    tenant::Entity::find_by_id(t.uuid)
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap()
}

fn check_order_independence(backend: Backend) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let Some(app) = rt.block_on(spawn_app(backend, "ingest_order::order_independence")) else {
        return;
    };
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = messages().prop_flat_map(|m| {
        let shuffled = Just(m.clone()).prop_shuffle();
        (
            Just(m),
            shuffled,
            prop::collection::vec(1..8usize, 1..4),
            prop::collection::vec(1..8usize, 1..4),
        )
    });
    let case = std::sync::atomic::AtomicUsize::new(0);
    runner
        .run(&strategy, |(messages, shuffled, sizes_a, sizes_b)| {
            let case = case.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            rt.block_on(async {
                let a = new_tenant(&app, &format!("A{case}")).await;
                let b = new_tenant(&app, &format!("B{case}")).await;
                deliver(&app, &a, &messages, &sizes_a).await;
                deliver(&app, &b, &shuffled, &sizes_b).await;
                // Everything again, in another split: all duplicates now.
                deliver(&app, &b, &messages, &sizes_a).await;
                let (left, right) = (snapshot(&app, a.id).await, snapshot(&app, b.id).await);
                prop_assert_eq!(left, right);
                Ok(())
            })
        })
        .unwrap();
}

#[test]
fn the_same_messages_in_any_order_give_the_same_state_on_sqlite() {
    check_order_independence(Backend::Sqlite);
}

#[test]
fn the_same_messages_in_any_order_give_the_same_state_on_postgres() {
    check_order_independence(Backend::Postgres);
}
