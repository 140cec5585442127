//! Notes people add to calls, with their author (a user or an API key).
//! An AGENT user adds notes to their own agent's calls only; any other
//! call is NOT_FOUND to them, exactly like another tenant's.

use crate::auth::Access;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::ingest::validate::check_len;
use chrono::Utc;
use entity::{call, call_note};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use uuid::Uuid;

/// Adds a note to call `call_id` of the caller's tenant.
pub async fn add(
    db: &Db,
    access: &Access,
    call_id: Uuid,
    body: String,
) -> ApiResult<call_note::Model> {
    let body = body.trim().to_owned();
    check_len("body", &body, 1, 10_000)?;
    let call = call::Entity::find_by_id((access.tenant.uuid(), call_id))
        .one(db.conn())
        .await?
        .filter(|call| access.sees_call_of(call.agent_id))
        .ok_or(ApiError::NotFound("call"))?;
    let (txn, _gate) = db.begin_tenant_write(access.tenant.uuid()).await?;
    let note = call_note::ActiveModel {
        tenant_id: Set(access.tenant.uuid()),
        id: Set(Uuid::now_v7()),
        call_id: Set(call.id),
        author_user_id: Set(access.actor.user()),
        author_key_id: Set(access.actor.key()),
        body: Set(body),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(note)
}
