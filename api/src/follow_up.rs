//! Follow-ups people schedule for contacts: creation, completion,
//! cancellation and rescheduling, with who created and last changed each.
//!
//! A follow-up is PENDING until it is completed (DONE) or CANCELLED; both
//! are final, so changing a finished follow-up is a CONFLICT. Only a
//! pending one can be rescheduled.

use crate::auth::{Access, Actor};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::ingest::validate::check_len;
use crate::ingest::{self, Writers};
use chrono::{DateTime, Utc};
use entity::enums::FollowUpStatus;
use entity::{call, contact, follow_up};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel, SqlErr};
use uuid::Uuid;

/// A follow-up to schedule.
pub struct NewFollowUp {
    pub contact_id: Uuid,
    /// The call it follows, which must be a call of that contact.
    pub call_id: Option<Uuid>,
    pub due_at: DateTime<Utc>,
    pub remark: Option<String>,
}

/// A change to a follow-up; absent fields stay as they are.
pub struct FollowUpChange {
    pub status: Option<FollowUpStatus>,
    pub due_at: Option<DateTime<Utc>>,
    pub remark: Option<String>,
}

fn remark(remark: Option<String>) -> ApiResult<Option<String>> {
    let remark = remark
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if let Some(text) = &remark {
        check_len("remark", text, 1, 10_000)?;
    }
    Ok(remark)
}

/// Schedules a follow-up in the caller's tenant.
///
/// It is written as a shared writer of the ingest path (`ingest::Writers`):
/// beside an import's streams, its contact locked (by the foreign key
/// check) before the tenant row, as theirs are. An ingest batch that
/// removes a contact no call names locks it first, so the follow-up either
/// commits first, and keeps its contact, or finds it gone (NOT_FOUND).
pub async fn create(db: &Db, access: &Access, new: NewFollowUp) -> ApiResult<follow_up::Model> {
    let tenant = access.tenant.uuid();
    let remark = remark(new.remark)?;
    let writers = Writers::Shared;
    let (txn, _gate) = ingest::begin(db, tenant, writers).await?;
    let contact = contact::Entity::find_by_id((tenant, new.contact_id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("contact"))?;
    if let Some(call_id) = new.call_id {
        let call = call::Entity::find_by_id((tenant, call_id))
            .one(&txn)
            .await?
            .ok_or(ApiError::NotFound("call"))?;
        if call.contact_id != Some(contact.id) {
            return Err(ApiError::invalid("callId", "is not a call of this contact"));
        }
    }
    let row = pending(
        tenant,
        contact.id,
        new.call_id,
        new.due_at,
        remark,
        access.actor,
    )
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        // Its contact was removed by the batch it waited for.
        Some(SqlErr::ForeignKeyConstraintViolation(m))
            if m.contains("fk_follow_ups_contact_id") =>
        {
            ApiError::NotFound("contact")
        }
        _ => e.into(),
    })?;
    ingest::commit(txn, tenant, writers).await?;
    Ok(row)
}

/// The row of a new pending follow-up of `contact` in `tenant`, after
/// `call` if given, due at `due_at`, its remark already checked, created by
/// `actor`.
pub fn pending(
    tenant: Uuid,
    contact: Uuid,
    call: Option<Uuid>,
    due_at: DateTime<Utc>,
    remark: Option<String>,
    actor: Actor,
) -> follow_up::ActiveModel {
    let now = Utc::now();
    follow_up::ActiveModel {
        tenant_id: Set(tenant),
        id: Set(Uuid::now_v7()),
        contact_id: Set(contact),
        call_id: Set(call),
        due_at: Set(due_at),
        remark: Set(remark),
        status: Set(FollowUpStatus::Pending),
        created_by_user_id: Set(actor.user()),
        created_by_key_id: Set(actor.key()),
        updated_by_user_id: Set(None),
        updated_by_key_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// Completes, cancels or reschedules follow-up `id` of the caller's tenant.
pub async fn update(
    db: &Db,
    access: &Access,
    id: Uuid,
    change: FollowUpChange,
) -> ApiResult<follow_up::Model> {
    let remark_change = change.remark.map(|r| remark(Some(r))).transpose()?;
    let (txn, _gate) = db.begin_tenant_write(access.tenant.uuid()).await?;
    let row = follow_up::Entity::find_by_id((access.tenant.uuid(), id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("follow-up"))?;
    if row.status != FollowUpStatus::Pending {
        return Err(ApiError::Conflict(
            "this follow-up is done or cancelled and can no longer change".into(),
        ));
    }
    let mut active = row.into_active_model();
    if let Some(status) = change.status {
        active.status = Set(status);
    }
    if let Some(due_at) = change.due_at {
        active.due_at = Set(due_at);
    }
    if let Some(remark) = remark_change {
        active.remark = Set(remark);
    }
    active.updated_by_user_id = Set(access.actor.user());
    active.updated_by_key_id = Set(access.actor.key());
    active.updated_at = Set(Utc::now());
    let row = active.update(&txn).await?;
    txn.commit().await?;
    Ok(row)
}
