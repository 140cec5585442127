//! Credentials -> `AuthContext`: the operator secret and tenant API keys.
//!
//! `http/` turns the `Authorization: Bearer` header into an `AuthContext`
//! once per request; resolvers ask it for the tenant and scope they need.
//! The tenant always comes from the credential, never from an argument.

pub mod api_key;

use crate::domain::TenantId;
use crate::error::{ApiError, ApiResult};
use entity::enums::ApiKeyScope;
use uuid::Uuid;

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Principal {
    /// No credential was sent.
    Anonymous,
    /// A credential was sent but is unknown, revoked or suspended.
    Rejected(&'static str),
    /// The platform operator (`CALLBOARD_ADMIN_SECRET`).
    Operator,
    /// A tenant API key.
    ApiKey(ApiKeyPrincipal),
}

/// A verified tenant API key.
#[derive(Debug, Clone)]
pub struct ApiKeyPrincipal {
    pub tenant: TenantId,
    pub key_id: Uuid,
    pub scopes: Vec<ApiKeyScope>,
    /// The key may run registered (persisted) documents only.
    pub persisted_only: bool,
}

/// The verified caller of one request.
#[derive(Debug, Clone)]
pub struct AuthContext {
    pub principal: Principal,
}

impl AuthContext {
    /// An anonymous caller.
    pub fn anonymous() -> Self {
        Self {
            principal: Principal::Anonymous,
        }
    }

    /// Succeeds for the operator only.
    pub fn require_operator(&self) -> ApiResult<()> {
        match &self.principal {
            Principal::Operator => Ok(()),
            Principal::Anonymous => Err(ApiError::Unauthenticated(
                "this operation needs the operator secret",
            )),
            Principal::Rejected(reason) => Err(ApiError::Unauthenticated(reason)),
            Principal::ApiKey(_) => Err(ApiError::Forbidden(
                "this operation needs the operator secret".into(),
            )),
        }
    }

    /// The caller's tenant, if its credential grants `scope`. ADMIN grants
    /// every scope.
    pub fn require_scope(&self, scope: ApiKeyScope) -> ApiResult<TenantId> {
        match &self.principal {
            Principal::ApiKey(key)
                if key.scopes.contains(&scope) || key.scopes.contains(&ApiKeyScope::Admin) =>
            {
                Ok(key.tenant)
            }
            Principal::ApiKey(_) => Err(ApiError::Forbidden(format!(
                "this operation needs the {} scope",
                scope_name(scope)
            ))),
            Principal::Operator => Err(ApiError::Forbidden(
                "the operator secret administers tenants; use a tenant credential for tenant data"
                    .into(),
            )),
            Principal::Anonymous => Err(ApiError::Unauthenticated(
                "send a credential as `Authorization: Bearer <secret>`",
            )),
            Principal::Rejected(reason) => Err(ApiError::Unauthenticated(reason)),
        }
    }
}

fn scope_name(scope: ApiKeyScope) -> &'static str {
    match scope {
        ApiKeyScope::Read => "READ",
        ApiKeyScope::Ingest => "INGEST",
        ApiKeyScope::Admin => "ADMIN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(scopes: &[ApiKeyScope]) -> AuthContext {
        AuthContext {
            principal: Principal::ApiKey(ApiKeyPrincipal {
                tenant: TenantId::from_verified(Uuid::now_v7()),
                key_id: Uuid::now_v7(),
                scopes: scopes.to_vec(),
                persisted_only: false,
            }),
        }
    }

    #[test]
    fn scopes_grant_what_they_name_and_admin_grants_everything() {
        use ApiKeyScope::*;
        assert!(key(&[Read]).require_scope(Read).is_ok());
        assert_eq!(
            key(&[Read]).require_scope(Ingest).unwrap_err().code(),
            "FORBIDDEN"
        );
        assert!(key(&[Admin]).require_scope(Ingest).is_ok());
        assert!(key(&[Admin]).require_scope(Read).is_ok());
    }

    #[test]
    fn operator_and_anonymous_callers_get_distinct_codes() {
        let operator = AuthContext {
            principal: Principal::Operator,
        };
        assert!(operator.require_operator().is_ok());
        assert_eq!(
            operator
                .require_scope(ApiKeyScope::Read)
                .unwrap_err()
                .code(),
            "FORBIDDEN"
        );
        let anonymous = AuthContext::anonymous();
        assert_eq!(
            anonymous
                .require_scope(ApiKeyScope::Read)
                .unwrap_err()
                .code(),
            "UNAUTHENTICATED"
        );
        assert_eq!(
            anonymous.require_operator().unwrap_err().code(),
            "UNAUTHENTICATED"
        );
        assert_eq!(
            key(&[ApiKeyScope::Admin])
                .require_operator()
                .unwrap_err()
                .code(),
            "FORBIDDEN"
        );
    }
}
