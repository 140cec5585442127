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

async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    request: async_graphql::Request,
    document_id: Option<&str>,
) -> GraphQLResponse {
    let auth = auth_context(state, headers).await;
    let request = match persisted::resolve(state, &auth, request, document_id).await {
        Ok(request) => request,
        Err(refusal) => return async_graphql::Response::from_errors(vec![refusal.0]).into(),
    };
    let request = request.data(auth).data(state.registry.clone());
    loaders::execute(&state.schema, &state.db, request)
        .await
        .into()
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
            Ok(graphql) => execute(&state, &headers, graphql.into_inner(), None)
                .await
                .into_response(),
            Err(rejection) => rejection.into_response(),
        };
    }
    let bytes = match axum::body::Bytes::from_request(request, &state).await {
        Ok(bytes) => bytes,
        Err(rejection) => return rejection.into_response(),
    };
    match serde_json::from_slice::<JsonBody>(&bytes) {
        Ok(body) => execute(&state, &headers, body.request, body.document_id.as_deref())
            .await
            .into_response(),
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
            Ok(graphql) => execute(&state, &headers, graphql.into_inner(), None)
                .await
                .into_response(),
            Err(rejection) => rejection.into_response(),
        }
    };
    // One URL, two representations: caches must keep them apart.
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("accept"));
    response
}
