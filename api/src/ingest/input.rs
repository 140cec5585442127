//! Ingest messages as clients send them, shared by the GraphQL mutations and
//! the NDJSON import so that both accept exactly the same fields.

use async_graphql::InputObject;
use chrono::{DateTime, Utc};
use entity::enums::{AgentKind, CallDirection, CallEventType, Sentiment, Speaker};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value as Json;

/// An agent to create or update, keyed by its external (provider) id.
#[derive(Debug, Clone, InputObject, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgentInput {
    pub external_id: String,
    pub name: String,
    /// Default AI.
    pub kind: Option<AgentKind>,
    pub language: Option<String>,
}

/// A lifecycle or in-call event of a call (INGEST.md).
#[derive(Debug, Clone, InputObject, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallEventInput {
    /// Idempotency id, unique per tenant.
    pub event_id: String,
    pub provider: String,
    pub provider_call_id: String,
    #[graphql(name = "type")]
    #[serde(rename = "type")]
    pub event_type: CallEventType,
    pub occurred_at: DateTime<Utc>,
    pub agent_external_id: Option<String>,
    pub direction: Option<CallDirection>,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_name: Option<String>,
    pub contact_external_id: Option<String>,
    pub campaign: Option<String>,
    pub duration_seconds: Option<i64>,
    pub cost: Option<Decimal>,
    pub hangup_by: Option<String>,
    pub hangup_reason: Option<String>,
    pub recording_url: Option<String>,
    pub contact_context: Option<Json>,
    pub metadata: Option<Json>,
    pub tags: Option<Vec<String>>,
    pub payload: Option<Json>,
}

/// An AI analysis of a call.
#[derive(Debug, Clone, InputObject, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LeadAnalysisInput {
    /// Idempotency id, unique per tenant.
    pub analysis_id: String,
    pub provider: String,
    pub provider_call_id: String,
    pub analyzed_at: DateTime<Utc>,
    pub total_score: i32,
    pub intent_score: Option<i32>,
    pub urgency_score: Option<i32>,
    pub budget_score: Option<i32>,
    pub fit_score: Option<i32>,
    pub engagement_score: Option<i32>,
    pub sentiment: Option<Sentiment>,
    pub cta_pricing: Option<bool>,
    pub cta_demo: Option<bool>,
    pub cta_followup: Option<bool>,
    pub cta_sample: Option<bool>,
    pub escalated_to_human: Option<bool>,
    pub demo_booked_at: Option<DateTime<Utc>>,
    pub extracted_name: Option<String>,
    pub extracted_email: Option<String>,
    pub extracted_company: Option<String>,
    pub summary: Option<String>,
    pub reasoning: Option<Json>,
}

/// A call's transcript; the latest `recordedAt` is the current one.
#[derive(Debug, Clone, InputObject, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TranscriptInput {
    pub provider: String,
    pub provider_call_id: String,
    pub recorded_at: DateTime<Utc>,
    pub language: Option<String>,
    pub segments: Vec<TranscriptSegmentInput>,
}

/// One speaker turn, `0 <= startMs < endMs`.
#[derive(Debug, Clone, InputObject, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TranscriptSegmentInput {
    pub speaker: Option<Speaker>,
    pub text: String,
    pub start_ms: i64,
    pub end_ms: i64,
}
