//! The `callboard` command line: `serve`, `demo`, `migrate`, `schema`,
//! `tenants create`, `import`.

use crate::config::{DatabaseConfig, LogFormat, ServerConfig};
use crate::db::{Db, redact_url};
use crate::startup::Application;
use crate::{demo, import, kpi, telemetry, tenant};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use uuid::Uuid;

/// callboard: multi-tenant GraphQL analytics for AI voice-calling platforms.
#[derive(Debug, Parser)]
#[command(name = "callboard", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the production server (migrates the database first).
    Serve {
        #[command(flatten)]
        database: DatabaseConfig,
        #[command(flatten)]
        server: ServerConfig,
    },
    /// Run a server on an embedded SQLite file with a realistic demo tenant,
    /// and print the playground's URL, which opens with a demo API key.
    Demo {
        /// The demo's SQLite file (created and seeded on first run, reused after).
        #[arg(long, default_value = "callboard-demo.db")]
        data: PathBuf,
        /// Delete the demo file first and seed afresh.
        #[arg(long)]
        reset: bool,
        #[command(flatten)]
        server: ServerConfig,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// Print the GraphQL schema (SDL); `callboard schema > schema.graphql`.
    Schema,
    /// Manage tenants (the operator's tasks, from the shell).
    Tenants {
        #[command(subcommand)]
        command: TenantsCommand,
    },
    /// Generate benchmark data (tenants, calls, analyses, rollups) in bulk.
    BenchData {
        #[command(flatten)]
        args: crate::bench_data::BenchDataArgs,
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// Manage a tenant's trusted (persisted) documents.
    Persisted {
        #[command(subcommand)]
        command: PersistedCommand,
    },
    /// Recompute or check the KPI rollups.
    Rollups {
        #[command(subcommand)]
        command: RollupsCommand,
    },
    /// Import an NDJSON file of events, analyses and transcripts into a tenant.
    Import {
        /// The tenant's id (as printed by `tenants create`).
        #[arg(long)]
        tenant: Uuid,
        /// One JSON message a line: {"kind":"event"|"analysis"|"transcript", ...}.
        file: PathBuf,
        /// Events per transaction (at most 20,000); analyses and transcripts
        /// go at most 1,000 per transaction.
        #[arg(long, default_value_t = 5_000)]
        batch: usize,
        /// Batches of events written at once on PostgreSQL, each by its own
        /// connection and for its own share of the calls (1 to 8; SQLite
        /// writes one at a time).
        #[arg(long, default_value_t = import::STREAMS)]
        streams: usize,
        #[command(flatten)]
        database: DatabaseConfig,
    },
}

#[derive(Debug, Subcommand)]
enum PersistedCommand {
    /// Register each FILE as one trusted document of the tenant; with
    /// `--split`, register each named operation of each file (with the
    /// fragments it uses) as its own document.
    Add {
        #[arg(long)]
        tenant: Uuid,
        #[arg(long)]
        split: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        database: DatabaseConfig,
    },
}

#[derive(Debug, Subcommand)]
enum RollupsCommand {
    /// Recompute rollups from calls and analyses (all tenants, or one).
    Rebuild {
        #[arg(long)]
        tenant: Option<Uuid>,
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// Compare rollups with a recomputation; exit status 1 on any difference.
    Verify {
        #[arg(long)]
        tenant: Option<Uuid>,
        #[command(flatten)]
        database: DatabaseConfig,
    },
}

#[derive(Debug, Subcommand)]
enum TenantsCommand {
    /// Create a tenant and print its id and first API key.
    Create {
        #[arg(long)]
        name: String,
        /// IANA time zone, e.g. Asia/Kolkata.
        #[arg(long)]
        timezone: String,
        /// ISO 3166-1 alpha-2 country for national phone numbers.
        #[arg(long, default_value = "IN")]
        default_country: String,
        /// Credits charged per billed minute.
        #[arg(long, default_value_t = 1)]
        credits_per_minute: i32,
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// List tenants.
    List {
        #[command(flatten)]
        database: DatabaseConfig,
    },
}

/// Parses the command line and runs the command.
pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { database, server } => {
            telemetry::init(server.log_format);
            let db = Db::connect_and_migrate(&database).await?;
            let app = Application::build(server.clone(), db).await?;
            tracing::info!(
                database = %redact_url(&database.database_url),
                "callboard listening on http://{}:{}/graphql",
                server.bind.ip(),
                app.port()
            );
            app.run_until_stopped().await
        }
        Command::Demo {
            data,
            reset,
            server,
        } => {
            telemetry::init(server.log_format);
            demo::run(&data, reset, server).await
        }
        Command::Migrate { database } => {
            telemetry::init(LogFormat::Text);
            Db::connect_and_migrate(&database).await?;
            println!(
                "migrations applied to {}",
                redact_url(&database.database_url)
            );
            Ok(())
        }
        Command::Schema => {
            print!("{}", crate::graphql::schema::sdl());
            Ok(())
        }
        Command::Tenants {
            command:
                TenantsCommand::Create {
                    name,
                    timezone,
                    default_country,
                    credits_per_minute,
                    database,
                },
        } => {
            telemetry::init(LogFormat::Text);
            let db = Db::connect_and_migrate(&database).await?;
            let input = tenant::NewTenant {
                name,
                timezone,
                default_country: Some(default_country),
                credits_per_minute: Some(credits_per_minute),
            };
            let (tenant, key) = tenant::create_tenant(db.conn(), input).await?;
            println!("tenant id:   {}", tenant.id);
            println!("api key:     {}", key.secret);
            println!("(the key has scopes READ, INGEST, ADMIN and is shown only now)");
            Ok(())
        }
        Command::Tenants {
            command: TenantsCommand::List { database },
        } => {
            telemetry::init(LogFormat::Text);
            let db = Db::connect_and_migrate(&database).await?;
            for t in tenant::list_tenants(db.conn()).await? {
                println!(
                    "{}  {}  {}  {}",
                    t.id,
                    t.timezone,
                    if t.active { "active" } else { "suspended" },
                    t.name
                );
            }
            Ok(())
        }
        Command::BenchData { args, database } => {
            telemetry::init(LogFormat::Text);
            let db = Db::connect_and_migrate(&database).await?;
            let started = std::time::Instant::now();
            let keys = crate::bench_data::generate(&db, &args).await?;
            println!(
                "generated {} calls for {} tenants in {:.1?}",
                args.calls,
                keys.len(),
                started.elapsed()
            );
            for (tenant, key) in keys {
                println!("{tenant} {key}");
            }
            Ok(())
        }
        Command::Persisted {
            command:
                PersistedCommand::Add {
                    tenant,
                    split,
                    files,
                    database,
                },
        } => {
            telemetry::init(LogFormat::Text);
            let db = Db::connect_and_migrate(&database).await?;
            let mut documents = Vec::new();
            for file in files {
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| anyhow::anyhow!("reading {}: {e}", file.display()))?;
                if split {
                    documents.extend(
                        crate::persisted::split::by_operation(&text)
                            .into_iter()
                            .map(|(_, d)| d),
                    );
                } else {
                    documents.push(text);
                }
            }
            let registry = crate::persisted::Registry::default();
            for (id, names) in registry
                .register(db.conn(), tenant::operator_tenant_id(tenant), &documents)
                .await?
            {
                println!("{id}  {}", names.join(", "));
            }
            Ok(())
        }
        Command::Rollups {
            command: RollupsCommand::Rebuild { tenant, database },
        } => {
            telemetry::init(LogFormat::Text);
            let db = Db::connect_and_migrate(&database).await?;
            for tenant in tenants_of(&db, tenant).await? {
                let calls = kpi::rebuild::rebuild(&db, tenant).await?;
                println!("{tenant}: rollups rebuilt from {calls} calls");
            }
            Ok(())
        }
        Command::Rollups {
            command: RollupsCommand::Verify { tenant, database },
        } => {
            telemetry::init(LogFormat::Text);
            let db = Db::connect_and_migrate(&database).await?;
            let mut differences = 0;
            for tenant in tenants_of(&db, tenant).await? {
                let found = kpi::rebuild::verify(&db, tenant).await?;
                for line in found.iter().take(20) {
                    println!("{tenant}: {line}");
                }
                println!("{tenant}: {} difference(s)", found.len());
                differences += found.len();
            }
            if differences > 0 {
                anyhow::bail!(
                    "{differences} rollup row(s) differ from a recomputation; run `callboard rollups rebuild`"
                );
            }
            Ok(())
        }
        Command::Import {
            tenant,
            file,
            batch,
            streams,
            database,
        } => {
            telemetry::init(LogFormat::Text);
            let db = Db::connect_and_migrate(&database).await?;
            import::run(&db, tenant, &file, batch, streams).await
        }
    }
}

/// The tenant given, or every tenant.
async fn tenants_of(db: &Db, tenant: Option<Uuid>) -> anyhow::Result<Vec<Uuid>> {
    Ok(match tenant {
        Some(id) => vec![id],
        None => tenant::list_tenants(db.conn())
            .await?
            .into_iter()
            .map(|t| t.id)
            .collect(),
    })
}
