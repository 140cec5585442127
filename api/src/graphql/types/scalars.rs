//! Scalar aliases used across the API types.

/// Timestamps are RFC 3339 `DateTime` scalars in UTC.
pub type DateTimeUtc = chrono::DateTime<chrono::Utc>;
