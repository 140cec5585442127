//! Signing in and out (`login`, `refreshToken`, `logout`,
//! `changePassword`) and managing users (`inviteUser`, `updateUserRole`,
//! `deactivateUser`: the Admin capability).

use crate::auth::{Capability, login};
use crate::domain::{GlobalId, NodeKind};
use crate::error::ApiError;
use crate::graphql::ContextExt;
use crate::graphql::types::{InviteUserPayload, SignInPayload, User};
use crate::user::{self as service, NewUser, PasswordChange};
use async_graphql::{Context, ID, InputObject, Object, Result};
use entity::enums::UserRole;
use uuid::Uuid;

/// A person to invite.
#[derive(InputObject)]
pub struct InviteUserInput {
    pub email: String,
    pub name: String,
    pub role: UserRole,
    /// The agent an AGENT user is; required for AGENT, refused otherwise.
    pub agent_id: Option<ID>,
}

/// An agent's global id; any other id is NOT_FOUND.
fn agent_id(id: Option<ID>) -> Result<Option<Uuid>, ApiError> {
    id.map(|id| GlobalId::decode_as(&id, NodeKind::Agent).ok_or(ApiError::NotFound("agent")))
        .transpose()
}

fn user_id(id: &ID) -> Result<Uuid, ApiError> {
    GlobalId::decode_as(id, NodeKind::User).ok_or(ApiError::NotFound("user"))
}

#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    /// Signs in with email and password; no credential needed. `tenant` is
    /// needed only when the email belongs to users of several tenants.
    /// After 5 failures for one email from one address within 15 minutes,
    /// attempts are refused (RATE_LIMITED) for up to 15 minutes.
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
        tenant: Option<ID>,
    ) -> Result<SignInPayload> {
        // An id that is not a tenant's names no tenant: nothing matches.
        let tenant =
            tenant.map(|id| GlobalId::decode_as(&id, NodeKind::Tenant).unwrap_or(Uuid::nil()));
        let client = ctx.client_address();
        let signed_in = login::login(ctx.db()?, &email, password, tenant, &client).await?;
        Ok(signed_in.into())
    }

    /// Exchanges a refresh token for new tokens. Each works once: presenting
    /// a used one again ends its whole session.
    async fn refresh_token(&self, ctx: &Context<'_>, token: String) -> Result<SignInPayload> {
        Ok(login::refresh(ctx.db()?, &token).await?.into())
    }

    /// Ends the caller's session: its access and refresh tokens stop working.
    async fn logout(&self, ctx: &Context<'_>) -> Result<bool> {
        let user = ctx.auth()?.require_user()?;
        login::logout(ctx.db()?, user).await?;
        Ok(true)
    }

    /// Sets the caller's password (at least 12 characters); the caller's
    /// other sessions end. Wrong current passwords count towards the
    /// sign-in lockout.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        current_password: String,
        new_password: String,
    ) -> Result<bool> {
        let user = ctx.auth()?.require_user()?;
        let change = PasswordChange {
            current: current_password,
            new: new_password,
        };
        service::change_password(ctx.db()?, user, &ctx.client_address(), change).await?;
        Ok(true)
    }

    /// Invites a user into the caller's tenant (Admin).
    async fn invite_user(
        &self,
        ctx: &Context<'_>,
        input: InviteUserInput,
    ) -> Result<InviteUserPayload> {
        let access = ctx.access(Capability::Admin)?;
        let new = NewUser {
            email: input.email,
            name: input.name,
            role: input.role,
            agent_id: agent_id(input.agent_id)?,
        };
        let invited = service::invite(ctx.db()?, access.tenant, access.actor, new).await?;
        Ok(InviteUserPayload {
            user: invited.user.into(),
            password: invited.password,
        })
    }

    /// Changes a user's role, and the agent of an AGENT user (Admin).
    /// Applies from the user's next request.
    async fn update_user_role(
        &self,
        ctx: &Context<'_>,
        id: ID,
        role: UserRole,
        agent_id: Option<ID>,
    ) -> Result<User> {
        let access = ctx.access(Capability::Admin)?;
        let id = user_id(&id)?;
        let agent = self::agent_id(agent_id)?;
        let row =
            service::update_role(ctx.db()?, access.tenant, access.actor, id, role, agent).await?;
        Ok(row.into())
    }

    /// Deactivates a user (Admin): their tokens stop working at once and
    /// they can no longer sign in.
    async fn deactivate_user(&self, ctx: &Context<'_>, id: ID) -> Result<User> {
        let access = ctx.access(Capability::Admin)?;
        let id = user_id(&id)?;
        let row = service::deactivate(ctx.db()?, access.tenant, access.actor, id).await?;
        Ok(row.into())
    }
}
