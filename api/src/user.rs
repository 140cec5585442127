//! Dashboard users of a tenant: invitation, role changes, deactivation,
//! password changes. Each change is audited in the same transaction.
//!
//! Emails are stored lower-cased and trimmed, unique per tenant. An AGENT
//! user must be linked to one of the tenant's agents. An invitation creates
//! the user with a random password that is shown once; they sign in with
//! it and set their own with `changePassword`.

use crate::audit;
use crate::auth::{Actor, ClientAddress, UserPrincipal, login, password};
use crate::db::Db;
use crate::domain::{GlobalId, NodeKind, TenantId};
use crate::error::{ApiError, ApiResult};
use crate::ingest::validate::check_len;
use chrono::Utc;
use entity::enums::{AuditAction, UserRole};
use entity::{agent, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder,
};
use uuid::Uuid;

/// A person to invite.
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: UserRole,
    /// Required for AGENT, refused otherwise.
    pub agent_id: Option<Uuid>,
}

/// An invited user and their first password, shown only this once.
pub struct Invited {
    pub user: user::Model,
    pub password: String,
}

fn taken() -> ApiError {
    ApiError::Conflict("a user with this email already exists".into())
}

fn global(id: Uuid) -> Option<String> {
    Some(GlobalId::new(NodeKind::User, id).encode())
}

/// Checks that an AGENT is linked to an agent of the tenant, and no one
/// else is.
async fn check_agent<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    role: UserRole,
    agent_id: Option<Uuid>,
) -> ApiResult<()> {
    match (role, agent_id) {
        (UserRole::Agent, None) => Err(ApiError::invalid(
            "agentId",
            "an AGENT user must be linked to an agent",
        )),
        (UserRole::Agent, Some(id)) => {
            let exists = agent::Entity::find_by_id((tenant.uuid(), id))
                .one(db)
                .await?
                .is_some();
            if exists {
                Ok(())
            } else {
                Err(ApiError::NotFound("agent"))
            }
        }
        (_, Some(_)) => Err(ApiError::invalid(
            "agentId",
            "only an AGENT user is linked to an agent",
        )),
        (_, None) => Ok(()),
    }
}

/// Invites a user into `tenant`.
pub async fn invite(db: &Db, tenant: TenantId, actor: Actor, new: NewUser) -> ApiResult<Invited> {
    let email = new.email.trim().to_lowercase();
    check_len("email", &email, 3, 254)?;
    if !email.contains('@') || email.contains(char::is_whitespace) {
        return Err(ApiError::invalid("email", "is not an email address"));
    }
    let name = new.name.trim().to_owned();
    check_len("name", &name, 1, 200)?;
    let first_password = password::generate();
    let hash = password::hash(first_password.clone()).await?;
    let (txn, _gate) = db.begin_tenant_write(tenant.uuid()).await?;
    check_agent(&txn, tenant, new.role, new.agent_id).await?;
    let taken = user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant.uuid()))
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await?
        .is_some();
    if taken {
        return Err(self::taken());
    }
    let now = Utc::now();
    let row = user::ActiveModel {
        tenant_id: Set(tenant.uuid()),
        id: Set(Uuid::now_v7()),
        email: Set(email),
        name: Set(name),
        role: Set(new.role),
        agent_id: Set(new.agent_id),
        password_hash: Set(Some(hash)),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|error| match error.sql_err() {
        // A concurrent invitation of the same email got there first.
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => self::taken(),
        _ => ApiError::from(error),
    })?;
    audit::record(
        &txn,
        tenant,
        actor,
        AuditAction::UserInvited,
        global(row.id),
        serde_json::json!({ "email": row.email, "role": row.role }),
    )
    .await?;
    txn.commit().await?;
    Ok(Invited {
        user: row,
        password: first_password,
    })
}

/// The tenant's user `id`; another tenant's is NOT_FOUND.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    id: Uuid,
) -> ApiResult<user::Model> {
    user::Entity::find_by_id((tenant.uuid(), id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("user"))
}

/// The tenant's users by email.
pub async fn list<C: ConnectionTrait>(db: &C, tenant: TenantId) -> ApiResult<Vec<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant.uuid()))
        .order_by_asc(user::Column::Email)
        .all(db)
        .await?)
}

/// Changes a user's role (and agent link). Applies from the user's next
/// request.
pub async fn update_role(
    db: &Db,
    tenant: TenantId,
    actor: Actor,
    id: Uuid,
    role: UserRole,
    agent_id: Option<Uuid>,
) -> ApiResult<user::Model> {
    let (txn, _gate) = db.begin_tenant_write(tenant.uuid()).await?;
    let row = find(&txn, tenant, id).await?;
    check_agent(&txn, tenant, role, agent_id).await?;
    if row.role == role && row.agent_id == agent_id {
        return Ok(row);
    }
    let before = row.role;
    let mut active = row.into_active_model();
    active.role = Set(role);
    active.agent_id = Set(agent_id);
    active.updated_at = Set(Utc::now());
    let row = active.update(&txn).await?;
    audit::record(
        &txn,
        tenant,
        actor,
        AuditAction::UserRoleChanged,
        global(row.id),
        serde_json::json!({ "from": before, "to": role, "agent": agent_id }),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Deactivates a user: their tokens stop working at once, and they cannot
/// sign in. Idempotent.
pub async fn deactivate(
    db: &Db,
    tenant: TenantId,
    actor: Actor,
    id: Uuid,
) -> ApiResult<user::Model> {
    if actor.user() == Some(id) {
        return Err(ApiError::invalid("id", "you cannot deactivate yourself"));
    }
    let (txn, _gate) = db.begin_tenant_write(tenant.uuid()).await?;
    let row = find(&txn, tenant, id).await?;
    if !row.active {
        return Ok(row);
    }
    let mut active = row.into_active_model();
    active.active = Set(false);
    active.updated_at = Set(Utc::now());
    let row = active.update(&txn).await?;
    login::revoke_sessions_of(&txn, tenant, id).await?;
    audit::record(
        &txn,
        tenant,
        actor,
        AuditAction::UserDeactivated,
        global(row.id),
        serde_json::json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// A password change by the signed-in user.
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

/// Sets a user's own password, after checking the current one. Every other
/// session of the user ends. Wrong current passwords count towards the
/// sign-in lockout, so a stolen access token cannot guess the password.
pub async fn change_password(
    db: &Db,
    user: &UserPrincipal,
    client: &ClientAddress,
    change: PasswordChange,
) -> ApiResult<()> {
    let (tenant, id, session) = (user.tenant, user.user_id, user.session_id);
    password::check("newPassword", &change.new)?;
    let row = find(db.conn(), tenant, id).await?;
    login::refuse_if_locked(db, &row.email, Some(tenant.uuid()), client).await?;
    if !password::verify(row.password_hash.clone(), change.current).await? {
        login::record_failure(db, &row.email, client).await?;
        return Err(ApiError::invalid("currentPassword", "is not your password"));
    }
    let new = change.new;
    let hash = password::hash(new).await?;
    let (txn, _gate) = db.begin_tenant_write(tenant.uuid()).await?;
    let mut active = row.into_active_model();
    active.password_hash = Set(Some(hash));
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    entity::user_session::Entity::update_many()
        .col_expr(
            entity::user_session::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(entity::user_session::Column::TenantId.eq(tenant.uuid()))
        .filter(entity::user_session::Column::UserId.eq(id))
        .filter(entity::user_session::Column::Id.ne(session))
        .filter(entity::user_session::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        tenant,
        Actor::User(id),
        AuditAction::PasswordChanged,
        global(id),
        serde_json::json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The demo's ADMIN user `email`, created if missing, with a fresh random
/// password each time (only hashes are stored). Returns the password.
pub async fn reset_demo_admin(db: &Db, tenant: TenantId, email: &str) -> ApiResult<String> {
    let existing = user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant.uuid()))
        .filter(user::Column::Email.eq(email))
        .one(db.conn())
        .await?;
    let row = match existing {
        Some(row) => row,
        None => {
            let new = NewUser {
                email: email.to_owned(),
                name: "Demo admin".into(),
                role: UserRole::Admin,
                agent_id: None,
            };
            return Ok(invite(db, tenant, Actor::Operator, new).await?.password);
        }
    };
    let fresh = password::generate();
    let hash = password::hash(fresh.clone()).await?;
    let (txn, _gate) = db.begin_tenant_write(tenant.uuid()).await?;
    let mut active = row.into_active_model();
    active.password_hash = Set(Some(hash));
    active.active = Set(true);
    active.role = Set(UserRole::Admin);
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(fresh)
}
