//! What hangs off a contact, by contact id: its follow-ups and its lead
//! profile.

use super::{Loaded, per_tenant};
use crate::domain::TenantId;
use crate::read::lead_profile::{self, LeadProfile};
use crate::read::rows::{self, TenantOwned};
use async_graphql::dataloader::Loader;
use entity::follow_up;
use sea_orm::Order;
use uuid::Uuid;

loader!(
    /// A contact's follow-ups, soonest due first.
    FollowUpsByContactLoader
);

impl Loader<(TenantId, Uuid)> for FollowUpsByContactLoader {
    type Value = Vec<follow_up::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[(TenantId, Uuid)]) -> Loaded<(TenantId, Uuid), Self::Value> {
        use follow_up::Column::{ContactId, DueAt, Id};
        per_tenant(keys, |tenant, contacts| async move {
            let order = [(DueAt, Order::Asc), (Id, Order::Asc)];
            let all = follow_up::Entity::of_tenant(tenant);
            rows::by_parent(
                self.db.conn(),
                all,
                ContactId,
                |row| row.contact_id,
                &contacts,
                &order,
            )
            .await
        })
        .await
    }
}

loader!(
    /// A contact's lead profile, computed from its calls.
    LeadProfileByContactLoader
);

impl Loader<(TenantId, Uuid)> for LeadProfileByContactLoader {
    type Value = LeadProfile;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[(TenantId, Uuid)]) -> Loaded<(TenantId, Uuid), Self::Value> {
        per_tenant(keys, |tenant, contacts| async move {
            lead_profile::by_contacts(self.db.conn(), tenant, &contacts).await
        })
        .await
    }
}
