//! KPI types: `Kpis` (every metric of KPIS.md), series points, breakdown
//! groups, and the range/filter inputs.

use super::{Agent, Campaign, DateTimeUtc};
use crate::auth::Capability;
use crate::domain::{GlobalId, NodeKind};
use crate::graphql::ContextExt;
use crate::graphql::loaders::{KpisByMemberLoader, MemberKpisKey};
use crate::kpi::Dimension;
use crate::kpi::KpiFilter;
use crate::kpi::counters::{Counters, c, micros_to_decimal, ratio};
use crate::kpi::report::Range;
use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, FixedOffset};
use entity::enums::CallDirection;
use uuid::Uuid;

/// A half-open time range `[from, to)` on calls' `initiatedAt`.
#[derive(InputObject, Clone, Copy)]
pub struct TimeRangeInput {
    pub from: DateTimeUtc,
    pub to: DateTimeUtc,
}

/// Which calls count: AND across fields, OR within a list. An empty list
/// matches nothing; ids of another tenant match nothing.
#[derive(InputObject, Clone, Default)]
pub struct KpiFilterInput {
    pub agent_ids: Option<Vec<ID>>,
    pub campaign_ids: Option<Vec<ID>>,
    pub direction: Option<CallDirection>,
    pub providers: Option<Vec<String>>,
}

impl KpiFilterInput {
    /// The engine's filter; ids that are not ours simply match nothing.
    pub fn to_filter(&self) -> KpiFilter {
        let ids = |list: &Option<Vec<ID>>, kind| {
            list.as_ref().map(|ids| {
                ids.iter()
                    .filter_map(|id| GlobalId::decode_as(id, kind))
                    .collect()
            })
        };
        KpiFilter {
            agents: ids(&self.agent_ids, NodeKind::Agent),
            campaigns: ids(&self.campaign_ids, NodeKind::Campaign),
            direction: self.direction,
            providers: self.providers.clone(),
        }
    }
}

/// Series bucket size, aligned in the series' time zone.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::kpi::Granularity")]
pub enum Granularity {
    Hour,
    Day,
    /// ISO weeks, from Monday 00:00.
    Week,
    Month,
}

/// What a breakdown groups by.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::kpi::Dimension")]
pub enum KpiDimension {
    Agent,
    Campaign,
    Direction,
    Provider,
    Status,
}

/// Every metric of KPIS.md over one set of calls. Rates are in [0, 1];
/// rates and averages are null when their denominator is 0.
pub struct Kpis {
    pub counters: Counters,
    pub as_of: DateTimeUtc,
}

#[Object]
impl Kpis {
    /// The instant these numbers are exact for.
    async fn as_of(&self) -> DateTimeUtc {
        self.as_of
    }
    /// Calls initiated in range.
    async fn total_calls(&self) -> i64 {
        self.counters[c::TOTAL]
    }
    async fn inbound_calls(&self) -> i64 {
        self.counters[c::INBOUND]
    }
    async fn outbound_calls(&self) -> i64 {
        self.counters[c::OUTBOUND]
    }
    /// Calls answered (answeredAt set, or status COMPLETED).
    async fn answered_calls(&self) -> i64 {
        self.counters[c::ANSWERED]
    }
    async fn completed_calls(&self) -> i64 {
        self.counters[c::COMPLETED]
    }
    async fn failed_calls(&self) -> i64 {
        self.counters[c::FAILED]
    }
    async fn busy_calls(&self) -> i64 {
        self.counters[c::BUSY]
    }
    async fn no_answer_calls(&self) -> i64 {
        self.counters[c::NO_ANSWER]
    }
    async fn cancelled_calls(&self) -> i64 {
        self.counters[c::CANCELLED]
    }
    /// Calls with no outcome yet (INITIATED, RINGING or IN_PROGRESS).
    async fn in_progress_calls(&self) -> i64 {
        self.counters[c::IN_PROGRESS]
    }
    /// answeredCalls / totalCalls.
    async fn answer_rate(&self) -> Option<f64> {
        ratio(self.counters[c::ANSWERED], self.counters[c::TOTAL])
    }
    /// completedCalls / totalCalls.
    async fn success_rate(&self) -> Option<f64> {
        ratio(self.counters[c::COMPLETED], self.counters[c::TOTAL])
    }
    async fn total_duration_seconds(&self) -> i64 {
        self.counters[c::DURATION]
    }
    /// totalDurationSeconds / answeredCalls.
    async fn avg_duration_seconds(&self) -> Option<f64> {
        ratio(self.counters[c::DURATION], self.counters[c::ANSWERED])
    }
    async fn billed_minutes(&self) -> i64 {
        self.counters[c::BILLED]
    }
    async fn credits_used(&self) -> i64 {
        self.counters[c::CREDITS]
    }
    /// Sum of costs, as an exact decimal string ("0" when none).
    async fn total_cost(&self) -> String {
        micros_to_decimal(self.counters[c::COST])
    }
    /// Calls with an effective lead analysis.
    async fn analyzed_calls(&self) -> i64 {
        self.counters[c::ANALYZED]
    }
    async fn hot_leads(&self) -> i64 {
        self.counters[c::HOT]
    }
    async fn warm_leads(&self) -> i64 {
        self.counters[c::WARM]
    }
    async fn cold_leads(&self) -> i64 {
        self.counters[c::COLD]
    }
    async fn avg_total_score(&self) -> Option<f64> {
        self.avg(c::TOTAL_SCORE)
    }
    async fn avg_intent_score(&self) -> Option<f64> {
        self.avg(c::INTENT)
    }
    async fn avg_urgency_score(&self) -> Option<f64> {
        self.avg(c::URGENCY)
    }
    async fn avg_budget_score(&self) -> Option<f64> {
        self.avg(c::BUDGET)
    }
    async fn avg_fit_score(&self) -> Option<f64> {
        self.avg(c::FIT)
    }
    async fn avg_engagement_score(&self) -> Option<f64> {
        self.avg(c::ENGAGEMENT)
    }
    async fn cta_pricing_clicks(&self) -> i64 {
        self.counters[c::CTA_PRICING]
    }
    async fn cta_demo_clicks(&self) -> i64 {
        self.counters[c::CTA_DEMO]
    }
    async fn cta_followup_clicks(&self) -> i64 {
        self.counters[c::CTA_FOLLOWUP]
    }
    async fn cta_sample_clicks(&self) -> i64 {
        self.counters[c::CTA_SAMPLE]
    }
    async fn human_escalations(&self) -> i64 {
        self.counters[c::ESCALATIONS]
    }
    /// Analyzed calls with at least one CTA flag.
    async fn calls_with_cta(&self) -> i64 {
        self.counters[c::WITH_CTA]
    }
    /// callsWithCta / totalCalls.
    async fn cta_conversion_rate(&self) -> Option<f64> {
        ratio(self.counters[c::WITH_CTA], self.counters[c::TOTAL])
    }
    /// Analyzed calls with a demo booking time.
    async fn demos_booked(&self) -> i64 {
        self.counters[c::DEMOS]
    }
    async fn positive_calls(&self) -> i64 {
        self.counters[c::POSITIVE]
    }
    async fn neutral_calls(&self) -> i64 {
        self.counters[c::NEUTRAL]
    }
    async fn negative_calls(&self) -> i64 {
        self.counters[c::NEGATIVE]
    }
}

impl Kpis {
    fn avg(&self, sum: usize) -> Option<f64> {
        ratio(self.counters[sum], self.counters[sum + 1])
    }
}

/// One bucket of a series.
#[derive(SimpleObject)]
pub struct KpiPoint {
    /// The bucket's aligned start, with the zone's offset there.
    pub bucket_start: DateTime<FixedOffset>,
    pub kpis: Kpis,
}

/// One group of a breakdown.
#[derive(SimpleObject)]
pub struct KpiGroup {
    /// The agent's or campaign's global id, the direction or status name, or
    /// the provider; null for the calls without one.
    pub key: Option<String>,
    /// The agent's or campaign's name; otherwise the key.
    pub label: Option<String>,
    /// The agent, when grouping by AGENT.
    pub agent: Option<Agent>,
    /// The campaign, when grouping by CAMPAIGN.
    pub campaign: Option<Campaign>,
    pub kpis: Kpis,
}

/// `Agent.kpis` / `Campaign.kpis` through the batching loader.
pub(super) async fn member_kpis(
    ctx: &Context<'_>,
    dimension: Dimension,
    id: Uuid,
    range: TimeRangeInput,
    filter: Option<KpiFilterInput>,
) -> Result<Kpis> {
    let access = ctx.access(Capability::ReadCalls)?;
    let range = Range::new(range.from, range.to)?;
    let mut filter = filter.unwrap_or_default().to_filter();
    filter.agents = access.restrict_agents(filter.agents);
    let key = MemberKpisKey {
        tenant: access.tenant.uuid(),
        dimension,
        range,
        filter,
        id,
    };
    let loader = ctx.data::<DataLoader<KpisByMemberLoader>>()?;
    let (counters, as_of) = loader
        .load_one(key)
        .await?
        .unwrap_or((Counters::default(), chrono::Utc::now()));
    Ok(Kpis { counters, as_of })
}
