//! `ingestCallEvents`: store new events, then re-project the calls they touch.

use super::input::CallEventInput;
use super::validate::{self as check, micros};
use super::{IngestResult, calls, check_batch_size, lock_tenant};
use crate::db::Db;
use crate::domain::{Country, PhoneE164};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use entity::{call_event, tenant};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
};
use std::collections::{BTreeSet, HashSet};
use uuid::Uuid;

/// An accepted event, normalised, waiting for its call id.
struct Accepted {
    input: CallEventInput,
    contact_phone: Option<String>,
    cost_micros: Option<i64>,
}

/// Checks one event; returns its normalised contact phone and cost.
fn validate(
    e: &CallEventInput,
    country: Country,
    now: DateTime<Utc>,
) -> ApiResult<(Option<String>, Option<i64>)> {
    check::id("eventId", &e.event_id)?;
    check::id("provider", &e.provider)?;
    check::id("providerCallId", &e.provider_call_id)?;
    check::not_future("occurredAt", e.occurred_at, now)?;
    for (field, value) in [
        ("agentExternalId", &e.agent_external_id),
        ("fromNumber", &e.from_number),
        ("toNumber", &e.to_number),
        ("contactPhone", &e.contact_phone),
        ("contactName", &e.contact_name),
        ("contactExternalId", &e.contact_external_id),
        ("campaign", &e.campaign),
        ("hangupBy", &e.hangup_by),
        ("recordingUrl", &e.recording_url),
    ] {
        check::short(field, value.as_deref())?;
    }
    check::text("hangupReason", e.hangup_reason.as_deref())?;
    for tag in e.tags.iter().flatten() {
        check::short("tags", Some(tag))?;
    }
    if e.duration_seconds.is_some_and(|d| d < 0) {
        return Err(ApiError::invalid("durationSeconds", "must not be negative"));
    }
    check::json("payload", e.payload.as_ref())?;
    check::json("metadata", e.metadata.as_ref())?;
    check::json("contactContext", e.contact_context.as_ref())?;
    let cost = check::cost_micros("cost", e.cost)?;
    let phone = match &e.contact_phone {
        Some(raw) => Some(
            PhoneE164::parse(raw, country)
                .ok_or_else(|| {
                    ApiError::invalid(
                        "contactPhone",
                        format!("`{raw}` is not a valid phone number"),
                    )
                })?
                .as_ref()
                .to_owned(),
        ),
        None => None,
    };
    Ok((phone, cost))
}

/// A number as stored: E.164 when it parses, verbatim otherwise (a withheld
/// caller id, say).
fn normalise_number(raw: Option<String>, country: Country) -> Option<String> {
    raw.map(|raw| {
        PhoneE164::parse(&raw, country)
            .map(|p| p.as_ref().to_owned())
            .unwrap_or(raw)
    })
}

async fn known_event_ids(
    txn: &DatabaseTransaction,
    tenant: Uuid,
    items: &[CallEventInput],
) -> ApiResult<HashSet<String>> {
    let ids: BTreeSet<&str> = items
        .iter()
        .map(|e| e.event_id.as_str())
        .filter(|id| !id.is_empty())
        .collect();
    let ids: Vec<&str> = ids.into_iter().collect();
    let mut known = HashSet::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<String> = call_event::Entity::find()
            .select_only()
            .column(call_event::Column::EventId)
            .filter(call_event::Column::TenantId.eq(tenant))
            .filter(call_event::Column::EventId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?;
        known.extend(rows);
    }
    Ok(known)
}

/// Ingests a batch of call events for `tenant` (INGEST.md).
pub async fn ingest(
    db: &Db,
    tenant: &tenant::Model,
    items: Vec<CallEventInput>,
) -> ApiResult<IngestResult> {
    check_batch_size("events", items.len())?;
    let country = Country::parse("defaultCountry", &tenant.default_country)?;
    let now = Utc::now();
    let (txn, _gate) = db.begin_tenant_write(tenant.id).await?;
    lock_tenant(&txn, tenant.id).await?;

    let mut taken = known_event_ids(&txn, tenant.id, &items).await?;
    let mut result = IngestResult::default();
    let mut accepted = Vec::new();
    for (index, input) in items.into_iter().enumerate() {
        if taken.contains(&input.event_id) {
            result.duplicates += 1;
            continue;
        }
        match validate(&input, country, now) {
            Ok((contact_phone, cost_micros)) => {
                taken.insert(input.event_id.clone());
                accepted.push(Accepted {
                    input,
                    contact_phone,
                    cost_micros,
                });
            }
            Err(error) => result.reject(index, error),
        }
    }
    result.accepted = accepted.len() as i32;
    if accepted.is_empty() {
        txn.commit().await?;
        return Ok(result);
    }

    let keys: BTreeSet<calls::CallKey> = accepted
        .iter()
        .map(|a| (a.input.provider.clone(), a.input.provider_call_id.clone()))
        .collect();
    let call_ids = calls::ensure(&txn, tenant.id, &keys).await?;
    let agents: BTreeSet<String> = accepted
        .iter()
        .filter_map(|a| a.input.agent_external_id.clone())
        .collect();
    let campaigns: BTreeSet<String> = accepted
        .iter()
        .filter_map(|a| a.input.campaign.clone())
        .collect();
    calls::ensure_agents_and_campaigns(&txn, tenant.id, &agents, &campaigns).await?;

    let mut touched = BTreeSet::new();
    let rows: Vec<call_event::ActiveModel> = accepted
        .into_iter()
        .map(|a| {
            let e = a.input;
            let call_id = call_ids[&(e.provider.clone(), e.provider_call_id.clone())];
            touched.insert(call_id);
            call_event::ActiveModel {
                tenant_id: Set(tenant.id),
                id: Set(Uuid::now_v7()),
                call_id: Set(call_id),
                event_id: Set(e.event_id),
                event_type: Set(e.event_type),
                occurred_at: Set(micros(e.occurred_at)),
                agent_external_id: Set(e.agent_external_id),
                direction: Set(e.direction),
                from_number: Set(normalise_number(e.from_number, country)),
                to_number: Set(normalise_number(e.to_number, country)),
                contact_phone: Set(a.contact_phone),
                contact_name: Set(e.contact_name),
                contact_external_id: Set(e.contact_external_id),
                campaign: Set(e.campaign),
                duration_seconds: Set(e.duration_seconds),
                cost_micros: Set(a.cost_micros),
                hangup_by: Set(e.hangup_by),
                hangup_reason: Set(e.hangup_reason),
                recording_url: Set(e.recording_url),
                contact_context: Set(e.contact_context),
                metadata: Set(e.metadata),
                tags: Set(e.tags.map(|tags| serde_json::json!(tags))),
                payload: Set(e.payload),
                received_at: Set(now),
            }
        })
        .collect();
    for chunk in rows.chunks(200) {
        call_event::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    let touched: Vec<Uuid> = touched.into_iter().collect();
    calls::refresh(&txn, tenant, &touched).await?;
    txn.commit().await?;
    Ok(result)
}
