//! `User`, sign-in payloads, authorship and the audit log, as the API shows
//! them (never a password hash or a refresh token's hash).

use super::{DateTimeUtc, Tenant};
use crate::auth::login::SignedIn;
use crate::domain::{GlobalId, NodeKind};
use async_graphql::{ID, Json, SimpleObject};
use entity::enums::{ActorKind, AuditAction, UserRole};
use entity::{audit_log, user};
use uuid::Uuid;

/// A person of the tenant who signs in to the dashboard.
#[derive(SimpleObject)]
pub struct User {
    pub id: ID,
    /// Lower-case; unique within the tenant.
    pub email: String,
    pub name: String,
    pub role: UserRole,
    /// For role AGENT: the agent this person is (global id).
    pub agent_id: Option<ID>,
    /// False once deactivated: the user can no longer sign in.
    pub active: bool,
    pub created_at: DateTimeUtc,
}

impl From<user::Model> for User {
    fn from(u: user::Model) -> Self {
        Self {
            id: ID(GlobalId::new(NodeKind::User, u.id).encode()),
            email: u.email,
            name: u.name,
            role: u.role,
            agent_id: u
                .agent_id
                .map(|id| ID(GlobalId::new(NodeKind::Agent, id).encode())),
            active: u.active,
            created_at: u.created_at,
        }
    }
}

/// Tokens of a signed-in user.
#[derive(SimpleObject)]
pub struct SignInPayload {
    /// Send as `Authorization: Bearer <accessToken>`; valid 15 minutes.
    pub access_token: String,
    pub access_token_expires_at: DateTimeUtc,
    /// Exchange once with `refreshToken` for new tokens; valid 30 days.
    pub refresh_token: String,
    pub refresh_token_expires_at: DateTimeUtc,
    pub user: User,
}

impl From<SignedIn> for SignInPayload {
    fn from(s: SignedIn) -> Self {
        Self {
            access_token: s.access.token,
            access_token_expires_at: s.access.expires_at,
            refresh_token: s.refresh_token,
            refresh_token_expires_at: s.refresh_expires_at,
            user: s.user.into(),
        }
    }
}

/// An invited user and their first password.
#[derive(SimpleObject)]
pub struct InviteUserPayload {
    pub user: User,
    /// The first password. Shown only now; hand it over safely. The user
    /// sets their own with `changePassword`.
    pub password: String,
}

/// Who wrote or changed something: a user or an API key.
#[derive(SimpleObject)]
pub struct Author {
    pub kind: ActorKind,
    /// The global id of the `User` or `ApiKey`.
    pub id: ID,
}

impl Author {
    /// The author recorded as a user id or a key id, if any.
    pub fn of(user: Option<Uuid>, key: Option<Uuid>) -> Option<Self> {
        match (user, key) {
            (Some(id), _) => Some(Self {
                kind: ActorKind::User,
                id: ID(GlobalId::new(NodeKind::User, id).encode()),
            }),
            (None, Some(id)) => Some(Self {
                kind: ActorKind::ApiKey,
                id: ID(GlobalId::new(NodeKind::ApiKey, id).encode()),
            }),
            (None, None) => None,
        }
    }
}

/// One security-relevant action.
#[derive(SimpleObject)]
pub struct AuditEntry {
    pub at: DateTimeUtc,
    pub action: AuditAction,
    pub actor_kind: ActorKind,
    /// The global id of the acting `User` or `ApiKey`; null for the
    /// operator and for anonymous callers.
    pub actor_id: Option<ID>,
    /// What was acted on: a global id, or the email of a refused sign-in.
    pub target: Option<String>,
    pub detail: Json<serde_json::Value>,
}

impl From<audit_log::Model> for AuditEntry {
    fn from(e: audit_log::Model) -> Self {
        let actor_id = match e.actor_kind {
            ActorKind::User => e.actor_id.map(|id| GlobalId::new(NodeKind::User, id)),
            ActorKind::ApiKey => e.actor_id.map(|id| GlobalId::new(NodeKind::ApiKey, id)),
            ActorKind::Operator | ActorKind::Anonymous => None,
        };
        Self {
            at: e.at,
            action: e.action,
            actor_kind: e.actor_kind,
            actor_id: actor_id.map(|id| ID(id.encode())),
            target: e.target,
            detail: Json(e.detail),
        }
    }
}

/// A page of the audit log, newest first.
#[derive(SimpleObject)]
pub struct AuditLogPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `after` for the next page; null when there is none.
    pub end_cursor: Option<String>,
    pub has_next_page: bool,
}

/// A tenant with its usage over a range (operator only).
#[derive(SimpleObject)]
pub struct TenantUsage {
    pub tenant: Tenant,
    /// Calls initiated in the range.
    pub total_calls: i64,
    pub billed_minutes: i64,
    pub credits: i64,
}
