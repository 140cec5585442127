//! Passwords: argon2id hashes in PHC format (salt and parameters included),
//! with the `argon2` crate's defaults (19 MiB, 2 passes, 1 lane: OWASP's
//! recommendation). Hashing is slow on purpose, so it runs on the blocking
//! pool rather than on a request thread.

use crate::error::{ApiError, ApiResult};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;

/// Shortest password accepted.
pub const MIN_LEN: usize = 12;
/// Longest password accepted (hashing cost grows with it).
pub const MAX_LEN: usize = 256;

/// Refuses a password too short or too long (`BAD_USER_INPUT`).
pub fn check(field: &str, password: &str) -> ApiResult<()> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(ApiError::invalid(
            field,
            format!("must be at least {MIN_LEN} characters"),
        ));
    }
    if len > MAX_LEN {
        return Err(ApiError::invalid(
            field,
            format!("must be at most {MAX_LEN} characters"),
        ));
    }
    Ok(())
}

/// The argon2id hash of `password`.
pub async fn hash(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?
    .map_err(ApiError::Internal)
}

/// Whether `password` matches `hash`. With no hash (an unknown email, or a
/// user without a password) it still spends the time of one verification,
/// so a response's timing does not tell whether the email exists.
pub async fn verify(hash: Option<String>, password: String) -> ApiResult<bool> {
    tokio::task::spawn_blocking(move || {
        static DUMMY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            let salt = SaltString::encode_b64(&[7u8; 16]).expect("valid salt");
            Argon2::default()
                .hash_password(b"not a password of anyone", &salt)
                .expect("hashing a constant")
                .to_string()
        });
        let stored = hash.as_deref().unwrap_or(DUMMY.as_str());
        let Ok(parsed) = PasswordHash::new(stored) else {
            return false;
        };
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        matches && hash.is_some()
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))
}

/// A random password of 24 base64url characters (144 bits), for invitations.
pub fn generate() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 18];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify_only_their_password() {
        let hash = hash("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(
            verify(Some(hash.clone()), "correct horse battery".into())
                .await
                .unwrap()
        );
        assert!(
            !verify(Some(hash), "wrong horse battery".into())
                .await
                .unwrap()
        );
        assert!(
            !verify(None, "not a password of anyone".into())
                .await
                .unwrap()
        );
    }

    #[test]
    fn passwords_need_a_reasonable_length() {
        assert!(check("password", "short").is_err());
        assert!(check("password", "twelve chars").is_ok());
        assert_eq!(generate().len(), 24);
    }
}
