//! The HTTP surface: GraphQL over HTTP, the playground, health and readiness.
//!
//! The `Authorization: Bearer` header becomes an `AuthContext` here, once
//! per request, and travels to resolvers as request data.

mod graphql;
mod persisted;
mod playground;

use crate::config::{PlaygroundPreset, Secret, ServerConfig};
use crate::db::Db;
use crate::graphql::schema::CallboardSchema;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub schema: CallboardSchema,
    pub admin_secret: Option<Secret>,
    /// Persisted documents (trusted and APQ-cached) with their cache.
    pub registry: std::sync::Arc<crate::persisted::Registry>,
    /// What the playground opens with (`Guided` only in `callboard demo`).
    pub playground: PlaygroundPreset,
}

/// The router with every route and middleware.
pub fn router(state: AppState, config: &ServerConfig) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(
            config
                .cors_origins
                .iter()
                .filter_map(|origin| HeaderValue::from_str(origin).ok())
                .collect::<Vec<_>>(),
        )
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT]);
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/graphql") }))
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route(
            &format!("{}/{{version}}/{{file}}", playground::assets::PREFIX),
            get(playground::assets::get),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(config.request_timeout_secs),
        ))
        .layer(CompressionLayer::new())
        .layer(cors)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// 200 when the database answers, 503 otherwise.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if state.db.ping().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}
