//! A contact's lead profile, computed from its calls and their effective
//! analyses (never stored): how often and how recently the contact was
//! called, and how its score moved from call to call.
//!
//! Like every KPI, it counts only calls whose initiation is known.

use crate::domain::TenantId;
use chrono::{DateTime, Utc};
use entity::{call, lead_analysis};
use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Order, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr};
use std::collections::HashMap;
use uuid::Uuid;

/// One analysed call of a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScorePoint {
    pub call_id: Uuid,
    pub initiated_at: DateTime<Utc>,
    pub total_score: i32,
}

/// What a contact's calls say about it as a lead.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeadProfile {
    pub call_count: u64,
    pub first_call_at: Option<DateTime<Utc>>,
    pub last_call_at: Option<DateTime<Utc>>,
    /// The analysed calls, oldest first.
    pub scores: Vec<ScorePoint>,
}

impl LeadProfile {
    /// The score of the most recent analysed call.
    pub fn latest_score(&self) -> Option<i32> {
        self.scores.last().map(|p| p.total_score)
    }

    /// The highest score of any call.
    pub fn best_score(&self) -> Option<i32> {
        self.scores.iter().map(|p| p.total_score).max()
    }

    /// The mean score over analysed calls.
    pub fn average_score(&self) -> Option<f64> {
        let n = self.scores.len();
        (n > 0).then(|| {
            self.scores
                .iter()
                .map(|p| f64::from(p.total_score))
                .sum::<f64>()
                / n as f64
        })
    }

    /// Latest score minus the one before it (two analysed calls needed).
    pub fn score_change(&self) -> Option<i32> {
        match self.scores.as_slice() {
            [.., previous, latest] => Some(latest.total_score - previous.total_score),
            _ => None,
        }
    }
}

/// The profiles of these contacts of `tenant`, in one statement. Contacts
/// without a call get an empty profile.
pub async fn by_contacts<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    contacts: &[Uuid],
) -> Result<HashMap<Uuid, LeadProfile>, DbErr> {
    let statement = Query::select()
        .column((call::Entity, call::Column::ContactId))
        .column((call::Entity, call::Column::Id))
        .column((call::Entity, call::Column::InitiatedAt))
        .column((lead_analysis::Entity, lead_analysis::Column::TotalScore))
        .from(call::Entity)
        .join(
            JoinType::LeftJoin,
            lead_analysis::Entity,
            super::same_tenant(
                lead_analysis::Entity,
                lead_analysis::Column::CallId,
                call::Entity,
                call::Column::Id,
            )
            .add(Expr::col((lead_analysis::Entity, lead_analysis::Column::Effective)).eq(true)),
        )
        .and_where(Expr::col((call::Entity, call::Column::TenantId)).eq(tenant.uuid()))
        .and_where(super::uuid_in(
            Expr::col((call::Entity, call::Column::ContactId)),
            contacts.iter().copied(),
            db.get_database_backend(),
        ))
        .and_where(call::Column::InitiatedAt.is_not_null())
        .order_by((call::Entity, call::Column::InitiatedAt), Order::Asc)
        .order_by((call::Entity, call::Column::Id), Order::Asc)
        .to_owned();
    let mut profiles: HashMap<Uuid, LeadProfile> = contacts
        .iter()
        .map(|id| (*id, LeadProfile::default()))
        .collect();
    for row in db.query_all(&statement).await? {
        let contact: Uuid = row.try_get("", "contact_id")?;
        let call_id: Uuid = row.try_get("", "id")?;
        let initiated_at: DateTime<Utc> = row.try_get("", "initiated_at")?;
        let score: Option<i32> = row.try_get("", "total_score")?;
        let profile = profiles.entry(contact).or_default();
        profile.call_count += 1;
        profile.first_call_at.get_or_insert(initiated_at);
        profile.last_call_at = Some(initiated_at);
        if let Some(total_score) = score {
            profile.scores.push(ScorePoint {
                call_id,
                initiated_at,
                total_score,
            });
        }
    }
    Ok(profiles)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(scores: &[i32]) -> LeadProfile {
        LeadProfile {
            scores: scores
                .iter()
                .map(|s| ScorePoint {
                    call_id: Uuid::nil(),
                    initiated_at: Utc::now(),
                    total_score: *s,
                })
                .collect(),
            ..LeadProfile::default()
        }
    }

    #[test]
    fn scores_summarise_latest_best_mean_and_change() {
        let p = profile(&[40, 85, 70]);
        assert_eq!(p.latest_score(), Some(70));
        assert_eq!(p.best_score(), Some(85));
        assert_eq!(p.average_score(), Some(65.0));
        assert_eq!(p.score_change(), Some(-15));
        assert_eq!(profile(&[60]).score_change(), None);
        assert_eq!(profile(&[]).latest_score(), None);
    }
}
