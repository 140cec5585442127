//! Signing in and out: `login` (email and password -> access and refresh
//! tokens), `refresh` (rotation, with reuse detection), `logout`, and the
//! lockout after repeated failures.
//!
//! Emails are unique per tenant, not across tenants. `login` takes the
//! tenant optionally: without it, the users of every tenant with that
//! email are candidates, and the password picks one (it is refused if it
//! opens more than one). Failures never say whether the email exists.
//!
//! Lockout: after `MAX_FAILURES` failed sign-ins for one lower-cased email
//! from one client address within `WINDOW`, further attempts are refused
//! with RATE_LIMITED, without checking the password, until the oldest of
//! those failures is `WINDOW` old. Failures are stored in the database, so
//! every replica counts them; a successful sign-in clears them.

use super::token::{self, AccessToken, REFRESH_TTL};
use super::{Actor, ClientAddress, UserPrincipal, password};
use crate::audit;
use crate::db::Db;
use crate::domain::{GlobalId, NodeKind, TenantId};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Duration, Utc};
use entity::enums::AuditAction;
use entity::{audit_log, login_attempt, refresh_token, tenant, user, user_session};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect,
};
use subtle::ConstantTimeEq;
use uuid::Uuid;

/// Failed sign-ins for one email and address that lock it.
pub const MAX_FAILURES: usize = 5;
/// The window failures are counted in, and how long they lock.
pub const WINDOW: Duration = Duration::minutes(15);
/// At most this many same-email users are tried when no tenant is named.
const MAX_CANDIDATES: u64 = 10;

const WRONG: &str = "wrong email or password";
const BAD_REFRESH: &str = "unknown, used or expired refresh token; sign in again";

/// What a sign-in or a refresh returns.
pub struct SignedIn {
    pub user: user::Model,
    pub access: AccessToken,
    /// Shown once; exchange it with `refreshToken` for new tokens.
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
}

/// Signs a user in by email and password.
pub async fn login(
    db: &Db,
    email: &str,
    password: String,
    tenant: Option<Uuid>,
    client: &ClientAddress,
) -> ApiResult<SignedIn> {
    let email = email.trim().to_lowercase();
    let now = Utc::now();
    refuse_if_locked(db, &email, tenant, client).await?;
    let mut candidates = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .filter(user::Column::Active.eq(true));
    if let Some(tenant) = tenant {
        candidates = candidates.filter(user::Column::TenantId.eq(tenant));
    }
    let candidates = candidates
        .order_by_asc(user::Column::TenantId)
        .limit(MAX_CANDIDATES)
        .all(db.conn())
        .await?;
    let mut matched = Vec::new();
    if candidates.is_empty() {
        // Spend the time of a verification anyway.
        password::verify(None, password.clone()).await?;
    }
    for candidate in candidates {
        if password::verify(candidate.password_hash.clone(), password.clone()).await? {
            matched.push(candidate);
        }
    }
    let mut open = Vec::new();
    for candidate in matched {
        let active = tenant::Entity::find_by_id(candidate.tenant_id)
            .one(db.conn())
            .await?
            .is_some_and(|t| t.active);
        if active {
            open.push(candidate);
        }
    }
    let user = match open.len() {
        1 => open.remove(0),
        0 => {
            record_failure(db, &email, client).await?;
            return Err(ApiError::Unauthenticated(WRONG));
        }
        _ => {
            return Err(ApiError::invalid(
                "tenant",
                "this email signs in to several tenants; name the tenant",
            ));
        }
    };
    let (txn, _gate) = db.begin_write().await?;
    login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::AttemptKey.eq(attempt_key(&email, client)))
        .exec(&txn)
        .await?;
    let session = user_session::ActiveModel {
        tenant_id: Set(user.tenant_id),
        id: Set(Uuid::now_v7()),
        user_id: Set(user.id),
        created_at: Set(now),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let signed_in = issue(&txn, user, session.id).await?;
    prune_sessions(&txn, &signed_in.user, Utc::now()).await?;
    txn.commit().await?;
    Ok(signed_in)
}

/// Deletes the user's sessions none of whose refresh tokens can be
/// exchanged any more (all expired; a revoked session's last token expires
/// `REFRESH_TTL` after it was issued), with their tokens. Such a session
/// lets nothing in: its access tokens died with its last refresh. So the
/// tables hold a bounded number of sessions per user, however often they
/// sign in; the audit log keeps what happened.
async fn prune_sessions<C: ConnectionTrait>(
    db: &C,
    user: &user::Model,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    use sea_orm::sea_query::{ExprTrait, Query};
    let live = Query::select()
        .expr(Expr::val(1))
        .from(refresh_token::Entity)
        .cond_where(crate::read::same_tenant(
            refresh_token::Entity,
            refresh_token::Column::SessionId,
            user_session::Entity,
            user_session::Column::Id,
        ))
        .and_where(Expr::col((refresh_token::Entity, refresh_token::Column::ExpiresAt)).gt(now))
        .to_owned();
    user_session::Entity::delete_many()
        .filter(user_session::Column::TenantId.eq(user.tenant_id))
        .filter(user_session::Column::UserId.eq(user.id))
        .filter(sea_orm::Condition::all().not().add(Expr::exists(live)))
        .exec(db)
        .await?;
    Ok(())
}

fn attempt_key(email: &str, client: &ClientAddress) -> String {
    format!("{email} {}", client.0)
}

/// RATE_LIMITED while `email` (lower-cased) is locked from `client`; the
/// refusal is audited.
pub async fn refuse_if_locked(
    db: &Db,
    email: &str,
    tenant: Option<Uuid>,
    client: &ClientAddress,
) -> ApiResult<()> {
    let now = Utc::now();
    let Some(retry_at) = locked_until(db, &attempt_key(email, client), now).await? else {
        return Ok(());
    };
    audit_refusal(db, email, tenant, client).await?;
    let seconds = (retry_at - now).num_seconds().max(1) as u64;
    Err(ApiError::RateLimited {
        reason: format!(
            "too many failed sign-ins for this email from this address; try again in {seconds} seconds"
        ),
        retry_after_secs: seconds,
    })
}

/// Counts a wrong password for `email` (lower-cased) from `client`, and
/// forgets failures too old to count, so the table holds one window's worth.
pub async fn record_failure(db: &Db, email: &str, client: &ClientAddress) -> ApiResult<()> {
    let now = Utc::now();
    let (txn, _gate) = db.begin_write().await?;
    login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::At.lt(now - WINDOW))
        .exec(&txn)
        .await?;
    login_attempt::ActiveModel {
        id: Set(Uuid::now_v7()),
        attempt_key: Set(attempt_key(email, client)),
        at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// When the lock on `key` lifts, if it is locked now.
async fn locked_until(db: &Db, key: &str, now: DateTime<Utc>) -> ApiResult<Option<DateTime<Utc>>> {
    let recent = login_attempt::Entity::find()
        .filter(login_attempt::Column::AttemptKey.eq(key))
        .filter(login_attempt::Column::At.gt(now - WINDOW))
        .order_by_desc(login_attempt::Column::At)
        .limit(MAX_FAILURES as u64)
        .all(db.conn())
        .await?;
    if recent.len() < MAX_FAILURES {
        return Ok(None);
    }
    // Unlocked once the oldest of the last MAX_FAILURES leaves the window.
    Ok(recent.last().map(|oldest| oldest.at + WINDOW))
}

/// Audits a refused sign-in in each tenant with a user of that email, once
/// per email and address within a window.
async fn audit_refusal(
    db: &Db,
    email: &str,
    tenant: Option<Uuid>,
    client: &ClientAddress,
) -> ApiResult<()> {
    let mut users = user::Entity::find().filter(user::Column::Email.eq(email));
    if let Some(tenant) = tenant {
        users = users.filter(user::Column::TenantId.eq(tenant));
    }
    let users = users.limit(MAX_CANDIDATES).all(db.conn()).await?;
    if users.is_empty() {
        tracing::warn!(address = %client.0, "sign-in refused: too many failures for an unknown email");
        return Ok(());
    }
    let (_gate, conn) = (db.write_gate().await, db.conn());
    let since = Utc::now() - WINDOW;
    for user in users {
        // One entry per email and address a window: a locked-out client
        // that keeps trying must not flood the log.
        let recorded = audit_log::Entity::find()
            .filter(audit_log::Column::TenantId.eq(user.tenant_id))
            .filter(audit_log::Column::Action.eq(AuditAction::LoginRefused))
            .filter(audit_log::Column::Target.eq(email))
            .filter(audit_log::Column::At.gt(since))
            .all(conn)
            .await?
            .iter()
            .any(|entry| entry.detail["address"] == client.0.as_str());
        if recorded {
            continue;
        }
        audit::record(
            conn,
            TenantId::from_verified(user.tenant_id),
            Actor::Anonymous,
            AuditAction::LoginRefused,
            Some(email.to_owned()),
            serde_json::json!({ "address": client.0, "reason": "too many failed sign-ins" }),
        )
        .await?;
    }
    Ok(())
}

/// A new refresh token in `session` and an access token for `user`.
async fn issue<C: ConnectionTrait>(
    db: &C,
    user: user::Model,
    session: Uuid,
) -> ApiResult<SignedIn> {
    let tenant = TenantId::from_verified(user.tenant_id);
    let now = Utc::now();
    let id = Uuid::now_v7();
    let refresh = token::generate_refresh(tenant, id);
    let refresh_expires_at = now + REFRESH_TTL;
    refresh_token::ActiveModel {
        tenant_id: Set(user.tenant_id),
        id: Set(id),
        session_id: Set(session),
        token_hash: Set(refresh.hash),
        created_at: Set(now),
        expires_at: Set(refresh_expires_at),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    // The session's expired tokens can never be exchanged again: a spent
    // one still unexpired is kept, so that its reuse is still caught.
    refresh_token::Entity::delete_many()
        .filter(refresh_token::Column::TenantId.eq(user.tenant_id))
        .filter(refresh_token::Column::SessionId.eq(session))
        .filter(refresh_token::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?;
    let access = token::issue_access(tenant, user.id, session, user.role, user.agent_id)?;
    Ok(SignedIn {
        user,
        access,
        refresh_token: refresh.token,
        refresh_expires_at,
    })
}

/// Exchanges a refresh token for new tokens. Each refresh token works once:
/// presenting a spent one again revokes its whole session (every token of
/// the family, and the access tokens of the session), and is audited.
pub async fn refresh(db: &Db, presented: &str) -> ApiResult<SignedIn> {
    let Some((tenant_id, id)) = token::parse_refresh(presented) else {
        return Err(ApiError::Unauthenticated(BAD_REFRESH));
    };
    let (txn, _gate) = db.begin_write().await?;
    let Some(row) = refresh_token::Entity::find_by_id((tenant_id, id))
        .one(&txn)
        .await?
    else {
        return Err(ApiError::Unauthenticated(BAD_REFRESH));
    };
    let hash_matches: bool = row
        .token_hash
        .as_bytes()
        .ct_eq(super::api_key::hash(presented).as_bytes())
        .into();
    if !hash_matches {
        return Err(ApiError::Unauthenticated(BAD_REFRESH));
    }
    let Some(session) = user_session::Entity::find_by_id((tenant_id, row.session_id))
        .one(&txn)
        .await?
    else {
        return Err(ApiError::Unauthenticated(BAD_REFRESH));
    };
    if session.revoked_at.is_some() {
        return Err(ApiError::Unauthenticated(BAD_REFRESH));
    }
    let now = Utc::now();
    // Spend the token, unless it is spent already (also when a concurrent
    // refresh got there first: only one of two racing uses can win).
    let spent = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::TenantId.eq(tenant_id))
        .filter(refresh_token::Column::Id.eq(id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if spent.rows_affected == 0 {
        let user_id = session.user_id;
        let session_id = session.id;
        revoke_session(&txn, session, now).await?;
        audit::record(
            &txn,
            TenantId::from_verified(tenant_id),
            Actor::Anonymous,
            AuditAction::RefreshTokenReused,
            Some(GlobalId::new(NodeKind::User, user_id).encode()),
            serde_json::json!({ "session": session_id, "token": id }),
        )
        .await?;
        txn.commit().await?;
        return Err(ApiError::Unauthenticated(BAD_REFRESH));
    }
    if row.expires_at <= now {
        return Err(ApiError::Unauthenticated(BAD_REFRESH));
    }
    let user = user::Entity::find_by_id((tenant_id, session.user_id))
        .one(&txn)
        .await?
        .filter(|u| u.active);
    let tenant_active = tenant::Entity::find_by_id(tenant_id)
        .one(&txn)
        .await?
        .is_some_and(|t| t.active);
    let (Some(user), true) = (user, tenant_active) else {
        return Err(ApiError::Unauthenticated(BAD_REFRESH));
    };
    let signed_in = issue(&txn, user, session.id).await?;
    txn.commit().await?;
    Ok(signed_in)
}

/// Ends the caller's session: its refresh tokens and access tokens stop
/// working at once.
pub async fn logout(db: &Db, user: &UserPrincipal) -> ApiResult<()> {
    let (txn, _gate) = db.begin_write().await?;
    if let Some(session) = user_session::Entity::find_by_id((user.tenant.uuid(), user.session_id))
        .one(&txn)
        .await?
    {
        revoke_session(&txn, session, Utc::now()).await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn revoke_session<C: ConnectionTrait>(
    db: &C,
    session: user_session::Model,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if session.revoked_at.is_some() {
        return Ok(());
    }
    let mut active = session.into_active_model();
    active.revoked_at = Set(Some(now));
    active.update(db).await?;
    Ok(())
}

/// Revokes every open session of a user (deactivation, password change).
pub async fn revoke_sessions_of<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    user: Uuid,
) -> ApiResult<()> {
    user_session::Entity::update_many()
        .col_expr(user_session::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(user_session::Column::TenantId.eq(tenant.uuid()))
        .filter(user_session::Column::UserId.eq(user))
        .filter(user_session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
