//! What hangs off a call, by call id: its effective analysis and analysis
//! history, current transcript, events and notes.

use super::{Loaded, per_tenant};
use crate::domain::TenantId;
use crate::read::rows::{self, TenantOwned};
use crate::read::transcript::{self, Current};
use async_graphql::dataloader::Loader;
use entity::{call_event, call_note, lead_analysis};
use sea_orm::{ColumnTrait, Order, QueryFilter};
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
            let found = rows::by_parent(
                self.db.conn(),
                effective,
                lead_analysis::Column::CallId,
                |row| row.call_id,
                &calls,
                &[],
            )
            .await?;
            Ok(found
                .into_iter()
                .filter_map(|(call, mut rows)| Some((call, rows.pop()?)))
                .collect())
        })
        .await
    }
}

loader!(
    /// Every analysis of a call, newest first.
    LeadAnalysesByCallLoader
);

impl Loader<(TenantId, Uuid)> for LeadAnalysesByCallLoader {
    type Value = Vec<lead_analysis::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[(TenantId, Uuid)]) -> Loaded<(TenantId, Uuid), Self::Value> {
        use lead_analysis::Column::{AnalysisId, AnalyzedAt, CallId};
        per_tenant(keys, |tenant, calls| async move {
            let order = [(AnalyzedAt, Order::Desc), (AnalysisId, Order::Desc)];
            let all = lead_analysis::Entity::of_tenant(tenant);
            rows::by_parent(
                self.db.conn(),
                all,
                CallId,
                |row| row.call_id,
                &calls,
                &order,
            )
            .await
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
    /// A call's events in the order they happened (tie: event id).
    EventsByCallLoader
);

impl Loader<(TenantId, Uuid)> for EventsByCallLoader {
    type Value = Vec<call_event::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[(TenantId, Uuid)]) -> Loaded<(TenantId, Uuid), Self::Value> {
        use call_event::Column::{CallId, EventId, OccurredAt};
        per_tenant(keys, |tenant, calls| async move {
            let order = [(OccurredAt, Order::Asc), (EventId, Order::Asc)];
            let all = call_event::Entity::of_tenant(tenant);
            rows::by_parent(
                self.db.conn(),
                all,
                CallId,
                |row| row.call_id,
                &calls,
                &order,
            )
            .await
        })
        .await
    }
}

loader!(
    /// A call's notes, oldest first.
    NotesByCallLoader
);

impl Loader<(TenantId, Uuid)> for NotesByCallLoader {
    type Value = Vec<call_note::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[(TenantId, Uuid)]) -> Loaded<(TenantId, Uuid), Self::Value> {
        use call_note::Column::{CallId, CreatedAt, Id};
        per_tenant(keys, |tenant, calls| async move {
            let order = [(CreatedAt, Order::Asc), (Id, Order::Asc)];
            let all = call_note::Entity::of_tenant(tenant);
            rows::by_parent(
                self.db.conn(),
                all,
                CallId,
                |row| row.call_id,
                &calls,
                &order,
            )
            .await
        })
        .await
    }
}
