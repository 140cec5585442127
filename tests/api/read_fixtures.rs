//! Data for the read tests, written through the real ingest mutations, and
//! the contract's read operations verbatim.

use crate::helpers::*;
use crate::ingest::{event_with, send_analyses, send_events, send_transcripts};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

/// `RecentCalls`, verbatim from the contract.
pub static RECENT_CALLS: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::contract::operation("RecentCalls"));

/// `CallById`, verbatim from the contract.
pub static CALL_BY_ID: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::contract::operation("CallById"));

/// `AgentLeaderboard` from the contract without its `kpis` selection (the
/// KPI engine adds that field).
pub const AGENT_LEADERBOARD: &str = r#"query AgentLeaderboard($first: Int!) {
  agents(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      externalId
      name
    }
  }
}"#;

/// 2026-03-10T10:00:00Z plus `second` seconds.
pub fn at(second: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-10T10:00:00Z")
        .unwrap()
        .to_utc()
        + Duration::seconds(second)
}

/// One completed outbound call.
#[derive(Clone)]
pub struct CallSpec {
    pub id: String,
    pub agent: String,
    pub campaign: String,
    /// National Indian mobile number, e.g. "98123 45678".
    pub phone: String,
    /// Seconds after 2026-03-10T10:00:00Z it was initiated.
    pub second: i64,
    pub duration: i64,
    pub tags: Vec<&'static str>,
}

impl CallSpec {
    pub fn new(id: &str, agent: &str, campaign: &str, phone: &str, second: i64) -> Self {
        Self {
            id: id.into(),
            agent: agent.into(),
            campaign: campaign.into(),
            phone: phone.into(),
            second,
            duration: 61,
            tags: vec![],
        }
    }

    /// INITIATED, then COMPLETED `duration` seconds later.
    pub fn events(&self) -> Vec<Value> {
        let id = &self.id;
        vec![
            event_with(
                &format!("{id}-init"),
                id,
                "INITIATED",
                self.second,
                json!({ "direction": "OUTBOUND", "toNumber": self.phone, "agentExternalId": self.agent,
                        "campaign": self.campaign, "tags": self.tags, "metadata": { "callType": "collections" } }),
            ),
            event_with(
                &format!("{id}-done"),
                id,
                "COMPLETED",
                self.second + self.duration,
                json!({ "durationSeconds": self.duration, "cost": "0.905" }),
            ),
        ]
    }
}

/// Ingests `calls` (events only) for the tenant of `key`.
pub async fn ingest_calls(app: &TestApp, key: &str, calls: &[CallSpec]) {
    let events: Vec<Value> = calls.iter().flat_map(CallSpec::events).collect();
    for batch in events.chunks(1000) {
        let result = send_events(app, key, batch.to_vec()).await;
        assert_eq!(result["rejected"], json!([]), "{result}");
    }
}

/// An analysis of call `call` with `score`, analysed at `second`.
pub fn analysis(id: &str, call: &str, second: i64, score: i64) -> Value {
    json!({ "analysisId": id, "provider": "bolna", "providerCallId": call,
            "analyzedAt": at(second).to_rfc3339(), "totalScore": score,
            "sentiment": "POSITIVE", "ctaDemo": true })
}

/// A two-segment transcript of call `call`.
pub fn transcript(call: &str) -> Value {
    json!({ "provider": "bolna", "providerCallId": call, "recordedAt": at(3600).to_rfc3339(), "language": "hi-IN",
            "segments": [
                { "speaker": "AGENT", "text": "Namaste", "startMs": 0, "endMs": 900 },
                { "speaker": "CUSTOMER", "text": "Haan ji", "startMs": 1000, "endMs": 1800 }
            ] })
}

/// `n` calls spread over `agents` agents and 3 campaigns, one contact per
/// call, each fully detailed: events, an analysis and a transcript.
pub async fn ingest_detailed_calls(
    app: &TestApp,
    key: &str,
    n: usize,
    agents: usize,
) -> Vec<CallSpec> {
    let calls: Vec<CallSpec> = (0..n)
        .map(|i| {
            CallSpec::new(
                &format!("c{i:04}"),
                &format!("agent-{:03}", i % agents),
                &format!("campaign-{}", i % 3),
                &format!("98{:08}", 10_000_000 + i),
                i as i64 * 60,
            )
        })
        .collect();
    ingest_calls(app, key, &calls).await;
    let analyses: Vec<Value> = calls
        .iter()
        .map(|c| analysis(&format!("a-{}", c.id), &c.id, c.second + 300, 85))
        .collect();
    for batch in analyses.chunks(1000) {
        send_analyses(app, key, batch.to_vec()).await;
    }
    let transcripts: Vec<Value> = calls.iter().map(|c| transcript(&c.id)).collect();
    for batch in transcripts.chunks(1000) {
        send_transcripts(app, key, batch.to_vec()).await;
    }
    calls
}

/// `data` of a response that must have no errors.
pub fn data(body: &Value) -> &Value {
    assert!(body["errors"].is_null(), "unexpected errors: {body}");
    &body["data"]
}

/// The `providerCallId`s of a `calls` connection's nodes or edges.
pub fn call_ids(connection: &Value) -> Vec<String> {
    let items = match connection["edges"].as_array() {
        Some(edges) => edges.iter().map(|e| &e["node"]).collect::<Vec<_>>(),
        None => connection["nodes"].as_array().unwrap().iter().collect(),
    };
    items
        .iter()
        .map(|n| n["providerCallId"].as_str().unwrap().to_owned())
        .collect()
}

/// Sends `query` and returns the body with the number of SQL statements
/// the request ran (authentication included).
pub async fn counted(app: &TestApp, key: &str, query: &str, variables: Value) -> (Value, u64) {
    let before = app.db.statements_run();
    let body = app.gql(Some(key), query, variables).await;
    (body, app.db.statements_run() - before)
}

/// The raw id inside a global id.
pub fn uuid_of(id: &Value) -> uuid::Uuid {
    api::domain::GlobalId::decode(id.as_str().expect("an id"))
        .expect("a global id")
        .id
}

/// Stores a follow-up directly (no mutation writes them yet).
pub async fn insert_follow_up(
    app: &TestApp,
    tenant: uuid::Uuid,
    contact: uuid::Uuid,
    call: Option<uuid::Uuid>,
    due_second: i64,
    status: entity::enums::FollowUpStatus,
) -> uuid::Uuid {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let id = uuid::Uuid::now_v7();
    entity::follow_up::ActiveModel {
        tenant_id: Set(tenant),
        id: Set(id),
        contact_id: Set(contact),
        call_id: Set(call),
        due_at: Set(at(due_second)),
        remark: Set(Some(format!("due at {due_second}"))),
        status: Set(status),
        created_by_user_id: Set(None),
        created_by_key_id: Set(None),
        updated_by_user_id: Set(None),
        updated_by_key_id: Set(None),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
    }
    .insert(app.db.conn())
    .await
    .expect("insert follow-up");
    id
}

/// Stores a note on a call directly (no mutation writes them yet).
pub async fn insert_note(
    app: &TestApp,
    tenant: uuid::Uuid,
    call: uuid::Uuid,
    body: &str,
    second: i64,
) {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    entity::call_note::ActiveModel {
        tenant_id: Set(tenant),
        id: Set(uuid::Uuid::now_v7()),
        call_id: Set(call),
        author_user_id: Set(None),
        author_key_id: Set(None),
        body: Set(body.into()),
        created_at: Set(at(second)),
    }
    .insert(app.db.conn())
    .await
    .expect("insert note");
}

/// The row of call `provider_call_id` of `tenant`.
pub async fn call_uuid(app: &TestApp, tenant: uuid::Uuid, provider_call_id: &str) -> uuid::Uuid {
    crate::ingest::call_row(app, tenant, provider_call_id)
        .await
        .id
}
