//! `ingestLeadAnalyses`: store analyses; the effective one per call is the
//! latest `analyzedAt` (tie: greater `analysisId`), chosen when read.

use super::input::LeadAnalysisInput;
use super::validate::{self as check, micros};
use super::{IngestResult, Writers, begin, calls, check_batch_size, commit};
use crate::db::Db;
use crate::error::ApiResult;
use crate::kpi::upkeep::RollupDelta;
use chrono::{DateTime, Utc};
use entity::{call, lead_analysis, tenant};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
};
use std::collections::{BTreeSet, HashMap, HashSet};
use uuid::Uuid;

fn validate(a: &LeadAnalysisInput, now: DateTime<Utc>) -> ApiResult<()> {
    check::id("analysisId", &a.analysis_id)?;
    check::id("provider", &a.provider)?;
    check::id("providerCallId", &a.provider_call_id)?;
    check::not_future("analyzedAt", a.analyzed_at, now)?;
    check::score("totalScore", Some(a.total_score))?;
    check::score("intentScore", a.intent_score)?;
    check::score("urgencyScore", a.urgency_score)?;
    check::score("budgetScore", a.budget_score)?;
    check::score("fitScore", a.fit_score)?;
    check::score("engagementScore", a.engagement_score)?;
    check::short("extractedName", a.extracted_name.as_deref())?;
    check::short("extractedEmail", a.extracted_email.as_deref())?;
    check::short("extractedCompany", a.extracted_company.as_deref())?;
    check::text("summary", a.summary.as_deref())?;
    check::json("reasoning", a.reasoning.as_ref())
}

/// Ingests a batch of lead analyses for `tenant`.
pub async fn ingest(
    db: &Db,
    tenant: &tenant::Model,
    items: Vec<LeadAnalysisInput>,
) -> ApiResult<IngestResult> {
    check_batch_size("analyses", items.len())?;
    let now = Utc::now();
    let (txn, _gate) = begin(db, tenant.id, Writers::Exclusive).await?;

    let ids: BTreeSet<&str> = items
        .iter()
        .map(|a| a.analysis_id.as_str())
        .filter(|id| !id.is_empty())
        .collect();
    let ids: Vec<&str> = ids.into_iter().collect();
    let mut taken: HashSet<String> = HashSet::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<String> = lead_analysis::Entity::find()
            .select_only()
            .column(lead_analysis::Column::AnalysisId)
            .filter(lead_analysis::Column::TenantId.eq(tenant.id))
            .filter(lead_analysis::Column::AnalysisId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(&txn)
            .await?;
        taken.extend(rows);
    }

    let mut result = IngestResult::default();
    let mut accepted = Vec::new();
    for (index, input) in items.into_iter().enumerate() {
        if taken.contains(&input.analysis_id) {
            result.duplicates += 1;
            continue;
        }
        match validate(&input, now) {
            Ok(()) => {
                taken.insert(input.analysis_id.clone());
                accepted.push(input);
            }
            Err(error) => result.reject(index, error),
        }
    }
    result.accepted = accepted.len() as i32;
    if !accepted.is_empty() {
        let keys: BTreeSet<calls::CallKey> = accepted
            .iter()
            .map(|a| (a.provider.clone(), a.provider_call_id.clone()))
            .collect();
        let call_ids = calls::ensure(&txn, tenant.id, &keys).await?;
        let rows: Vec<lead_analysis::ActiveModel> = accepted
            .into_iter()
            .map(|a| lead_analysis::ActiveModel {
                tenant_id: Set(tenant.id),
                id: Set(Uuid::now_v7()),
                call_id: Set(call_ids[&(a.provider, a.provider_call_id)]),
                analysis_id: Set(a.analysis_id),
                analyzed_at: Set(micros(a.analyzed_at)),
                total_score: Set(a.total_score),
                intent_score: Set(a.intent_score),
                urgency_score: Set(a.urgency_score),
                budget_score: Set(a.budget_score),
                fit_score: Set(a.fit_score),
                engagement_score: Set(a.engagement_score),
                sentiment: Set(a.sentiment),
                cta_pricing: Set(a.cta_pricing.unwrap_or(false)),
                cta_demo: Set(a.cta_demo.unwrap_or(false)),
                cta_followup: Set(a.cta_followup.unwrap_or(false)),
                cta_sample: Set(a.cta_sample.unwrap_or(false)),
                escalated_to_human: Set(a.escalated_to_human.unwrap_or(false)),
                demo_booked_at: Set(a.demo_booked_at.map(micros)),
                extracted_name: Set(a.extracted_name),
                extracted_email: Set(a.extracted_email),
                extracted_company: Set(a.extracted_company),
                summary: Set(a.summary),
                reasoning: Set(a.reasoning),
                effective: Set(false),
                created_at: Set(now),
            })
            .collect();
        for chunk in rows.chunks(200) {
            lead_analysis::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        let touched: BTreeSet<Uuid> = call_ids.values().copied().collect();
        mark_effective(&txn, tenant, &touched).await?;
    }
    commit(txn, tenant.id, Writers::Exclusive).await?;
    Ok(result)
}

/// Marks, for each call, the analysis with the latest `analyzedAt` (tie: the
/// greater `analysisId`, in code-point order) as its effective one, and
/// moves the call's rollup contribution from the old effective analysis to
/// the new one.
async fn mark_effective(
    txn: &DatabaseTransaction,
    tenant_row: &tenant::Model,
    calls: &BTreeSet<Uuid>,
) -> ApiResult<()> {
    let tenant = tenant_row.id;
    let calls: Vec<Uuid> = calls.iter().copied().collect();
    let mut rollups = RollupDelta::new(crate::kpi::zone_of(tenant_row)?);
    for chunk in calls.chunks(500) {
        let rows = lead_analysis::Entity::find()
            .filter(lead_analysis::Column::TenantId.eq(tenant))
            .filter(lead_analysis::Column::CallId.is_in(chunk.iter().copied()))
            .all(txn)
            .await?;
        let mut best: HashMap<Uuid, &lead_analysis::Model> = HashMap::new();
        for a in &rows {
            match best.get(&a.call_id) {
                Some(current)
                    if (current.analyzed_at, current.analysis_id.as_str())
                        >= (a.analyzed_at, a.analysis_id.as_str()) => {}
                _ => {
                    best.insert(a.call_id, a);
                }
            }
        }
        let old: HashMap<Uuid, &lead_analysis::Model> = rows
            .iter()
            .filter(|a| a.effective)
            .map(|a| (a.call_id, a))
            .collect();
        let changed: Vec<Uuid> = best
            .iter()
            .filter(|(call, new)| old.get(call).map(|o| o.id) != Some(new.id))
            .map(|(call, _)| *call)
            .collect();
        if changed.is_empty() {
            continue;
        }
        for a in &rows {
            let should = best.get(&a.call_id).is_some_and(|b| b.id == a.id);
            if should != a.effective {
                lead_analysis::Entity::update_many()
                    .col_expr(lead_analysis::Column::Effective, Expr::value(should))
                    .filter(lead_analysis::Column::TenantId.eq(tenant))
                    .filter(lead_analysis::Column::Id.eq(a.id))
                    .exec(txn)
                    .await?;
            }
        }
        let call_rows = call::Entity::find()
            .filter(call::Column::TenantId.eq(tenant))
            .filter(call::Column::Id.is_in(changed.iter().copied()))
            .all(txn)
            .await?;
        for c in &call_rows {
            rollups.replace((c, old.get(&c.id).copied()), (c, best.get(&c.id).copied()));
        }
    }
    rollups.apply(txn, tenant).await?;
    Ok(())
}
