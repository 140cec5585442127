//! Structured logs via `tracing` (text or JSON lines, filtered by
//! `RUST_LOG`) and Prometheus metrics (`metrics`).

pub mod prometheus;

use crate::config::LogFormat;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls do nothing.
pub fn init(format: LogFormat) {
    // The engine's DataLoader opens an INFO span per `load_one`: hundreds
    // per request that nothing reads.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,async_graphql=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
