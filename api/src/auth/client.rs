//! `ClientAddress`: where a request comes from, for sign-in lockouts.
//!
//! The address is the first hop of `X-Forwarded-For` (set by the load
//! balancer in front of the replicas) when present, else the TCP peer.
//! Behind no proxy a client can choose the header, so a lockout keyed by
//! address is a brake, not a wall; see docs/auth.md.

use axum::http::HeaderMap;
use std::net::IpAddr;

/// The client address of one request, as request data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub String);

impl ClientAddress {
    /// The first hop of `X-Forwarded-For`, else the TCP peer, else
    /// `unknown`.
    pub fn of(headers: &HeaderMap, peer: Option<IpAddr>) -> Self {
        let first = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.len() <= 64);
        match (first, peer) {
            (Some(first), _) => Self(first.to_owned()),
            (None, Some(peer)) => Self(peer.to_string()),
            (None, None) => Self("unknown".to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_forwarded_hop_is_the_client() {
        let mut headers = HeaderMap::new();
        let peer: IpAddr = "10.0.0.9".parse().unwrap();
        assert_eq!(ClientAddress::of(&headers, None).0, "unknown");
        assert_eq!(ClientAddress::of(&headers, Some(peer)).0, "10.0.0.9");
        headers.insert("x-forwarded-for", "203.0.113.7, 10.0.0.1".parse().unwrap());
        assert_eq!(ClientAddress::of(&headers, Some(peer)).0, "203.0.113.7");
    }
}
