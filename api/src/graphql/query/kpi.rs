//! `kpis`, `kpiSeries`, `kpiBreakdown`: the KPI engine over GraphQL.

use crate::auth::Capability;
use crate::domain::{GlobalId, NodeKind, TimeZone};
use crate::error::ApiError;
use crate::graphql::ContextExt;
use crate::graphql::types::leaves::OnePass;
use crate::graphql::types::{
    Agent, Campaign, Granularity, KpiDimension, KpiFilterInput, KpiGroup, KpiPoint, Kpis,
    TimeRangeInput,
};
use crate::kpi::report::{self, Range};
use crate::kpi::{Dimension, GroupKey};
use crate::read::rows::by_ids;
use crate::tenant::find_tenant;
use async_graphql::{Context, Object, Result};
use entity::{agent, campaign};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Default)]
pub struct KpiQuery;

fn global_id(dimension: Dimension, id: Uuid) -> String {
    let kind = if dimension == Dimension::Agent {
        NodeKind::Agent
    } else {
        NodeKind::Campaign
    };
    GlobalId::new(kind, id).encode()
}

#[Object]
impl KpiQuery {
    /// Every metric over calls initiated in `[range.from, range.to)`.
    async fn kpis(
        &self,
        ctx: &Context<'_>,
        range: TimeRangeInput,
        filter: Option<KpiFilterInput>,
    ) -> Result<Kpis> {
        let access = ctx.access(Capability::ReadCalls)?;
        let tenant = access.tenant;
        let range = Range::new(range.from, range.to)?;
        let mut filter = filter.unwrap_or_default().to_filter();
        filter.agents = access.restrict_agents(filter.agents);
        let set = Kpis::counters_for(ctx.field());
        let snapshot = report::totals(ctx.db()?, tenant.uuid(), range, &filter, set).await?;
        Ok(Kpis {
            counters: snapshot.value,
            as_of: snapshot.as_of,
        })
    }

    /// One point per bucket that intersects the range, empty ones included,
    /// aligned in `timezone` (default: the tenant's).
    async fn kpi_series(
        &self,
        ctx: &Context<'_>,
        range: TimeRangeInput,
        granularity: Granularity,
        timezone: Option<String>,
        filter: Option<KpiFilterInput>,
    ) -> Result<Vec<KpiPoint>> {
        let access = ctx.access(Capability::ReadCalls)?;
        let tenant = access.tenant;
        let range = Range::new(range.from, range.to)?;
        let db = ctx.db()?;
        let zone = match timezone {
            Some(name) => TimeZone::parse("timezone", &name)?,
            None => TimeZone::parse("timezone", &find_tenant(db.conn(), tenant).await?.timezone)?,
        };
        let mut filter = filter.unwrap_or_default().to_filter();
        filter.agents = access.restrict_agents(filter.agents);
        let snapshot = report::series_of(
            db,
            tenant.uuid(),
            range,
            granularity.into(),
            zone.tz(),
            &filter,
            Kpis::counters_within(ctx.field()),
        )
        .await?;
        Ok(snapshot
            .value
            .into_iter()
            .map(|(bucket_start, counters)| KpiPoint {
                bucket_start,
                kpis: Kpis {
                    counters,
                    as_of: snapshot.as_of,
                },
            })
            .collect())
    }

    /// One group per value of `by` that has calls in range, largest first.
    async fn kpi_breakdown(
        &self,
        ctx: &Context<'_>,
        range: TimeRangeInput,
        by: KpiDimension,
        filter: Option<KpiFilterInput>,
    ) -> Result<Vec<KpiGroup>> {
        let access = ctx.access(Capability::ReadCalls)?;
        let tenant = access.tenant;
        let range = Range::new(range.from, range.to)?;
        let db = ctx.db()?;
        let mut filter = filter.unwrap_or_default().to_filter();
        filter.agents = access.restrict_agents(filter.agents);
        let dimension: Dimension = by.into();
        let set = Kpis::counters_within(ctx.field());
        let snapshot =
            report::breakdown(db, tenant.uuid(), range, dimension, &filter, set, global_id).await?;
        // The groups' agents or campaigns, in one statement.
        let ids: Vec<Uuid> = snapshot
            .value
            .iter()
            .filter_map(|(_, key, _)| match key {
                GroupKey::Agent(id) | GroupKey::Campaign(id) => *id,
                _ => None,
            })
            .collect();
        let mut agents: HashMap<Uuid, agent::Model> = HashMap::new();
        let mut campaigns: HashMap<Uuid, campaign::Model> = HashMap::new();
        if dimension == Dimension::Agent && !ids.is_empty() {
            agents = by_ids::<agent::Entity, _>(db.conn(), tenant, &ids)
                .await
                .map_err(ApiError::from)?;
        }
        if dimension == Dimension::Campaign && !ids.is_empty() {
            campaigns = by_ids::<campaign::Entity, _>(db.conn(), tenant, &ids)
                .await
                .map_err(ApiError::from)?;
        }
        Ok(snapshot
            .value
            .into_iter()
            .map(|(key, group, counters)| {
                let agent = match &group {
                    GroupKey::Agent(Some(id)) => agents.get(id).cloned(),
                    _ => None,
                };
                let campaign = match &group {
                    GroupKey::Campaign(Some(id)) => campaigns.get(id).cloned(),
                    _ => None,
                };
                let label = agent
                    .as_ref()
                    .map(|a| a.name.clone())
                    .or_else(|| campaign.as_ref().map(|c| c.name.clone()))
                    .or_else(|| key.clone());
                KpiGroup {
                    key,
                    label,
                    agent: agent.map(|a| OnePass(Agent::from(a))),
                    campaign: campaign.map(|c| OnePass(Campaign::from(c))),
                    kpis: Kpis {
                        counters,
                        as_of: snapshot.as_of,
                    },
                }
            })
            .collect())
    }
}
