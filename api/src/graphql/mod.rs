//! The GraphQL API: schema assembly, resolvers, API types and the batch
//! loaders nested fields read through.

pub mod loaders;
pub mod mutation;
pub mod query;
pub mod schema;
pub mod types;

use crate::auth::{Access, AuthContext, Capability, ClientAddress};
use crate::db::Db;
use crate::domain::TenantId;
use crate::error::{ApiError, ApiResult};
use crate::read::page::PageLimits;
use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

/// Per-request access to what `http/` and `build_schema` put into the context.
pub trait ContextExt {
    /// The database handle.
    fn db(&self) -> ApiResult<&Db>;
    /// The verified caller.
    fn auth(&self) -> ApiResult<&AuthContext>;
    /// The caller's access, if its credential grants `capability`.
    fn access(&self, capability: Capability) -> ApiResult<Access> {
        self.auth()?.require(capability)
    }
    /// The caller's tenant, if its credential grants `capability`.
    fn tenant(&self, capability: Capability) -> ApiResult<TenantId> {
        Ok(self.access(capability)?.tenant)
    }
    /// Where the request comes from (`unknown` outside `http/`).
    fn client_address(&self) -> ClientAddress;
    /// This request's batch loader of type `T` (see `loaders`).
    fn loader<T: Send + Sync + 'static>(&self) -> ApiResult<&DataLoader<T>>;
    /// Page sizes of every list.
    fn page_limits(&self) -> ApiResult<PageLimits>;
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

    fn client_address(&self) -> ClientAddress {
        self.data_opt::<ClientAddress>()
            .cloned()
            .unwrap_or_else(|| ClientAddress("unknown".into()))
    }

    fn loader<T: Send + Sync + 'static>(&self) -> ApiResult<&DataLoader<T>> {
        self.data::<DataLoader<T>>().map_err(|_| {
            ApiError::Internal(anyhow::anyhow!(
                "no {} in the GraphQL context; run requests through loaders::execute",
                std::any::type_name::<T>()
            ))
        })
    }

    fn page_limits(&self) -> ApiResult<PageLimits> {
        self.data::<PageLimits>().copied().map_err(|_| {
            ApiError::Internal(anyhow::anyhow!("no page limits in the GraphQL context"))
        })
    }
}
