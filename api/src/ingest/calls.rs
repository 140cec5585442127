//! Calls as the write path sees them: found or created by
//! `(provider, providerCallId)`, and re-projected from all their events.

use super::projection::{project, project_contact};
use crate::domain::{Country, PhoneE164};
use crate::error::ApiResult;
use crate::kpi::query::effective_analyses;
use crate::kpi::upkeep::RollupDelta;
use chrono::Utc;
use entity::enums::{CallDirection, CallStatus};
use entity::{agent, call, call_event, campaign, contact, follow_up, tenant};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QuerySelect,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
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

/// Most values bound in one `IN (...)` list (well under SQLite's limit).
const CHUNK: usize = 500;

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
        for chunk in ids.chunks(CHUNK) {
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
        })
        .collect();
    for chunk in missing.chunks(100) {
        call::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(ids)
}

fn blank_call(
    tenant: Uuid,
    id: Uuid,
    provider: &str,
    provider_call_id: &str,
    now: chrono::DateTime<Utc>,
) -> call::ActiveModel {
    call::ActiveModel {
        tenant_id: Set(tenant),
        id: Set(id),
        provider: Set(provider.to_owned()),
        provider_call_id: Set(provider_call_id.to_owned()),
        direction: Set(None),
        from_number: Set(None),
        to_number: Set(None),
        agent_id: Set(None),
        contact_id: Set(None),
        campaign_id: Set(None),
        initiated_at: Set(None),
        ringing_at: Set(None),
        answered_at: Set(None),
        ended_at: Set(None),
        status: Set(CallStatus::Initiated),
        answered: Set(false),
        duration_seconds: Set(0),
        billed_minutes: Set(0),
        credits: Set(0),
        cost_micros: Set(None),
        hangup_by: Set(None),
        hangup_reason: Set(None),
        recording_url: Set(None),
        metadata: Set(None),
        tags: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

async fn events_of(
    txn: &DatabaseTransaction,
    tenant: Uuid,
    call_ids: &[Uuid],
) -> ApiResult<Vec<call_event::Model>> {
    let mut events = Vec::new();
    for chunk in call_ids.chunks(CHUNK) {
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

/// Ids of the tenant's agents with these external ids.
async fn agent_ids(
    txn: &DatabaseTransaction,
    tenant: Uuid,
    external: &BTreeSet<String>,
) -> ApiResult<HashMap<String, Uuid>> {
    let mut ids = HashMap::new();
    let external: Vec<&String> = external.iter().collect();
    for chunk in external.chunks(CHUNK) {
        let rows: Vec<(Uuid, String)> = agent::Entity::find()
            .select_only()
            .column(agent::Column::Id)
            .column(agent::Column::ExternalId)
            .filter(agent::Column::TenantId.eq(tenant))
            .filter(agent::Column::ExternalId.is_in(chunk.iter().map(|s| s.as_str())))
            .into_tuple()
            .all(txn)
            .await?;
        ids.extend(rows.into_iter().map(|(id, ext)| (ext, id)));
    }
    Ok(ids)
}

/// Ids of the tenant's campaigns with these names.
async fn campaign_ids(
    txn: &DatabaseTransaction,
    tenant: Uuid,
    names: &BTreeSet<String>,
) -> ApiResult<HashMap<String, Uuid>> {
    let mut ids = HashMap::new();
    let names: Vec<&String> = names.iter().collect();
    for chunk in names.chunks(CHUNK) {
        let rows: Vec<(Uuid, String)> = campaign::Entity::find()
            .select_only()
            .column(campaign::Column::Id)
            .column(campaign::Column::Name)
            .filter(campaign::Column::TenantId.eq(tenant))
            .filter(campaign::Column::Name.is_in(chunk.iter().map(|s| s.as_str())))
            .into_tuple()
            .all(txn)
            .await?;
        ids.extend(rows.into_iter().map(|(id, name)| (name, id)));
    }
    Ok(ids)
}

/// Creates the agents (named by their external id) and campaigns that
/// accepted events name and the tenant does not have yet.
pub async fn ensure_agents_and_campaigns(
    txn: &DatabaseTransaction,
    tenant: Uuid,
    agents: &BTreeSet<String>,
    campaigns: &BTreeSet<String>,
) -> ApiResult<()> {
    let now = Utc::now();
    let known = agent_ids(txn, tenant, agents).await?;
    let new_agents: Vec<agent::ActiveModel> = agents
        .iter()
        .filter(|ext| !known.contains_key(*ext))
        .map(|ext| agent::ActiveModel {
            tenant_id: Set(tenant),
            id: Set(Uuid::now_v7()),
            external_id: Set(ext.clone()),
            name: Set(ext.clone()),
            kind: Set(entity::enums::AgentKind::Ai),
            language: Set(None),
            active: Set(true),
            config: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    for chunk in new_agents.chunks(100) {
        agent::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    let known = campaign_ids(txn, tenant, campaigns).await?;
    let new_campaigns: Vec<campaign::ActiveModel> = campaigns
        .iter()
        .filter(|name| !known.contains_key(*name))
        .map(|name| campaign::ActiveModel {
            tenant_id: Set(tenant),
            id: Set(Uuid::now_v7()),
            name: Set(name.clone()),
            created_at: Set(now),
        })
        .collect();
    for chunk in new_campaigns.chunks(100) {
        campaign::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// The phone that names a call's contact: the projected `contactPhone`, else
/// the far end of the call if it parses.
fn contact_phone(
    contact_phone: Option<&str>,
    direction: Option<CallDirection>,
    from: Option<&str>,
    to: Option<&str>,
    country: Country,
) -> Option<String> {
    if let Some(phone) = contact_phone {
        return Some(phone.to_owned());
    }
    let far_end = match direction? {
        CallDirection::Outbound => to?,
        CallDirection::Inbound => from?,
    };
    PhoneE164::parse(far_end, country).map(|p| p.as_ref().to_owned())
}

/// Contact ids for these phones, creating the missing contacts.
async fn ensure_contacts(
    txn: &DatabaseTransaction,
    tenant: Uuid,
    phones: &BTreeSet<String>,
) -> ApiResult<HashMap<String, Uuid>> {
    let mut ids = HashMap::new();
    let list: Vec<&String> = phones.iter().collect();
    for chunk in list.chunks(CHUNK) {
        let rows: Vec<(Uuid, String)> = contact::Entity::find()
            .select_only()
            .column(contact::Column::Id)
            .column(contact::Column::Phone)
            .filter(contact::Column::TenantId.eq(tenant))
            .filter(contact::Column::Phone.is_in(chunk.iter().map(|s| s.as_str())))
            .into_tuple()
            .all(txn)
            .await?;
        ids.extend(rows.into_iter().map(|(id, phone)| (phone, id)));
    }
    let now = Utc::now();
    let new: Vec<&String> = phones
        .iter()
        .filter(|phone| !ids.contains_key(*phone))
        .collect();
    let new: Vec<contact::ActiveModel> = new
        .into_iter()
        .map(|phone| {
            let id = Uuid::now_v7();
            ids.insert(phone.clone(), id);
            contact::ActiveModel {
                tenant_id: Set(tenant),
                id: Set(id),
                phone: Set(phone.clone()),
                name: Set(None),
                email: Set(None),
                external_id: Set(None),
                context: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
        })
        .collect();
    for chunk in new.chunks(100) {
        contact::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(ids)
}

/// Re-projects these calls from all their events and stores the result,
/// then refreshes the attributes of every contact whose calls changed.
pub async fn refresh(
    txn: &DatabaseTransaction,
    tenant: &tenant::Model,
    call_ids: &[Uuid],
) -> ApiResult<()> {
    let tenant_id = tenant.id;
    let country = Country::parse("defaultCountry", &tenant.default_country)?;
    let mut events_by_call: HashMap<Uuid, Vec<call_event::Model>> = HashMap::new();
    for event in events_of(txn, tenant_id, call_ids).await? {
        events_by_call.entry(event.call_id).or_default().push(event);
    }
    let mut calls = Vec::new();
    for chunk in call_ids.chunks(CHUNK) {
        calls.extend(
            call::Entity::find()
                .filter(call::Column::TenantId.eq(tenant_id))
                .filter(call::Column::Id.is_in(chunk.iter().copied()))
                .all(txn)
                .await?,
        );
    }
    let projections: Vec<_> = calls
        .iter()
        .map(|c| {
            project(
                events_by_call.get(&c.id).map(Vec::as_slice).unwrap_or(&[]),
                i64::from(tenant.credits_per_minute),
            )
        })
        .collect();
    let agent_names: BTreeSet<String> = projections
        .iter()
        .filter_map(|p| p.agent_external_id.clone())
        .collect();
    let campaign_names: BTreeSet<String> = projections
        .iter()
        .filter_map(|p| p.campaign.clone())
        .collect();
    let phones: BTreeSet<String> = projections
        .iter()
        .filter_map(|p| {
            contact_phone(
                p.contact_phone.as_deref(),
                p.direction,
                p.from_number.as_deref(),
                p.to_number.as_deref(),
                country,
            )
        })
        .collect();
    let agents = agent_ids(txn, tenant_id, &agent_names).await?;
    let campaigns = campaign_ids(txn, tenant_id, &campaign_names).await?;
    let contacts = ensure_contacts(txn, tenant_id, &phones).await?;

    let analyses = effective_analyses(txn, tenant_id, call_ids.to_vec()).await?;
    let mut rollups = RollupDelta::new(crate::kpi::zone_of(tenant)?);
    let mut changed = Vec::new();
    let mut touched_contacts = BTreeSet::new();
    let now = Utc::now();
    for (row, p) in calls.into_iter().zip(projections) {
        let phone = contact_phone(
            p.contact_phone.as_deref(),
            p.direction,
            p.from_number.as_deref(),
            p.to_number.as_deref(),
            country,
        );
        let contact_id = phone.and_then(|phone| contacts.get(&phone).copied());
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
        if updated != row {
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
    // One upsert per chunk rather than one UPDATE per call: every row exists,
    // so each takes the update path.
    for chunk in changed.chunks(200) {
        call::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([call::Column::TenantId, call::Column::Id])
                    .update_columns(PROJECTED_COLUMNS)
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    rollups.apply(txn, tenant_id).await?;
    refresh_contacts(txn, tenant_id, &touched_contacts).await
}

/// Re-projects the name, CRM id and context of these contacts from the
/// events of all their calls.
async fn refresh_contacts(
    txn: &DatabaseTransaction,
    tenant: Uuid,
    contact_ids: &BTreeSet<Uuid>,
) -> ApiResult<()> {
    let ids: Vec<Uuid> = contact_ids.iter().copied().collect();
    for chunk in ids.chunks(CHUNK) {
        let calls: Vec<(Uuid, Option<Uuid>)> = call::Entity::find()
            .select_only()
            .column(call::Column::Id)
            .column(call::Column::ContactId)
            .filter(call::Column::TenantId.eq(tenant))
            .filter(call::Column::ContactId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?;
        let contact_of: HashMap<Uuid, Uuid> = calls
            .iter()
            .filter_map(|(call, contact)| Some((*call, (*contact)?)))
            .collect();
        let call_ids: Vec<Uuid> = contact_of.keys().copied().collect();
        let mut events_by_contact: HashMap<Uuid, Vec<call_event::Model>> = HashMap::new();
        for event in events_of(txn, tenant, &call_ids).await? {
            if event.contact_name.is_some()
                || event.contact_external_id.is_some()
                || event.contact_context.is_some()
            {
                events_by_contact
                    .entry(contact_of[&event.call_id])
                    .or_default()
                    .push(event);
            }
        }
        let contacts = contact::Entity::find()
            .filter(contact::Column::TenantId.eq(tenant))
            .filter(contact::Column::Id.is_in(chunk.iter().copied()))
            .all(txn)
            .await?;
        // A contact no call names any more (its calls' projected phone
        // moved) is removed, so that which contacts exist depends only on
        // the accepted messages, not on the order they came in. One that a
        // person gave a follow-up stays.
        let orphans: Vec<Uuid> = contacts
            .iter()
            .map(|c| c.id)
            .filter(|id| !contact_of.values().any(|c| c == id))
            .collect();
        if !orphans.is_empty() {
            contact::Entity::delete_many()
                .filter(contact::Column::TenantId.eq(tenant))
                .filter(contact::Column::Id.is_in(orphans.iter().copied()))
                .filter(
                    contact::Column::Id.not_in_subquery(
                        Query::select()
                            .column(follow_up::Column::ContactId)
                            .from(follow_up::Entity)
                            .and_where(follow_up::Column::TenantId.eq(tenant))
                            .to_owned(),
                    ),
                )
                .exec(txn)
                .await?;
        }
        let mut changed = Vec::new();
        for row in contacts.into_iter().filter(|c| !orphans.contains(&c.id)) {
            let p = project_contact(
                events_by_contact
                    .get(&row.id)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]),
            );
            let updated = contact::Model {
                name: p.name,
                external_id: p.external_id,
                context: p.context,
                ..row.clone()
            };
            if updated != row {
                changed.push(
                    contact::Model {
                        updated_at: Utc::now(),
                        ..updated
                    }
                    .into_active_model()
                    .reset_all(),
                );
            }
        }
        for rows in changed.chunks(200) {
            contact::Entity::insert_many(rows.to_vec())
                .on_conflict(
                    OnConflict::columns([contact::Column::TenantId, contact::Column::Id])
                        .update_columns([
                            contact::Column::Name,
                            contact::Column::ExternalId,
                            contact::Column::Context,
                            contact::Column::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(txn)
                .await?;
        }
    }
    Ok(())
}
