//! `ApiError`, the one error type every resolver and service returns.
//!
//! Each variant maps to a stable `extensions.code` (see `docs/errors.md`).
//! `Internal` and `Db` log their source and show clients only
//! "internal error", so no database text ever leaves the server.
//!
//! `ApiError` deliberately does not implement `Display`: async-graphql turns
//! any `Display` error into a GraphQL error *without* a code, so with
//! `Display` a bare `?` in a resolver would silently drop the code. Without
//! it, the only conversion is ours, and `?` always keeps the code.

use async_graphql::{ErrorExtensions, FieldError};
use sea_orm::DbErr;

/// Every failure a client can see, with its client message.
#[derive(Debug)]
pub enum ApiError {
    /// `UNAUTHENTICATED`: no credential, or an unknown, revoked or suspended one.
    Unauthenticated(&'static str),
    /// `FORBIDDEN`: a valid credential lacking the scope, role or operator rights.
    Forbidden(String),
    /// `NOT_FOUND`: no such object for this tenant (another tenant's id included).
    NotFound(&'static str),
    /// `BAD_USER_INPUT`: the input is well-typed but not acceptable.
    Validation { field: String, reason: String },
    /// `CONFLICT`: the write collides with existing data (a unique key).
    Conflict(String),
    /// `LIMIT_EXCEEDED`: a configured limit was passed.
    LimitExceeded(String),
    /// `RATE_LIMITED`: too many requests or attempts; retry after the given
    /// number of seconds (also in `extensions.retryAfter`).
    RateLimited {
        reason: String,
        retry_after_secs: u64,
    },
    /// `INTERNAL`: a bug or an outage; details are only logged.
    Internal(anyhow::Error),
    /// `INTERNAL`: a database failure; details are only logged.
    Db(DbErr),
}

impl ApiError {
    /// A `BAD_USER_INPUT` error for `field`.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The message clients see.
    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated(reason) => (*reason).to_owned(),
            Self::Forbidden(reason) | Self::Conflict(reason) | Self::LimitExceeded(reason) => {
                reason.clone()
            }
            Self::RateLimited { reason, .. } => reason.clone(),
            Self::NotFound(what) => format!("{what} not found"),
            Self::Validation { field, reason } => format!("{field}: {reason}"),
            Self::Internal(_) | Self::Db(_) => "internal error".to_owned(),
        }
    }

    /// The stable `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Validation { .. } => "BAD_USER_INPUT",
            Self::Conflict(_) => "CONFLICT",
            Self::LimitExceeded(_) => "LIMIT_EXCEEDED",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Internal(_) | Self::Db(_) => "INTERNAL",
        }
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> FieldError {
        match self {
            Self::Internal(source) => tracing::error!(error = ?source, "internal error"),
            Self::Db(source) => tracing::error!(error = %source, "database error"),
            _ => {}
        }
        let code = self.code();
        let retry_after = match self {
            Self::RateLimited {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        };
        FieldError::new(self.message()).extend_with(|_, ext| {
            ext.set("code", code);
            if let Some(seconds) = retry_after {
                ext.set("retryAfter", seconds);
            }
        })
    }
}

impl From<ApiError> for FieldError {
    fn from(error: ApiError) -> Self {
        error.extend()
    }
}

impl From<DbErr> for ApiError {
    fn from(error: DbErr) -> Self {
        Self::Db(error)
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> Self {
        Self::Internal(error)
    }
}

impl From<ApiError> for anyhow::Error {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Internal(source) => source,
            ApiError::Db(source) => anyhow::Error::new(source),
            other => anyhow::anyhow!("{}: {}", other.code(), other.message()),
        }
    }
}

/// Result of a service or resolver call.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_its_code_and_internal_ones_hide_their_source() {
        let cases = [
            (
                ApiError::Unauthenticated("no credential"),
                "UNAUTHENTICATED",
            ),
            (ApiError::Forbidden("needs ADMIN".into()), "FORBIDDEN"),
            (ApiError::NotFound("api key"), "NOT_FOUND"),
            (ApiError::invalid("timezone", "unknown"), "BAD_USER_INPUT"),
            (ApiError::Conflict("taken".into()), "CONFLICT"),
            (ApiError::LimitExceeded("too many".into()), "LIMIT_EXCEEDED"),
            (
                ApiError::RateLimited {
                    reason: "slow down".into(),
                    retry_after_secs: 3,
                },
                "RATE_LIMITED",
            ),
            (
                ApiError::Internal(anyhow::anyhow!("secret detail")),
                "INTERNAL",
            ),
            (
                ApiError::Db(DbErr::Custom("relation \"calls\" does not exist".into())),
                "INTERNAL",
            ),
        ];
        for (error, code) in cases {
            let field_error = error.extend();
            let ext = field_error.extensions.expect("extensions are set");
            assert_eq!(ext.get("code"), Some(&async_graphql::Value::from(code)));
            if code == "INTERNAL" {
                assert_eq!(field_error.message, "internal error");
            }
        }
    }
}
