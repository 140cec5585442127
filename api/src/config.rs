//! Typed configuration: command-line flags with environment fallbacks.
//! Every limit lives here with its default, unit and error code.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

/// A secret that never prints: `Debug` and `Display` show `[redacted]`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// The secret itself; call only where it is compared or used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl FromStr for Secret {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() < 16 {
            return Err("the operator secret must be at least 16 characters".into());
        }
        Ok(Self(s.to_owned()))
    }
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// What the playground opens with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PlaygroundPreset {
    /// An empty editor; the user brings the credential. What `serve` uses.
    #[default]
    Blank,
    /// The contract's read operations as example tabs over the last 30 days,
    /// and the API key from the URL fragment (`#key=...`) in the Headers
    /// tab. Only `callboard demo` sets it; the key itself never travels
    /// in the page.
    Guided,
}

/// Settings of the HTTP server (`serve` and `demo`).
#[derive(Debug, Clone, clap::Args)]
pub struct ServerConfig {
    /// Address to listen on.
    #[arg(long, env = "CALLBOARD_BIND", default_value = "127.0.0.1:8000")]
    pub bind: SocketAddr,
    /// Operator secret for tenant administration (at least 16 characters).
    /// While it is unset no credential is the operator's, so operator
    /// operations answer UNAUTHENTICATED (or FORBIDDEN to a tenant key).
    #[arg(long, env = "CALLBOARD_ADMIN_SECRET", hide_env_values = true)]
    pub admin_secret: Option<Secret>,
    /// Origins allowed by CORS, comma-separated (e.g. `https://app.example.com`).
    /// Empty: no cross-origin browser access.
    #[arg(long, env = "CALLBOARD_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Largest accepted request body, in bytes (default 2 MiB; HTTP 413 beyond).
    #[arg(long, env = "CALLBOARD_MAX_BODY_BYTES", default_value_t = 2 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Deepest accepted query nesting (default 16, enough for the standard
    /// introspection query GraphQL tools send; a validation error beyond).
    #[arg(long, env = "CALLBOARD_MAX_DEPTH", default_value_t = 16)]
    pub max_depth: usize,
    /// Highest accepted query complexity, counted by async-graphql
    /// (default 5000; a validation error beyond).
    #[arg(long, env = "CALLBOARD_MAX_COMPLEXITY", default_value_t = 5000)]
    pub max_complexity: usize,
    /// Most aliased fields one request may hold (default 30;
    /// MAX_ALIASES_LIMIT beyond). Aliases multiply the work of one request
    /// without making it deeper or, per field, more complex.
    #[arg(long, env = "CALLBOARD_MAX_ALIASES", default_value_t = 30)]
    pub max_aliases: usize,
    /// Whether clients may introspect the schema (`__schema`, `__type`).
    /// Default true: GraphiQL and code generators need it. With false an
    /// introspection request is refused with INTROSPECTION_DISABLED.
    #[arg(long, env = "CALLBOARD_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub introspection: bool,
    /// Requests per second one credential may send, on average (default
    /// 50; 0 turns rate limiting off). Beyond it: HTTP 429 with
    /// `Retry-After` and RATE_LIMITED. Requests without a valid credential
    /// are counted per client address. Each replica counts its own.
    #[arg(long, env = "CALLBOARD_RATE_LIMIT_PER_SECOND", default_value_t = 50)]
    pub rate_limit_per_second: u32,
    /// Requests one credential may send at once above the average rate
    /// (default 100).
    #[arg(long, env = "CALLBOARD_RATE_LIMIT_BURST", default_value_t = 100)]
    pub rate_limit_burst: u32,
    /// Most items one page of a list may hold, in items (default 500;
    /// BAD_USER_INPUT beyond). A list's page holds 50 when none is asked.
    #[arg(long, env = "CALLBOARD_MAX_PAGE_SIZE", default_value_t = 500)]
    pub max_page_size: u64,
    /// Memory for cached answers, in MiB (default 64; 0 turns the cache
    /// off). A query's answer is reused for the same credential, document
    /// and variables until the tenant's data next changes, so it is never
    /// stale (`docs/operations.md`).
    #[arg(long, env = "CALLBOARD_RESPONSE_CACHE_MB", default_value_t = 64)]
    pub response_cache_mb: u64,
    /// Time limit of one request, in seconds (default 30; HTTP 504 beyond).
    #[arg(long, env = "CALLBOARD_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Log format.
    #[arg(long, env = "CALLBOARD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// What the playground opens with. No flag: `serve` always has `Blank`,
    /// and `callboard demo` sets `Guided`.
    #[arg(skip)]
    pub playground: PlaygroundPreset,
    /// How users' access tokens are signed.
    #[command(flatten)]
    pub tokens: crate::auth::token::TokenConfig,
}

/// Settings of the database connection.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseConfig {
    /// Database URL: `sqlite://FILE?mode=rwc` or `postgres://USER@HOST/DB`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://callboard.db?mode=rwc"
    )]
    pub database_url: String,
    /// Connections in the pool (default 10 on PostgreSQL, 4 on SQLite, whose
    /// writes are serialised anyway).
    #[arg(long, env = "CALLBOARD_DB_MAX_CONNECTIONS")]
    pub db_max_connections: Option<u32>,
}

impl ServerConfig {
    /// Defaults for tests and embedding: port 0 on loopback, no operator.
    pub fn for_tests() -> Self {
        Self {
            bind: "127.0.0.1:0".parse().expect("valid address"),
            admin_secret: None,
            cors_origins: Vec::new(),
            max_body_bytes: 2 * 1024 * 1024,
            max_depth: 16,
            max_complexity: 5000,
            max_page_size: 500,
            max_aliases: 30,
            introspection: true,
            rate_limit_per_second: 0,
            rate_limit_burst: 100,
            response_cache_mb: 0,
            request_timeout_secs: 30,
            log_format: LogFormat::Text,
            playground: PlaygroundPreset::Blank,
            tokens: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let secret: Secret = "a-very-long-operator-secret".parse().unwrap();
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert!("short".parse::<Secret>().is_err());
    }
}
