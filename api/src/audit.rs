//! The audit log: security-relevant actions of each tenant (keys created
//! and revoked, users invited, re-roled and deactivated, sign-ins refused,
//! refresh tokens reused, suspensions), written in the same transaction as
//! the action where there is one, and read by the tenant's admins.

use crate::auth::Actor;
use crate::domain::TenantId;
use crate::error::ApiResult;
use chrono::Utc;
use entity::audit_log;
use entity::enums::AuditAction;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

/// Records that `actor` did `action` to `target` in `tenant`.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    actor: Actor,
    action: AuditAction,
    target: Option<String>,
    detail: serde_json::Value,
) -> ApiResult<()> {
    let (actor_kind, actor_id) = actor.parts();
    audit_log::ActiveModel {
        tenant_id: Set(tenant.uuid()),
        id: Set(Uuid::now_v7()),
        at: Set(Utc::now()),
        actor_kind: Set(actor_kind),
        actor_id: Set(actor_id),
        action: Set(action),
        target: Set(target),
        detail: Set(detail),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Up to `first` entries of `tenant`, newest first, older than entry
/// `after` when given; one more than asked tells whether more follow.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    first: u64,
    after: Option<Uuid>,
) -> ApiResult<(Vec<audit_log::Model>, bool)> {
    let mut select =
        audit_log::Entity::find().filter(audit_log::Column::TenantId.eq(tenant.uuid()));
    if let Some(after) = after {
        select = select.filter(audit_log::Column::Id.lt(after));
    }
    let mut rows = select
        .order_by_desc(audit_log::Column::Id)
        .limit(first + 1)
        .all(db)
        .await?;
    let has_next = rows.len() as u64 > first;
    rows.truncate(first as usize);
    Ok((rows, has_next))
}
