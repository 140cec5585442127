//! Calls as the write path sees them: found or created by
//! `(provider, providerCallId)`, and re-projected from all their events.

use super::bulk::{self, Conflict};
use super::contacts;
use super::projection::{Projection, project};
use super::validate::Phones;
use super::{KeyKind, Writers, in_list_limit, lock_keys};
use crate::error::ApiResult;
use crate::kpi::query::effective_analyses;
use crate::kpi::upkeep::RollupDelta;
use crate::pg_array;
use chrono::{DateTime, Utc};
use entity::enums::{CallDirection, CallStatus};
use entity::{agent, call, call_event, campaign, tenant};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    DbBackend, EntityTrait, IdenStatic, IntoActiveModel, QueryFilter, QuerySelect, Statement,
};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use uuid::Uuid;

/// The columns the projection writes.
const PROJECTED_COLUMNS: [call::Column; 22] = [
    call::Column::Direction,
    call::Column::FromNumber,
    call::Column::ToNumber,
    call::Column::AgentId,
    call::Column::ContactId,
    call::Column::CampaignId,
    call::Column::InitiatedAt,
    call::Column::RingingAt,
    call::Column::AnsweredAt,
    call::Column::EndedAt,
    call::Column::Status,
    call::Column::Answered,
    call::Column::DurationSeconds,
    call::Column::BilledMinutes,
    call::Column::Credits,
    call::Column::CostMicros,
    call::Column::HangupBy,
    call::Column::HangupReason,
    call::Column::RecordingUrl,
    call::Column::Metadata,
    call::Column::Tags,
    call::Column::UpdatedAt,
];

/// A call's identity within its tenant.
pub type CallKey = (String, String);

/// The ids of the calls with these keys that exist.
pub async fn find(
    txn: &DatabaseTransaction,
    tenant: Uuid,
    keys: &BTreeSet<CallKey>,
) -> ApiResult<HashMap<CallKey, Uuid>> {
    let mut by_provider: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (provider, call_id) in keys {
        by_provider.entry(provider).or_default().push(call_id);
    }
    let mut found = HashMap::with_capacity(keys.len());
    for (provider, ids) in by_provider {
        for chunk in ids.chunks(in_list_limit(txn)) {
            let rows: Vec<(Uuid, String)> = call::Entity::find()
                .select_only()
                .column(call::Column::Id)
                .column(call::Column::ProviderCallId)
                .filter(call::Column::TenantId.eq(tenant))
                .filter(call::Column::Provider.eq(provider))
                .filter(call::Column::ProviderCallId.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(txn)
                .await?;
            found.extend(
                rows.into_iter()
                    .map(|(id, pcid)| ((provider.to_owned(), pcid), id)),
            );
        }
    }
    Ok(found)
}

/// The ids of the calls with these keys, creating the missing ones (with no
/// known initiation yet, so they are in no KPI until an event arrives).
pub async fn ensure(
    txn: &DatabaseTransaction,
    tenant: Uuid,
    keys: &BTreeSet<CallKey>,
) -> ApiResult<HashMap<CallKey, Uuid>> {
    let mut ids = find(txn, tenant, keys).await?;
    let now = Utc::now();
    let missing: Vec<&CallKey> = keys.iter().filter(|key| !ids.contains_key(*key)).collect();
    let missing: Vec<call::ActiveModel> = missing
        .into_iter()
        .map(|(provider, provider_call_id)| {
            let id = Uuid::now_v7();
            ids.insert((provider.clone(), provider_call_id.clone()), id);
            blank_call(tenant, id, provider, provider_call_id, now)
                .into_active_model()
                .reset_all()
        })
        .collect();
    bulk::insert(txn, missing, Conflict::Fail).await?;
    Ok(ids)
}

fn blank_call(
    tenant: Uuid,
    id: Uuid,
    provider: &str,
    provider_call_id: &str,
    now: DateTime<Utc>,
) -> call::Model {
    call::Model {
        tenant_id: tenant,
        id,
        provider: provider.to_owned(),
        provider_call_id: provider_call_id.to_owned(),
        direction: None,
        from_number: None,
        to_number: None,
        agent_id: None,
        contact_id: None,
        campaign_id: None,
        initiated_at: None,
        ringing_at: None,
        answered_at: None,
        ended_at: None,
        status: CallStatus::Initiated,
        answered: false,
        duration_seconds: 0,
        billed_minutes: 0,
        credits: 0,
        cost_micros: None,
        hangup_by: None,
        hangup_reason: None,
        recording_url: None,
        metadata: None,
        tags: None,
        created_at: now,
        updated_at: now,
    }
}

async fn events_of(
    txn: &DatabaseTransaction,
    tenant: Uuid,
    call_ids: &[Uuid],
) -> ApiResult<Vec<call_event::Model>> {
    let mut events = Vec::new();
    for chunk in call_ids.chunks(in_list_limit(txn)) {
        events.extend(
            call_event::Entity::find()
                .filter(call_event::Column::TenantId.eq(tenant))
                .filter(call_event::Column::CallId.is_in(chunk.iter().copied()))
                .all(txn)
                .await?,
        );
    }
    Ok(events)
}

/// Ids of the tenant's agents with these external ids, after creating
/// (named by their external id) those of `create` the tenant does not have.
async fn resolve_agents(
    txn: &DatabaseTransaction,
    tenant: Uuid,
    wanted: &BTreeSet<String>,
    create: &BTreeSet<String>,
    now: DateTime<Utc>,
    writers: Writers,
) -> ApiResult<HashMap<String, Uuid>> {
    let all: Vec<&str> = wanted.union(create).map(String::as_str).collect();
    let mut ids = agent_ids(txn, tenant, &all).await?;
    let missing: Vec<&str> = unknown(create, &ids);
    if writers == Writers::Shared && !missing.is_empty() {
        // Created first by whichever stream locks its name first.
        lock_keys(txn, writers, KeyKind::Agent, missing.iter().copied()).await?;
        ids.extend(agent_ids(txn, tenant, &missing).await?);
    }
    let new: Vec<agent::ActiveModel> = create
        .iter()
        .filter(|ext| !ids.contains_key(*ext))
        .collect::<Vec<_>>()
        .into_iter()
        .map(|ext| {
            let id = Uuid::now_v7();
            ids.insert(ext.clone(), id);
            agent::ActiveModel {
                tenant_id: Set(tenant),
                id: Set(id),
                external_id: Set(ext.clone()),
                name: Set(ext.clone()),
                kind: Set(entity::enums::AgentKind::Ai),
                language: Set(None),
                active: Set(true),
                config: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
        })
        .collect();
    bulk::insert(txn, new, Conflict::Fail).await?;
    Ok(ids)
}

/// The names of `create` that `ids` does not hold.
fn unknown<'a>(create: &'a BTreeSet<String>, ids: &HashMap<String, Uuid>) -> Vec<&'a str> {
    create
        .iter()
        .filter(|name| !ids.contains_key(*name))
        .map(String::as_str)
        .collect()
}

/// Ids of the tenant's rows of `E` whose `key` column is one of `keys`, by
/// key (agents by external id, campaigns by name).
async fn ids_by<E: EntityTrait>(
    txn: &DatabaseTransaction,
    columns: [E::Column; 3],
    tenant: Uuid,
    keys: &[&str],
) -> ApiResult<HashMap<String, Uuid>> {
    let [tenant_id, id, key] = columns;
    let mut ids = HashMap::new();
    for chunk in keys.chunks(in_list_limit(txn)) {
        let rows: Vec<(Uuid, String)> = E::find()
            .select_only()
            .column(id)
            .column(key)
            .filter(tenant_id.eq(tenant))
            .filter(key.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?;
        ids.extend(rows.into_iter().map(|(id, key)| (key, id)));
    }
    Ok(ids)
}

/// Ids of the tenant's agents with these external ids.
async fn agent_ids(
    txn: &DatabaseTransaction,
    tenant: Uuid,
    external_ids: &[&str],
) -> ApiResult<HashMap<String, Uuid>> {
    use agent::Column;
    let columns = [Column::TenantId, Column::Id, Column::ExternalId];
    ids_by::<agent::Entity>(txn, columns, tenant, external_ids).await
}

/// Ids of the tenant's campaigns with these names.
async fn campaign_ids(
    txn: &DatabaseTransaction,
    tenant: Uuid,
    names: &[&str],
) -> ApiResult<HashMap<String, Uuid>> {
    use campaign::Column;
    let columns = [Column::TenantId, Column::Id, Column::Name];
    ids_by::<campaign::Entity>(txn, columns, tenant, names).await
}

/// Ids of the tenant's campaigns with these names, after creating those of
/// `create` the tenant does not have.
async fn resolve_campaigns(
    txn: &DatabaseTransaction,
    tenant: Uuid,
    wanted: &BTreeSet<String>,
    create: &BTreeSet<String>,
    now: DateTime<Utc>,
    writers: Writers,
) -> ApiResult<HashMap<String, Uuid>> {
    let all: Vec<&str> = wanted.union(create).map(String::as_str).collect();
    let mut ids = campaign_ids(txn, tenant, &all).await?;
    let missing: Vec<&str> = unknown(create, &ids);
    if writers == Writers::Shared && !missing.is_empty() {
        lock_keys(txn, writers, KeyKind::Campaign, missing.iter().copied()).await?;
        ids.extend(campaign_ids(txn, tenant, &missing).await?);
    }
    let new: Vec<campaign::ActiveModel> = create
        .iter()
        .filter(|name| !ids.contains_key(*name))
        .collect::<Vec<_>>()
        .into_iter()
        .map(|name| {
            let id = Uuid::now_v7();
            ids.insert(name.clone(), id);
            campaign::ActiveModel {
                tenant_id: Set(tenant),
                id: Set(id),
                name: Set(name.clone()),
                created_at: Set(now),
            }
        })
        .collect();
    bulk::insert(txn, new, Conflict::Fail).await?;
    Ok(ids)
}

/// The phone that names a call's contact: the projected `contactPhone`, else
/// the far end of the call if it parses.
fn contact_phone(p: &Projection, phones: &mut Phones) -> Option<String> {
    if let Some(phone) = &p.contact_phone {
        return Some(phone.clone());
    }
    let far_end = match p.direction? {
        CallDirection::Outbound => p.to_number.as_deref()?,
        CallDirection::Inbound => p.from_number.as_deref()?,
    };
    phones.e164(far_end)
}

/// The stored calls with these keys, whole.
async fn find_rows(
    txn: &DatabaseTransaction,
    tenant: Uuid,
    keys: &BTreeSet<CallKey>,
) -> ApiResult<Vec<call::Model>> {
    if txn.get_database_backend() == DbBackend::Postgres {
        let sql = format!(
            "SELECT c.* FROM calls c \
             JOIN unnest({}, {}) AS k(provider, provider_call_id) \
             ON c.provider = k.provider AND c.provider_call_id = k.provider_call_id \
             WHERE c.tenant_id = $1",
            pg_array::param(2, "text"),
            pg_array::param(3, "text")
        );
        let values = [
            tenant.into(),
            pg_array::text_array(keys.iter().map(|(p, _)| p.as_str())),
            pg_array::text_array(keys.iter().map(|(_, id)| id.as_str())),
        ];
        return Ok(call::Entity::find()
            .from_raw_sql(Statement::from_sql_and_values(
                DbBackend::Postgres,
                sql,
                values,
            ))
            .all(txn)
            .await?);
    }
    let mut by_provider: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (provider, call_id) in keys {
        by_provider.entry(provider).or_default().push(call_id);
    }
    let mut rows = Vec::with_capacity(keys.len());
    for (provider, ids) in by_provider {
        for chunk in ids.chunks(in_list_limit(txn)) {
            rows.extend(
                call::Entity::find()
                    .filter(call::Column::TenantId.eq(tenant))
                    .filter(call::Column::Provider.eq(provider))
                    .filter(call::Column::ProviderCallId.is_in(chunk.iter().copied()))
                    .all(txn)
                    .await?,
            );
        }
    }
    Ok(rows)
}

/// Stores accepted events (each with the key of its call; their `call_id`
/// is filled in here) and re-projects every call they touch from all its
/// events, creating the calls, agents, campaigns and contacts they name,
/// with the rollups and the touched contacts kept up to date.
///
/// Each touched call's events are read once. A new call is inserted already
/// projected, and a new contact with its attributes, so each is written
/// once.
pub async fn store_events(
    txn: &DatabaseTransaction,
    tenant: &tenant::Model,
    events: Vec<(CallKey, call_event::Model)>,
    phones: &mut Phones,
    writers: Writers,
) -> ApiResult<()> {
    let tenant_id = tenant.id;
    let now = Utc::now();
    let keys: BTreeSet<CallKey> = events.iter().map(|(key, _)| key.clone()).collect();
    if writers == Writers::Shared {
        let names: Vec<String> = keys.iter().map(|(p, id)| format!("{p}\0{id}")).collect();
        lock_keys(
            txn,
            writers,
            KeyKind::Call,
            names.iter().map(String::as_str),
        )
        .await?;
    }
    let stored = find_rows(txn, tenant_id, &keys).await?;
    let mut ids: HashMap<CallKey, Uuid> = stored
        .iter()
        .map(|c| ((c.provider.clone(), c.provider_call_id.clone()), c.id))
        .collect();
    let stored_ids: Vec<Uuid> = stored.iter().map(|c| c.id).collect();
    let mut events_by_call: HashMap<Uuid, Vec<call_event::Model>> = HashMap::new();
    for event in events_of(txn, tenant_id, &stored_ids).await? {
        events_by_call.entry(event.call_id).or_default().push(event);
    }
    // Before: the stored calls as they are, the new ones blank (a blank call
    // is in no rollup: its initiation is unknown).
    let mut before: Vec<(bool, call::Model)> = stored.into_iter().map(|c| (true, c)).collect();
    for (provider, provider_call_id) in &keys {
        if let Entry::Vacant(slot) = ids.entry((provider.clone(), provider_call_id.clone())) {
            let id = *slot.insert(Uuid::now_v7());
            before.push((
                false,
                blank_call(tenant_id, id, provider, provider_call_id, now),
            ));
        }
    }
    let mut agent_names = BTreeSet::new();
    let mut campaign_names = BTreeSet::new();
    // The new events, by row id: they are stored from `events_by_call`.
    let mut new_events = HashSet::with_capacity(events.len());
    for (key, mut row) in events {
        row.call_id = ids[&key];
        agent_names.extend(row.agent_external_id.clone());
        campaign_names.extend(row.campaign.clone());
        new_events.insert(row.id);
        events_by_call.entry(row.call_id).or_default().push(row);
    }

    let credits_per_minute = i64::from(tenant.credits_per_minute);
    let projections: Vec<(Projection, Option<String>)> = before
        .iter()
        .map(|(_, c)| {
            let p = project(
                events_by_call.get(&c.id).map(Vec::as_slice).unwrap_or(&[]),
                credits_per_minute,
            );
            let phone = contact_phone(&p, phones);
            (p, phone)
        })
        .collect();
    let projected = |field: fn(&Projection) -> Option<&String>| -> BTreeSet<String> {
        projections
            .iter()
            .filter_map(|(p, _)| field(p).cloned())
            .collect()
    };
    let agents = resolve_agents(
        txn,
        tenant_id,
        &projected(|p| p.agent_external_id.as_ref()),
        &agent_names,
        now,
        writers,
    )
    .await?;
    let campaigns = resolve_campaigns(
        txn,
        tenant_id,
        &projected(|p| p.campaign.as_ref()),
        &campaign_names,
        now,
        writers,
    )
    .await?;
    let mut calls_by_phone: HashMap<&str, Vec<Uuid>> = HashMap::new();
    for ((_, c), (_, phone)) in before.iter().zip(&projections) {
        if let Some(phone) = phone {
            calls_by_phone.entry(phone).or_default().push(c.id);
        }
    }
    lock_keys(txn, writers, KeyKind::Phone, calls_by_phone.keys().copied()).await?;
    let contacts = contacts::resolve(txn, tenant_id, &calls_by_phone, &events_by_call, now).await?;
    if writers == Writers::Shared {
        // The contacts this batch's calls name or named: rows another
        // stream's calls may name too. (Those it created are hidden from
        // the other stream until it commits.)
        let named = before.iter().filter_map(|(_, c)| c.contact_id);
        let mut ids: Vec<Uuid> = named.chain(contacts.stored_ids()).collect();
        ids.sort_unstable();
        ids.dedup();
        contacts::lock(txn, tenant_id, &ids).await?;
    }

    let analyses = effective_analyses(txn, tenant_id, stored_ids).await?;
    let mut rollups = RollupDelta::new(crate::kpi::zone_of(tenant)?);
    let mut inserted = Vec::new();
    let mut changed = Vec::new();
    let mut touched_contacts = BTreeSet::new();
    for ((exists, row), (p, phone)) in before.into_iter().zip(projections) {
        let contact_id = phone.and_then(|phone| contacts.id_of(&phone));
        touched_contacts.extend(row.contact_id);
        touched_contacts.extend(contact_id);
        let updated = call::Model {
            direction: p.direction,
            from_number: p.from_number,
            to_number: p.to_number,
            agent_id: p
                .agent_external_id
                .and_then(|ext| agents.get(&ext).copied()),
            contact_id,
            campaign_id: p.campaign.and_then(|name| campaigns.get(&name).copied()),
            initiated_at: p.initiated_at,
            ringing_at: p.ringing_at,
            answered_at: p.answered_at,
            ended_at: p.ended_at,
            status: p.status.unwrap_or(CallStatus::Initiated),
            answered: p.answered,
            duration_seconds: p.duration_seconds,
            billed_minutes: p.billed_minutes,
            credits: p.credits,
            cost_micros: p.cost_micros,
            hangup_by: p.hangup_by,
            hangup_reason: p.hangup_reason,
            recording_url: p.recording_url,
            metadata: p.metadata,
            tags: p.tags,
            ..row.clone()
        };
        if !exists {
            rollups.add(&updated, None, 1);
            inserted.push(updated.into_active_model().reset_all());
        } else if updated != row {
            let analysis = analyses.get(&row.id);
            rollups.replace((&row, analysis), (&updated, analysis));
            changed.push(
                call::Model {
                    updated_at: now,
                    ..updated
                }
                .into_active_model()
                .reset_all(),
            );
        }
    }
    bulk::insert(txn, inserted, Conflict::Fail).await?;
    // One upsert rather than one UPDATE per call: every row exists, so each
    // takes the update path.
    let projected: Vec<&str> = PROJECTED_COLUMNS.iter().map(|c| c.as_str()).collect();
    let replace = Conflict::Replace {
        key: &["tenant_id", "id"],
        columns: &projected,
    };
    bulk::insert(txn, changed, replace).await?;
    let rows: Vec<&call_event::Model> = events_by_call
        .values()
        .flatten()
        .filter(|e| new_events.contains(&e.id))
        .collect();
    bulk::insert_models(txn, &rows, Conflict::Fail).await?;
    rollups.apply(txn, tenant_id).await?;
    contacts
        .refresh(txn, tenant_id, &touched_contacts, &events_by_call)
        .await
}
