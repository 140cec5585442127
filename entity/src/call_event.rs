//! `call_events`: immutable lifecycle and in-call events, kept whole so that
//! a call's projection can always be recomputed from them.

use crate::enums::{CallDirection, CallEventType};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "call_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub call_id: Uuid,
    /// The sender's idempotency id, unique per tenant.
    pub event_id: String,
    pub event_type: CallEventType,
    pub occurred_at: DateTimeUtc,
    pub agent_external_id: Option<String>,
    pub direction: Option<CallDirection>,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_name: Option<String>,
    pub contact_external_id: Option<String>,
    pub campaign: Option<String>,
    pub duration_seconds: Option<i64>,
    pub cost_micros: Option<i64>,
    pub hangup_by: Option<String>,
    pub hangup_reason: Option<String>,
    pub recording_url: Option<String>,
    pub contact_context: Option<Json>,
    pub metadata: Option<Json>,
    pub tags: Option<Json>,
    pub payload: Option<Json>,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
