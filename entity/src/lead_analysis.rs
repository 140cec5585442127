//! `lead_analyses`: AI analyses of a call; the latest `analyzed_at` is the
//! call's effective one, older ones stay readable as history.

use crate::enums::Sentiment;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lead_analyses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub call_id: Uuid,
    /// The sender's idempotency id, unique per tenant.
    pub analysis_id: String,
    pub analyzed_at: DateTimeUtc,
    pub total_score: i32,
    pub intent_score: Option<i32>,
    pub urgency_score: Option<i32>,
    pub budget_score: Option<i32>,
    pub fit_score: Option<i32>,
    pub engagement_score: Option<i32>,
    pub sentiment: Option<Sentiment>,
    pub cta_pricing: bool,
    pub cta_demo: bool,
    pub cta_followup: bool,
    pub cta_sample: bool,
    pub escalated_to_human: bool,
    pub demo_booked_at: Option<DateTimeUtc>,
    pub extracted_name: Option<String>,
    pub extracted_email: Option<String>,
    pub extracted_company: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub summary: Option<String>,
    pub reasoning: Option<Json>,
    /// Whether this is the call's effective analysis (latest `analyzed_at`,
    /// tie: greater `analysis_id`).
    pub effective: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
