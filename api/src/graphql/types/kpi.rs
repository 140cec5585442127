//! KPI types: `Kpis` (every metric of KPIS.md), series points, breakdown
//! groups, and the range/filter inputs.

use super::leaves::{OnePass, Plain};
use super::{Agent, Campaign, DateTimeUtc};
use crate::auth::Capability;
use crate::domain::{GlobalId, NodeKind};
use crate::graphql::ContextExt;
use crate::graphql::loaders::{KpisByMemberLoader, MemberKpisKey};
use crate::kpi::Dimension;
use crate::kpi::KpiFilter;
use crate::kpi::counters::{CounterSet, Counters, c, micros_to_decimal, ratio};
use crate::kpi::report::Range;
use async_graphql::dataloader::DataLoader;
use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{
    Context, ContextSelectionSet, Enum, ID, InputObject, Object, OutputType, Positioned, Result,
    ScalarType, SelectionField, ServerResult, SimpleObject, Value,
};
use chrono::{DateTime, FixedOffset};
use entity::enums::CallDirection;
use std::borrow::Cow;
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
///
/// The schema's `Kpis` is `KpisObject`; a selection of its plain fields
/// (every selection the schema allows) is answered in one pass by
/// `value_of`, without a future per field.
#[derive(Clone, Copy)]
pub struct Kpis {
    pub counters: Counters,
    pub as_of: DateTimeUtc,
}

impl Kpis {
    fn avg(&self, sum: usize) -> Option<f64> {
        ratio(self.counters[sum], self.counters[sum + 1])
    }

    /// The value of the field `name`, as `KpisObject` resolves it.
    fn value_of(&self, name: &str) -> Option<Value> {
        Some(match Self::metric(name)? {
            Metric::AsOf => self.as_of.to_value(),
            Metric::Count(i) => self.counters[i].to_value(),
            Metric::Ratio(numerator, denominator) => {
                maybe(ratio(self.counters[numerator], self.counters[denominator]))
            }
            Metric::Average(sum) => maybe(self.avg(sum)),
            Metric::Cost => Value::String(micros_to_decimal(self.counters[c::COST])),
        })
    }

    /// The metric of the field `name`, if it is one.
    fn metric(name: &str) -> Option<Metric> {
        METRICS.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
    }

    /// The counters a selection of `Kpis` fields needs: a read sums only
    /// these. Every counter for a field this does not know.
    pub fn counters_for(field: SelectionField<'_>) -> CounterSet {
        field
            .selection_set()
            .map(|f| match (f.name(), Self::metric(f.name())) {
                (_, Some(metric)) => metric.counters(),
                ("__typename", None) => CounterSet::TOTAL,
                (_, None) => CounterSet::ALL,
            })
            .fold(CounterSet::TOTAL, CounterSet::union)
    }

    /// The counters the `kpis` fields of a selection of `KpiPoint` or
    /// `KpiGroup` fields need.
    pub fn counters_within(field: SelectionField<'_>) -> CounterSet {
        field
            .selection_set()
            .filter(|f| f.name() == "kpis")
            .map(Self::counters_for)
            .fold(CounterSet::TOTAL, CounterSet::union)
    }
}

/// How a field of `Kpis` is computed from the counters.
#[derive(Debug, Clone, Copy)]
enum Metric {
    /// The snapshot's instant, from no counter.
    AsOf,
    /// One counter.
    Count(usize),
    /// A numerator over a denominator, null when the latter is 0.
    Ratio(usize, usize),
    /// A score's sum over its count (the counter after it).
    Average(usize),
    /// `COST` as an exact decimal.
    Cost,
}

impl Metric {
    /// The counters it is computed from.
    fn counters(self) -> CounterSet {
        match self {
            Metric::AsOf => CounterSet::of(&[]),
            Metric::Count(i) => CounterSet::of(&[i]),
            Metric::Ratio(numerator, denominator) => CounterSet::of(&[numerator, denominator]),
            Metric::Average(sum) => CounterSet::of(&[sum, sum + 1]),
            Metric::Cost => CounterSet::of(&[c::COST]),
        }
    }
}

/// Every field of `Kpis` (as `KpisObject` declares them) with its metric.
const METRICS: [(&str, Metric); 39] = {
    use Metric::*;
    use c::*;
    [
        ("asOf", AsOf),
        ("totalCalls", Count(TOTAL)),
        ("inboundCalls", Count(INBOUND)),
        ("outboundCalls", Count(OUTBOUND)),
        ("answeredCalls", Count(ANSWERED)),
        ("completedCalls", Count(COMPLETED)),
        ("failedCalls", Count(FAILED)),
        ("busyCalls", Count(BUSY)),
        ("noAnswerCalls", Count(NO_ANSWER)),
        ("cancelledCalls", Count(CANCELLED)),
        ("inProgressCalls", Count(IN_PROGRESS)),
        ("answerRate", Ratio(ANSWERED, TOTAL)),
        ("successRate", Ratio(COMPLETED, TOTAL)),
        ("totalDurationSeconds", Count(DURATION)),
        ("avgDurationSeconds", Ratio(DURATION, ANSWERED)),
        ("billedMinutes", Count(BILLED)),
        ("creditsUsed", Count(CREDITS)),
        ("totalCost", Cost),
        ("analyzedCalls", Count(ANALYZED)),
        ("hotLeads", Count(HOT)),
        ("warmLeads", Count(WARM)),
        ("coldLeads", Count(COLD)),
        ("avgTotalScore", Average(TOTAL_SCORE)),
        ("avgIntentScore", Average(INTENT)),
        ("avgUrgencyScore", Average(URGENCY)),
        ("avgBudgetScore", Average(BUDGET)),
        ("avgFitScore", Average(FIT)),
        ("avgEngagementScore", Average(ENGAGEMENT)),
        ("ctaPricingClicks", Count(CTA_PRICING)),
        ("ctaDemoClicks", Count(CTA_DEMO)),
        ("ctaFollowupClicks", Count(CTA_FOLLOWUP)),
        ("ctaSampleClicks", Count(CTA_SAMPLE)),
        ("humanEscalations", Count(ESCALATIONS)),
        ("callsWithCta", Count(WITH_CTA)),
        ("ctaConversionRate", Ratio(WITH_CTA, TOTAL)),
        ("demosBooked", Count(DEMOS)),
        ("positiveCalls", Count(POSITIVE)),
        ("neutralCalls", Count(NEUTRAL)),
        ("negativeCalls", Count(NEGATIVE)),
    ]
};

/// An optional number as the engine writes it: null or the number.
fn maybe(value: Option<f64>) -> Value {
    value.map_or(Value::Null, |v| v.to_value())
}

/// `Kpis` is `KpisObject` answered through `OnePass`.
impl OutputType for Kpis {
    fn type_name() -> Cow<'static, str> {
        OnePass::<KpisObject>::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        OnePass::<KpisObject>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        OnePass(KpisObject(*self)).resolve(ctx, field).await
    }
}

impl Plain for KpisObject {
    fn value_of(&self, name: &str) -> Option<Value> {
        self.0.value_of(name)
    }
}

/// `Kpis` field by field: the schema's description of it, and the engine's
/// way of answering a selection `leaves` cannot.
struct KpisObject(Kpis);

#[Object(name = "Kpis")]
impl KpisObject {
    /// The instant these numbers are exact for.
    async fn as_of(&self) -> DateTimeUtc {
        self.0.as_of
    }
    /// Calls initiated in range.
    async fn total_calls(&self) -> i64 {
        self.0.counters[c::TOTAL]
    }
    async fn inbound_calls(&self) -> i64 {
        self.0.counters[c::INBOUND]
    }
    async fn outbound_calls(&self) -> i64 {
        self.0.counters[c::OUTBOUND]
    }
    /// Calls answered (answeredAt set, or status COMPLETED).
    async fn answered_calls(&self) -> i64 {
        self.0.counters[c::ANSWERED]
    }
    async fn completed_calls(&self) -> i64 {
        self.0.counters[c::COMPLETED]
    }
    async fn failed_calls(&self) -> i64 {
        self.0.counters[c::FAILED]
    }
    async fn busy_calls(&self) -> i64 {
        self.0.counters[c::BUSY]
    }
    async fn no_answer_calls(&self) -> i64 {
        self.0.counters[c::NO_ANSWER]
    }
    async fn cancelled_calls(&self) -> i64 {
        self.0.counters[c::CANCELLED]
    }
    /// Calls with no outcome yet (INITIATED, RINGING or IN_PROGRESS).
    async fn in_progress_calls(&self) -> i64 {
        self.0.counters[c::IN_PROGRESS]
    }
    /// answeredCalls / totalCalls.
    async fn answer_rate(&self) -> Option<f64> {
        ratio(self.0.counters[c::ANSWERED], self.0.counters[c::TOTAL])
    }
    /// completedCalls / totalCalls.
    async fn success_rate(&self) -> Option<f64> {
        ratio(self.0.counters[c::COMPLETED], self.0.counters[c::TOTAL])
    }
    async fn total_duration_seconds(&self) -> i64 {
        self.0.counters[c::DURATION]
    }
    /// totalDurationSeconds / answeredCalls.
    async fn avg_duration_seconds(&self) -> Option<f64> {
        ratio(self.0.counters[c::DURATION], self.0.counters[c::ANSWERED])
    }
    async fn billed_minutes(&self) -> i64 {
        self.0.counters[c::BILLED]
    }
    async fn credits_used(&self) -> i64 {
        self.0.counters[c::CREDITS]
    }
    /// Sum of costs, as an exact decimal string ("0" when none).
    async fn total_cost(&self) -> String {
        micros_to_decimal(self.0.counters[c::COST])
    }
    /// Calls with an effective lead analysis.
    async fn analyzed_calls(&self) -> i64 {
        self.0.counters[c::ANALYZED]
    }
    async fn hot_leads(&self) -> i64 {
        self.0.counters[c::HOT]
    }
    async fn warm_leads(&self) -> i64 {
        self.0.counters[c::WARM]
    }
    async fn cold_leads(&self) -> i64 {
        self.0.counters[c::COLD]
    }
    async fn avg_total_score(&self) -> Option<f64> {
        self.0.avg(c::TOTAL_SCORE)
    }
    async fn avg_intent_score(&self) -> Option<f64> {
        self.0.avg(c::INTENT)
    }
    async fn avg_urgency_score(&self) -> Option<f64> {
        self.0.avg(c::URGENCY)
    }
    async fn avg_budget_score(&self) -> Option<f64> {
        self.0.avg(c::BUDGET)
    }
    async fn avg_fit_score(&self) -> Option<f64> {
        self.0.avg(c::FIT)
    }
    async fn avg_engagement_score(&self) -> Option<f64> {
        self.0.avg(c::ENGAGEMENT)
    }
    async fn cta_pricing_clicks(&self) -> i64 {
        self.0.counters[c::CTA_PRICING]
    }
    async fn cta_demo_clicks(&self) -> i64 {
        self.0.counters[c::CTA_DEMO]
    }
    async fn cta_followup_clicks(&self) -> i64 {
        self.0.counters[c::CTA_FOLLOWUP]
    }
    async fn cta_sample_clicks(&self) -> i64 {
        self.0.counters[c::CTA_SAMPLE]
    }
    async fn human_escalations(&self) -> i64 {
        self.0.counters[c::ESCALATIONS]
    }
    /// Analyzed calls with at least one CTA flag.
    async fn calls_with_cta(&self) -> i64 {
        self.0.counters[c::WITH_CTA]
    }
    /// callsWithCta / totalCalls.
    async fn cta_conversion_rate(&self) -> Option<f64> {
        ratio(self.0.counters[c::WITH_CTA], self.0.counters[c::TOTAL])
    }
    /// Analyzed calls with a demo booking time.
    async fn demos_booked(&self) -> i64 {
        self.0.counters[c::DEMOS]
    }
    async fn positive_calls(&self) -> i64 {
        self.0.counters[c::POSITIVE]
    }
    async fn neutral_calls(&self) -> i64 {
        self.0.counters[c::NEUTRAL]
    }
    async fn negative_calls(&self) -> i64 {
        self.0.counters[c::NEGATIVE]
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
    pub agent: Option<OnePass<Agent>>,
    /// The campaign, when grouping by CAMPAIGN.
    pub campaign: Option<OnePass<Campaign>>,
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
        counters: Kpis::counters_for(ctx.field()),
        id,
    };
    let loader = ctx.data::<DataLoader<KpisByMemberLoader>>()?;
    let (counters, as_of) = loader
        .load_one(key)
        .await?
        .unwrap_or((Counters::default(), chrono::Utc::now()));
    Ok(Kpis { counters, as_of })
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::{EmptyMutation, EmptySubscription, Schema};

    fn sample() -> Kpis {
        let mut counters = Counters::default();
        for (i, v) in counters.0.iter_mut().enumerate() {
            *v = (i as i64 * 7919) % 1000 + 1;
        }
        counters.0[c::COST] = 1_234_500;
        // An average without a denominator is null.
        counters.0[c::FIT + 1] = 0;
        Kpis {
            counters,
            as_of: "2026-12-04T10:00:00.123456Z".parse().unwrap(),
        }
    }

    struct Query;

    #[Object]
    impl Query {
        async fn fast(&self) -> Kpis {
            sample()
        }
        async fn slow(&self) -> KpisObject {
            KpisObject(sample())
        }
        /// `sample()` read as the engine reads it for this selection: only
        /// the counters `counters_for` asks for.
        async fn masked(&self, ctx: &Context<'_>) -> Kpis {
            let set = Kpis::counters_for(ctx.field());
            Kpis {
                counters: set.keep(&sample().counters),
                ..sample()
            }
        }
        /// The same, one level down.
        async fn group(&self, ctx: &Context<'_>) -> KpiGroup {
            let set = Kpis::counters_within(ctx.field());
            KpiGroup {
                key: None,
                label: None,
                agent: None,
                campaign: None,
                kpis: Kpis {
                    counters: set.keep(&sample().counters),
                    ..sample()
                },
            }
        }
    }

    #[tokio::test]
    async fn a_selection_reads_every_counter_its_fields_need() {
        let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
        let names: Vec<&str> = METRICS.iter().map(|(name, _)| *name).collect();
        // Each field alone, then through fragments and aliases.
        let mut selections: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        selections.push("... on Kpis { answerRate } ...More a: avgFitScore".into());
        for selection in selections {
            let mut query = format!(
                "{{ fast {{ {selection} }} masked {{ {selection} }} group {{ kpis {{ {selection} }} }} }}"
            );
            if selection.contains("...More") {
                query += " fragment More on Kpis { ctaConversionRate avgDurationSeconds }";
            }
            let data = schema
                .execute(query.as_str())
                .await
                .into_result()
                .unwrap()
                .data
                .into_json()
                .unwrap();
            assert_eq!(data["masked"], data["fast"], "{selection}");
            assert_eq!(data["group"]["kpis"], data["fast"], "{selection}");
        }
        // A field it does not know reads everything.
        assert!(Kpis::metric("noSuchMetric").is_none());
    }

    #[tokio::test]
    async fn one_pass_answers_every_field_as_the_engine_does() {
        let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
        let fields = schema
            .execute(r#"{ __type(name: "Kpis") { fields { name } } }"#)
            .await
            .into_result()
            .unwrap()
            .data
            .into_json()
            .unwrap();
        let names: Vec<String> = fields["__type"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(names.len(), 39);
        // The metric table lists every field, in the schema's order.
        assert_eq!(
            names,
            METRICS.iter().map(|(name, _)| *name).collect::<Vec<_>>()
        );
        for name in &names {
            assert!(
                sample().value_of(name).is_some(),
                "{name} has no one-pass value"
            );
        }
        // Every field, through a fragment, an inline fragment, aliases, a
        // repeated field, `__typename` and `@include`.
        let selection = "__typename ... on Kpis { calls: totalCalls } ...All totalCalls a: answerRate @include(if: true) b: answerRate @skip(if: true)";
        let query = format!(
            "{{ fast {{ {selection} }} slow {{ {selection} }} }} fragment All on Kpis {{ {} }}",
            names.join(" ")
        );
        let data = schema
            .execute(query.as_str())
            .await
            .into_result()
            .unwrap()
            .data;
        let fast = crate::graphql::types::leaves::assert_fast_is_slow(&data, "Kpis");
        let order: Vec<String> = fast.keys().map(|k| k.to_string()).collect();
        assert_eq!(order[..3], ["__typename", "calls", "asOf"]);
        assert_eq!(fast["totalCost"], Value::String("1.2345".into()));
        assert_eq!(fast["avgFitScore"], Value::Null);
        assert_eq!(fast["calls"], fast["totalCalls"]);
        assert!(!fast.contains_key("b"));
    }
}
