//! Users' tokens: short-lived signed access tokens and opaque refresh tokens.
//!
//! An access token is an HS256 JWT naming the tenant, the user, their role
//! and agent, and the session (`sid`); it lives 15 minutes. Its signature
//! spares no database work, though: every request still reads the user, the
//! session and the tenant by primary key (`auth::user`), so deactivation,
//! suspension, logout and role changes apply at once.
//!
//! A refresh token reads `cbr_` followed by base64url of the tenant id, the
//! token id and 192 random bits. As with API keys the ids find one row by
//! its primary key and only the SHA-256 of the whole token is stored.
//!
//! The signing key is one per process, set from `--token-secret` when the
//! server starts. Without it each process draws a random key, and its
//! tokens do not survive a restart or work on another replica.

use crate::domain::TenantId;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entity::enums::UserRole;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;
use uuid::Uuid;

/// How long an access token is valid.
pub const ACCESS_TTL: chrono::Duration = chrono::Duration::minutes(15);
/// How long a refresh token is valid (each use issues a new one).
pub const REFRESH_TTL: chrono::Duration = chrono::Duration::days(30);
/// The recognisable prefix of every refresh token.
pub const REFRESH_PREFIX: &str = "cbr_";
const ISSUER: &str = "callboard";

/// The key access tokens are signed with (at least 32 characters). Never
/// prints.
#[derive(Clone)]
pub struct TokenSecret(String);

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl FromStr for TokenSecret {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() < 32 {
            return Err("the token secret must be at least 32 characters".into());
        }
        Ok(Self(s.to_owned()))
    }
}

/// Settings of users' tokens.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TokenConfig {
    /// Key that signs users' access tokens (HS256; at least 32 characters).
    /// Give every replica the same one. Unset: a random key per process, so
    /// tokens do not survive a restart and work on one replica only.
    #[arg(long, env = "CALLBOARD_TOKEN_SECRET", hide_env_values = true)]
    pub token_secret: Option<TokenSecret>,
}

struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    secret: Vec<u8>,
}

impl Keys {
    fn new(secret: &[u8]) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            secret: secret.to_vec(),
        }
    }
}

static KEYS: OnceLock<Keys> = OnceLock::new();

fn keys() -> &'static Keys {
    KEYS.get_or_init(|| {
        tracing::warn!(
            "no --token-secret (CALLBOARD_TOKEN_SECRET): users' tokens are signed with a random key \
             and will not survive a restart or work on another replica"
        );
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        Keys::new(&secret)
    })
}

/// Sets this process's signing key; call once, when the server starts.
/// Without a configured secret, the random key is drawn now (and warned
/// about) rather than on the first sign-in.
pub fn install(config: &TokenConfig) {
    match &config.token_secret {
        Some(secret) => {
            let installed = KEYS.get_or_init(|| Keys::new(secret.0.as_bytes()));
            if installed.secret != secret.0.as_bytes() {
                tracing::error!("a different token secret is already in use in this process");
            }
        }
        None => {
            keys();
        }
    }
}

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: Uuid,
    /// The tenant id.
    pub tid: Uuid,
    /// The session (refresh token family).
    pub sid: Uuid,
    /// The role when the token was issued (informative: each request reads
    /// the current role).
    pub role: UserRole,
    /// The agent, for role AGENT.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub agent: Option<Uuid>,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: Uuid,
}

/// An access token and when it expires.
pub struct AccessToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Signs an access token for a user's session.
pub fn issue_access(
    tenant: TenantId,
    user: Uuid,
    session: Uuid,
    role: UserRole,
    agent: Option<Uuid>,
) -> Result<AccessToken, anyhow::Error> {
    let now = Utc::now();
    let expires_at = now + ACCESS_TTL;
    let claims = Claims {
        sub: user,
        tid: tenant.uuid(),
        sid: session,
        role,
        agent,
        iss: ISSUER.into(),
        iat: now.timestamp(),
        exp: expires_at.timestamp(),
        jti: Uuid::now_v7(),
    };
    let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys().encoding)?;
    Ok(AccessToken { token, expires_at })
}

/// The claims of a well-signed, unexpired access token of this server.
pub fn verify_access(token: &str) -> Option<Claims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_issuer(&[ISSUER]);
    validation.set_required_spec_claims(&["exp", "iss", "sub"]);
    jsonwebtoken::decode::<Claims>(token, &keys().decoding, &validation)
        .ok()
        .map(|data| data.claims)
}

/// A new refresh token and the hash to store.
pub struct NewRefresh {
    /// Shown once to the client, never stored.
    pub token: String,
    /// Hex SHA-256 of `token`.
    pub hash: String,
}

/// Generates refresh token `id` of `tenant`.
pub fn generate_refresh(tenant: TenantId, id: Uuid) -> NewRefresh {
    let mut bytes = [0u8; 56];
    bytes[..16].copy_from_slice(tenant.uuid().as_bytes());
    bytes[16..32].copy_from_slice(id.as_bytes());
    rand::rng().fill_bytes(&mut bytes[32..]);
    let token = format!("{REFRESH_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = super::api_key::hash(&token);
    NewRefresh { token, hash }
}

/// The tenant and token ids a well-formed refresh token names.
pub fn parse_refresh(token: &str) -> Option<(Uuid, Uuid)> {
    let bytes = URL_SAFE_NO_PAD
        .decode(token.strip_prefix(REFRESH_PREFIX)?)
        .ok()?;
    if bytes.len() != 56 {
        return None;
    }
    Some((
        Uuid::from_slice(&bytes[..16]).ok()?,
        Uuid::from_slice(&bytes[16..32]).ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_tokens_verify_until_tampered_with() {
        let tenant = TenantId::from_verified(Uuid::now_v7());
        let (user, session) = (Uuid::now_v7(), Uuid::now_v7());
        let token = issue_access(tenant, user, session, UserRole::Analyst, None).unwrap();
        let claims = verify_access(&token.token).expect("valid");
        assert_eq!(
            (claims.sub, claims.tid, claims.sid),
            (user, tenant.uuid(), session)
        );
        let mut tampered = token.token.clone();
        tampered.pop();
        tampered.push(if token.token.ends_with('A') { 'B' } else { 'A' });
        assert!(verify_access(&tampered).is_none());
        assert!(verify_access("cbk_not_a_jwt").is_none());
    }

    #[test]
    fn expired_unsigned_and_foreign_tokens_are_refused() {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: Uuid::now_v7(),
            tid: Uuid::now_v7(),
            sid: Uuid::now_v7(),
            role: UserRole::Admin,
            agent: None,
            iss: ISSUER.into(),
            iat: now - 3600,
            exp: now - 1,
            jti: Uuid::now_v7(),
        };
        let header = Header::new(Algorithm::HS256);
        let expired = jsonwebtoken::encode(&header, &claims, &keys().encoding).unwrap();
        assert!(verify_access(&expired).is_none(), "expired");

        let live = Claims {
            exp: now + 600,
            ..claims
        };
        let foreign_key = EncodingKey::from_secret(b"some other deployment's secret key!");
        let foreign = jsonwebtoken::encode(&header, &live, &foreign_key).unwrap();
        assert!(verify_access(&foreign).is_none(), "signed with another key");

        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&live).unwrap());
        let unsigned = format!("{}.{body}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#));
        assert!(verify_access(&unsigned).is_none(), "alg none");
        let genuine = jsonwebtoken::encode(&header, &live, &keys().encoding).unwrap();
        assert!(verify_access(&genuine).is_some());
    }

    #[test]
    fn refresh_tokens_carry_their_ids() {
        let tenant = TenantId::from_verified(Uuid::now_v7());
        let id = Uuid::now_v7();
        let new = generate_refresh(tenant, id);
        assert!(new.token.starts_with(REFRESH_PREFIX));
        assert_eq!(parse_refresh(&new.token), Some((tenant.uuid(), id)));
        assert_eq!(parse_refresh("cbr_short"), None);
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!("short".parse::<TokenSecret>().is_err());
        assert!("x".repeat(32).parse::<TokenSecret>().is_ok());
    }
}
