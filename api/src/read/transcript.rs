//! A call's current transcript: the one with the latest `recorded_at`, its
//! segments in `start_ms` order (ties: input order).

use entity::{transcript, transcript_segment};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// The current transcript of call `call` of `tenant`, with its segments.
pub async fn current<C: ConnectionTrait>(
    db: &C,
    tenant: Uuid,
    call: Uuid,
) -> Result<Option<(transcript::Model, Vec<transcript_segment::Model>)>, DbErr> {
    let Some(latest) = transcript::Entity::find()
        .filter(transcript::Column::TenantId.eq(tenant))
        .filter(transcript::Column::CallId.eq(call))
        .order_by_desc(transcript::Column::RecordedAt)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let segments = transcript_segment::Entity::find()
        .filter(transcript_segment::Column::TenantId.eq(tenant))
        .filter(transcript_segment::Column::TranscriptId.eq(latest.id))
        .order_by_asc(transcript_segment::Column::StartMs)
        .order_by_asc(transcript_segment::Column::Position)
        .all(db)
        .await?;
    Ok(Some((latest, segments)))
}
