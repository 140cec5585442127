//! The GraphQL API: schema assembly, resolvers and API types.

pub mod loaders;
pub mod mutation;
pub mod query;
pub mod schema;
pub mod types;

use crate::auth::AuthContext;
use crate::db::Db;
use crate::domain::TenantId;
use crate::error::{ApiError, ApiResult};
use async_graphql::Context;
use entity::enums::ApiKeyScope;

/// Per-request access to what `http/` put into the context.
pub trait ContextExt {
    /// The database handle.
    fn db(&self) -> ApiResult<&Db>;
    /// The verified caller.
    fn auth(&self) -> ApiResult<&AuthContext>;
    /// The caller's tenant, if its credential grants `scope`.
    fn tenant(&self, scope: ApiKeyScope) -> ApiResult<TenantId> {
        self.auth()?.require_scope(scope)
    }
}

impl ContextExt for Context<'_> {
    fn db(&self) -> ApiResult<&Db> {
        self.data::<Db>()
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("no database in the GraphQL context")))
    }

    fn auth(&self) -> ApiResult<&AuthContext> {
        // A schema executed without `http/` (tests, `schema` export) has no
        // caller: treat it as anonymous rather than failing.
        static ANONYMOUS: std::sync::LazyLock<AuthContext> =
            std::sync::LazyLock::new(AuthContext::anonymous);
        Ok(self.data_opt::<AuthContext>().unwrap_or(&ANONYMOUS))
    }
}
