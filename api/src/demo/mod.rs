//! `callboard demo`: an embedded SQLite file with a realistic demo tenant,
//! served with the guided playground. The data is written through the
//! ingest path, the same code the GraphQL mutations run.

mod data;

use crate::config::{DatabaseConfig, PlaygroundPreset, Secret, ServerConfig};
use crate::db::Db;
use crate::startup::Application;
use crate::tenant::{self, NewApiKey, NewTenant};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::enums::ApiKeyScope;
use rand::RngCore;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::path::Path;

/// The contract's operations, shipped as the example set.
const EXAMPLE_OPERATIONS: &str = include_str!("../../../docs/examples/operations.graphql");

/// The demo tenant's name; the demo finds its data again by it.
pub const DEMO_TENANT: &str = "Acme Lending (demo)";

/// The email of the demo's ADMIN user; each start gives it a new password.
pub const DEMO_ADMIN: &str = "admin@demo.callboard.dev";

pub use data::{DemoStats, seed};

/// Prepares (first run: seeds) the demo database and serves it.
pub async fn run(data: &Path, reset: bool, mut server: ServerConfig) -> anyhow::Result<()> {
    if reset {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", data.display()));
        }
    }
    let database = DatabaseConfig {
        database_url: format!("sqlite://{}?mode=rwc", data.display()),
        db_max_connections: None,
    };
    let db = Db::connect_and_migrate(&database).await?;
    let existing = entity::tenant::Entity::find()
        .filter(entity::tenant::Column::Name.eq(DEMO_TENANT))
        .one(db.conn())
        .await?;
    let tenant = match existing {
        Some(tenant) => {
            println!("Reusing the demo data in {}", data.display());
            tenant
        }
        None => {
            println!(
                "Creating the demo tenant in {} (about a minute, once)...",
                data.display()
            );
            let input = NewTenant {
                name: DEMO_TENANT.into(),
                timezone: "Asia/Kolkata".into(),
                default_country: Some("IN".into()),
                credits_per_minute: Some(2),
            };
            let (tenant, _) = tenant::create_tenant(db.conn(), input).await?;
            let stats = seed(&db, &tenant, chrono::Utc::now(), 5_200, 7).await?;
            println!(
                "Seeded {} calls, {} events, {} analyses, {} transcripts for {} agents in {} campaigns.",
                stats.calls,
                stats.events,
                stats.analyses,
                stats.transcripts,
                stats.agents,
                stats.campaigns
            );
            tenant
        }
    };
    // Only hashes are stored, so each start issues a fresh demo key and
    // revokes the previous ones.
    let tenant_id = tenant::operator_tenant_id(tenant.id);
    for key in tenant::list_api_keys(db.conn(), tenant_id).await? {
        if key.name == "demo" && key.revoked_at.is_none() {
            tenant::revoke_api_key(db.conn(), tenant_id, key.id).await?;
        }
    }
    let key = NewApiKey {
        name: "demo".into(),
        scopes: vec![ApiKeyScope::Read, ApiKeyScope::Ingest, ApiKeyScope::Admin],
        persisted_only: false,
    };
    let key = tenant::create_api_key(db.conn(), tenant_id, key).await?;
    // The contract's read operations, registered as trusted documents: the
    // example set for CRM integrations (see docs/persisted-queries.md).
    let reads: Vec<String> = crate::persisted::split::by_operation(EXAMPLE_OPERATIONS)
        .into_iter()
        .map(|(_, document)| document)
        .filter(|document| document.starts_with("query "))
        .collect();
    crate::persisted::Registry::default()
        .register(db.conn(), tenant_id, &reads)
        .await?;
    let admin_password = crate::user::reset_demo_admin(&db, tenant_id, DEMO_ADMIN).await?;
    let operator = match &server.admin_secret {
        Some(secret) => secret.clone(),
        None => {
            let mut bytes = [0u8; 24];
            rand::rng().fill_bytes(&mut bytes);
            let secret: Secret = format!("cbop_{}", URL_SAFE_NO_PAD.encode(bytes))
                .parse()
                .map_err(|e: String| anyhow::anyhow!(e))?;
            server.admin_secret = Some(secret.clone());
            secret
        }
    };
    server.playground = PlaygroundPreset::Guided;
    let app = Application::build(server.clone(), db).await?;
    let url = format!("http://{}:{}/graphql", server.bind.ip(), app.port());
    println!();
    println!("  callboard demo is running. Open the playground, with the demo key");
    println!("  in its Headers tab and example queries over the last 30 days:");
    println!();
    println!("    {url}#key={}", key.secret);
    println!();
    println!("  GraphQL endpoint: {url}");
    println!("  Demo API key:     {}", key.secret);
    println!("  Operator secret:  {}", operator.expose());
    println!("  Demo user:        {DEMO_ADMIN} / {admin_password} (ADMIN; sign in with `login`)");
    println!();
    println!("  From a shell:");
    println!(
        "    curl -s {url} -H 'Authorization: Bearer {}' -H 'Content-Type: application/json' -d '{{\"query\":\"{{ tenant {{ name timezone }} }}\"}}'",
        key.secret
    );
    println!();
    app.run_until_stopped().await
}
