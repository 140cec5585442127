//! `Call`: one call as its events project it, with its agent, contact,
//! campaign, analyses, transcript, events and notes batch-loaded.

use super::connection::{CallConnection, Count, connection, page_request};
use super::leaves::{Mixed, OnePass, Plain, enumerated, json, scalar};
use super::{
    Agent, CallEvent, CallFilterInput, CallNote, Campaign, Contact, DateTimeUtc, LeadAnalysis,
    Transcript, by_call, by_id,
};
use crate::auth::Capability;
use crate::domain::{GlobalId, NodeKind, TenantId};
use crate::graphql::ContextExt;
use crate::graphql::loaders::{
    AgentByIdLoader, CallPageByParentLoader, CallsOf, CampaignByIdLoader, ContactByIdLoader,
    EventCoresByCallLoader, EventsByCallLoader, EventsWithoutPayloadByCallLoader,
    LeadAnalysesByCallLoader, LeadAnalysisByCallLoader, NotesByCallLoader, TranscriptByCallLoader,
};
use crate::read::calls::{self, CallParent};
use crate::read::cursor::List;
use async_graphql::dataloader::Loader;
use async_graphql::{ComplexObject, Context, ID, Json, Result, ScalarType, SimpleObject, Value};
use entity::call;
use entity::enums::{CallDirection, CallStatus};
use rust_decimal::Decimal;
use std::sync::Arc;
use uuid::Uuid;

/// One call: its lifecycle, billing and outcome, projected from its events.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Call {
    pub id: ID,
    /// The telephony provider, e.g. `bolna`.
    pub provider: String,
    /// The provider's id of the call, unique per provider.
    pub provider_call_id: String,
    pub status: CallStatus,
    pub direction: Option<CallDirection>,
    /// E.164 when it parses, else as the provider sent it.
    pub from_number: Option<String>,
    /// E.164 when it parses, else as the provider sent it.
    pub to_number: Option<String>,
    /// Unknown until an event arrives; such calls list last.
    pub initiated_at: Option<DateTimeUtc>,
    pub ringing_at: Option<DateTimeUtc>,
    pub answered_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    /// Answered, or completed.
    pub answered: bool,
    pub duration_seconds: i64,
    /// Whole minutes billed: duration rounded up.
    pub billed_minutes: i64,
    /// Billed minutes times the tenant's credits per minute.
    pub credits_used: i64,
    /// What the provider charged; null when it did not say.
    pub cost: Option<Decimal>,
    pub tags: Vec<String>,
    pub metadata: Option<Json<serde_json::Value>>,
    pub hangup_by: Option<String>,
    pub hangup_reason: Option<String>,
    pub recording_url: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[graphql(skip)]
    pub uuid: Uuid,
    #[graphql(skip)]
    agent_id: Option<Uuid>,
    #[graphql(skip)]
    contact_id: Option<Uuid>,
    #[graphql(skip)]
    campaign_id: Option<Uuid>,
}

impl From<call::Model> for Call {
    fn from(c: call::Model) -> Self {
        let tags = c
            .tags
            .and_then(|tags| serde_json::from_value(tags).ok())
            .unwrap_or_default();
        Self {
            id: ID(GlobalId::new(NodeKind::Call, c.id).encode()),
            provider: c.provider,
            provider_call_id: c.provider_call_id,
            status: c.status,
            direction: c.direction,
            from_number: c.from_number,
            to_number: c.to_number,
            initiated_at: c.initiated_at,
            ringing_at: c.ringing_at,
            answered_at: c.answered_at,
            ended_at: c.ended_at,
            answered: c.answered,
            duration_seconds: c.duration_seconds,
            billed_minutes: c.billed_minutes,
            credits_used: c.credits,
            cost: c.cost_micros.map(micros_to_decimal),
            tags,
            metadata: c.metadata.map(Json),
            hangup_by: c.hangup_by,
            hangup_reason: c.hangup_reason,
            recording_url: c.recording_url,
            created_at: c.created_at,
            updated_at: c.updated_at,
            uuid: c.id,
            agent_id: c.agent_id,
            contact_id: c.contact_id,
            campaign_id: c.campaign_id,
        }
    }
}

impl Plain for Call {
    fn value_of(&self, name: &str) -> Option<Value> {
        Some(match name {
            "id" => self.id.to_value(),
            "provider" => Value::String(self.provider.clone()),
            "providerCallId" => Value::String(self.provider_call_id.clone()),
            "status" => enumerated(Some(self.status)),
            "direction" => enumerated(self.direction),
            "fromNumber" => scalar(&self.from_number),
            "toNumber" => scalar(&self.to_number),
            "initiatedAt" => scalar(&self.initiated_at),
            "ringingAt" => scalar(&self.ringing_at),
            "answeredAt" => scalar(&self.answered_at),
            "endedAt" => scalar(&self.ended_at),
            "answered" => Value::Boolean(self.answered),
            "durationSeconds" => self.duration_seconds.to_value(),
            "billedMinutes" => self.billed_minutes.to_value(),
            "creditsUsed" => self.credits_used.to_value(),
            "cost" => scalar(&self.cost),
            "tags" => Value::List(self.tags.iter().map(|t| Value::String(t.clone())).collect()),
            "metadata" => json(&self.metadata),
            "hangupBy" => scalar(&self.hangup_by),
            "hangupReason" => scalar(&self.hangup_reason),
            "recordingUrl" => scalar(&self.recording_url),
            "createdAt" => self.created_at.to_value(),
            "updatedAt" => self.updated_at.to_value(),
            _ => return None,
        })
    }
}

/// Millionths of a currency unit as a decimal without trailing zeros.
pub fn micros_to_decimal(micros: i64) -> Decimal {
    Decimal::new(micros, 6).normalize()
}

#[ComplexObject]
impl Call {
    /// The agent who placed or took the call.
    async fn agent(&self, ctx: &Context<'_>) -> Result<Option<OnePass<Agent>>> {
        Ok(by_id::<AgentByIdLoader>(ctx, self.agent_id)
            .await?
            .map(|a| OnePass(Agent::from(a))))
    }

    /// The person called (or calling).
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<OnePass<Contact>>> {
        Ok(by_id::<ContactByIdLoader>(ctx, self.contact_id)
            .await?
            .map(|c| OnePass(Contact::from(c))))
    }

    async fn campaign(&self, ctx: &Context<'_>) -> Result<Option<OnePass<Campaign>>> {
        Ok(by_id::<CampaignByIdLoader>(ctx, self.campaign_id)
            .await?
            .map(|c| OnePass(Campaign::from(c))))
    }

    /// The effective analysis: the latest `analyzedAt` (tie: greater id).
    async fn lead_analysis(&self, ctx: &Context<'_>) -> Result<Option<OnePass<LeadAnalysis>>> {
        Ok(by_call::<LeadAnalysisByCallLoader>(ctx, self.uuid)
            .await?
            .map(|a| OnePass(LeadAnalysis::from(a))))
    }

    /// Every analysis of the call, newest first.
    async fn lead_analyses(&self, ctx: &Context<'_>) -> Result<Vec<OnePass<LeadAnalysis>>> {
        let rows = by_call::<LeadAnalysesByCallLoader>(ctx, self.uuid).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(|a| OnePass(LeadAnalysis::from(a)))
            .collect())
    }

    /// The current transcript: the latest recorded.
    async fn transcript(&self, ctx: &Context<'_>) -> Result<Option<Transcript>> {
        Ok(by_call::<TranscriptByCallLoader>(ctx, self.uuid)
            .await?
            .map(Transcript::from))
    }

    /// Every event of the call in the order it happened.
    async fn events(&self, ctx: &Context<'_>) -> Result<Vec<OnePass<CallEvent>>> {
        // Only the columns the selection needs are read: a list of calls
        // mostly shows what happened when, and the provider's raw body is
        // often kilobytes an event.
        let fields: Vec<&str> = ctx.field().selection_set().map(|f| f.name()).collect();
        let events = if fields.iter().all(|f| CallEvent::is_core(f)) {
            events_by::<EventCoresByCallLoader, _>(ctx, self.uuid).await?
        } else if fields.contains(&"payload") {
            events_by::<EventsByCallLoader, _>(ctx, self.uuid).await?
        } else {
            events_by::<EventsWithoutPayloadByCallLoader, _>(ctx, self.uuid).await?
        };
        Ok(events.into_iter().map(OnePass).collect())
    }

    /// Notes people wrote about the call, oldest first.
    async fn notes(&self, ctx: &Context<'_>) -> Result<Vec<CallNote>> {
        let rows = by_call::<NotesByCallLoader>(ctx, self.uuid).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(CallNote::from)
            .collect())
    }
}

/// The events of call `call` through loader `L`, which reads them as `M`.
async fn events_by<L, M>(ctx: &Context<'_>, call: Uuid) -> Result<Vec<CallEvent>>
where
    L: Loader<(TenantId, Uuid), Value = Vec<M>, Error = async_graphql::Error>,
    CallEvent: From<M>,
{
    let rows = by_call::<L>(ctx, call).await?;
    Ok(rows
        .unwrap_or_default()
        .into_iter()
        .map(CallEvent::from)
        .collect())
}

/// The arguments of a nested `calls` list.
pub struct CallsArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
    pub filter: Option<CallFilterInput>,
}

/// `calls` of one agent, contact or campaign; the same list of every
/// sibling parent is read in one statement.
pub async fn calls_of(
    ctx: &Context<'_>,
    parent: CallParent,
    id: Uuid,
    args: CallsArgs,
) -> Result<CallConnection> {
    let access = ctx.access(Capability::ReadCalls)?;
    let tenant = access.tenant;
    let page = page_request(
        ctx,
        List::Calls,
        args.first,
        args.after,
        args.last,
        args.before,
    )?;
    let mut filter = args.filter.unwrap_or_default().resolve(ctx, tenant).await?;
    filter.agent_ids = access.restrict_agents(filter.agent_ids);
    let key = CallsOf {
        tenant,
        parent,
        id,
        filter: Arc::new(filter),
        page: Arc::new(page),
    };
    let page = ctx
        .loader::<CallPageByParentLoader>()?
        .load_one(key.clone())
        .await?
        .unwrap_or_else(|| key.page.finish(Vec::new()));
    Ok(connection(
        page,
        calls::cursor,
        |row| Mixed(Call::from(row)),
        Count::CallsOf(key),
    ))
}
