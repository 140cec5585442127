//! Rows by id (agents, campaigns, contacts, calls, follow-ups) and rows by
//! parent (a call's events, notes and analyses, a contact's follow-ups):
//! two generic loaders, named per entity; and the caller's tenant.

use super::{Loaded, failed, per_tenant};
use crate::db::Db;
use crate::domain::TenantId;
use crate::read::rows::{self, ChildRows, EventCore, TenantOwned};
use async_graphql::dataloader::Loader;
use entity::{
    agent, call, call_event, call_note, campaign, contact, follow_up, lead_analysis, tenant,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::marker::PhantomData;
use uuid::Uuid;

/// Loads rows of entity `E` by `(tenant, id)`; another tenant's id loads
/// nothing, exactly like an id that does not exist.
pub struct ByIdLoader<E> {
    db: Db,
    entity: PhantomData<fn() -> E>,
}

impl<E> ByIdLoader<E> {
    /// A loader reading through `db`.
    pub fn new(db: &Db) -> Self {
        Self {
            db: db.clone(),
            entity: PhantomData,
        }
    }
}

impl<E> Loader<(TenantId, Uuid)> for ByIdLoader<E>
where
    E: TenantOwned,
    E::Model: Clone + Send + Sync,
{
    type Value = E::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[(TenantId, Uuid)]) -> Loaded<(TenantId, Uuid), E::Model> {
        per_tenant(keys, |tenant, ids| async move {
            rows::by_ids::<E, _>(self.db.conn(), tenant, &ids).await
        })
        .await
    }
}

/// Agents by id.
pub type AgentByIdLoader = ByIdLoader<agent::Entity>;
/// Campaigns by id.
pub type CampaignByIdLoader = ByIdLoader<campaign::Entity>;
/// Contacts by id.
pub type ContactByIdLoader = ByIdLoader<contact::Entity>;
/// Calls by id.
pub type CallByIdLoader = ByIdLoader<call::Entity>;
/// Follow-ups by id.
pub type FollowUpByIdLoader = ByIdLoader<follow_up::Entity>;

/// Loads each parent's rows of entity `E`, by `(tenant, parent id)`, in the
/// table's order; a parent without rows loads nothing.
pub struct ByParentLoader<E> {
    db: Db,
    entity: PhantomData<fn() -> E>,
}

impl<E> ByParentLoader<E> {
    /// A loader reading through `db`.
    pub fn new(db: &Db) -> Self {
        Self {
            db: db.clone(),
            entity: PhantomData,
        }
    }
}

impl<E> Loader<(TenantId, Uuid)> for ByParentLoader<E>
where
    E: ChildRows,
    E::Model: Clone + Send + Sync,
{
    type Value = Vec<E::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[(TenantId, Uuid)]) -> Loaded<(TenantId, Uuid), Vec<E::Model>> {
        per_tenant(keys, |tenant, parents| async move {
            rows::by_parent(self.db.conn(), E::of_tenant(tenant), &parents).await
        })
        .await
    }
}

/// A call's events in the order they happened.
pub type EventsByCallLoader = ByParentLoader<call_event::Entity>;

loader!(
    /// A call's events in the order they happened, without their
    /// `payload` (it reads as null): for a selection that does not ask for
    /// it.
    EventsWithoutPayloadByCallLoader
);

impl Loader<(TenantId, Uuid)> for EventsWithoutPayloadByCallLoader {
    type Value = Vec<call_event::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[(TenantId, Uuid)]) -> Loaded<(TenantId, Uuid), Self::Value> {
        per_tenant(keys, |tenant, calls| async move {
            let select = rows::events_without_payload(
                call_event::Entity::of_tenant(tenant),
                self.db.backend(),
            );
            rows::by_parent(self.db.conn(), select, &calls).await
        })
        .await
    }
}

loader!(
    /// A call's events in the order they happened, only the columns of
    /// `EventCore`: for a selection of no other fields.
    EventCoresByCallLoader
);

impl Loader<(TenantId, Uuid)> for EventCoresByCallLoader {
    type Value = Vec<EventCore>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[(TenantId, Uuid)]) -> Loaded<(TenantId, Uuid), Self::Value> {
        per_tenant(keys, |tenant, calls| async move {
            let select = rows::event_core(call_event::Entity::of_tenant(tenant));
            rows::by_parent_as(self.db.conn(), select, &calls, |e: &EventCore| e.call_id).await
        })
        .await
    }
}

/// A call's notes, oldest first.
pub type NotesByCallLoader = ByParentLoader<call_note::Entity>;
/// Every analysis of a call, newest first.
pub type LeadAnalysesByCallLoader = ByParentLoader<lead_analysis::Entity>;
/// A contact's follow-ups, soonest due first.
pub type FollowUpsByContactLoader = ByParentLoader<follow_up::Entity>;

loader!(
    /// The caller's tenant row (its country reads phone numbers in filters).
    TenantByIdLoader
);

impl Loader<TenantId> for TenantByIdLoader {
    type Value = tenant::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[TenantId]) -> Loaded<TenantId, tenant::Model> {
        let ids = keys.iter().map(|tenant| tenant.uuid());
        let rows = tenant::Entity::find()
            .filter(tenant::Column::Id.is_in(ids))
            .all(self.db.conn())
            .await
            .map_err(failed)?;
        Ok(keys
            .iter()
            .filter_map(|key| {
                let row = rows.iter().find(|row| row.id == key.uuid())?;
                Some((*key, row.clone()))
            })
            .collect())
    }
}
