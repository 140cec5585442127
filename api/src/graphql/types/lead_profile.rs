//! `LeadProfile`: a contact as a lead, across all its calls.

use super::DateTimeUtc;
use crate::domain::{GlobalId, NodeKind};
use crate::read::lead_profile::{self, ScorePoint};
use async_graphql::{Enum, ID, SimpleObject};
use entity::enums::LeadTag;
use std::cmp::Ordering;

/// How the latest score compares with the one before it.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreTrend {
    Rising,
    Falling,
    Steady,
}

/// One analysed call of a contact.
#[derive(SimpleObject)]
pub struct LeadScorePoint {
    pub call_id: ID,
    pub initiated_at: DateTimeUtc,
    pub total_score: i32,
    pub lead_tag: LeadTag,
}

impl From<ScorePoint> for LeadScorePoint {
    fn from(p: ScorePoint) -> Self {
        Self {
            call_id: ID(GlobalId::new(NodeKind::Call, p.call_id).encode()),
            initiated_at: p.initiated_at,
            total_score: p.total_score,
            lead_tag: LeadTag::from_score(p.total_score),
        }
    }
}

/// What a contact's calls say about it as a lead. Counts only calls whose
/// initiation is known; scores are those of their effective analyses.
#[derive(SimpleObject)]
pub struct LeadProfile {
    pub call_count: u64,
    pub analyzed_call_count: u64,
    pub first_call_at: Option<DateTimeUtc>,
    pub last_call_at: Option<DateTimeUtc>,
    /// The score of the most recent analysed call.
    pub latest_score: Option<i32>,
    pub latest_lead_tag: Option<LeadTag>,
    pub best_score: Option<i32>,
    pub average_score: Option<f64>,
    /// Latest score minus the one before it; null with fewer than two.
    pub score_change: Option<i32>,
    /// The sign of `scoreChange`.
    pub score_trend: Option<ScoreTrend>,
    /// The analysed calls, oldest first: the score across calls.
    pub scores: Vec<LeadScorePoint>,
}

impl From<lead_profile::LeadProfile> for LeadProfile {
    fn from(p: lead_profile::LeadProfile) -> Self {
        let score_change = p.score_change();
        Self {
            call_count: p.call_count,
            analyzed_call_count: p.scores.len() as u64,
            first_call_at: p.first_call_at,
            last_call_at: p.last_call_at,
            latest_score: p.latest_score(),
            latest_lead_tag: p.latest_score().map(LeadTag::from_score),
            best_score: p.best_score(),
            average_score: p.average_score(),
            score_change,
            score_trend: score_change.map(|change| match change.cmp(&0) {
                Ordering::Greater => ScoreTrend::Rising,
                Ordering::Less => ScoreTrend::Falling,
                Ordering::Equal => ScoreTrend::Steady,
            }),
            scores: p.scores.into_iter().map(LeadScorePoint::from).collect(),
        }
    }
}
