//! `PhoneE164`: a phone number normalised to E.164, built only by `parse`.

use super::Country;
use phonenumber::Mode;

/// A valid phone number in E.164 form (`+919812345678`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneE164(String);

impl PhoneE164 {
    /// Parses international (`+…`, `00…`) or national input, the latter in
    /// `country`'s numbering plan. `None` when it is not a valid number.
    pub fn parse(input: &str, country: Country) -> Option<Self> {
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.len() > 64 {
            return None;
        }
        let number = phonenumber::parse(Some(country.id()), trimmed).ok()?;
        phonenumber::is_valid(&number).then(|| Self(number.format().mode(Mode::E164).to_string()))
    }
}

impl AsRef<str> for PhoneE164 {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PhoneE164 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn india() -> Country {
        Country::parse("c", "IN").unwrap()
    }

    #[test]
    fn national_and_international_forms_normalise_to_the_same_e164() {
        let forms = [
            "+91 98123 45678",
            "098123 45678",
            "9812345678",
            "+919812345678",
            "0091 9812345678",
        ];
        for form in forms {
            assert_eq!(
                PhoneE164::parse(form, india()).unwrap().as_ref(),
                "+919812345678",
                "{form}"
            );
        }
    }

    #[test]
    fn foreign_numbers_keep_their_own_country() {
        let us = PhoneE164::parse("+1 (415) 555-2671", india()).unwrap();
        assert_eq!(us.as_ref(), "+14155552671");
    }

    #[test]
    fn withheld_or_malformed_numbers_do_not_parse() {
        for input in ["", "anonymous", "12", "+", "+91 12", "not a phone at all"] {
            assert_eq!(PhoneE164::parse(input, india()), None, "{input}");
        }
    }
}
