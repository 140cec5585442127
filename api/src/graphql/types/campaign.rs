//! `Campaign`: a named grouping of calls.

use super::DateTimeUtc;
use super::{KpiFilterInput, Kpis, TimeRangeInput};
use crate::domain::{GlobalId, NodeKind};
use crate::kpi::Dimension;
use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use entity::campaign;
use uuid::Uuid;

/// A named grouping of calls, e.g. `collections_q1`.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Campaign {
    #[graphql(skip)]
    pub uuid: Uuid,
    pub id: ID,
    pub name: String,
    pub created_at: DateTimeUtc,
}

impl From<campaign::Model> for Campaign {
    fn from(c: campaign::Model) -> Self {
        Self {
            uuid: c.id,
            id: ID(GlobalId::new(NodeKind::Campaign, c.id).encode()),
            name: c.name,
            created_at: c.created_at,
        }
    }
}

#[ComplexObject]
impl Campaign {
    /// This campaign's KPIs: the same numbers as its
    /// `kpiBreakdown(by: CAMPAIGN)` group, loaded for a whole page at once.
    async fn kpis(
        &self,
        ctx: &Context<'_>,
        range: TimeRangeInput,
        filter: Option<KpiFilterInput>,
    ) -> Result<Kpis> {
        super::kpi::member_kpis(ctx, Dimension::Campaign, self.uuid, range, filter).await
    }
}
