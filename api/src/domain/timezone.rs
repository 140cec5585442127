//! `TimeZone`: a validated IANA zone name.

use crate::error::ApiError;

/// An IANA time zone known to the tz database (`Asia/Kolkata`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    /// Parses an IANA name; `BAD_USER_INPUT` naming `field` otherwise.
    pub fn parse(field: &str, name: &str) -> Result<Self, ApiError> {
        name.parse::<chrono_tz::Tz>()
            .map(Self)
            .map_err(|_| ApiError::invalid(field, format!("`{name}` is not an IANA time zone")))
    }

    /// The zone, for date arithmetic.
    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iana_names_parse_and_others_are_bad_input() {
        assert_eq!(
            TimeZone::parse("timezone", "Asia/Kathmandu")
                .unwrap()
                .name(),
            "Asia/Kathmandu"
        );
        let error = TimeZone::parse("timezone", "Mars/Olympus").unwrap_err();
        assert_eq!(error.code(), "BAD_USER_INPUT");
        assert!(error.message().contains("Mars/Olympus"));
    }
}
