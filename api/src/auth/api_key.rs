//! API key secrets: generation, hashing, parsing and verification.
//!
//! A secret reads `cbk_<base64url>`, where the 56 encoded bytes are the
//! tenant id (16), the key id (16) and 24 random bytes (192 bits). The ids
//! let verification fetch the one row by its primary key (so the lookup
//! names its tenant, as every lookup must); only the SHA-256 of the whole
//! secret is stored and it is compared in constant time. A fast hash is
//! right here: the secret is random, not a password, so there is nothing
//! to brute-force.

use super::{ApiKeyPrincipal, AuthContext, Principal};
use crate::config::Secret;
use crate::db::Db;
use crate::domain::TenantId;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use entity::{api_key, tenant};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

/// The recognisable prefix of every API key secret.
pub const PREFIX: &str = "cbk_";

/// A freshly generated secret and the hash to store.
pub struct NewSecret {
    /// Shown once to the client, never stored.
    pub secret: String,
    /// Hex SHA-256 of `secret`.
    pub hash: String,
}

/// Generates the secret of key `key_id` of `tenant`.
pub fn generate(tenant: TenantId, key_id: Uuid) -> NewSecret {
    let mut bytes = [0u8; 56];
    bytes[..16].copy_from_slice(tenant.uuid().as_bytes());
    bytes[16..32].copy_from_slice(key_id.as_bytes());
    rand::rng().fill_bytes(&mut bytes[32..]);
    let secret = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash(&secret);
    NewSecret { secret, hash }
}

/// Hex SHA-256 of a secret.
pub fn hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The tenant and key ids a well-formed secret names.
pub fn parse(secret: &str) -> Option<(Uuid, Uuid)> {
    let bytes = URL_SAFE_NO_PAD.decode(secret.strip_prefix(PREFIX)?).ok()?;
    if bytes.len() != 56 {
        return None;
    }
    let tenant = Uuid::from_slice(&bytes[..16]).ok()?;
    let key = Uuid::from_slice(&bytes[16..32]).ok()?;
    Some((tenant, key))
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    // Hashing first makes the comparison independent of the lengths too.
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.ct_eq(&b).into()
}

const UNKNOWN: &str = "unknown or revoked credential";

/// Turns a bearer credential into an `AuthContext`: the operator secret, an
/// API key (`cbk_...`), or else a user's access token. Fails only when the
/// database cannot be asked: an unknown, revoked, expired or suspended
/// credential yields `Principal::Rejected`, which every protected field
/// reports as UNAUTHENTICATED.
pub async fn authenticate(
    db: &Db,
    operator_secret: Option<&Secret>,
    bearer: Option<&str>,
) -> Result<AuthContext, sea_orm::DbErr> {
    let Some(bearer) = bearer else {
        return Ok(AuthContext::anonymous());
    };
    if let Some(operator) = operator_secret
        && constant_time_eq(bearer, operator.expose())
    {
        return Ok(AuthContext {
            principal: Principal::Operator,
        });
    }
    let principal = if bearer.starts_with(PREFIX) {
        verify_key(db, bearer).await?.map(Principal::ApiKey)
    } else {
        super::user::verify(db, bearer).await?.map(Principal::User)
    };
    let principal = principal.unwrap_or(Principal::Rejected(UNKNOWN));
    Ok(AuthContext { principal })
}

async fn verify_key(db: &Db, secret: &str) -> Result<Option<ApiKeyPrincipal>, sea_orm::DbErr> {
    let conn = db.conn();
    let Some((tenant_id, key_id)) = parse(secret) else {
        return Ok(None);
    };
    let Some((key, tenant_row)) = api_key::Entity::find_by_id((tenant_id, key_id))
        .find_also_related(tenant::Entity)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let hash_matches: bool = key
        .secret_hash
        .as_bytes()
        .ct_eq(hash(secret).as_bytes())
        .into();
    if !hash_matches || key.revoked_at.is_some() {
        return Ok(None);
    }
    let Some(data_version) = super::tenant_standing(tenant_row) else {
        return Ok(None);
    };
    let now = Utc::now();
    // Record use at most once a minute: a write per request would cost more
    // than the request itself.
    if key
        .last_used_at
        .is_none_or(|at| now - at > chrono::Duration::seconds(60))
    {
        let principal = principal_of(&key, data_version);
        record_use(db, key, now).await;
        return Ok(Some(principal));
    }
    Ok(Some(principal_of(&key, data_version)))
}

/// Records a key's use, unless SQLite's single writer is busy: then the next
/// request records it. Never fails the request.
async fn record_use(db: &Db, key: api_key::Model, now: chrono::DateTime<Utc>) {
    let Some(_gate) = db.write_gate_if_free() else {
        return;
    };
    let mut active = key.into_active_model();
    active.last_used_at = Set(Some(now));
    if let Err(error) = active.update(db.conn()).await {
        tracing::warn!(%error, "recording an API key's last use");
    }
}

fn principal_of(key: &api_key::Model, data_version: i64) -> ApiKeyPrincipal {
    ApiKeyPrincipal {
        data_version,
        tenant: TenantId::from_verified(key.tenant_id),
        key_id: key.id,
        scopes: key.scopes.0.clone(),
        persisted_only: key.persisted_only,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_carry_their_ids_and_enough_randomness() {
        let tenant = TenantId::from_verified(Uuid::now_v7());
        let key = Uuid::now_v7();
        let a = generate(tenant, key);
        let b = generate(tenant, key);
        assert!(a.secret.starts_with(PREFIX));
        assert_ne!(a.secret, b.secret, "random part differs");
        assert_eq!(parse(&a.secret), Some((tenant.uuid(), key)));
        assert_eq!(a.hash, hash(&a.secret));
        assert_eq!(a.hash.len(), 64);
    }

    #[test]
    fn malformed_secrets_do_not_parse() {
        for secret in [
            "",
            "cbk_",
            "cbk_!!!!",
            "sk_live_abc",
            &format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode([0u8; 40])),
        ] {
            assert_eq!(parse(secret), None, "{secret}");
        }
    }

    #[test]
    fn constant_time_eq_compares_whole_strings() {
        assert!(constant_time_eq("operator-secret-1", "operator-secret-1"));
        assert!(!constant_time_eq("operator-secret-1", "operator-secret-2"));
        assert!(!constant_time_eq("operator-secret-1", "operator-secret-1x"));
    }
}
