//! `Country`: an ISO 3166-1 alpha-2 code that phone numbering knows.

use crate::error::ApiError;
use phonenumber::country::Id;

/// A country whose national phone numbers can be normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country(Id);

impl Country {
    /// Parses an alpha-2 code, case-insensitively.
    pub fn parse(field: &str, code: &str) -> Result<Self, ApiError> {
        code.to_ascii_uppercase()
            .parse::<Id>()
            .map(Self)
            .map_err(|_| {
                ApiError::invalid(
                    field,
                    format!("`{code}` is not an ISO 3166-1 alpha-2 country code"),
                )
            })
    }

    /// The upper-case alpha-2 code.
    pub fn code(&self) -> &str {
        self.0.as_ref()
    }

    /// The numbering-plan id.
    pub fn id(self) -> Id {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha2_codes_parse_in_any_case() {
        assert_eq!(Country::parse("c", "in").unwrap().code(), "IN");
        assert_eq!(Country::parse("c", "US").unwrap().code(), "US");
        assert_eq!(
            Country::parse("c", "XX").unwrap_err().code(),
            "BAD_USER_INPUT"
        );
        assert_eq!(
            Country::parse("c", "India").unwrap_err().code(),
            "BAD_USER_INPUT"
        );
    }
}
