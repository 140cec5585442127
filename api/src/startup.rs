//! `Application`: binds the listener first (so tests can use port 0 and read
//! the port back), then serves until SIGINT or SIGTERM.

use crate::config::ServerConfig;
use crate::db::Db;
use crate::graphql::schema::build_schema;
use crate::http::guard::RateLimiter;
use crate::http::{AppState, Limits, router};
use axum::Router;
use tokio::net::TcpListener;

/// A server bound to its port, ready to run.
pub struct Application {
    listener: TcpListener,
    router: Router,
    port: u16,
}

impl Application {
    /// Builds the router over a connected, migrated database and binds.
    pub async fn build(config: ServerConfig, db: Db) -> anyhow::Result<Self> {
        crate::auth::token::install(&config.tokens);
        let schema = build_schema(Some(db.clone()), &config);
        let state = AppState {
            db,
            schema,
            admin_secret: config.admin_secret.clone(),
            registry: Default::default(),
            playground: config.playground,
            rate_limiter: std::sync::Arc::new(RateLimiter::new(
                config.rate_limit_per_second,
                config.rate_limit_burst,
            )),
            limits: Limits::of(&config),
            documents: Default::default(),
            responses: std::sync::Arc::new(crate::http::response_cache::ResponseCache::new(
                config.response_cache_mb.saturating_mul(1024 * 1024),
            )),
        };
        crate::telemetry::prometheus::install();
        let router = router(state, &config);
        let listener = TcpListener::bind(config.bind).await?;
        let port = listener.local_addr()?.port();
        Ok(Self {
            listener,
            router,
            port,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM, then lets requests in flight finish.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let service = self
            .router
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
