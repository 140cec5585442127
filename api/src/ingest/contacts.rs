//! Contacts as the write path sees them: found or created by phone, with
//! their name, CRM id and context projected from the events of all their
//! calls.

use super::bulk::{self, Conflict};
use super::in_list_limit;
use super::projection::project_contact;
use crate::error::ApiResult;
use chrono::{DateTime, Utc};
use entity::{call, call_event, contact, follow_up};
use sea_orm::sea_query::{LockType, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::{BTreeSet, HashMap, HashSet};
use uuid::Uuid;

/// The contacts named by a batch's calls, after `resolve`.
pub struct Resolved {
    /// By phone: the stored contacts, whole, and those created by `resolve`.
    by_phone: HashMap<String, contact::Model>,
    /// The ids of those `resolve` created.
    created: HashSet<Uuid>,
}

/// Whether an event carries any contact attribute.
fn names_contact(event: &call_event::Model) -> bool {
    event.contact_name.is_some()
        || event.contact_external_id.is_some()
        || event.contact_context.is_some()
}

/// The contacts with these phones, creating the missing ones. `calls` maps
/// each phone to the batch's calls that name it, and `events` holds all the
/// events of those calls: no other call can name a contact created here, so
/// it is created with its attributes.
pub async fn resolve(
    txn: &DatabaseTransaction,
    tenant: Uuid,
    calls: &HashMap<&str, Vec<Uuid>>,
    events: &HashMap<Uuid, Vec<call_event::Model>>,
    now: DateTime<Utc>,
) -> ApiResult<Resolved> {
    let phones: Vec<&str> = calls.keys().copied().collect();
    let mut by_phone = HashMap::with_capacity(phones.len());
    for chunk in phones.chunks(in_list_limit(txn)) {
        let rows = contact::Entity::find()
            .filter(contact::Column::TenantId.eq(tenant))
            .filter(contact::Column::Phone.is_in(chunk.iter().copied()))
            .all(txn)
            .await?;
        by_phone.extend(rows.into_iter().map(|c| (c.phone.clone(), c)));
    }
    let mut created = HashSet::new();
    let mut new = Vec::new();
    for (phone, call_ids) in calls {
        if by_phone.contains_key(*phone) {
            continue;
        }
        let named: Vec<call_event::Model> = call_ids
            .iter()
            .flat_map(|id| events.get(id).into_iter().flatten())
            .filter(|e| names_contact(e))
            .cloned()
            .collect();
        let p = project_contact(&named);
        let row = contact::Model {
            tenant_id: tenant,
            id: Uuid::now_v7(),
            phone: (*phone).to_owned(),
            name: p.name,
            email: None,
            external_id: p.external_id,
            context: p.context,
            created_at: now,
            updated_at: now,
        };
        created.insert(row.id);
        new.push(row.clone().into_active_model().reset_all());
        by_phone.insert(row.phone.clone(), row);
    }
    bulk::insert(txn, new, Conflict::Fail).await?;
    Ok(Resolved { by_phone, created })
}

/// Locks the rows of the contacts with these ids (sorted) for the rest of
/// `txn` (`super::Writers::Shared`). `FOR NO KEY UPDATE` keeps out the other
/// stream, which takes the same lock, but not a writer that only refers to
/// a contact (a follow-up's foreign key check), so a follow-up is never
/// held up by a stream that merely names its contact.
pub async fn lock(txn: &DatabaseTransaction, tenant: Uuid, ids: &[Uuid]) -> ApiResult<()> {
    lock_rows(txn, tenant, ids, LockType::NoKeyUpdate).await
}

/// `lock` with the lock of `kind`.
async fn lock_rows(
    txn: &DatabaseTransaction,
    tenant: Uuid,
    ids: &[Uuid],
    kind: LockType,
) -> ApiResult<()> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(()); // SQLite has one writer at a time.
    }
    for chunk in ids.chunks(in_list_limit(txn)) {
        contact::Entity::find()
            .select_only()
            .column(contact::Column::Id)
            .filter(contact::Column::TenantId.eq(tenant))
            .filter(contact::Column::Id.is_in(chunk.iter().copied()))
            .order_by_asc(contact::Column::Id)
            .lock(kind)
            .into_tuple::<Uuid>()
            .all(txn)
            .await?;
    }
    Ok(())
}

impl Resolved {
    /// The ids of the contacts resolved that existed before the batch.
    /// (Those it created no other transaction can see until it commits,
    /// and their phones are locked, so they need no row lock.)
    pub fn stored_ids(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.by_phone
            .values()
            .map(|c| c.id)
            .filter(|id| !self.created.contains(id))
    }

    /// The id of the contact with this phone.
    pub fn id_of(&self, phone: &str) -> Option<Uuid> {
        self.by_phone.get(phone).map(|c| c.id)
    }

    /// Re-projects the name, CRM id and context of the `touched` contacts
    /// from the events of all their calls, once the batch's calls are
    /// stored. `events` holds all the events of the batch's calls (the
    /// others are read); the contacts `resolve` created are already
    /// projected. A contact no call names any more is removed.
    pub async fn refresh(
        self,
        txn: &DatabaseTransaction,
        tenant: Uuid,
        touched: &BTreeSet<Uuid>,
        events: &HashMap<Uuid, Vec<call_event::Model>>,
    ) -> ApiResult<()> {
        let ids: Vec<Uuid> = touched
            .iter()
            .filter(|id| !self.created.contains(id))
            .copied()
            .collect();
        let mut known: HashMap<Uuid, contact::Model> = self
            .by_phone
            .into_values()
            .filter(|c| touched.contains(&c.id))
            .map(|c| (c.id, c))
            .collect();
        for chunk in ids.chunks(in_list_limit(txn)) {
            refresh_stored(txn, tenant, chunk, &mut known, events).await?;
        }
        Ok(())
    }
}

/// `Resolved::refresh` for contacts that existed before the batch.
async fn refresh_stored(
    txn: &DatabaseTransaction,
    tenant: Uuid,
    ids: &[Uuid],
    known: &mut HashMap<Uuid, contact::Model>,
    batch_events: &HashMap<Uuid, Vec<call_event::Model>>,
) -> ApiResult<()> {
    let calls: Vec<(Uuid, Option<Uuid>)> = call::Entity::find()
        .select_only()
        .column(call::Column::Id)
        .column(call::Column::ContactId)
        .filter(call::Column::TenantId.eq(tenant))
        .filter(call::Column::ContactId.is_in(ids.iter().copied()))
        .into_tuple()
        .all(txn)
        .await?;
    let contact_of: HashMap<Uuid, Uuid> = calls
        .into_iter()
        .filter_map(|(call, contact)| Some((call, contact?)))
        .collect();
    let mut events_by_contact: HashMap<Uuid, Vec<call_event::Model>> = HashMap::new();
    let mut others = Vec::new();
    for (call, contact) in &contact_of {
        match batch_events.get(call) {
            Some(events) => events_by_contact
                .entry(*contact)
                .or_default()
                .extend(events.iter().filter(|e| names_contact(e)).cloned()),
            None => others.push(*call),
        }
    }
    for chunk in others.chunks(in_list_limit(txn)) {
        let events = call_event::Entity::find()
            .filter(call_event::Column::TenantId.eq(tenant))
            .filter(call_event::Column::CallId.is_in(chunk.iter().copied()))
            .filter(
                Condition::any()
                    .add(call_event::Column::ContactName.is_not_null())
                    .add(call_event::Column::ContactExternalId.is_not_null())
                    .add(call_event::Column::ContactContext.is_not_null()),
            )
            .all(txn)
            .await?;
        for event in events {
            events_by_contact
                .entry(contact_of[&event.call_id])
                .or_default()
                .push(event);
        }
    }
    let missing: Vec<Uuid> = ids
        .iter()
        .filter(|id| !known.contains_key(id))
        .copied()
        .collect();
    if !missing.is_empty() {
        let rows = contact::Entity::find()
            .filter(contact::Column::TenantId.eq(tenant))
            .filter(contact::Column::Id.is_in(missing))
            .all(txn)
            .await?;
        known.extend(rows.into_iter().map(|c| (c.id, c)));
    }
    let named: HashSet<Uuid> = contact_of.values().copied().collect();
    let contacts: Vec<&contact::Model> = ids.iter().filter_map(|id| known.get(id)).collect();
    // A contact no call names any more (its calls' projected phone moved) is
    // removed, so that which contacts exist depends only on the accepted
    // messages, not on the order they came in. One that a person gave a
    // follow-up stays.
    let orphans: Vec<Uuid> = contacts
        .iter()
        .map(|c| c.id)
        .filter(|id| !named.contains(id))
        .collect();
    if !orphans.is_empty() {
        // Locked first, against every writer that refers to them: a
        // follow-up being created for one of them (its foreign key check
        // holds the contact) either commits first, and the delete below,
        // a statement of its own, sees it and keeps the contact, or waits
        // for this batch and finds its contact gone.
        lock_rows(txn, tenant, &orphans, LockType::Update).await?;
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
    let now = Utc::now();
    let mut changed = Vec::new();
    for row in contacts.into_iter().filter(|c| named.contains(&c.id)) {
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
        if updated != *row {
            changed.push(
                contact::Model {
                    updated_at: now,
                    ..updated
                }
                .into_active_model()
                .reset_all(),
            );
        }
    }
    let replace = Conflict::Replace {
        key: &["tenant_id", "id"],
        columns: &["name", "external_id", "context", "updated_at"],
    };
    bulk::insert(txn, changed, replace).await?;
    Ok(())
}
