//! Item checks of INGEST.md ("Batches and bad input"). Each returns the
//! first problem as a `BAD_USER_INPUT` error naming the field.

use crate::domain::{Country, PhoneE164};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde_json::Value as Json;
use std::collections::HashMap;

/// Longest identifier, name or other short string, in characters.
pub const MAX_SHORT: usize = 200;
/// Longest free text (`hangupReason`, `summary`, a segment's text).
pub const MAX_TEXT: usize = 10_000;
/// Most segments in one transcript.
pub const MAX_SEGMENTS: usize = 5_000;
/// Largest JSON value (`payload`, `reasoning`, `metadata`, `contactContext`), in bytes.
pub const MAX_JSON_BYTES: usize = 64 * 1024;
/// Most decimal places of a cost (it is stored in millionths).
pub const COST_SCALE: u32 = 6;

/// `value` has between `min` and `max` characters (Unicode scalar values).
pub fn check_len(field: &str, value: &str, min: usize, max: usize) -> ApiResult<()> {
    let chars = value.chars().count();
    if chars < min {
        return Err(ApiError::invalid(field, "must not be empty"));
    }
    if chars > max {
        return Err(ApiError::invalid(
            field,
            format!("is {chars} characters long; at most {max} are allowed"),
        ));
    }
    Ok(())
}

/// A required identifier: non-empty, at most `MAX_SHORT` characters.
pub fn id(field: &str, value: &str) -> ApiResult<()> {
    check_len(field, value, 1, MAX_SHORT)
}

/// An optional short string: at most `MAX_SHORT` characters.
pub fn short(field: &str, value: Option<&str>) -> ApiResult<()> {
    value.map_or(Ok(()), |v| check_len(field, v, 0, MAX_SHORT))
}

/// An optional free text: at most `MAX_TEXT` characters.
pub fn text(field: &str, value: Option<&str>) -> ApiResult<()> {
    value.map_or(Ok(()), |v| check_len(field, v, 0, MAX_TEXT))
}

/// A timestamp no more than one day after `now`.
pub fn not_future(field: &str, at: DateTime<Utc>, now: DateTime<Utc>) -> ApiResult<()> {
    if at > now + Duration::days(1) {
        return Err(ApiError::invalid(
            field,
            "is more than one day in the future",
        ));
    }
    Ok(())
}

/// A score between 0 and 100.
pub fn score(field: &str, value: Option<i32>) -> ApiResult<()> {
    match value {
        Some(v) if !(0..=100).contains(&v) => {
            Err(ApiError::invalid(field, format!("{v} is outside 0..=100")))
        }
        _ => Ok(()),
    }
}

/// A JSON value of at most `MAX_JSON_BYTES` serialised.
pub fn json(field: &str, value: Option<&Json>) -> ApiResult<()> {
    if let Some(value) = value {
        let size = serde_json::to_vec(value)
            .map(|v| v.len())
            .unwrap_or(usize::MAX);
        if size > MAX_JSON_BYTES {
            return Err(ApiError::invalid(
                field,
                format!("is {size} bytes of JSON; at most {MAX_JSON_BYTES} are allowed"),
            ));
        }
    }
    Ok(())
}

/// A cost in millionths; more than six decimal places are refused rather
/// than rounded, so sums stay exact.
pub fn cost_micros(field: &str, value: Option<Decimal>) -> ApiResult<Option<i64>> {
    let Some(value) = value else { return Ok(None) };
    let normalized = value.normalize();
    if normalized.scale() > COST_SCALE {
        return Err(ApiError::invalid(
            field,
            format!("has more than {COST_SCALE} decimal places"),
        ));
    }
    let micros = normalized * Decimal::from(1_000_000);
    i64::try_from(micros)
        .map(Some)
        .map_err(|_| ApiError::invalid(field, "is too large"))
}

/// Truncates to whole microseconds, the precision both databases keep.
pub fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// Phone numbers of one batch in E.164, each parsed once: a batch repeats
/// its numbers (a caller id on every call, a number normalised when its
/// event is stored and read again when its call is projected), and parsing
/// one costs far more than looking it up.
pub struct Phones {
    country: Country,
    parsed: HashMap<String, Option<String>>,
}

impl Phones {
    /// No numbers yet; national numbers are read in `country`'s plan.
    pub fn new(country: Country) -> Self {
        Self {
            country,
            parsed: HashMap::new(),
        }
    }

    /// `raw` in E.164, or `None` when it is not a valid number.
    pub fn e164(&mut self, raw: &str) -> Option<String> {
        if let Some(known) = self.parsed.get(raw) {
            return known.clone();
        }
        let e164 = PhoneE164::parse(raw, self.country).map(|p| p.as_ref().to_owned());
        self.parsed.insert(raw.to_owned(), e164.clone());
        e164
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn lengths_count_unicode_scalar_values_not_bytes() {
        let two_hundred_rupees = "₹".repeat(200);
        assert!(short("name", Some(&two_hundred_rupees)).is_ok());
        assert_eq!(
            short("name", Some(&"₹".repeat(201))).unwrap_err().code(),
            "BAD_USER_INPUT"
        );
        assert!(id("eventId", "").is_err());
        assert!(text("summary", Some(&"a".repeat(MAX_TEXT))).is_ok());
        assert!(text("summary", Some(&"a".repeat(MAX_TEXT + 1))).is_err());
    }

    #[test]
    fn scores_outside_zero_to_hundred_are_refused() {
        assert!(score("totalScore", Some(0)).is_ok());
        assert!(score("totalScore", Some(100)).is_ok());
        assert!(score("totalScore", Some(101)).is_err());
        assert!(score("totalScore", Some(-1)).is_err());
        assert!(score("fitScore", None).is_ok());
    }

    #[test]
    fn costs_become_exact_millionths() {
        let d = |s: &str| Some(Decimal::from_str(s).unwrap());
        assert_eq!(cost_micros("cost", d("0.0125")).unwrap(), Some(12_500));
        assert_eq!(
            cost_micros("cost", d("12.500000000")).unwrap(),
            Some(12_500_000)
        );
        assert_eq!(cost_micros("cost", d("-1")).unwrap(), Some(-1_000_000));
        assert!(cost_micros("cost", d("0.0000001")).is_err());
    }

    #[test]
    fn the_future_starts_one_day_after_now() {
        let now = Utc::now();
        assert!(not_future("occurredAt", now + Duration::hours(23), now).is_ok());
        assert!(not_future("occurredAt", now + Duration::hours(25), now).is_err());
    }
}
