//! Database connections: SQLite (embedded default) or PostgreSQL, picked by
//! the URL, the write gate that makes SQLite's single writer explicit, and
//! a count of the SQL statements run (how tests prove a request's statement
//! count depends on its shape, not on its page sizes).

use crate::config::DatabaseConfig;
use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseConnection, DbBackend, TransactionTrait};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard};

/// The database handle shared by every request.
#[derive(Clone)]
pub struct Db {
    conn: DatabaseConnection,
    /// SQLite has one writer: write transactions queue here instead of
    /// failing with SQLITE_BUSY. PostgreSQL needs no gate.
    write_gate: Option<Arc<Mutex<()>>>,
    /// Statements run through `conn` since it was opened.
    statements: Arc<AtomicU64>,
}

impl Db {
    /// Connects, applying the backend's settings; does not migrate.
    pub async fn connect(config: &DatabaseConfig) -> anyhow::Result<Self> {
        let url = &config.database_url;
        let is_sqlite = url.starts_with("sqlite:");
        let mut options = ConnectOptions::new(url.clone());
        options
            .max_connections(
                config
                    .db_max_connections
                    .unwrap_or(if is_sqlite { 4 } else { 10 }),
            )
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false);
        if let Some(port) = postgres_tcp_port(url) {
            options.map_sqlx_postgres_pool_opts(move |pool| {
                pool.after_connect(move |_, _| {
                    Box::pin(async move {
                        nodelay::set_on_sockets_to(port);
                        Ok(())
                    })
                })
            });
        }
        if is_sqlite {
            options.map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(30))
            });
        }
        let mut conn = sea_orm::Database::connect(options)
            .await
            .with_context(|| format!("connecting to {}", redact_url(url)))?;
        let statements = Arc::new(AtomicU64::new(0));
        let counter = statements.clone();
        conn.set_metric_callback(move |info| {
            counter.fetch_add(1, Ordering::Relaxed);
            tracing::trace!(
                target: "callboard::sql",
                elapsed_us = info.elapsed.as_micros() as u64,
                failed = info.failed,
                sql = %info.statement.sql,
            );
        });
        let write_gate = is_sqlite.then(|| Arc::new(Mutex::new(())));
        Ok(Self {
            conn,
            write_gate,
            statements,
        })
    }

    /// Connects and applies pending migrations.
    pub async fn connect_and_migrate(config: &DatabaseConfig) -> anyhow::Result<Self> {
        let db = Self::connect(config).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let _gate = self.write_gate().await;
        Migrator::up(&self.conn, None)
            .await
            .context("running migrations")
    }

    /// The connection pool, for reads.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// How many SQL statements (queries and writes, not transaction control)
    /// this handle has run so far; compare two readings around a request.
    pub fn statements_run(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Connections of the pool: (open, idle, most allowed).
    pub fn pool_status(&self) -> (u32, usize, u32) {
        match self.backend() {
            DbBackend::Postgres => {
                let pool = self.conn.get_postgres_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
            _ => {
                let pool = self.conn.get_sqlite_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
        }
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Waits for the right to write (SQLite) or returns at once (PostgreSQL).
    /// Hold the guard for the whole write transaction.
    pub async fn write_gate(&self) -> Option<MutexGuard<'_, ()>> {
        match &self.write_gate {
            Some(gate) => Some(gate.lock().await),
            None => None,
        }
    }

    /// The right to write if it is free now: `None` when SQLite's writer is
    /// busy; on PostgreSQL always `Some(None)`.
    pub fn write_gate_if_free(&self) -> Option<Option<MutexGuard<'_, ()>>> {
        match &self.write_gate {
            Some(gate) => gate.try_lock().ok().map(Some),
            None => Some(None),
        }
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        self.conn.ping().await.is_ok()
    }

    /// Begins a write transaction (after the write gate on SQLite).
    pub async fn begin_write(
        &self,
    ) -> Result<(sea_orm::DatabaseTransaction, Option<MutexGuard<'_, ()>>), sea_orm::DbErr> {
        let gate = self.write_gate().await;
        let txn = self.conn.begin().await?;
        Ok((txn, gate))
    }

    /// Begins a write transaction of one tenant: `begin_write`, then
    /// `scope_to_tenant`, so on PostgreSQL row-level security holds the
    /// whole transaction to that tenant's rows. It also increments the
    /// tenant's `data_version`, which ends the life of every cached answer
    /// about the tenant when the transaction commits (and, holding the
    /// tenant row, orders the tenant's writers).
    pub async fn begin_tenant_write(
        &self,
        tenant: uuid::Uuid,
    ) -> Result<(sea_orm::DatabaseTransaction, Option<MutexGuard<'_, ()>>), sea_orm::DbErr> {
        let (txn, gate) = self.begin_write().await?;
        scope_to_tenant(&txn, tenant).await?;
        bump_data_version(&txn, tenant).await?;
        Ok((txn, gate))
    }
}

/// Increments `tenant`'s `data_version` in `txn`, which ends the life of
/// every cached answer about the tenant when `txn` commits. It holds the
/// tenant row until then.
pub async fn bump_data_version<C: ConnectionTrait>(
    txn: &C,
    tenant: uuid::Uuid,
) -> Result<(), sea_orm::DbErr> {
    use entity::tenant::Column;
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    let bump = Query::update()
        .table(entity::tenant::Entity)
        .value(Column::DataVersion, Expr::col(Column::DataVersion).add(1))
        .and_where(Expr::col(Column::Id).eq(tenant))
        .to_owned();
    txn.execute(&bump).await?;
    Ok(())
}

impl Db {
    /// Begins a read-only transaction of one tenant that sees one snapshot
    /// throughout (repeatable read), scoped to `tenant` as
    /// `scope_to_tenant` does. On PostgreSQL the settings and the scope go
    /// in one round trip after `BEGIN`.
    pub async fn begin_tenant_read(
        &self,
        tenant: uuid::Uuid,
    ) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
        let txn = self.conn.begin().await?;
        if self.backend() == DbBackend::Postgres {
            txn.execute_unprepared(&format!(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; {}",
                scope_sql(tenant)
            ))
            .await?;
        }
        Ok(txn)
    }
}

/// Most values one statement may bind, a little under the backend's limit
/// (SQLite 32,766, PostgreSQL 65,535).
pub fn bind_limit(backend: DbBackend) -> usize {
    match backend {
        DbBackend::Postgres => 65_000,
        _ => 32_000,
    }
}

/// Scopes transaction `txn` to `tenant` under PostgreSQL's row-level
/// security: the transaction drops to the role `callboard_tenant` and names
/// its tenant, so even a statement that forgot its tenant filter sees and
/// writes that tenant's rows only (migration
/// `m20261123_000004_enable_row_level_security`). Both settings end with the
/// transaction. On SQLite, which has no row-level security, it does nothing.
pub async fn scope_to_tenant<C: ConnectionTrait>(
    txn: &C,
    tenant: uuid::Uuid,
) -> Result<(), sea_orm::DbErr> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    txn.execute_unprepared(&scope_sql(tenant)).await?;
    Ok(())
}

/// The statement that scopes a transaction to `tenant`: `set_config(..,
/// true)` is `SET LOCAL`, and one statement does both. A `Uuid` prints as
/// hex digits and dashes only, so it needs no escaping.
fn scope_sql(tenant: uuid::Uuid) -> String {
    format!(
        "SELECT set_config('role', 'callboard_tenant', true), \
                set_config('callboard.tenant_id', '{tenant}', true)"
    )
}

/// The TCP port of a PostgreSQL URL that connects over TCP (not a socket).
fn postgres_tcp_port(url: &str) -> Option<u16> {
    use sea_orm::sqlx::postgres::PgConnectOptions;
    use std::str::FromStr;
    if !url.starts_with("postgres") {
        return None;
    }
    let options = PgConnectOptions::from_str(url).ok()?;
    // A host starting with `/` is a Unix socket directory.
    (!options.get_host().starts_with('/')).then(|| options.get_port())
}

/// `TCP_NODELAY` for PostgreSQL connections. The client library (sqlx 0.9)
/// leaves Nagle's algorithm on, so a message written in two segments waits
/// for the server's delayed ACK: 40 ms and more per statement on Linux.
/// Right after each connection opens, this finds the process's TCP sockets
/// connected to the database port and switches Nagle off on them (a no-op
/// for sockets that already have it off, harmless for any other socket).
mod nodelay {
    #[cfg(target_os = "linux")]
    pub fn set_on_sockets_to(port: u16) {
        use std::os::fd::BorrowedFd;
        let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
            return;
        };
        for entry in entries.flatten() {
            let Ok(fd) = entry.file_name().to_string_lossy().parse::<i32>() else {
                continue;
            };
            let is_socket = std::fs::read_link(entry.path())
                .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"));
            if !is_socket {
                continue;
            }
            // SAFETY: the descriptor was open when listed and is only used
            // for socket options while borrowed here; if it has been closed
            // since, the calls fail with EBADF and nothing happens.
            let fd = unsafe { BorrowedFd::borrow_raw(fd) };
            let socket = socket2::SockRef::from(&fd);
            let to_database = socket
                .peer_addr()
                .ok()
                .and_then(|peer| peer.as_socket())
                .is_some_and(|peer| peer.port() == port);
            if to_database && socket.tcp_nodelay().is_ok_and(|on| !on) {
                let _ = socket.set_tcp_nodelay(true);
            }
        }
    }

    #[cfg(not(target_os = "linux"))]
    pub fn set_on_sockets_to(_port: u16) {}
}

/// A database URL with any password replaced, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{postgres_tcp_port, redact_url};

    #[cfg(target_os = "linux")]
    #[test]
    fn nagle_is_switched_off_on_connections_to_the_database_port() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let to_database = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let other_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let other_port = other_listener.local_addr().unwrap().port();
        let elsewhere = std::net::TcpStream::connect(("127.0.0.1", other_port)).unwrap();
        assert!(!to_database.nodelay().unwrap());

        super::nodelay::set_on_sockets_to(port);

        assert!(to_database.nodelay().unwrap());
        assert!(!elsewhere.nodelay().unwrap(), "other ports are left alone");
    }

    #[test]
    fn only_postgres_over_tcp_has_a_port_to_fix() {
        assert_eq!(postgres_tcp_port("postgres://app@db:6543/cb"), Some(6543));
        assert_eq!(postgres_tcp_port("postgres://app@127.0.0.1/cb"), Some(5432));
        assert_eq!(
            postgres_tcp_port("postgres://app@%2Fvar%2Frun%2Fpostgresql/cb"),
            None
        );
        assert_eq!(postgres_tcp_port("sqlite://callboard.db?mode=rwc"), None);
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db:5432/cb"),
            "postgres://app:***@db:5432/cb"
        );
        assert_eq!(redact_url("postgres://app@db/cb"), "postgres://app@db/cb");
        assert_eq!(
            redact_url("sqlite://callboard.db?mode=rwc"),
            "sqlite://callboard.db?mode=rwc"
        );
    }
}
