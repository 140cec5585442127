//! Access tokens -> `UserPrincipal`, checked against the database on every
//! request: the user must still be active, their session not revoked (by
//! logout or a reused refresh token) and their tenant not suspended. Two
//! primary-key reads (the user with its tenant, and the session), no
//! cache, so each of these applies on the next
//! request on every replica. The role and agent come from the user's row,
//! not from the token, so a role change applies at once too.

use super::UserPrincipal;
use super::token;
use crate::db::Db;
use crate::domain::TenantId;
use entity::{tenant, user, user_session};
use sea_orm::{DbErr, EntityTrait};

/// The user an access token names, if it is valid and everything it
/// depends on still stands.
pub async fn verify(db: &Db, bearer: &str) -> Result<Option<UserPrincipal>, DbErr> {
    let Some(claims) = token::verify_access(bearer) else {
        return Ok(None);
    };
    let conn = db.conn();
    let Some((user, tenant_row)) = user::Entity::find_by_id((claims.tid, claims.sub))
        .find_also_related(tenant::Entity)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    if !user.active {
        return Ok(None);
    }
    let session_open = user_session::Entity::find_by_id((claims.tid, claims.sid))
        .one(conn)
        .await?
        .is_some_and(|s| s.revoked_at.is_none() && s.user_id == user.id);
    if !session_open {
        return Ok(None);
    }
    let Some(data_version) = super::tenant_standing(tenant_row) else {
        return Ok(None);
    };
    Ok(Some(UserPrincipal {
        data_version,
        tenant: TenantId::from_verified(user.tenant_id),
        user_id: user.id,
        role: user.role,
        agent_id: user.agent_id,
        session_id: claims.sid,
    }))
}
