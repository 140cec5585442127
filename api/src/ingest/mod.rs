//! The write path: ingest messages -> validated rows -> call projection, in
//! one transaction per batch (INGEST.md).
//!
//! Each batch runs under the tenant's write lock (a transaction-scoped
//! advisory lock on PostgreSQL, the process's write gate on SQLite), so two
//! batches touching the same call never interleave and neither's effect is
//! lost. Identity checks (duplicates) happen under that lock too.

pub mod agents;
pub mod analyses;
pub(crate) mod bulk;
mod calls;
mod contacts;
pub mod events;
pub mod input;
pub mod projection;
pub mod transcripts;
pub mod validate;

use crate::error::{ApiError, ApiResult};
use async_graphql::SimpleObject;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement};
use uuid::Uuid;

/// Most items in one ingest batch; a larger batch is refused whole.
pub const MAX_BATCH: usize = 1_000;

/// Why one item of a batch was rejected.
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
pub struct Rejection {
    /// 0-based position of the item in the batch.
    pub index: i32,
    /// Stable code, e.g. BAD_USER_INPUT.
    pub code: String,
    /// What was wrong, naming the field.
    pub message: String,
}

/// What became of each item of a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq, SimpleObject)]
pub struct IngestResult {
    /// Items stored.
    pub accepted: i32,
    /// Items whose id was already accepted; they changed nothing.
    pub duplicates: i32,
    /// Items refused, with their index and reason.
    pub rejected: Vec<Rejection>,
}

impl IngestResult {
    pub(crate) fn reject(&mut self, index: usize, error: ApiError) {
        self.rejected.push(Rejection {
            index: index as i32,
            code: error.code().to_owned(),
            message: error.message(),
        });
    }

    /// Adds another batch's counts (the import command sums its batches).
    pub fn absorb(&mut self, other: IngestResult, index_offset: usize) {
        self.accepted += other.accepted;
        self.duplicates += other.duplicates;
        self.rejected
            .extend(other.rejected.into_iter().map(|mut r| {
                r.index += index_offset as i32;
                r
            }));
    }
}

/// Refuses a batch larger than `MAX_BATCH`.
pub(crate) fn check_batch_size(field: &str, len: usize) -> ApiResult<()> {
    if len > MAX_BATCH {
        return Err(ApiError::invalid(
            field,
            format!("{len} items; a batch holds at most {MAX_BATCH}"),
        ));
    }
    Ok(())
}

/// Most values one `IN (...)` list binds on this connection's backend.
pub(crate) fn in_list_limit(db: &impl ConnectionTrait) -> usize {
    crate::db::bind_limit(db.get_database_backend()) / 4
}

/// Most rows of `columns` values one multi-row statement binds on this
/// connection's backend.
pub(crate) fn rows_per_statement(db: &impl ConnectionTrait, columns: usize) -> usize {
    crate::db::bind_limit(db.get_database_backend()) / columns
}

/// Serialises writers of one tenant on PostgreSQL for the rest of `txn`.
/// (SQLite writers are already serialised by the write gate.)
pub async fn lock_tenant(txn: &DatabaseTransaction, tenant: Uuid) -> ApiResult<()> {
    if txn.get_database_backend() == DbBackend::Postgres {
        let key = i64::from_be_bytes(tenant.as_bytes()[..8].try_into().expect("8 bytes"));
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [key.into()],
        ))
        .await?;
    }
    Ok(())
}
