//! `ClientAddress`: where a request comes from, for sign-in lockouts.
//!
//! The server does not see the TCP peer here, so the address is the first
//! hop of `X-Forwarded-For` (set by the load balancer in front of the
//! replicas), or `unknown`. Behind no proxy a client can choose the header,
//! so a lockout keyed by address is a brake, not a wall; see docs/auth.md.

use axum::http::HeaderMap;

/// The client address of one request, as request data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub String);

impl ClientAddress {
    /// The first hop of `X-Forwarded-For`, or `unknown`.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let first = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.len() <= 64);
        Self(first.unwrap_or("unknown").to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_forwarded_hop_is_the_client() {
        let mut headers = HeaderMap::new();
        assert_eq!(ClientAddress::from_headers(&headers).0, "unknown");
        headers.insert("x-forwarded-for", "203.0.113.7, 10.0.0.1".parse().unwrap());
        assert_eq!(ClientAddress::from_headers(&headers).0, "203.0.113.7");
    }
}
