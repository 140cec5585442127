//! Credentials -> `AuthContext`: the operator secret, tenant API keys and
//! dashboard users' access tokens, and what each may do.
//!
//! `http/` turns the `Authorization: Bearer` header into an `AuthContext`
//! once per request (`api_key::authenticate` tells the credentials apart).
//! Resolvers ask it for a `Capability`; API key scopes and user roles both
//! map into capabilities here, in one place, so no resolver branches on who
//! the caller is. The tenant always comes from the credential, never from
//! an argument.

pub mod api_key;
pub mod client;
pub mod login;
pub mod password;
pub mod token;
pub mod user;

pub use client::ClientAddress;

use crate::domain::TenantId;
use crate::error::{ApiError, ApiResult};
use entity::enums::{ActorKind, ApiKeyScope, UserRole};
use uuid::Uuid;

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Principal {
    /// No credential was sent.
    Anonymous,
    /// A credential was sent but is unknown, revoked, expired or suspended.
    Rejected(&'static str),
    /// The platform operator (`CALLBOARD_ADMIN_SECRET`).
    Operator,
    /// A tenant API key.
    ApiKey(ApiKeyPrincipal),
    /// A dashboard user, by a verified access token.
    User(UserPrincipal),
}

/// A verified tenant API key.
#[derive(Debug, Clone)]
pub struct ApiKeyPrincipal {
    pub tenant: TenantId,
    pub key_id: Uuid,
    pub scopes: Vec<ApiKeyScope>,
    /// The key may run registered (persisted) documents only.
    pub persisted_only: bool,
    /// The tenant's `data_version` when the key was verified.
    pub data_version: i64,
}

/// A signed-in dashboard user, as the database has them now (role and
/// agent are read on every request, so changes apply at once).
#[derive(Debug, Clone)]
pub struct UserPrincipal {
    pub tenant: TenantId,
    pub user_id: Uuid,
    pub role: UserRole,
    /// For role AGENT: the agent this person is.
    pub agent_id: Option<Uuid>,
    /// The sign-in session the access token belongs to.
    pub session_id: Uuid,
    /// The tenant's `data_version` when the token was verified.
    pub data_version: i64,
}

/// Something a resolver needs the caller to be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Read calls and KPIs (and the details of those calls). An AGENT user
    /// reads only the calls and KPIs of their own agent.
    ReadCalls,
    /// Read everything else of the tenant: agents, campaigns, contacts,
    /// follow-ups, lead profiles.
    Read,
    /// Push call data in.
    Ingest,
    /// Add notes to calls (an AGENT user: to their own calls).
    WriteNotes,
    /// Create and update follow-ups.
    WriteFollowUps,
    /// Users, API keys, persisted documents, the audit log.
    Admin,
}

impl Capability {
    /// The API key scope that grants it (ADMIN grants every capability).
    fn scope(self) -> ApiKeyScope {
        match self {
            Self::ReadCalls | Self::Read => ApiKeyScope::Read,
            Self::Ingest => ApiKeyScope::Ingest,
            Self::WriteNotes | Self::WriteFollowUps | Self::Admin => ApiKeyScope::Admin,
        }
    }

    /// Whether a user of `role` has it.
    pub fn granted_to(self, role: UserRole) -> bool {
        use UserRole::*;
        match self {
            Self::ReadCalls => true,
            Self::Read => matches!(role, Admin | Manager | Analyst),
            Self::WriteNotes => matches!(role, Admin | Manager | Agent),
            Self::WriteFollowUps => matches!(role, Admin | Manager),
            Self::Ingest | Self::Admin => role == Admin,
        }
    }

    fn roles(self) -> String {
        use UserRole::*;
        let names: Vec<&str> = [Admin, Manager, Analyst, Agent]
            .into_iter()
            .filter(|role| self.granted_to(*role))
            .map(role_name)
            .collect();
        names.join(", ")
    }
}

/// Who acted, for authorship and the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    User(Uuid),
    ApiKey(Uuid),
    Operator,
    Anonymous,
}

impl Actor {
    /// The kind and id stored in the audit log.
    pub fn parts(self) -> (ActorKind, Option<Uuid>) {
        match self {
            Self::User(id) => (ActorKind::User, Some(id)),
            Self::ApiKey(id) => (ActorKind::ApiKey, Some(id)),
            Self::Operator => (ActorKind::Operator, None),
            Self::Anonymous => (ActorKind::Anonymous, None),
        }
    }

    /// The user id, if a user acted.
    pub fn user(self) -> Option<Uuid> {
        match self {
            Self::User(id) => Some(id),
            _ => None,
        }
    }

    /// The key id, if an API key acted.
    pub fn key(self) -> Option<Uuid> {
        match self {
            Self::ApiKey(id) => Some(id),
            _ => None,
        }
    }
}

/// What a granted capability gives a resolver: the tenant, who acts, and
/// the agents whose calls the caller may see.
#[derive(Debug, Clone)]
pub struct Access {
    pub tenant: TenantId,
    pub actor: Actor,
    /// `None`: every agent's calls. `Some(ids)`: only calls of these agents
    /// (an AGENT user's own; empty when they are linked to no agent).
    pub agents: Option<Vec<Uuid>>,
}

impl Access {
    /// An agent filter narrowed to what the caller may see: the caller's own
    /// agents, or those of them that `given` names.
    pub fn restrict_agents(&self, given: Option<Vec<Uuid>>) -> Option<Vec<Uuid>> {
        match (&self.agents, given) {
            (None, given) => given,
            (Some(own), None) => Some(own.clone()),
            (Some(own), Some(given)) => {
                Some(given.into_iter().filter(|id| own.contains(id)).collect())
            }
        }
    }

    /// Whether the caller may see a call of agent `agent`.
    pub fn sees_call_of(&self, agent: Option<Uuid>) -> bool {
        match &self.agents {
            None => true,
            Some(own) => agent.is_some_and(|agent| own.contains(&agent)),
        }
    }
}

/// What a credential check needs of its tenant's row: `None` when the
/// tenant is missing or suspended, else its data version. Notes the
/// tenant's zone for KPI reads on the way (`kpi::remember_zone`).
pub(crate) fn tenant_standing(tenant: Option<entity::tenant::Model>) -> Option<i64> {
    let tenant = tenant?;
    crate::kpi::remember_zone(&tenant);
    tenant.active.then_some(tenant.data_version)
}

/// The verified caller of one request.
#[derive(Debug, Clone)]
pub struct AuthContext {
    pub principal: Principal,
}

const NO_CREDENTIAL: &str = "send a credential as `Authorization: Bearer <secret>`";

impl AuthContext {
    /// The tenant's data version as read when the credential was verified
    /// (API keys and users only).
    pub fn data_version(&self) -> Option<i64> {
        match &self.principal {
            Principal::ApiKey(key) => Some(key.data_version),
            Principal::User(user) => Some(user.data_version),
            _ => None,
        }
    }

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
            Principal::ApiKey(_) | Principal::User(_) => Err(ApiError::Forbidden(
                "this operation needs the operator secret".into(),
            )),
        }
    }

    /// The caller's access, if its credential grants `capability`: an API
    /// key through its scopes (ADMIN grants every capability), a user
    /// through their role.
    pub fn require(&self, capability: Capability) -> ApiResult<Access> {
        match &self.principal {
            Principal::ApiKey(key) => {
                let scope = capability.scope();
                if key.scopes.contains(&scope) || key.scopes.contains(&ApiKeyScope::Admin) {
                    Ok(Access {
                        tenant: key.tenant,
                        actor: Actor::ApiKey(key.key_id),
                        agents: None,
                    })
                } else {
                    Err(ApiError::Forbidden(format!(
                        "this operation needs the {} scope",
                        scope_name(scope)
                    )))
                }
            }
            Principal::User(user) => {
                if !capability.granted_to(user.role) {
                    return Err(ApiError::Forbidden(format!(
                        "this operation needs the role {}",
                        capability.roles().replace(", ", " or ")
                    )));
                }
                let agents = (user.role == UserRole::Agent)
                    .then(|| user.agent_id.into_iter().collect::<Vec<_>>());
                Ok(Access {
                    tenant: user.tenant,
                    actor: Actor::User(user.user_id),
                    agents,
                })
            }
            Principal::Operator => Err(ApiError::Forbidden(
                "the operator secret administers tenants; use a tenant credential for tenant data"
                    .into(),
            )),
            Principal::Anonymous => Err(ApiError::Unauthenticated(NO_CREDENTIAL)),
            Principal::Rejected(reason) => Err(ApiError::Unauthenticated(reason)),
        }
    }

    /// The signed-in user, for operations only a user can do (`me`,
    /// `logout`, `changePassword`).
    pub fn require_user(&self) -> ApiResult<&UserPrincipal> {
        match &self.principal {
            Principal::User(user) => Ok(user),
            Principal::Anonymous => Err(ApiError::Unauthenticated(NO_CREDENTIAL)),
            Principal::Rejected(reason) => Err(ApiError::Unauthenticated(reason)),
            Principal::ApiKey(_) | Principal::Operator => Err(ApiError::Forbidden(
                "this operation needs a signed-in user".into(),
            )),
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

/// The role's name as the API spells it.
pub fn role_name(role: UserRole) -> &'static str {
    match role {
        UserRole::Admin => "ADMIN",
        UserRole::Manager => "MANAGER",
        UserRole::Analyst => "ANALYST",
        UserRole::Agent => "AGENT",
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
                data_version: 0,
            }),
        }
    }

    fn user(role: UserRole, agent_id: Option<Uuid>) -> AuthContext {
        AuthContext {
            principal: Principal::User(UserPrincipal {
                tenant: TenantId::from_verified(Uuid::now_v7()),
                user_id: Uuid::now_v7(),
                role,
                agent_id,
                session_id: Uuid::now_v7(),
                data_version: 0,
            }),
        }
    }

    #[test]
    fn scopes_grant_what_they_name_and_admin_grants_everything() {
        use ApiKeyScope::*;
        assert!(key(&[Read]).require(Capability::Read).is_ok());
        assert!(key(&[Read]).require(Capability::ReadCalls).is_ok());
        assert_eq!(
            key(&[Read]).require(Capability::Ingest).unwrap_err().code(),
            "FORBIDDEN"
        );
        assert_eq!(
            key(&[Read])
                .require(Capability::WriteNotes)
                .unwrap_err()
                .code(),
            "FORBIDDEN"
        );
        assert!(key(&[Admin]).require(Capability::Ingest).is_ok());
        assert!(key(&[Admin]).require(Capability::WriteFollowUps).is_ok());
    }

    #[test]
    fn roles_grant_their_capabilities_and_agents_see_only_their_calls() {
        use Capability::*;
        let agent = Uuid::now_v7();
        let cases = [
            (UserRole::Admin, [true, true, true, true, true, true]),
            (UserRole::Manager, [true, true, false, true, true, false]),
            (UserRole::Analyst, [true, true, false, false, false, false]),
            (UserRole::Agent, [true, false, false, true, false, false]),
        ];
        for (role, granted) in cases {
            let caller = user(role, Some(agent));
            for (capability, expected) in
                [ReadCalls, Read, Ingest, WriteNotes, WriteFollowUps, Admin]
                    .into_iter()
                    .zip(granted)
            {
                assert_eq!(
                    caller.require(capability).is_ok(),
                    expected,
                    "{role:?} {capability:?}"
                );
            }
        }
        let access = user(UserRole::Agent, Some(agent))
            .require(ReadCalls)
            .unwrap();
        assert_eq!(access.restrict_agents(None), Some(vec![agent]));
        assert_eq!(
            access.restrict_agents(Some(vec![Uuid::now_v7()])),
            Some(vec![])
        );
        assert!(!access.sees_call_of(None));
        let unlinked = user(UserRole::Agent, None).require(ReadCalls).unwrap();
        assert_eq!(unlinked.restrict_agents(None), Some(vec![]));
        let manager = user(UserRole::Manager, None).require(ReadCalls).unwrap();
        assert_eq!(manager.restrict_agents(None), None);
    }

    #[test]
    fn operator_and_anonymous_callers_get_distinct_codes() {
        let operator = AuthContext {
            principal: Principal::Operator,
        };
        assert!(operator.require_operator().is_ok());
        assert_eq!(
            operator.require(Capability::Read).unwrap_err().code(),
            "FORBIDDEN"
        );
        let anonymous = AuthContext::anonymous();
        assert_eq!(
            anonymous.require(Capability::Read).unwrap_err().code(),
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
