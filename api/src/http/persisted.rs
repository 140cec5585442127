//! Persisted queries on the HTTP path: Apollo's Automatic Persisted Queries
//! (`extensions.persistedQuery.sha256Hash`, POST and GET) and trusted
//! documents by `"documentId": "sha256:<hex>"`. A key created with
//! `persistedOnly` may run registered documents only.

use super::AppState;
use crate::auth::{AuthContext, Principal};
use crate::persisted::sha256_hex;
use async_graphql::{Request, ServerError};

/// Why a request cannot run, as GraphQL errors with their codes.
pub struct Refusal(pub ServerError);

fn refusal(message: &str, code: &'static str) -> Refusal {
    Refusal(super::wire::coded_error(message, code))
}

fn not_found() -> Refusal {
    // Apollo clients recognise this message and resend the full document.
    refusal("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
}

fn not_in_list() -> Refusal {
    refusal(
        "this key may run registered documents only",
        "PERSISTED_QUERY_NOT_IN_LIST",
    )
}

/// The hash a request names, from `documentId` or the APQ extension.
fn named_hash(request: &Request, document_id: Option<&str>) -> Result<Option<String>, Refusal> {
    if let Some(id) = document_id {
        let hex = id.strip_prefix("sha256:").unwrap_or(id);
        return Ok(Some(hex.to_ascii_lowercase()));
    }
    let Some(async_graphql::Value::Object(pq)) = request.extensions.get("persistedQuery") else {
        return Ok(None);
    };
    match pq.get("sha256Hash") {
        Some(async_graphql::Value::String(hash)) => Ok(Some(hash.to_ascii_lowercase())),
        _ => Err(refusal(
            "persistedQuery needs a sha256Hash",
            "BAD_USER_INPUT",
        )),
    }
}

/// Fills in the document of a persisted request, caches APQ registrations,
/// and enforces `persistedOnly`.
pub async fn resolve(
    state: &AppState,
    auth: &AuthContext,
    mut request: Request,
    document_id: Option<&str>,
) -> Result<Request, Refusal> {
    // The tenant whose registry to use, and whether only registered
    // documents may run (keys created with `persistedOnly`).
    let caller = match &auth.principal {
        Principal::ApiKey(key) => Some((key.tenant, key.persisted_only)),
        Principal::User(user) => Some((user.tenant, false)),
        _ => None,
    };
    let persisted_only = caller.is_some_and(|(_, only)| only);
    let Some(hash) = named_hash(&request, document_id)? else {
        return if persisted_only {
            Err(not_in_list())
        } else {
            Ok(request)
        };
    };
    // Without a tenant there is no registry to look in.
    let Some((tenant, _)) = caller else {
        return if request.query.is_empty() {
            Err(not_found())
        } else {
            Ok(request)
        };
    };
    let internal = |_| refusal("internal error", "INTERNAL");
    if request.query.is_empty() {
        let found = state
            .registry
            .find(state.db.conn(), tenant, &hash)
            .await
            .map_err(internal)?;
        return match found {
            Some(found) if found.trusted || !persisted_only => {
                request.query = found.document;
                Ok(request)
            }
            Some(_) => Err(not_in_list()),
            None => Err(not_found()),
        };
    }
    if sha256_hex(&request.query) != hash {
        return Err(refusal(
            "provided sha does not match query",
            "BAD_USER_INPUT",
        ));
    }
    if persisted_only {
        // A full document, even with its hash, runs only if it is registered.
        let found = state
            .registry
            .find(state.db.conn(), tenant, &hash)
            .await
            .map_err(internal)?;
        return match found {
            Some(found) if found.trusted => Ok(request),
            _ => Err(not_in_list()),
        };
    }
    state
        .registry
        .cache_apq(state.db.conn(), tenant, &hash, &request.query)
        .await
        .map_err(internal)?;
    Ok(request)
}
