//! `audit_log`: security-relevant actions of a tenant, newest by id (UUIDv7).

use crate::enums::{ActorKind, AuditAction};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: DateTimeUtc,
    pub actor_kind: ActorKind,
    /// The user or key that acted; none for the operator and for refusals.
    pub actor_id: Option<Uuid>,
    pub action: AuditAction,
    /// What was acted on: a global id, or an email for sign-in refusals.
    pub target: Option<String>,
    pub detail: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
