//! `me`, `users`, `auditLog`: the signed-in user, the tenant's users and
//! its audit log (Admin).

use crate::audit;
use crate::auth::Capability;
use crate::error::ApiError;
use crate::graphql::ContextExt;
use crate::graphql::types::{AuditLogPage, User};
use crate::user as service;
use async_graphql::{Context, Object, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

#[derive(Default)]
pub struct UserQuery;

fn decode_cursor(cursor: &str) -> Option<Uuid> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    Uuid::from_slice(&bytes).ok()
}

#[Object]
impl UserQuery {
    /// The signed-in user (a user's access token only).
    async fn me(&self, ctx: &Context<'_>) -> Result<User> {
        let user = ctx.auth()?.require_user()?;
        let row = service::find(ctx.db()?.conn(), user.tenant, user.user_id).await?;
        Ok(row.into())
    }

    /// The tenant's users by email, deactivated ones included (Admin).
    async fn users(&self, ctx: &Context<'_>) -> Result<Vec<User>> {
        let tenant = ctx.tenant(Capability::Admin)?;
        let rows = service::list(ctx.db()?.conn(), tenant).await?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    /// Security-relevant actions of the tenant, newest first (Admin).
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: i32,
        after: Option<String>,
    ) -> Result<AuditLogPage> {
        let tenant = ctx.tenant(Capability::Admin)?;
        let max = ctx.page_limits()?.max_size;
        if first < 0 || first as u64 > max {
            return Err(ApiError::invalid("first", format!("must be between 0 and {max}")).into());
        }
        let after = after
            .map(|cursor| {
                decode_cursor(&cursor)
                    .ok_or(ApiError::invalid("after", "not a cursor of this list"))
            })
            .transpose()?;
        let (rows, has_next_page) =
            audit::page(ctx.db()?.conn(), tenant, first as u64, after).await?;
        let end_cursor = rows
            .last()
            .map(|row| URL_SAFE_NO_PAD.encode(row.id.as_bytes()));
        Ok(AuditLogPage {
            entries: rows.into_iter().map(Into::into).collect(),
            end_cursor,
            has_next_page,
        })
    }
}
