//! `ingestCallEvents`: store new events, then re-project the calls they touch.

use super::input::CallEventInput;
use super::validate::{self as check, Phones, micros};
use super::{IngestResult, Writers, begin, calls, check_batch_size, commit, in_list_limit};
use crate::db::Db;
use crate::domain::Country;
use crate::error::{ApiError, ApiResult};
use crate::pg_array;
use chrono::{DateTime, Utc};
use entity::{call_event, tenant};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QuerySelect, Statement,
};
use std::collections::{BTreeSet, HashSet};
use uuid::Uuid;

/// Checks one event; returns its normalised contact phone and cost.
fn validate(
    e: &CallEventInput,
    phones: &mut Phones,
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
        Some(raw) => Some(phones.e164(raw).ok_or_else(|| {
            ApiError::invalid(
                "contactPhone",
                format!("`{raw}` is not a valid phone number"),
            )
        })?),
        None => None,
    };
    Ok((phone, cost))
}

/// A number as stored: E.164 when it parses, verbatim otherwise (a withheld
/// caller id, say).
fn normalise_number(raw: Option<String>, phones: &mut Phones) -> Option<String> {
    raw.map(|raw| phones.e164(&raw).unwrap_or(raw))
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
    if txn.get_database_backend() == DbBackend::Postgres {
        let rows = txn
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!(
                    "SELECT e.event_id FROM call_events e \
                     JOIN unnest({}) AS k(event_id) ON e.event_id = k.event_id \
                     WHERE e.tenant_id = $1",
                    pg_array::param(2, "text")
                ),
                [tenant.into(), pg_array::text_array(ids)],
            ))
            .await?;
        for row in rows {
            known.insert(row.try_get_by_index::<String>(0)?);
        }
        return Ok(known);
    }
    for chunk in ids.chunks(in_list_limit(txn)) {
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
    ingest_batch(db, tenant, items, Writers::Exclusive).await
}

/// `ingest` for a batch of any size, in one transaction (`callboard import`
/// sends batches larger than a mutation may, as one of two streams of
/// `Writers::Shared` batches on PostgreSQL).
pub async fn ingest_batch(
    db: &Db,
    tenant: &tenant::Model,
    items: Vec<CallEventInput>,
    writers: Writers,
) -> ApiResult<IngestResult> {
    let mut phones = Phones::new(Country::parse("defaultCountry", &tenant.default_country)?);
    let now = Utc::now();
    let (txn, _gate) = begin(db, tenant.id, writers).await?;

    let mut taken = known_event_ids(&txn, tenant.id, &items).await?;
    let mut result = IngestResult::default();
    let mut accepted = Vec::new();
    for (index, input) in items.into_iter().enumerate() {
        if taken.contains(&input.event_id) {
            result.duplicates += 1;
            continue;
        }
        match validate(&input, &mut phones, now) {
            Ok((contact_phone, cost_micros)) => {
                taken.insert(input.event_id.clone());
                accepted.push(row(
                    tenant.id,
                    input,
                    contact_phone,
                    cost_micros,
                    &mut phones,
                    now,
                ));
            }
            Err(error) => result.reject(index, error),
        }
    }
    result.accepted = accepted.len() as i32;
    if !accepted.is_empty() {
        calls::store_events(&txn, tenant, accepted, &mut phones, writers).await?;
    }
    commit(txn, tenant.id, writers).await?;
    Ok(result)
}

/// An accepted event as stored, with the key of its call (its `call_id` is
/// filled in once the call is known).
fn row(
    tenant: Uuid,
    e: CallEventInput,
    contact_phone: Option<String>,
    cost_micros: Option<i64>,
    phones: &mut Phones,
    now: DateTime<Utc>,
) -> (calls::CallKey, call_event::Model) {
    let row = call_event::Model {
        tenant_id: tenant,
        id: Uuid::now_v7(),
        call_id: Uuid::nil(),
        event_id: e.event_id,
        event_type: e.event_type,
        occurred_at: micros(e.occurred_at),
        agent_external_id: e.agent_external_id,
        direction: e.direction,
        from_number: normalise_number(e.from_number, phones),
        to_number: normalise_number(e.to_number, phones),
        contact_phone,
        contact_name: e.contact_name,
        contact_external_id: e.contact_external_id,
        campaign: e.campaign,
        duration_seconds: e.duration_seconds,
        cost_micros,
        hangup_by: e.hangup_by,
        hangup_reason: e.hangup_reason,
        recording_url: e.recording_url,
        contact_context: e.contact_context,
        metadata: e.metadata,
        tags: e.tags.map(|tags| serde_json::json!(tags)),
        payload: e.payload,
        received_at: now,
    };
    ((e.provider, e.provider_call_id), row)
}
