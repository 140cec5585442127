//! What takes more than rows by id or by parent: a call's effective
//! analysis and current transcript (with segments), a contact's lead
//! profile (computed from its calls).

use super::{Loaded, per_tenant};
use crate::domain::TenantId;
use crate::read::lead_profile::{self, LeadProfile};
use crate::read::rows::{self, TenantOwned};
use crate::read::transcript::{self, Current};
use async_graphql::dataloader::Loader;
use entity::lead_analysis;
use sea_orm::{ColumnTrait, QueryFilter};
use uuid::Uuid;

loader!(
    /// A call's effective analysis (latest `analyzedAt`, tie: greater id).
    LeadAnalysisByCallLoader
);

impl Loader<(TenantId, Uuid)> for LeadAnalysisByCallLoader {
    type Value = lead_analysis::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[(TenantId, Uuid)]) -> Loaded<(TenantId, Uuid), Self::Value> {
        per_tenant(keys, |tenant, calls| async move {
            let effective = lead_analysis::Entity::of_tenant(tenant)
                .filter(lead_analysis::Column::Effective.eq(true));
            let found = rows::by_parent(self.db.conn(), effective, &calls).await?;
            Ok(found
                .into_iter()
                .filter_map(|(call, mut rows)| Some((call, rows.pop()?)))
                .collect())
        })
        .await
    }
}

loader!(
    /// A call's current transcript with its segments.
    TranscriptByCallLoader
);

impl Loader<(TenantId, Uuid)> for TranscriptByCallLoader {
    type Value = Current;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[(TenantId, Uuid)]) -> Loaded<(TenantId, Uuid), Self::Value> {
        per_tenant(keys, |tenant, calls| async move {
            transcript::current_by_calls(self.db.conn(), tenant, &calls).await
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
