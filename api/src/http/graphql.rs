//! `POST /graphql` and `GET /graphql` (the playground for browsers).

use super::{AppState, persisted, playground};
use crate::auth::api_key::authenticate;
use crate::auth::{AuthContext, Principal};
use crate::graphql::loaders;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

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

async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    request: async_graphql::Request,
    document_id: Option<&str>,
    method: Method,
) -> Response {
    let auth = auth_context(state, headers).await;
    let request = match persisted::resolve(state, &auth, request, document_id).await {
        Ok(request) => request,
        Err(refusal) => {
            return GraphQLResponse::from(async_graphql::Response::from_errors(vec![refusal.0]))
                .into_response();
        }
    };
    // A mutation over GET could be triggered cross-site by a link or an
    // image: refuse it (GraphQL over HTTP).
    if method == Method::Get && is_mutation(&request) {
        return (
            axum::http::StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "POST")],
            "mutations must be sent with POST",
        )
            .into_response();
    }
    let request = request
        .data(auth)
        .data(state.registry.clone())
        .data(crate::auth::ClientAddress::from_headers(headers));
    let response = loaders::execute(&state.schema, &state.db, request).await;
    GraphQLResponse::from(with_codes(response)).into_response()
}

/// Whether the operation a request selects is a mutation.
fn is_mutation(request: &async_graphql::Request) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    let ty = match &document.operations {
        DocumentOperations::Single(op) => Some(op.node.ty),
        DocumentOperations::Multiple(ops) => match &request.operation_name {
            Some(name) => ops.get(name.as_str()).map(|op| op.node.ty),
            None => ops.values().next().map(|op| op.node.ty),
        },
    };
    ty == Some(OperationType::Mutation)
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

/// A JSON request body: the GraphQL-over-HTTP fields plus `documentId`.
#[derive(serde::Deserialize)]
struct JsonBody {
    #[serde(flatten)]
    request: async_graphql::Request,
    #[serde(rename = "documentId")]
    document_id: Option<String>,
}

/// `POST /graphql`.
pub async fn post(State(state): State<AppState>, request: Request) -> Response {
    let headers = request.headers().clone();
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return match <GraphQLRequest as FromRequest<AppState>>::from_request(request, &state).await
        {
            Ok(graphql) => {
                execute(&state, &headers, graphql.into_inner(), None, Method::Post).await
            }
            Err(rejection) => rejection.into_response(),
        };
    }
    let bytes = match axum::body::Bytes::from_request(request, &state).await {
        Ok(bytes) => bytes,
        Err(rejection) => return rejection.into_response(),
    };
    match serde_json::from_slice::<JsonBody>(&bytes) {
        Ok(body) => {
            let document_id = body.document_id.as_deref();
            execute(&state, &headers, body.request, document_id, Method::Post).await
        }
        Err(error) => (
            axum::http::StatusCode::BAD_REQUEST,
            format!("invalid GraphQL request: {error}"),
        )
            .into_response(),
    }
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
        match <GraphQLRequest as FromRequest<AppState>>::from_request(request, &state).await {
            Ok(graphql) => execute(&state, &headers, graphql.into_inner(), None, Method::Get).await,
            Err(rejection) => rejection.into_response(),
        }
    };
    // One URL, two representations: caches must keep them apart.
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("accept"));
    response
}
