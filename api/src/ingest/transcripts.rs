//! `ingestTranscripts`: a transcript is identified by its call and
//! `recordedAt`; the latest `recordedAt` is the call's current transcript.

use super::input::TranscriptInput;
use super::validate::{self as check, MAX_SEGMENTS, micros};
use super::{IngestResult, Writers, begin, calls, check_batch_size, commit};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use entity::{tenant, transcript, transcript_segment};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{BTreeSet, HashSet};
use uuid::Uuid;

fn validate(t: &TranscriptInput, now: DateTime<Utc>) -> ApiResult<()> {
    check::id("provider", &t.provider)?;
    check::id("providerCallId", &t.provider_call_id)?;
    check::not_future("recordedAt", t.recorded_at, now)?;
    check::short("language", t.language.as_deref())?;
    if t.segments.len() > MAX_SEGMENTS {
        return Err(ApiError::invalid(
            "segments",
            format!(
                "{} segments; at most {MAX_SEGMENTS} are allowed",
                t.segments.len()
            ),
        ));
    }
    for (i, s) in t.segments.iter().enumerate() {
        check::text(&format!("segments[{i}].text"), Some(&s.text))?;
        if s.start_ms < 0 || s.start_ms >= s.end_ms {
            return Err(ApiError::invalid(
                format!("segments[{i}]"),
                "needs 0 <= startMs < endMs",
            ));
        }
    }
    Ok(())
}

/// Ingests a batch of transcripts for `tenant`.
pub async fn ingest(
    db: &Db,
    tenant: &tenant::Model,
    items: Vec<TranscriptInput>,
) -> ApiResult<IngestResult> {
    check_batch_size("transcripts", items.len())?;
    let now = Utc::now();
    let (txn, _gate) = begin(db, tenant.id, Writers::Exclusive).await?;

    // Identity is (call, recordedAt): look up the calls that exist already,
    // and the recording times they have.
    let keys: BTreeSet<calls::CallKey> = items
        .iter()
        .map(|t| (t.provider.clone(), t.provider_call_id.clone()))
        .collect();
    let existing_calls = calls::find(&txn, tenant.id, &keys).await?;
    let call_ids: Vec<Uuid> = existing_calls.values().copied().collect();
    let mut taken: HashSet<(Uuid, DateTime<Utc>)> = HashSet::new();
    for chunk in call_ids.chunks(500) {
        let rows: Vec<(Uuid, DateTime<Utc>)> = transcript::Entity::find()
            .select_only()
            .column(transcript::Column::CallId)
            .column(transcript::Column::RecordedAt)
            .filter(transcript::Column::TenantId.eq(tenant.id))
            .filter(transcript::Column::CallId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(&txn)
            .await?;
        taken.extend(rows);
    }
    // Items of calls that do not exist yet are told apart by key, not id.
    let mut taken_new: HashSet<(calls::CallKey, DateTime<Utc>)> = HashSet::new();

    let mut result = IngestResult::default();
    let mut accepted = Vec::new();
    for (index, input) in items.into_iter().enumerate() {
        let key = (input.provider.clone(), input.provider_call_id.clone());
        let at = micros(input.recorded_at);
        let duplicate = match existing_calls.get(&key) {
            Some(call_id) => taken.contains(&(*call_id, at)),
            None => taken_new.contains(&(key.clone(), at)),
        };
        if duplicate {
            result.duplicates += 1;
            continue;
        }
        match validate(&input, now) {
            Ok(()) => {
                match existing_calls.get(&key) {
                    Some(call_id) => taken.insert((*call_id, at)),
                    None => taken_new.insert((key, at)),
                };
                accepted.push(input);
            }
            Err(error) => result.reject(index, error),
        }
    }
    result.accepted = accepted.len() as i32;
    if !accepted.is_empty() {
        let keys: BTreeSet<calls::CallKey> = accepted
            .iter()
            .map(|t| (t.provider.clone(), t.provider_call_id.clone()))
            .collect();
        let call_ids = calls::ensure(&txn, tenant.id, &keys).await?;
        let mut transcripts = Vec::with_capacity(accepted.len());
        let mut segments = Vec::new();
        for t in accepted {
            let id = Uuid::now_v7();
            transcripts.push(transcript::ActiveModel {
                tenant_id: Set(tenant.id),
                id: Set(id),
                call_id: Set(call_ids[&(t.provider, t.provider_call_id)]),
                recorded_at: Set(micros(t.recorded_at)),
                language: Set(t.language),
                created_at: Set(now),
            });
            segments.extend(t.segments.into_iter().enumerate().map(|(position, s)| {
                transcript_segment::ActiveModel {
                    tenant_id: Set(tenant.id),
                    transcript_id: Set(id),
                    position: Set(position as i32),
                    speaker: Set(s.speaker),
                    text: Set(s.text),
                    start_ms: Set(s.start_ms),
                    end_ms: Set(s.end_ms),
                }
            }));
        }
        for chunk in transcripts.chunks(200) {
            transcript::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        for chunk in segments.chunks(500) {
            transcript_segment::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
    }
    commit(txn, tenant.id, Writers::Exclusive).await?;
    Ok(result)
}
