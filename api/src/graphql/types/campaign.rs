//! `Campaign`: a named grouping of calls, with its calls.

use super::call::{CallsArgs, calls_of};
use super::connection::CallConnection;
use super::{CallFilterInput, DateTimeUtc};
use super::{KpiFilterInput, Kpis, TimeRangeInput};
use crate::domain::{GlobalId, NodeKind};
use crate::kpi::Dimension;
use crate::read::calls::CallParent;
use async_graphql::{ComplexObject, Context, ID, Result, ScalarType, SimpleObject, Value};
use entity::campaign;
use uuid::Uuid;

/// A named grouping of calls, e.g. `collections_q1`.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Campaign {
    pub id: ID,
    pub name: String,
    pub created_at: DateTimeUtc,
    /// The row id, for fields that load what hangs off the campaign.
    #[graphql(skip)]
    pub uuid: Uuid,
}

impl From<campaign::Model> for Campaign {
    fn from(c: campaign::Model) -> Self {
        Self {
            id: ID(GlobalId::new(NodeKind::Campaign, c.id).encode()),
            name: c.name,
            created_at: c.created_at,
            uuid: c.id,
        }
    }
}

impl super::leaves::Plain for Campaign {
    fn value_of(&self, name: &str) -> Option<Value> {
        Some(match name {
            "id" => self.id.to_value(),
            "name" => Value::String(self.name.clone()),
            "createdAt" => self.created_at.to_value(),
            _ => return None,
        })
    }
}

#[ComplexObject]
impl Campaign {
    /// This campaign's KPIs: the same numbers as its `kpiBreakdown(by: CAMPAIGN)`
    /// group, loaded for a whole page at once.
    async fn kpis(
        &self,
        ctx: &Context<'_>,
        range: TimeRangeInput,
        filter: Option<KpiFilterInput>,
    ) -> Result<Kpis> {
        super::kpi::member_kpis(ctx, Dimension::Campaign, self.uuid, range, filter).await
    }

    /// The campaign's calls, newest first.
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
        calls_of(ctx, CallParent::Campaign, self.uuid, args).await
    }
}
