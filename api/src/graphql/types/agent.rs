//! `Agent`: an AI or human calling agent, with its calls.

use super::call::{CallsArgs, calls_of};
use super::connection::CallConnection;
use super::{CallFilterInput, DateTimeUtc};
use super::{KpiFilterInput, Kpis, TimeRangeInput};
use crate::domain::{GlobalId, NodeKind};
use crate::kpi::Dimension;
use crate::read::calls::CallParent;
use async_graphql::{ComplexObject, Context, ID, Result, ScalarType, SimpleObject, Value};
use entity::agent;
use entity::enums::AgentKind;
use uuid::Uuid;

/// An AI or human agent that places or takes calls.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Agent {
    pub id: ID,
    /// The provider's id of the agent.
    pub external_id: String,
    pub name: String,
    pub kind: AgentKind,
    pub language: Option<String>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    /// The row id, for fields that load what hangs off the agent.
    #[graphql(skip)]
    pub uuid: Uuid,
}

impl From<agent::Model> for Agent {
    fn from(a: agent::Model) -> Self {
        Self {
            id: ID(GlobalId::new(NodeKind::Agent, a.id).encode()),
            external_id: a.external_id,
            name: a.name,
            kind: a.kind,
            language: a.language,
            active: a.active,
            created_at: a.created_at,
            uuid: a.id,
        }
    }
}

impl super::leaves::Plain for Agent {
    fn value_of(&self, name: &str) -> Option<Value> {
        use super::leaves::{enumerated, scalar};
        Some(match name {
            "id" => self.id.to_value(),
            "externalId" => Value::String(self.external_id.clone()),
            "name" => Value::String(self.name.clone()),
            "kind" => enumerated(Some(self.kind)),
            "language" => scalar(&self.language),
            "active" => self.active.to_value(),
            "createdAt" => self.created_at.to_value(),
            _ => return None,
        })
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

    /// The agent's calls, newest first.
    async fn calls(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<CallFilterInput>,
    ) -> Result<CallConnection> {
        let args = CallsArgs {
            first,
            after,
            last,
            before,
            filter,
        };
        calls_of(ctx, CallParent::Agent, self.uuid, args).await
    }
}
