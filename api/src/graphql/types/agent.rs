//! `Agent`: an AI or human calling agent.

use super::DateTimeUtc;
use super::{KpiFilterInput, Kpis, TimeRangeInput};
use crate::domain::{GlobalId, NodeKind};
use crate::kpi::Dimension;
use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use entity::agent;
use entity::enums::AgentKind;
use uuid::Uuid;

/// An AI or human agent that places or takes calls.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Agent {
    #[graphql(skip)]
    pub uuid: Uuid,
    pub id: ID,
    /// The provider's id of the agent.
    pub external_id: String,
    pub name: String,
    pub kind: AgentKind,
    pub language: Option<String>,
    pub active: bool,
    pub created_at: DateTimeUtc,
}

impl From<agent::Model> for Agent {
    fn from(a: agent::Model) -> Self {
        Self {
            uuid: a.id,
            id: ID(GlobalId::new(NodeKind::Agent, a.id).encode()),
            external_id: a.external_id,
            name: a.name,
            kind: a.kind,
            language: a.language,
            active: a.active,
            created_at: a.created_at,
        }
    }
}

#[ComplexObject]
impl Agent {
    /// This agent's KPIs: the same numbers as its `kpiBreakdown(by: AGENT)`
    /// group, loaded for a whole page at once.
    async fn kpis(
        &self,
        ctx: &Context<'_>,
        range: TimeRangeInput,
        filter: Option<KpiFilterInput>,
    ) -> Result<Kpis> {
        super::kpi::member_kpis(ctx, Dimension::Agent, self.uuid, range, filter).await
    }
}
