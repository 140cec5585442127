//! A call's current transcript: the one with the latest `recorded_at`, its
//! segments in `start_ms` order (ties: input order). Read for many calls at
//! once in one statement.

use crate::domain::TenantId;
use entity::{transcript, transcript_segment};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Order, Query};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, IdenStatic, Iterable};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use uuid::Uuid;

/// A transcript with its segments in reading order.
pub type Current = (transcript::Model, Vec<transcript_segment::Model>);

/// The current transcript of call `call` of `tenant`, with its segments.
pub async fn current<C: ConnectionTrait>(
    db: &C,
    tenant: Uuid,
    call: Uuid,
) -> Result<Option<Current>, DbErr> {
    Ok(current_of(db, tenant, &[call]).await?.remove(&call))
}

/// The current transcripts of these calls of `tenant`, by call id; calls
/// without one are absent.
pub async fn current_by_calls<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    calls: &[Uuid],
) -> Result<HashMap<Uuid, Current>, DbErr> {
    current_of(db, tenant.uuid(), calls).await
}

const T: &str = "t_";
const S: &str = "s_";

async fn current_of<C: ConnectionTrait>(
    db: &C,
    tenant: Uuid,
    calls: &[Uuid],
) -> Result<HashMap<Uuid, Current>, DbErr> {
    let backend = db.get_database_backend();
    let newer = Alias::new("newer");
    let superseded = Query::select()
        .expr(Expr::cust("1"))
        .from_as(transcript::Entity, newer.clone())
        .cond_where(super::same_tenant(
            newer.clone(),
            transcript::Column::CallId,
            transcript::Entity,
            transcript::Column::CallId,
        ))
        .and_where(
            Expr::col((newer, transcript::Column::RecordedAt)).gt(Expr::col((
                transcript::Entity,
                transcript::Column::RecordedAt,
            ))),
        )
        .to_owned();
    let mut select = Query::select();
    for column in transcript::Column::iter() {
        select.expr_as(
            Expr::col((transcript::Entity, column)),
            Alias::new(format!("{T}{}", column.as_str())),
        );
    }
    for column in transcript_segment::Column::iter() {
        select.expr_as(
            Expr::col((transcript_segment::Entity, column)),
            Alias::new(format!("{S}{}", column.as_str())),
        );
    }
    let statement = select
        .from(transcript::Entity)
        .join(
            JoinType::LeftJoin,
            transcript_segment::Entity,
            super::same_tenant(
                transcript_segment::Entity,
                transcript_segment::Column::TranscriptId,
                transcript::Entity,
                transcript::Column::Id,
            ),
        )
        .and_where(Expr::col((transcript::Entity, transcript::Column::TenantId)).eq(tenant))
        .and_where(super::uuid_in(
            Expr::col((transcript::Entity, transcript::Column::CallId)),
            calls.iter().copied(),
            backend,
        ))
        .and_where(Expr::exists(superseded).not())
        .order_by(
            (
                transcript_segment::Entity,
                transcript_segment::Column::StartMs,
            ),
            Order::Asc,
        )
        .order_by(
            (
                transcript_segment::Entity,
                transcript_segment::Column::Position,
            ),
            Order::Asc,
        )
        .to_owned();
    let mut current: HashMap<Uuid, Current> = HashMap::new();
    for row in db.query_all(&statement).await? {
        // Each segment's row repeats its transcript: read that once.
        let call: Uuid = row.try_get(T, transcript::Column::CallId.as_str())?;
        let entry = match current.entry(call) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                entry.insert((transcript::Model::from_query_result(&row, T)?, Vec::new()))
            }
        };
        entry
            .1
            .extend(transcript_segment::Model::from_query_result_optional(
                &row, S,
            )?);
    }
    Ok(current)
}
