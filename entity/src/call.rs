//! `calls`: one call, a projection of its events (INGEST.md).

use crate::enums::{CallDirection, CallStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calls")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub provider: String,
    pub provider_call_id: String,
    pub direction: Option<CallDirection>,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    pub agent_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    /// Unknown until an event arrives; such calls are in no KPI.
    pub initiated_at: Option<DateTimeUtc>,
    pub ringing_at: Option<DateTimeUtc>,
    pub answered_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    pub status: CallStatus,
    pub answered: bool,
    pub duration_seconds: i64,
    pub billed_minutes: i64,
    pub credits: i64,
    /// Cost in millionths of the currency unit.
    pub cost_micros: Option<i64>,
    pub hangup_by: Option<String>,
    pub hangup_reason: Option<String>,
    pub recording_url: Option<String>,
    pub metadata: Option<Json>,
    pub tags: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
