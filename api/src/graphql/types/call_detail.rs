//! What a call carries: lead analyses, its transcript, events and notes.

use super::DateTimeUtc;
use super::call::micros_to_decimal;
use super::leaves::{OnePass, Plain, enumerated, json, scalar};
use crate::read::rows::EventCore;
use crate::read::transcript::Current;
use async_graphql::{Json, ScalarType, SimpleObject, Value};
use entity::enums::{CallDirection, CallEventType, LeadTag, Sentiment, Speaker};
use entity::{call_event, call_note, lead_analysis, transcript_segment};
use rust_decimal::Decimal;

/// An analysis of a call: scores 0–100, lead tag, sentiment, calls to action.
#[derive(SimpleObject)]
pub struct LeadAnalysis {
    /// The sender's id of the analysis.
    pub analysis_id: String,
    pub analyzed_at: DateTimeUtc,
    pub total_score: i32,
    /// HOT (80+), WARM (50–79) or COLD, from `totalScore`.
    pub lead_tag: LeadTag,
    pub intent_score: Option<i32>,
    pub urgency_score: Option<i32>,
    pub budget_score: Option<i32>,
    pub fit_score: Option<i32>,
    pub engagement_score: Option<i32>,
    pub sentiment: Option<Sentiment>,
    pub cta_pricing: bool,
    pub cta_demo: bool,
    pub cta_followup: bool,
    pub cta_sample: bool,
    pub escalated_to_human: bool,
    pub demo_booked_at: Option<DateTimeUtc>,
    pub extracted_name: Option<String>,
    pub extracted_email: Option<String>,
    pub extracted_company: Option<String>,
    pub summary: Option<String>,
    pub reasoning: Option<Json<serde_json::Value>>,
    /// Whether this is the call's effective analysis.
    pub effective: bool,
}

impl From<lead_analysis::Model> for LeadAnalysis {
    fn from(a: lead_analysis::Model) -> Self {
        Self {
            analysis_id: a.analysis_id,
            analyzed_at: a.analyzed_at,
            total_score: a.total_score,
            lead_tag: LeadTag::from_score(a.total_score),
            intent_score: a.intent_score,
            urgency_score: a.urgency_score,
            budget_score: a.budget_score,
            fit_score: a.fit_score,
            engagement_score: a.engagement_score,
            sentiment: a.sentiment,
            cta_pricing: a.cta_pricing,
            cta_demo: a.cta_demo,
            cta_followup: a.cta_followup,
            cta_sample: a.cta_sample,
            escalated_to_human: a.escalated_to_human,
            demo_booked_at: a.demo_booked_at,
            extracted_name: a.extracted_name,
            extracted_email: a.extracted_email,
            extracted_company: a.extracted_company,
            summary: a.summary,
            reasoning: a.reasoning.map(Json),
            effective: a.effective,
        }
    }
}

/// A call's transcript.
#[derive(SimpleObject)]
pub struct Transcript {
    pub language: Option<String>,
    pub recorded_at: DateTimeUtc,
    /// Speaker turns by `startMs` (ties: the order they were sent in).
    pub segments: Vec<OnePass<TranscriptSegment>>,
}

impl From<Current> for Transcript {
    fn from((transcript, segments): Current) -> Self {
        Self {
            language: transcript.language,
            recorded_at: transcript.recorded_at,
            segments: segments
                .into_iter()
                .map(|s| OnePass(TranscriptSegment::from(s)))
                .collect(),
        }
    }
}

/// One speaker turn.
#[derive(SimpleObject)]
pub struct TranscriptSegment {
    pub speaker: Option<Speaker>,
    pub text: String,
    pub start_ms: i64,
    pub end_ms: i64,
}

impl From<transcript_segment::Model> for TranscriptSegment {
    fn from(s: transcript_segment::Model) -> Self {
        Self {
            speaker: s.speaker,
            text: s.text,
            start_ms: s.start_ms,
            end_ms: s.end_ms,
        }
    }
}

/// A lifecycle or in-call event, as it was sent.
#[derive(SimpleObject)]
pub struct CallEvent {
    /// The sender's id of the event.
    pub event_id: String,
    #[graphql(name = "type")]
    pub event_type: CallEventType,
    pub occurred_at: DateTimeUtc,
    /// When callboard accepted it.
    pub received_at: DateTimeUtc,
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
    pub contact_context: Option<Json<serde_json::Value>>,
    pub metadata: Option<Json<serde_json::Value>>,
    pub tags: Option<Vec<String>>,
    pub payload: Option<Json<serde_json::Value>>,
}

impl From<call_event::Model> for CallEvent {
    fn from(e: call_event::Model) -> Self {
        Self {
            event_id: e.event_id,
            event_type: e.event_type,
            occurred_at: e.occurred_at,
            received_at: e.received_at,
            agent_external_id: e.agent_external_id,
            direction: e.direction,
            from_number: e.from_number,
            to_number: e.to_number,
            contact_phone: e.contact_phone,
            contact_name: e.contact_name,
            contact_external_id: e.contact_external_id,
            campaign: e.campaign,
            duration_seconds: e.duration_seconds,
            cost: e.cost_micros.map(micros_to_decimal),
            hangup_by: e.hangup_by,
            hangup_reason: e.hangup_reason,
            recording_url: e.recording_url,
            contact_context: e.contact_context.map(Json),
            metadata: e.metadata.map(Json),
            tags: e.tags.and_then(|tags| serde_json::from_value(tags).ok()),
            payload: e.payload.map(Json),
        }
    }
}

impl CallEvent {
    /// Whether field `name` is answered from an `EventCore` alone.
    pub fn is_core(name: &str) -> bool {
        matches!(
            name,
            "eventId" | "type" | "occurredAt" | "receivedAt" | "__typename"
        )
    }
}

/// An event read with only its core columns; only `is_core` fields may be
/// asked of it (the others are empty).
impl From<EventCore> for CallEvent {
    fn from(e: EventCore) -> Self {
        Self {
            event_id: e.event_id,
            event_type: e.event_type,
            occurred_at: e.occurred_at,
            received_at: e.received_at,
            agent_external_id: None,
            direction: None,
            from_number: None,
            to_number: None,
            contact_phone: None,
            contact_name: None,
            contact_external_id: None,
            campaign: None,
            duration_seconds: None,
            cost: None,
            hangup_by: None,
            hangup_reason: None,
            recording_url: None,
            contact_context: None,
            metadata: None,
            tags: None,
            payload: None,
        }
    }
}

/// A note a person wrote during or after a call.
#[derive(SimpleObject)]
pub struct CallNote {
    pub body: String,
    pub created_at: DateTimeUtc,
    /// Who wrote it; null for notes from before authorship was recorded.
    pub author: Option<super::Author>,
}

impl From<call_note::Model> for CallNote {
    fn from(n: call_note::Model) -> Self {
        Self {
            body: n.body,
            created_at: n.created_at,
            author: super::Author::of(n.author_user_id, n.author_key_id),
        }
    }
}

impl Plain for TranscriptSegment {
    fn value_of(&self, name: &str) -> Option<Value> {
        Some(match name {
            "speaker" => enumerated(self.speaker),
            "text" => Value::String(self.text.clone()),
            "startMs" => self.start_ms.to_value(),
            "endMs" => self.end_ms.to_value(),
            _ => return None,
        })
    }
}

impl Plain for CallEvent {
    fn value_of(&self, name: &str) -> Option<Value> {
        Some(match name {
            "eventId" => Value::String(self.event_id.clone()),
            "type" => enumerated(Some(self.event_type)),
            "occurredAt" => self.occurred_at.to_value(),
            "receivedAt" => self.received_at.to_value(),
            "agentExternalId" => scalar(&self.agent_external_id),
            "direction" => enumerated(self.direction),
            "fromNumber" => scalar(&self.from_number),
            "toNumber" => scalar(&self.to_number),
            "contactPhone" => scalar(&self.contact_phone),
            "contactName" => scalar(&self.contact_name),
            "contactExternalId" => scalar(&self.contact_external_id),
            "campaign" => scalar(&self.campaign),
            "durationSeconds" => scalar(&self.duration_seconds),
            "cost" => scalar(&self.cost),
            "hangupBy" => scalar(&self.hangup_by),
            "hangupReason" => scalar(&self.hangup_reason),
            "recordingUrl" => scalar(&self.recording_url),
            "contactContext" => json(&self.contact_context),
            "metadata" => json(&self.metadata),
            "tags" => self.tags.as_ref().map_or(Value::Null, |tags| {
                Value::List(tags.iter().map(|t| Value::String(t.clone())).collect())
            }),
            "payload" => json(&self.payload),
            _ => return None,
        })
    }
}

impl Plain for LeadAnalysis {
    fn value_of(&self, name: &str) -> Option<Value> {
        Some(match name {
            "analysisId" => Value::String(self.analysis_id.clone()),
            "analyzedAt" => self.analyzed_at.to_value(),
            "totalScore" => self.total_score.to_value(),
            "leadTag" => enumerated(Some(self.lead_tag)),
            "intentScore" => scalar(&self.intent_score),
            "urgencyScore" => scalar(&self.urgency_score),
            "budgetScore" => scalar(&self.budget_score),
            "fitScore" => scalar(&self.fit_score),
            "engagementScore" => scalar(&self.engagement_score),
            "sentiment" => enumerated(self.sentiment),
            "ctaPricing" => self.cta_pricing.to_value(),
            "ctaDemo" => self.cta_demo.to_value(),
            "ctaFollowup" => self.cta_followup.to_value(),
            "ctaSample" => self.cta_sample.to_value(),
            "escalatedToHuman" => self.escalated_to_human.to_value(),
            "demoBookedAt" => scalar(&self.demo_booked_at),
            "extractedName" => scalar(&self.extracted_name),
            "extractedEmail" => scalar(&self.extracted_email),
            "extractedCompany" => scalar(&self.extracted_company),
            "summary" => scalar(&self.summary),
            "reasoning" => json(&self.reasoning),
            "effective" => self.effective.to_value(),
            _ => return None,
        })
    }
}
