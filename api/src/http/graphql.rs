//! `POST /graphql` and `GET /graphql` (the playground for browsers).
//!
//! One request runs as: read it off the wire (`wire`), verify the
//! credential, count it against the credential's rate limit, look up a
//! persisted document, apply the guardrails (`guard`), then execute with
//! this request's batch loaders, under the request time limit, in a span
//! named after the operation; its outcome and latency go to `/metrics`.

use super::wire::{self, Incoming, MediaType};
use super::{AppState, guard, persisted, playground, response_cache};
use crate::auth::api_key::authenticate;
use crate::auth::{AuthContext, ClientAddress, Principal};
use crate::graphql::loaders;
use crate::telemetry::prometheus;
use async_graphql::parser::types::OperationType;
use axum::extract::{ConnectInfo, FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;
use tracing::Instrument;

/// The caller named by the `Authorization` header.
async fn auth_context(state: &AppState, headers: &HeaderMap) -> AuthContext {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return AuthContext::anonymous();
    };
    let bearer = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    let Some(bearer) = bearer else {
        return AuthContext {
            principal: Principal::Rejected("the Authorization header must read `Bearer <secret>`"),
        };
    };
    match authenticate(&state.db, state.admin_secret.as_ref(), Some(bearer)).await {
        Ok(auth) => auth,
        Err(error) => {
            tracing::error!(%error, "verifying a credential");
            AuthContext {
                principal: Principal::Rejected("the credential could not be verified; try again"),
            }
        }
    }
}

/// How the request arrived: GET must not change anything.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
}

/// What an HTTP request carries besides the GraphQL request.
struct Envelope {
    headers: HeaderMap,
    client: Option<IpAddr>,
    media: MediaType,
    method: Method,
}

/// Runs one request and records its outcome.
async fn execute(state: &AppState, envelope: Envelope, incoming: Incoming) -> Response {
    let started = Instant::now();
    let operation = incoming.request.operation_name.clone();
    let (response, outcome, operation) = run(state, &envelope, incoming, operation).await;
    let elapsed = started.elapsed();
    prometheus::record_request(operation.as_deref(), &outcome, elapsed);
    tracing::info!(
        operation = operation.as_deref().unwrap_or("anonymous"),
        %outcome,
        elapsed_ms = elapsed.as_secs_f64() * 1e3,
        "graphql request"
    );
    response
}

/// The answer, its outcome label (`ok` or the first error's code) and the
/// operation's name as far as it is known.
async fn run(
    state: &AppState,
    envelope: &Envelope,
    incoming: Incoming,
    mut operation: Option<String>,
) -> (Response, String, Option<String>) {
    let media = envelope.media;
    let refuse = |status: StatusCode, message: &str, code: &str| {
        (wire::error(media, status, message, code), code.to_owned())
    };
    let auth = auth_context(state, &envelope.headers).await;

    if let Err(wait) = state.rate_limiter.check(&auth, envelope.client) {
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        let message = format!("too many requests from this credential; retry in {seconds} s");
        let (mut response, code) = refuse(StatusCode::TOO_MANY_REQUESTS, &message, "RATE_LIMITED");
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        return (response, code, operation);
    }

    let request = match persisted::resolve(
        state,
        &auth,
        incoming.request,
        incoming.document_id.as_deref(),
    )
    .await
    {
        Ok(request) => request,
        Err(refusal) => {
            let code = code_of(&refusal.0);
            return (refuse_operation(media, refusal.0), code, operation);
        }
    };
    if request.query.trim().is_empty() {
        let (response, code) = refuse(
            StatusCode::BAD_REQUEST,
            "send a `query`, a `documentId` or a persisted query hash",
            "BAD_REQUEST",
        );
        return (response, code, operation);
    }

    let mut request = request;
    let mut cacheable = false;
    if let Some(document) = state.documents.parse(&mut request) {
        let inspection = guard::inspect(&document, request.operation_name.as_deref());
        operation = inspection.operation_name.clone().or(operation);
        // A mutation over GET could be triggered cross-site by a link or
        // an image: refuse it (GraphQL over HTTP).
        if envelope.method == Method::Get
            && inspection.operation_type == Some(OperationType::Mutation)
        {
            let (mut response, code) = refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                "mutations must be sent with POST",
                "METHOD_NOT_ALLOWED",
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return (response, code, operation);
        }
        if inspection.aliases > state.limits.max_aliases {
            let message = format!(
                "the document has {} aliases; at most {} are allowed",
                inspection.aliases, state.limits.max_aliases
            );
            return (
                refuse_operation(media, wire::coded_error(&message, "MAX_ALIASES_LIMIT")),
                "MAX_ALIASES_LIMIT".into(),
                operation,
            );
        }
        if inspection.introspects && !state.limits.introspection {
            let message = "introspection is disabled on this server";
            let code = "INTROSPECTION_DISABLED";
            return (
                refuse_operation(media, wire::coded_error(message, code)),
                code.into(),
                operation,
            );
        }
        cacheable = inspection.cacheable;
    }

    // A query answered before for this credential, with the tenant's data
    // unchanged since, is answered again as it was.
    let cache_key = (cacheable && state.responses.enabled())
        .then(|| response_cache::Key::of(&auth, media, &request))
        .flatten();
    if let Some(key) = &cache_key
        && let Some(answer) = state.responses.get(key)
    {
        prometheus::record_cache(true);
        return (cache_answer(answer, "hit"), "ok".into(), operation);
    }

    let mut request = request
        .data(auth)
        .data(state.registry.clone())
        .data(ClientAddress::of(&envelope.headers, envelope.client));
    if !state.limits.introspection {
        request = request.disable_introspection();
    }
    let span = tracing::info_span!(
        "graphql",
        operation = operation.as_deref().unwrap_or("anonymous")
    );
    let execution = loaders::execute(&state.schema, &state.db, request).instrument(span);
    let Ok(response) = tokio::time::timeout(state.limits.request_timeout, execution).await else {
        let message = format!(
            "the request took longer than the {} s limit",
            state.limits.request_timeout.as_secs()
        );
        let (response, code) = refuse(StatusCode::GATEWAY_TIMEOUT, &message, "REQUEST_TIMEOUT");
        return (response, code, operation);
    };
    let response = with_codes(response);
    let code = outcome_of(&response);
    let answer = wire::encode(media, &response);
    let Some(key) = cache_key else {
        return (answer.into_response(), code, operation);
    };
    prometheus::record_cache(false);
    if response.errors.is_empty() {
        state.responses.insert(key, answer.clone());
    }
    (cache_answer(answer, "miss"), code, operation)
}

/// A cacheable answer, with the `callboard-cache` header saying whether it
/// came from the response cache (`hit`) or was computed (`miss`).
fn cache_answer(answer: wire::Encoded, result: &'static str) -> Response {
    let mut response = answer.into_response();
    response.headers_mut().insert(
        header::HeaderName::from_static("callboard-cache"),
        HeaderValue::from_static(result),
    );
    response
}

/// A GraphQL request error: the operation is refused before it runs, so
/// it answers like a validation error (400 under
/// `application/graphql-response+json`, 200 under `application/json`).
fn refuse_operation(media: MediaType, error: async_graphql::ServerError) -> Response {
    wire::reply(media, &async_graphql::Response::from_errors(vec![error]))
}

/// `ok`, or the code of the first error.
fn outcome_of(response: &async_graphql::Response) -> String {
    response
        .errors
        .first()
        .map_or_else(|| "ok".to_owned(), code_of)
}

/// The `extensions.code` of an error.
fn code_of(error: &async_graphql::ServerError) -> String {
    match error.extensions.as_ref().and_then(|e| e.get("code")) {
        Some(async_graphql::Value::String(code)) => code.clone(),
        _ => "INTERNAL".to_owned(),
    }
}

/// Gives every error a stable `extensions.code`: the engine's request-level
/// errors (parse, validation, limits) come without one.
fn with_codes(mut response: async_graphql::Response) -> async_graphql::Response {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if has_code {
            continue;
        }
        let code = match error.message.as_str() {
            "Query is nested too deep." => "MAX_DEPTH_LIMIT",
            "Query is too complex." => "MAX_COMPLEXITY_LIMIT",
            message
                if message.starts_with(" --> ")
                    || message.contains("expected ")
                        && error.path.is_empty()
                        && error.locations.is_empty() =>
            {
                "GRAPHQL_PARSE_FAILED"
            }
            _ if error.path.is_empty() => "GRAPHQL_VALIDATION_FAILED",
            // An argument the engine could not coerce (a malformed DateTime).
            message
                if message.starts_with("Failed to parse")
                    || message.starts_with("Invalid value") =>
            {
                "BAD_USER_INPUT"
            }
            _ => "INTERNAL",
        };
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
    response
}

/// The client's address, as the listener saw it.
fn client_address(request: &Request) -> Option<IpAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
}

/// `POST /graphql`.
pub async fn post(State(state): State<AppState>, request: Request) -> Response {
    let headers = request.headers().clone();
    let Some(media) = wire::negotiate(&headers) else {
        return not_acceptable();
    };
    let client = client_address(&request);
    let body = match axum::body::Bytes::from_request(request, &state).await {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            let message = format!(
                "the request body is larger than the {} byte limit",
                state.limits.max_body_bytes
            );
            return wire::error(
                media,
                StatusCode::PAYLOAD_TOO_LARGE,
                &message,
                "PAYLOAD_TOO_LARGE",
            );
        }
        Err(rejection) => return rejection.into_response(),
    };
    let incoming = match wire::from_body(&headers, &body) {
        Ok(incoming) => incoming,
        Err(malformed) => {
            return wire::error(media, malformed.status, &malformed.message, "BAD_REQUEST");
        }
    };
    let envelope = Envelope {
        headers,
        client,
        media,
        method: Method::Post,
    };
    execute(&state, envelope, incoming).await
}

/// `GET /graphql`: the playground for a browser, GraphQL over HTTP otherwise.
pub async fn get(State(state): State<AppState>, request: Request) -> Response {
    let headers = request.headers().clone();
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(playground::prefers_html);
    let mut response = if wants_html {
        playground::page(state.playground, &state.schema.sdl(), chrono::Utc::now())
    } else {
        match wire::negotiate(&headers) {
            None => not_acceptable(),
            Some(media) => match wire::from_query_string(request.uri().query()) {
                Err(malformed) => {
                    wire::error(media, malformed.status, &malformed.message, "BAD_REQUEST")
                }
                Ok(incoming) => {
                    let envelope = Envelope {
                        client: client_address(&request),
                        headers,
                        media,
                        method: Method::Get,
                    };
                    execute(&state, envelope, incoming).await
                }
            },
        }
    };
    // One URL, two representations: caches must keep them apart.
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("accept"));
    response
}

fn not_acceptable() -> Response {
    (
        StatusCode::NOT_ACCEPTABLE,
        "accept application/graphql-response+json or application/json",
    )
        .into_response()
}
