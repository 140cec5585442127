//! The counters every KPI is computed from, and a call's contribution to
//! them. Rollups store exactly these sums; the metrics of KPIS.md are
//! computed from them when read, so a rollup row and a recomputation from
//! calls use one definition.

use entity::enums::{CallDirection, CallStatus, LeadTag, Sentiment};
use entity::{call, lead_analysis};
use std::ops::{AddAssign, Index, SubAssign};

/// The counter columns, in storage order: exactly the rollup tables'
/// counter columns, as their migration creates them.
pub const COLUMNS: [&str; 40] = migration::m20250101_000004_create_kpi_rollups::COUNTERS;

/// Index of each counter in `Counters`.
#[allow(missing_docs)]
pub mod c {
    pub const TOTAL: usize = 0;
    pub const INBOUND: usize = 1;
    pub const OUTBOUND: usize = 2;
    pub const ANSWERED: usize = 3;
    pub const COMPLETED: usize = 4;
    pub const FAILED: usize = 5;
    pub const BUSY: usize = 6;
    pub const NO_ANSWER: usize = 7;
    pub const CANCELLED: usize = 8;
    pub const IN_PROGRESS: usize = 9;
    pub const DURATION: usize = 10;
    pub const BILLED: usize = 11;
    pub const CREDITS: usize = 12;
    pub const COST: usize = 13;
    pub const ANALYZED: usize = 14;
    pub const HOT: usize = 15;
    pub const WARM: usize = 16;
    pub const COLD: usize = 17;
    pub const TOTAL_SCORE: usize = 18;
    pub const INTENT: usize = 20;
    pub const URGENCY: usize = 22;
    pub const BUDGET: usize = 24;
    pub const FIT: usize = 26;
    pub const ENGAGEMENT: usize = 28;
    pub const CTA_PRICING: usize = 30;
    pub const CTA_DEMO: usize = 31;
    pub const CTA_FOLLOWUP: usize = 32;
    pub const CTA_SAMPLE: usize = 33;
    pub const ESCALATIONS: usize = 34;
    pub const WITH_CTA: usize = 35;
    pub const DEMOS: usize = 36;
    pub const POSITIVE: usize = 37;
    pub const NEUTRAL: usize = 38;
    pub const NEGATIVE: usize = 39;
}

/// One set of KPI sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counters(pub [i64; COLUMNS.len()]);

impl Default for Counters {
    fn default() -> Self {
        Self([0; COLUMNS.len()])
    }
}

impl Index<usize> for Counters {
    type Output = i64;
    fn index(&self, i: usize) -> &i64 {
        &self.0[i]
    }
}

impl AddAssign<&Counters> for Counters {
    fn add_assign(&mut self, other: &Counters) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += b;
        }
    }
}

impl SubAssign<&Counters> for Counters {
    fn sub_assign(&mut self, other: &Counters) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a -= b;
        }
    }
}

impl Counters {
    /// `self - other`, for rollup deltas.
    pub fn minus(&self, other: &Counters) -> Counters {
        let mut out = *self;
        out -= other;
        out
    }

    /// Whether every counter is zero.
    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|v| *v == 0)
    }

    fn bump(&mut self, i: usize, by: i64) {
        self.0[i] += by;
    }

    fn score(&mut self, sum: usize, value: Option<i32>) {
        if let Some(v) = value {
            self.0[sum] += i64::from(v);
            self.0[sum + 1] += 1;
        }
    }
}

/// Some of the counters, one bit per index: those a query reads. Every set
/// holds `TOTAL` (breakdowns order and drop groups by it), so no read sums
/// nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CounterSet(u64);

impl CounterSet {
    /// Every counter.
    pub const ALL: Self = Self((1 << COLUMNS.len()) - 1);
    /// Only `TOTAL`.
    pub const TOTAL: Self = Self(1 << c::TOTAL);

    /// `TOTAL` and `indices`.
    pub fn of(indices: &[usize]) -> Self {
        indices
            .iter()
            .fold(Self::TOTAL, |set, &i| Self(set.0 | 1 << i))
    }

    /// Both sets' counters.
    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The counters' indices, in storage order.
    pub fn indices(self) -> impl Iterator<Item = usize> {
        (0..COLUMNS.len()).filter(move |i| self.0 & 1 << i != 0)
    }

    /// `counters` with every counter outside the set zeroed: what a read of
    /// this set returns.
    pub fn keep(self, counters: &Counters) -> Counters {
        let mut out = Counters::default();
        for i in self.indices() {
            out.0[i] = counters.0[i];
        }
        out
    }
}

/// What one call adds to the counters, with its effective analysis (if
/// any). A call whose initiation is unknown adds nothing.
pub fn contribution(
    call: &call::Model,
    analysis: Option<&lead_analysis::Model>,
) -> Option<Counters> {
    call.initiated_at?;
    let mut k = Counters::default();
    k.bump(c::TOTAL, 1);
    match call.direction {
        Some(CallDirection::Inbound) => k.bump(c::INBOUND, 1),
        Some(CallDirection::Outbound) => k.bump(c::OUTBOUND, 1),
        None => {}
    }
    if call.answered {
        k.bump(c::ANSWERED, 1);
    }
    let status = match call.status {
        CallStatus::Completed => c::COMPLETED,
        CallStatus::Failed => c::FAILED,
        CallStatus::Busy => c::BUSY,
        CallStatus::NoAnswer => c::NO_ANSWER,
        CallStatus::Cancelled => c::CANCELLED,
        CallStatus::Initiated | CallStatus::Ringing | CallStatus::InProgress => c::IN_PROGRESS,
    };
    k.bump(status, 1);
    k.bump(c::DURATION, call.duration_seconds);
    k.bump(c::BILLED, call.billed_minutes);
    k.bump(c::CREDITS, call.credits);
    k.bump(c::COST, call.cost_micros.unwrap_or(0));
    if let Some(a) = analysis {
        k.bump(c::ANALYZED, 1);
        k.bump(
            match LeadTag::from_score(a.total_score) {
                LeadTag::Hot => c::HOT,
                LeadTag::Warm => c::WARM,
                LeadTag::Cold => c::COLD,
            },
            1,
        );
        k.score(c::TOTAL_SCORE, Some(a.total_score));
        k.score(c::INTENT, a.intent_score);
        k.score(c::URGENCY, a.urgency_score);
        k.score(c::BUDGET, a.budget_score);
        k.score(c::FIT, a.fit_score);
        k.score(c::ENGAGEMENT, a.engagement_score);
        let flags = [
            (a.cta_pricing, c::CTA_PRICING),
            (a.cta_demo, c::CTA_DEMO),
            (a.cta_followup, c::CTA_FOLLOWUP),
            (a.cta_sample, c::CTA_SAMPLE),
            (a.escalated_to_human, c::ESCALATIONS),
        ];
        for (flag, i) in flags {
            if flag {
                k.bump(i, 1);
            }
        }
        if flags.iter().any(|(flag, _)| *flag) {
            k.bump(c::WITH_CTA, 1);
        }
        if a.demo_booked_at.is_some() {
            k.bump(c::DEMOS, 1);
        }
        match a.sentiment {
            Some(Sentiment::Positive) => k.bump(c::POSITIVE, 1),
            Some(Sentiment::Neutral) => k.bump(c::NEUTRAL, 1),
            Some(Sentiment::Negative) => k.bump(c::NEGATIVE, 1),
            None => {}
        }
    }
    Some(k)
}

/// `numerator / denominator`, `None` when the denominator is 0.
pub fn ratio(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator != 0).then(|| numerator as f64 / denominator as f64)
}

/// A sum of millionths as a decimal string ("0" when zero).
pub fn micros_to_decimal(micros: i64) -> String {
    rust_decimal::Decimal::new(micros, 6)
        .normalize()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_null_on_an_empty_denominator() {
        assert_eq!(ratio(1, 0), None);
        assert_eq!(ratio(1, 4), Some(0.25));
    }

    #[test]
    fn costs_print_as_exact_decimals() {
        assert_eq!(micros_to_decimal(0), "0");
        assert_eq!(micros_to_decimal(1_500_000), "1.5");
        assert_eq!(micros_to_decimal(905_000), "0.905");
        assert_eq!(micros_to_decimal(-12), "-0.000012");
    }

    #[test]
    fn score_counters_sit_beside_their_sums() {
        for (sum, name) in [
            (c::TOTAL_SCORE, "total"),
            (c::INTENT, "intent"),
            (c::FIT, "fit"),
            (c::ENGAGEMENT, "engagement"),
        ] {
            assert!(COLUMNS[sum].starts_with(name) && COLUMNS[sum].ends_with("_sum"));
            assert!(COLUMNS[sum + 1].ends_with("_count"));
        }
        assert_eq!(COLUMNS[c::NEGATIVE], "negative_calls");
    }

    #[test]
    fn counter_sets_always_hold_the_total() {
        assert_eq!(
            CounterSet::of(&[]).indices().collect::<Vec<_>>(),
            [c::TOTAL]
        );
        let set = CounterSet::of(&[c::HOT, c::ANSWERED]);
        assert_eq!(
            set.indices().collect::<Vec<_>>(),
            [c::TOTAL, c::ANSWERED, c::HOT]
        );
        assert_eq!(CounterSet::ALL.indices().count(), COLUMNS.len());
        assert_eq!(set.union(CounterSet::ALL), CounterSet::ALL);
        let mut counters = Counters::default();
        counters.0.iter_mut().for_each(|v| *v = 7);
        let kept = set.keep(&counters);
        assert_eq!(kept.0.iter().filter(|v| **v == 7).count(), 3);
        assert_eq!(kept[c::HOT], 7);
        assert_eq!(kept[c::COLD], 0);
    }
}
