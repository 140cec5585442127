//! `spawn_app()` and friends: a real server on port 0 over a fresh database
//! per test, SQLite (a temp file) or PostgreSQL (a throwaway database,
//! dropped afterwards, even when the test fails).
//!
//! PostgreSQL is found at `CALLBOARD_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When it cannot be reached
//! the PostgreSQL variant of each test is skipped with a note on stderr —
//! unless `CALLBOARD_TEST_REQUIRE_POSTGRES=1` (as `.ci/run` sets), which
//! makes it a failure.

use crate::contract::operation;
use api::Application;
use api::config::{DatabaseConfig, ServerConfig};
use api::db::Db;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{LazyLock, OnceLock};
use std::time::Duration;
use uuid::Uuid;

/// The operator secret every test server uses.
pub const OPERATOR: &str = "test-operator-secret-0123456789";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

fn postgres_admin_url() -> String {
    std::env::var("CALLBOARD_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn postgres_required() -> bool {
    std::env::var("CALLBOARD_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1" || v == "true")
}

/// Whether PostgreSQL answers, checked once per test binary.
async fn postgres_reachable() -> bool {
    static REACHABLE: OnceLock<bool> = OnceLock::new();
    if let Some(reachable) = REACHABLE.get() {
        return *reachable;
    }
    let reachable = tokio::time::timeout(
        Duration::from_secs(5),
        Database::connect(postgres_admin_url()),
    )
    .await
    .is_ok_and(|conn| conn.is_ok());
    *REACHABLE.get_or_init(|| reachable)
}

/// Sets up the database of one test and removes it when dropped.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteFile(PathBuf),
    PostgresDatabase(String),
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::PostgresDatabase(name) => {
                // Drop runs outside any async context we could await in, so
                // a short-lived thread with its own runtime drops the database.
                let name = name.clone();
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    rt.block_on(async {
                        if let Ok(admin) = Database::connect(postgres_admin_url()).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                                ))
                                .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// A fresh, empty database on `backend`; `None` when PostgreSQL is not
/// reachable and not required (the skip is reported on stderr).
pub async fn test_database(backend: Backend, test: &str) -> Option<TestDatabase> {
    match backend {
        Backend::Sqlite => {
            let path =
                std::env::temp_dir().join(format!("callboard-test-{}.db", Uuid::new_v4().simple()));
            Some(TestDatabase {
                url: format!("sqlite://{}?mode=rwc", path.display()),
                cleanup: Cleanup::SqliteFile(path),
            })
        }
        Backend::Postgres => {
            if !postgres_reachable().await {
                if postgres_required() {
                    panic!(
                        "PostgreSQL is required (CALLBOARD_TEST_REQUIRE_POSTGRES=1) but unreachable at {}",
                        postgres_admin_url()
                    );
                }
                // Written past the test harness's capture so that it shows.
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "SKIPPED {test} on PostgreSQL: unreachable at {} (set CALLBOARD_TEST_POSTGRES_URL)",
                    postgres_admin_url()
                );
                return None;
            }
            let name = format!("callboard_test_{}", Uuid::new_v4().simple());
            let admin = Database::connect(postgres_admin_url())
                .await
                .expect("connect to PostgreSQL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let base = postgres_admin_url();
            let url = match base.rfind('/') {
                Some(slash) if slash > "postgres://".len() => format!("{}/{name}", &base[..slash]),
                _ => format!("{base}/{name}"),
            };
            Some(TestDatabase {
                url,
                cleanup: Cleanup::PostgresDatabase(name),
            })
        }
    }
}

/// A running server and its database.
pub struct TestApp {
    pub address: String,
    pub db: Db,
    /// Which database the test runs on.
    pub backend: Backend,
    /// The database URL, for running the binary against the same data.
    pub database_url: String,
    pub client: reqwest::Client,
    _database: TestDatabase,
}

/// A new tenant as the operator created it.
pub struct TestTenant {
    /// Global id.
    pub id: String,
    /// Raw UUID, for direct database checks.
    pub uuid: Uuid,
    /// Its first API key (READ, INGEST, ADMIN).
    pub key: String,
}

/// Starts a server over a fresh, migrated database on `backend`.
pub async fn spawn_app(backend: Backend, test: &str) -> Option<TestApp> {
    init_tracing();
    let database = test_database(backend, test).await?;
    let config = DatabaseConfig {
        database_url: database.url.clone(),
        db_max_connections: None,
    };
    let db = Db::connect_and_migrate(&config)
        .await
        .expect("migrate test database");
    let address = start_server(&db, |_| {}).await;
    Some(TestApp {
        address,
        db,
        backend,
        database_url: database.url.clone(),
        client: reqwest::Client::new(),
        _database: database,
    })
}

/// Starts a server over `db` with the test configuration (the operator
/// secret set) and `configure` applied; returns its address.
async fn start_server(db: &Db, configure: impl FnOnce(&mut ServerConfig)) -> String {
    let mut server = ServerConfig::for_tests();
    server.admin_secret = Some(OPERATOR.parse().expect("valid secret"));
    configure(&mut server);
    let app = Application::build(server, db.clone())
        .await
        .expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    address
}

fn init_tracing() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| {
        if std::env::var("TEST_LOG").is_ok() {
            api::telemetry::init(api::config::LogFormat::Text);
        }
    });
}

impl TestApp {
    /// Starts a second server over the same database with `configure`
    /// applied to the test configuration; returns its address.
    pub async fn serve_with(&self, configure: impl FnOnce(&mut ServerConfig)) -> String {
        start_server(&self.db, configure).await
    }

    /// POSTs a GraphQL request with an optional bearer credential and returns
    /// the JSON body.
    pub async fn gql(&self, bearer: Option<&str>, query: &str, variables: Value) -> Value {
        let body = self.gql_text(bearer, query, variables).await;
        serde_json::from_str(&body).expect("JSON body")
    }

    /// `gql`'s body as the server wrote it (to see the order of its keys).
    pub async fn gql_text(&self, bearer: Option<&str>, query: &str, variables: Value) -> String {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({
                "query": query,
                "variables": variables,
            }));
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        let response = request.send().await.expect("request");
        response.text().await.expect("a body")
    }

    /// Creates a tenant (Asia/Kolkata, IN) through the contract's `CreateTenant`.
    pub async fn create_tenant(&self, name: &str) -> TestTenant {
        let body = self
            .gql(
                Some(OPERATOR),
                &CREATE_TENANT,
                json!({ "input": { "name": name, "timezone": "Asia/Kolkata" } }),
            )
            .await;
        let payload = &body["data"]["createTenant"];
        assert!(payload.is_object(), "createTenant failed: {body}");
        let id = payload["tenant"]["id"].as_str().expect("id").to_owned();
        let uuid = api::domain::GlobalId::decode(&id).expect("global id").id;
        TestTenant {
            id,
            uuid,
            key: payload["apiKeySecret"].as_str().expect("secret").to_owned(),
        }
    }
}

/// The `extensions.code` of the first error of a response.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
}

pub static CREATE_TENANT: LazyLock<String> = LazyLock::new(|| operation("CreateTenant"));

pub static CREATE_API_KEY: LazyLock<String> = LazyLock::new(|| operation("CreateApiKey"));

pub static REVOKE_API_KEY: LazyLock<String> = LazyLock::new(|| operation("RevokeApiKey"));

pub static TENANT: LazyLock<String> = LazyLock::new(|| operation("Tenant"));

pub static INGEST_CALL_EVENTS: LazyLock<String> = LazyLock::new(|| operation("IngestCallEvents"));

pub static INGEST_LEAD_ANALYSES: LazyLock<String> =
    LazyLock::new(|| operation("IngestLeadAnalyses"));

pub static INGEST_TRANSCRIPTS: LazyLock<String> = LazyLock::new(|| operation("IngestTranscripts"));

pub static UPSERT_AGENTS: LazyLock<String> = LazyLock::new(|| operation("UpsertAgents"));

/// Declares each test twice, as `<name>::sqlite` and `<name>::postgres`.
/// The body gets `app: TestApp`.
macro_rules! db_test {
    ($(#[$meta:meta])* async fn $name:ident($app:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body($app: $crate::helpers::TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite, module_path!()).await;
                body(app.expect("SQLite is always available")).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::helpers::spawn_app($crate::helpers::Backend::Postgres, module_path!()).await {
                    body(app).await;
                }
            }
        }
    };
}
