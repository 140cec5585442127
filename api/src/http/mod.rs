//! The HTTP surface: GraphQL over HTTP, the playground, health and readiness.
//!
//! The `Authorization: Bearer` header becomes an `AuthContext` here, once
//! per request, and travels to resolvers as request data.

mod graphql;
pub mod guard;
mod persisted;
mod playground;
pub mod response_cache;
mod wire;

use crate::config::{PlaygroundPreset, Secret, ServerConfig};
use crate::db::Db;
use crate::graphql::schema::CallboardSchema;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
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
    /// Requests per credential.
    pub rate_limiter: std::sync::Arc<guard::RateLimiter>,
    /// Parsed documents, reused across requests.
    pub documents: std::sync::Arc<guard::DocumentCache>,
    /// Answers, reused until their tenant's data changes.
    pub responses: std::sync::Arc<response_cache::ResponseCache>,
    /// The limits the GraphQL handler applies itself.
    pub limits: Limits,
}

/// Limits applied by the GraphQL handler (the engine applies depth,
/// complexity and page size).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_aliases: usize,
    pub introspection: bool,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
}

impl Limits {
    pub fn of(config: &ServerConfig) -> Self {
        Self {
            max_aliases: config.max_aliases,
            introspection: config.introspection,
            max_body_bytes: config.max_body_bytes,
            request_timeout: Duration::from_secs(config.request_timeout_secs),
        }
    }
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
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([HeaderName::from_static("x-request-id")]);
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/graphql") }))
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route(
            &format!("{}/{{version}}/{{file}}", playground::assets::PREFIX),
            get(playground::assets::get),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        // GraphQL answers an oversized body itself, with PAYLOAD_TOO_LARGE.
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        // A backstop: GraphQL answers its own time limit with
        // REQUEST_TIMEOUT a little earlier.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::GATEWAY_TIMEOUT,
            Duration::from_secs(config.request_timeout_secs + 5),
        ))
        .layer(CompressionLayer::new())
        .layer(cors)
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
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

/// The span of one HTTP request, with its id (`x-request-id`, taken from
/// the client or a load balancer when sent, else a fresh UUID): every log
/// line of the request carries it.
fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = request.uri().path(),
        request_id,
    )
}

/// Prometheus metrics in the text format.
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::telemetry::prometheus::render(&state.db),
    )
}
