//! The write path: ingest messages -> validated rows -> call projection, in
//! one transaction per batch (INGEST.md).
//!
//! Each batch runs under the tenant's write lock (a transaction-scoped
//! advisory lock on PostgreSQL, the process's write gate on SQLite), so two
//! batches touching the same call never interleave and neither's effect is
//! lost. Identity checks (duplicates) happen under that lock too.
//!
//! On PostgreSQL, `callboard import` writes a tenant's events in two
//! streams of batches, split by call, that hold the lock in shared mode
//! (`Writers::Shared`). Their calls do not meet, and what their calls
//! share is locked in one global order, so neither waits on the other for
//! long and they do not deadlock:
//! 1. the calls, agents, campaigns and contact phones a batch names, each
//!    an advisory lock of its own (`lock_keys`), sorted: so two shared
//!    writers whose calls do meet (two imports at once) wait for each
//!    other's batch rather than lose its effect;
//! 2. the rows of the contacts it touches, sorted by id;
//! 3. the rollup rows it adds to, sorted by key (`kpi::upkeep`);
//! 4. the tenant row, whose `data_version` a shared writer increments last.
//!
//! An exclusive writer takes the tenant lock before anything else, so it
//! waits for the streams' open batches and they wait for it. Creating a
//! follow-up is a shared writer too (`follow_up::create`): it refers to its
//! contact, which step 2 does not lock against, and takes the tenant row
//! last. A batch that removes a contact no call names locks it `FOR
//! UPDATE` first, so a follow-up created for it meanwhile is either seen
//! by the removal (and keeps it) or waits and finds the contact gone.

pub mod agents;
pub mod analyses;
pub(crate) mod bulk;
mod calls;
pub mod contacts;
pub mod events;
pub mod input;
pub mod projection;
pub mod transcripts;
pub mod validate;

use crate::db::{Db, bump_data_version, scope_to_tenant};
use crate::error::{ApiError, ApiResult};
use crate::pg_array::{literal, param};
use async_graphql::SimpleObject;
use sea_orm::sea_query::Value;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, Statement};
use sha2::{Digest, Sha256};
use tokio::sync::MutexGuard;
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

/// How a write transaction of the ingest path holds its tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writers {
    /// Alone: every other writer of the tenant waits (mutations, and the
    /// analyses and transcripts of an import).
    Exclusive,
    /// Beside the other stream of the same import, whose calls are never
    /// this one's (the module's documentation gives the rules).
    Shared,
}

/// Begins a write transaction of the ingest path for `tenant`: scoped to
/// the tenant, holding its write lock as `writers` says, and, when
/// exclusive, its `data_version` (a shared writer increments it in
/// `commit`, after everything else it locks).
pub async fn begin(
    db: &Db,
    tenant: Uuid,
    writers: Writers,
) -> ApiResult<(DatabaseTransaction, Option<MutexGuard<'_, ()>>)> {
    let (txn, gate) = db.begin_write().await?;
    scope_to_tenant(&txn, tenant).await?;
    lock(&txn, tenant, writers).await?;
    if writers == Writers::Exclusive {
        bump_data_version(&txn, tenant).await?;
    }
    Ok((txn, gate))
}

/// Commits a transaction `begin` began.
pub async fn commit(txn: DatabaseTransaction, tenant: Uuid, writers: Writers) -> ApiResult<()> {
    if writers == Writers::Shared {
        bump_data_version(&txn, tenant).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Serialises writers of one tenant on PostgreSQL for the rest of `txn`.
/// (SQLite writers are already serialised by the write gate.)
pub async fn lock_tenant(txn: &DatabaseTransaction, tenant: Uuid) -> ApiResult<()> {
    lock(txn, tenant, Writers::Exclusive).await
}

async fn lock(txn: &DatabaseTransaction, tenant: Uuid, writers: Writers) -> ApiResult<()> {
    if txn.get_database_backend() == DbBackend::Postgres {
        let key = i64::from_be_bytes(tenant.as_bytes()[..8].try_into().expect("8 bytes"));
        let sql = match writers {
            Writers::Exclusive => "SELECT pg_advisory_xact_lock($1)",
            Writers::Shared => "SELECT pg_advisory_xact_lock_shared($1)",
        };
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [key.into()],
        ))
        .await?;
    }
    Ok(())
}

/// What a key lock names.
#[derive(Debug, Clone, Copy)]
pub enum KeyKind {
    Call = 1,
    Agent = 2,
    Campaign = 3,
    Phone = 4,
}

/// The advisory lock (two 32-bit keys, a space apart from the tenant
/// locks') that stands for `key` of `kind`; two keys that share a hash
/// only wait for each other.
pub fn key_lock(kind: KeyKind, key: &str) -> (i32, i32) {
    let digest = Sha256::digest(key.as_bytes());
    (
        kind as i32,
        i32::from_be_bytes(digest[..4].try_into().expect("4 bytes")),
    )
}

/// Locks, for the rest of a shared writer's `txn`, each of `keys` of one
/// kind, in sorted order: what two streams may both create or change
/// (`Writers`).
pub(crate) async fn lock_keys<'a>(
    txn: &DatabaseTransaction,
    writers: Writers,
    kind: KeyKind,
    keys: impl IntoIterator<Item = &'a str>,
) -> ApiResult<()> {
    if writers == Writers::Exclusive || txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let mut hashes: Vec<i32> = keys.into_iter().map(|key| key_lock(kind, key).1).collect();
    if hashes.is_empty() {
        return Ok(());
    }
    hashes.sort_unstable();
    hashes.dedup();
    let (hashes, _) = literal(hashes.into_iter().map(|h| Value::Int(Some(h))))?;
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        format!(
            "SELECT count(pg_advisory_xact_lock($1, k)) \
             FROM (SELECT k FROM unnest({}) AS u(k) ORDER BY k) AS s",
            param(2, "int4")
        ),
        [(kind as i32).into(), hashes.into()],
    ))
    .await?;
    Ok(())
}

/// Whether `error` is one a shared writer's batch may meet through the
/// other stream and that running the batch again resolves: a deadlock or
/// serialisation failure, or an id the other stream stored first (an event
/// id that two calls share, say).
pub fn is_retryable(error: &ApiError) -> bool {
    let (ApiError::Db(DbErr::Exec(sea_orm::RuntimeErr::SqlxError(e)))
    | ApiError::Db(DbErr::Query(sea_orm::RuntimeErr::SqlxError(e)))) = error
    else {
        return false;
    };
    let sea_orm::SqlxError::Database(e) = e.as_ref() else {
        return false;
    };
    matches!(e.code().as_deref(), Some("40P01" | "40001" | "23505"))
}
