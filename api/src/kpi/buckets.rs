//! Time: series buckets in any IANA zone (DST-aware), and the split of a
//! range into rollup-aligned pieces.
//!
//! Every UTC offset in the tz database since 1970 is a multiple of 15
//! minutes, and so is every transition, so 15-minute UTC rollups can be
//! summed into the buckets of any zone. The daily rollup holds the tenant's
//! own days (local midnight to local midnight in its time zone, 23 or 25
//! hours on DST days), the days its dashboards ask for, and the monthly
//! rollup its months. A range is served as: whole tenant months from the
//! monthly rollup, whole days from the daily rollup, whole quarter-hours
//! from the 15-minute rollup, and what is left at either end (less than 15
//! minutes) from the calls themselves. A partial month or day is read
//! either that way or as its row minus the rest of it, whichever part is
//! shorter: every counter is a sum, so both are exact. A range that reaches
//! the present reads its last month as the monthly row less the future,
//! which holds no calls yet: "the last 30 days up to now" is the month that
//! holds most of them less its first days, and this month less the rest of
//! it.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Offset, Timelike, Utc};
use chrono_tz::Tz;

/// Seconds in a quarter-hour rollup bucket.
pub const QUARTER: i64 = 900;
/// 1972-01-01: from here on every zone's midnights fall on quarter-hours.
const MODERN: DateTime<Utc> = DateTime::from_timestamp_nanos(63_072_000_000_000_000);

/// Most buckets one series may have.
pub const MAX_BUCKETS: usize = 10_000;

/// Series bucket size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Granularity {
    Hour,
    Day,
    Week,
    Month,
}

/// Where one piece of a range is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The monthly rollup (the tenant's local months).
    Month,
    /// The daily rollup (the tenant's local days).
    Day,
    /// The 15-minute rollup.
    Quarter,
    /// The calls table (ragged ends shorter than 15 minutes).
    Calls,
}

/// A half-open piece `[start, end)` of a range, in epoch seconds for rollups
/// or exact instants for calls, added to the range's sums or, when
/// `subtract`, taken from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub source: Source,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub subtract: bool,
}

fn floor_to(t: DateTime<Utc>, step: i64) -> DateTime<Utc> {
    let s = t.timestamp().div_euclid(step) * step;
    DateTime::from_timestamp(s, 0).unwrap_or(t)
}

fn ceil_to(t: DateTime<Utc>, step: i64) -> DateTime<Utc> {
    let floor = floor_to(t, step);
    if floor == t {
        t
    } else {
        floor + Duration::seconds(step)
    }
}

fn aligned(t: DateTime<Utc>) -> bool {
    t.timestamp().rem_euclid(QUARTER) == 0
}

/// The start of the tenant day (in `zone`) that contains `t`.
pub fn day_start(t: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    bucket_start(t, zone, Granularity::Day)
}

/// The start of the tenant day after the one starting at `start`.
pub fn next_day(start: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    next_bucket(start, zone, Granularity::Day)
}

/// Whether the daily rollup row of the day `[start, end)` can be used:
/// before 1972 a zone's midnights may be off the quarter-hours (local mean
/// time), and such days are summed from quarters.
fn day_usable(start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    start >= MODERN && aligned(start) && aligned(end)
}

/// The start of the tenant month (in `zone`) that contains `t`: the daily
/// bucket of its first day.
pub fn month_start(t: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    bucket_start(t, zone, Granularity::Month)
}

/// The start of the tenant month after the one starting at `start`.
pub fn next_month(start: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    next_bucket(start, zone, Granularity::Month)
}

/// Pieces being collected for one range, in the tenant's zone.
struct Cover {
    zone: Tz,
    pieces: Vec<Piece>,
}

impl Cover {
    fn push(&mut self, source: Source, start: DateTime<Utc>, end: DateTime<Utc>, subtract: bool) {
        if start < end {
            self.pieces.push(Piece {
                source,
                start,
                end,
                subtract,
            });
        }
    }

    /// `[start, end)` from quarter-hours, and calls at ragged ends.
    fn direct(&mut self, start: DateTime<Utc>, end: DateTime<Utc>, subtract: bool) {
        let (q0, q1) = (ceil_to(start, QUARTER), floor_to(end, QUARTER));
        if q0 >= q1 {
            self.push(Source::Calls, start, end, subtract);
            return;
        }
        self.push(Source::Calls, start, q0, subtract);
        self.push(Source::Quarter, q0, q1, subtract);
        self.push(Source::Calls, q1, end, subtract);
    }

    /// `[start, end)`, part of the day `[day, day_end)`: read directly, or
    /// as the whole day minus the rest of it when the rest is shorter. The
    /// two are equal because every counter is a sum; "today so far" is the
    /// daily row minus a future that has no calls yet.
    fn part_of_day(
        &mut self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        day: DateTime<Utc>,
        day_end: DateTime<Utc>,
    ) {
        let rest = (start - day) + (day_end - end);
        if day_usable(day, day_end) && rest < end - start {
            self.push(Source::Day, day, day_end, false);
            self.direct(day, start, true);
            self.direct(end, day_end, true);
        } else {
            self.direct(start, end, false);
        }
    }

    /// Whole days `[start, end)`: whole months from the monthly rollup (one
    /// piece for all of them), and the days of a month in part either from
    /// the daily rollup or as the month minus its other days, whichever are
    /// fewer.
    fn days(&mut self, start: DateTime<Utc>, end: DateTime<Utc>) {
        if !day_usable(start, end) {
            self.direct(start, end, false);
            return;
        }
        let mut at = start;
        let first = month_start(start, self.zone);
        if first != start {
            at = next_month(first, self.zone).min(end);
            self.part_of_month(start, at, first);
        }
        let last = month_start(end, self.zone);
        if at < last {
            self.push(Source::Month, at, last, false);
            at = last;
        }
        if at < end {
            self.part_of_month(at, end, last);
        }
    }

    /// Whole days `[start, end)` of the month starting at `month`: the days,
    /// or the month minus its other days when those are fewer.
    fn part_of_month(&mut self, start: DateTime<Utc>, end: DateTime<Utc>, month: DateTime<Utc>) {
        let month_end = next_month(month, self.zone);
        let rest = (start - month) + (month_end - end);
        if day_usable(month, month_end) && rest < end - start {
            self.month_less_rest(month, start, end);
        } else {
            self.push(Source::Day, start, end, false);
        }
    }

    /// `[start, end)` inside the month starting at `month` (`start` a day's
    /// start, `end` anywhere): the month's row less its days before `start`
    /// and less all of it from `end` on.
    fn month_less_rest(&mut self, month: DateTime<Utc>, start: DateTime<Utc>, end: DateTime<Utc>) {
        let month_end = next_month(month, self.zone);
        self.push(Source::Month, month, month_end, false);
        self.push(Source::Day, month, start, true);
        let day = day_start(end, self.zone);
        let day_end = if day == end {
            end
        } else {
            next_day(day, self.zone)
        };
        self.direct(end, day_end, true);
        self.push(Source::Day, day_end, month_end, true);
    }
}

/// The first tenant day starting at or after 1972-01-01.
fn first_modern_day(zone: Tz) -> DateTime<Utc> {
    match day_start(MODERN, zone) {
        day if day == MODERN => day,
        day => next_day(day, zone),
    }
}

/// Splits `[start, end)` into pieces of months and days (of `zone`, the
/// tenant's), quarter-hours and calls whose signed sum covers it exactly
/// once. A partial month or day is the whole minus its rest when the rest
/// is the shorter. When the range reaches `now` (or ends less than a
/// quarter-hour before it), the rest of its last month is the future,
/// which holds no calls yet: that month is read as its row less the rest
/// (and less its days before the range, if fewer).
pub fn pieces(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    zone: Tz,
    now: DateTime<Utc>,
) -> Vec<Piece> {
    let mut cover = Cover {
        zone,
        pieces: Vec::new(),
    };
    if start >= end {
        return cover.pieces;
    }
    // Before 1972 a zone's midnights may be off the quarter-hours: that part
    // is summed from quarter-hours.
    let modern = first_modern_day(zone);
    if start < modern {
        cover.direct(start, end.min(modern), false);
        if end <= modern {
            return cover.pieces;
        }
    }
    let start = start.max(modern);
    let first = day_start(start, zone);
    let first_end = next_day(first, zone);
    if end <= first_end {
        cover.part_of_day(start, end, first, first_end);
        return cover.pieces;
    }
    let whole_from = if start == first {
        first
    } else {
        cover.part_of_day(start, first_end, first, first_end);
        first_end
    };
    let last = day_start(end, zone);
    let month = month_start(last, zone);
    let month_end = next_month(month, zone);
    let from = whole_from.max(month);
    // A dashboard's "until now" reaches the server a moment after its
    // `now`: a range ending within the last quarter-hour reaches the
    // present too (what it subtracts before `now` is read exactly).
    let reaches_now = end >= now - Duration::seconds(QUARTER);
    if reaches_now && day_usable(month, month_end) && from - month < end - from {
        cover.days(whole_from, from);
        cover.month_less_rest(month, from, end);
        return cover.pieces;
    }
    cover.days(whole_from, last);
    if end > last {
        cover.part_of_day(last, end, last, next_day(last, zone));
    }
    cover.pieces
}

/// The key that changes exactly at a bucket boundary. HOUR includes the
/// offset, so a repeated local hour makes two buckets.
fn bucket_key(t: DateTime<Tz>, granularity: Granularity) -> (i32, u32, u32, i32) {
    match granularity {
        Granularity::Hour => (
            t.year(),
            t.ordinal(),
            t.hour(),
            t.offset().fix().local_minus_utc(),
        ),
        Granularity::Day => (t.year(), t.ordinal(), 0, 0),
        Granularity::Week => {
            let week = t.iso_week();
            (week.year(), week.week(), 0, 0)
        }
        Granularity::Month => (t.year(), t.month(), 0, 0),
    }
}

/// The start of the bucket that contains `t`.
fn bucket_start(t: DateTime<Utc>, tz: Tz, granularity: Granularity) -> DateTime<Utc> {
    let local = t.with_timezone(&tz);
    match granularity {
        Granularity::Hour => {
            // Walk back in quarter-hours while still in the same bucket.
            let mut start = floor_to(t, QUARTER);
            let key = bucket_key(local, granularity);
            while bucket_key(
                (start - Duration::seconds(QUARTER)).with_timezone(&tz),
                granularity,
            ) == key
            {
                start -= Duration::seconds(QUARTER);
            }
            start
        }
        _ => {
            let date = local.date_naive();
            let first: NaiveDate = match granularity {
                Granularity::Day => date,
                Granularity::Week => {
                    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
                }
                _ => date.with_day(1).unwrap_or(date),
            };
            migration::local_midnight(tz, first)
        }
    }
}

/// The start of the bucket after the one starting at `start`.
fn next_bucket(start: DateTime<Utc>, tz: Tz, granularity: Granularity) -> DateTime<Utc> {
    match granularity {
        Granularity::Hour => {
            let key = bucket_key(start.with_timezone(&tz), granularity);
            let mut t = start + Duration::seconds(QUARTER);
            while bucket_key(t.with_timezone(&tz), granularity) == key {
                t += Duration::seconds(QUARTER);
            }
            t
        }
        _ => {
            let date = start.with_timezone(&tz).date_naive();
            let next = match granularity {
                Granularity::Day => date + Duration::days(1),
                Granularity::Week => date + Duration::days(7),
                _ => {
                    let (y, m) = if date.month() == 12 {
                        (date.year() + 1, 1)
                    } else {
                        (date.year(), date.month() + 1)
                    };
                    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(date)
                }
            };
            migration::local_midnight(tz, next)
        }
    }
}

/// One bucket of a series: its aligned start (with the zone's offset there)
/// and the part of the range it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesBucket {
    pub start: DateTime<FixedOffset>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// The buckets that intersect `[from, to)`, in order; `None` when there
/// would be more than `MAX_BUCKETS`.
pub fn series(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: Tz,
    granularity: Granularity,
) -> Option<Vec<SeriesBucket>> {
    let mut out = Vec::new();
    let mut start = bucket_start(from, tz, granularity);
    while start < to {
        if out.len() == MAX_BUCKETS {
            return None;
        }
        let next = next_bucket(start, tz, granularity);
        let offset = start.with_timezone(&tz).offset().fix();
        out.push(SeriesBucket {
            start: start.with_timezone(&offset),
            from: start.max(from),
            to: next.min(to),
        });
        start = next;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    /// How many times the pieces count the instant `t` (subtracted pieces
    /// count -1); also checks that each piece is of its source's grain.
    fn times_counted(p: &[Piece], t: DateTime<Utc>, zone: Tz) -> i32 {
        p.iter()
            .inspect(|x| match x.source {
                Source::Month => {
                    assert_eq!(month_start(x.start, zone), x.start, "{x:?}");
                    assert_eq!(month_start(x.end, zone), x.end, "{x:?}");
                }
                Source::Day => {
                    assert_eq!(day_start(x.start, zone), x.start, "{x:?}");
                    assert_eq!(day_start(x.end, zone), x.end, "{x:?}");
                }
                Source::Quarter => assert!(aligned(x.start) && aligned(x.end), "{x:?}"),
                Source::Calls => {}
            })
            .filter(|x| x.start <= t && t < x.end)
            .map(|x| if x.subtract { -1 } else { 1 })
            .sum()
    }

    /// Long after any range of the tests: no range reaches the present.
    fn later() -> DateTime<Utc> {
        utc("2100-01-01T00:00:00Z")
    }

    /// The pieces of a range that ends in the past, checked; the same range
    /// as one that reaches the present (`now` at its end) is checked too.
    fn assert_exact_cover(start: DateTime<Utc>, end: DateTime<Utc>, zone: Tz) -> Vec<Piece> {
        assert_exact_cover_at(start, end, zone, end);
        assert_exact_cover_at(start, end, zone, later())
    }

    fn assert_exact_cover_at(
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        zone: Tz,
        now: DateTime<Utc>,
    ) -> Vec<Piece> {
        let p = pieces(start, end, zone, now);
        let step = Duration::seconds(450);
        // Whole months may be read less their other days: probe those too.
        let mut t = month_start(start, zone) - Duration::days(1);
        let until = next_month(month_start(end, zone), zone) + Duration::days(1);
        while t < until {
            for probe in [t, t + Duration::seconds(1)] {
                let want = i32::from(start <= probe && probe < end);
                assert_eq!(times_counted(&p, probe, zone), want, "at {probe}: {p:?}");
            }
            t += step;
        }
        for edge in [
            start,
            end,
            start - Duration::seconds(1),
            end - Duration::seconds(1),
        ] {
            let want = i32::from(start <= edge && edge < end);
            assert_eq!(times_counted(&p, edge, zone), want, "at {edge}: {p:?}");
        }
        p
    }

    #[test]
    fn pieces_cover_a_ragged_range_exactly_once() {
        let p = assert_exact_cover(
            utc("2026-03-01T10:07:30Z"),
            utc("2026-03-04T05:50:00Z"),
            Tz::UTC,
        );
        let kinds: Vec<_> = p.iter().map(|x| (x.source, x.subtract)).collect();
        assert_eq!(
            kinds,
            vec![
                // 13.9 hours of March 1st: the day minus its first 10.1.
                (Source::Day, false),
                (Source::Quarter, true),
                (Source::Calls, true),
                (Source::Day, false),
                // 5.8 hours of March 4th: read directly.
                (Source::Quarter, false),
                (Source::Calls, false),
            ]
        );
        assert_eq!(p[0].start, utc("2026-03-01T00:00:00Z"));
        assert_eq!(p[1].end, utc("2026-03-01T10:00:00Z"));
        assert_eq!(p[3].start, utc("2026-03-02T00:00:00Z"));
        assert_eq!(p[3].end, utc("2026-03-04T00:00:00Z"));
        assert_eq!(p[5].start, utc("2026-03-04T05:45:00Z"));
    }

    #[test]
    fn today_so_far_is_the_daily_row_minus_the_rest_of_the_day() {
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        // 30 days from local midnight 29 days ago until 17:52 on the last,
        // asked later (the range lies in the past).
        let now = utc("2026-03-10T12:22:10Z");
        let today = day_start(now, kolkata);
        assert_eq!(today, utc("2026-03-09T18:30:00Z"));
        let from = today - Duration::days(29);
        assert_eq!(from, utc("2026-02-08T18:30:00Z"), "February 9th");
        let march = utc("2026-02-28T18:30:00Z");
        let p = assert_exact_cover(from, now, kolkata);
        assert_eq!(
            p,
            vec![
                // 20 days of February: the month minus its first 8 days.
                Piece {
                    source: Source::Month,
                    start: utc("2026-01-31T18:30:00Z"),
                    end: march,
                    subtract: false
                },
                Piece {
                    source: Source::Day,
                    start: utc("2026-01-31T18:30:00Z"),
                    end: from,
                    subtract: true
                },
                // 8 days of March: the days themselves.
                Piece {
                    source: Source::Day,
                    start: march,
                    end: today,
                    subtract: false
                },
                Piece {
                    source: Source::Day,
                    start: today,
                    end: utc("2026-03-10T18:30:00Z"),
                    subtract: false
                },
                Piece {
                    source: Source::Calls,
                    start: now,
                    end: utc("2026-03-10T12:30:00Z"),
                    subtract: true
                },
                Piece {
                    source: Source::Quarter,
                    start: utc("2026-03-10T12:30:00Z"),
                    end: utc("2026-03-10T18:30:00Z"),
                    subtract: true
                },
            ]
        );
        // Early in the day the few hours so far are read directly.
        let early = utc("2026-03-09T20:00:00Z");
        let p = assert_exact_cover(today, early, kolkata);
        assert!(
            p.iter().all(|x| !x.subtract && x.source != Source::Day),
            "{p:?}"
        );
    }

    #[test]
    fn every_split_covers_its_range_exactly_once() {
        let zones: Vec<Tz> = [
            "UTC",
            "Asia/Kolkata",
            "Asia/Kathmandu",
            "Europe/Berlin",
            "America/St_Johns",
        ]
        .iter()
        .map(|z| z.parse().unwrap())
        .collect();
        // Ragged and aligned ends around a DST change, within one day,
        // across days, and reaching back before 1972.
        let starts = [
            "2026-03-27T23:59:59Z",
            "2026-03-28T23:00:00Z",
            "2026-03-29T00:07:00Z",
            "2026-03-29T13:44:59Z",
            "1971-12-30T21:10:00Z",
        ];
        let lengths = [60 * 7, 900, 3600 * 5 + 17, 3600 * 20, 86400 * 2 + 3601];
        for zone in &zones {
            for s in starts {
                for len in lengths {
                    let start = utc(s);
                    assert_exact_cover(start, start + Duration::seconds(len), *zone);
                }
            }
        }
    }

    #[test]
    fn a_range_inside_one_quarter_is_read_from_calls() {
        let p = pieces(
            utc("2026-03-01T10:01:00Z"),
            utc("2026-03-01T10:14:00Z"),
            Tz::UTC,
            later(),
        );
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].source, Source::Calls);
    }

    #[test]
    fn whole_days_are_the_tenants_local_days() {
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        // Local midnight to local midnight: all three days from the daily rollup.
        let p = pieces(
            utc("2026-02-28T18:30:00Z"),
            utc("2026-03-03T18:30:00Z"),
            kolkata,
            later(),
        );
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].source, Source::Day);
        // The same range in UTC days needs quarter-hours at both ends.
        let sources: Vec<_> = pieces(p[0].start, p[0].end, Tz::UTC, later())
            .iter()
            .map(|x| x.source)
            .collect();
        assert_eq!(
            sources,
            vec![Source::Quarter, Source::Day, Source::Day, Source::Quarter]
        );

        // A 23-hour DST day is one day piece.
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let p = pieces(
            utc("2026-03-28T23:00:00Z"),
            utc("2026-03-29T22:00:00Z"),
            berlin,
            later(),
        );
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].source, Source::Day);
        assert_eq!(day_start(utc("2026-03-29T21:59:00Z"), berlin), p[0].start);
        assert_eq!(next_day(p[0].start, berlin), p[0].end);

        // Kolkata kept local mean time (+5:53:28) in the 1800s: its
        // midnights then were off the quarter-hours, so no day pieces.
        let p = pieces(
            utc("1850-01-01T00:00:00Z"),
            utc("1850-01-10T00:00:00Z"),
            kolkata,
            later(),
        );
        assert!(p.iter().all(|x| x.source != Source::Day), "{p:?}");
        assert_eq!(p.first().unwrap().start, utc("1850-01-01T00:00:00Z"));
        assert_eq!(p.last().unwrap().end, utc("1850-01-10T00:00:00Z"));
        // A range from then to now still reads its modern days as days.
        let p = pieces(
            utc("1850-01-01T00:00:00Z"),
            utc("2026-03-03T18:30:00Z"),
            kolkata,
            later(),
        );
        assert_eq!(p[0].source, Source::Quarter);
        assert!(
            p[1..]
                .iter()
                .all(|x| matches!(x.source, Source::Day | Source::Month)),
            "{p:?}"
        );
        assert_eq!(p[1].start, utc("1972-01-01T18:30:00Z"));
    }

    #[test]
    fn a_range_up_to_now_reads_this_month_less_the_future() {
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        // A dashboard's 30 days: local midnight 29 days ago until now,
        // 17:52 on March 10th.
        let now = utc("2026-03-10T12:22:10Z");
        let from = utc("2026-02-08T18:30:00Z");
        let p = assert_exact_cover_at(from, now, kolkata, now);
        let kinds: Vec<_> = p.iter().map(|x| (x.source, x.subtract)).collect();
        assert_eq!(
            kinds,
            vec![
                // February less its first 8 days.
                (Source::Month, false),
                (Source::Day, true),
                // March less the rest of today and the days after it: the
                // future, which holds no rows.
                (Source::Month, false),
                (Source::Calls, true),
                (Source::Quarter, true),
                (Source::Day, true),
            ]
        );
        assert_eq!(p[2].start, utc("2026-02-28T18:30:00Z"));
        assert_eq!(p[3].start, now);
        assert_eq!(p[4].end, utc("2026-03-10T18:30:00Z"));
        assert_eq!(p[5].end, utc("2026-03-31T18:30:00Z"));
        // The same range as the server sees it: its `to` is the client's
        // "now", a moment ago.
        let later = now + Duration::milliseconds(40);
        let q = assert_exact_cover_at(from, now, kolkata, later);
        assert_eq!(q, p, "read as March less the future");
        // A range that ended an hour ago reads March's days.
        let q = assert_exact_cover_at(from, now, kolkata, now + Duration::hours(1));
        assert!(
            q.iter().filter(|x| x.source == Source::Month).count() == 1,
            "{q:?}"
        );
        // A range that starts late in the month reads its days: they are
        // fewer than the month's days before it.
        let now = utc("2026-03-06T04:30:00Z");
        let p = assert_exact_cover_at(utc("2026-03-04T18:30:00Z"), now, kolkata, now);
        assert!(p.iter().all(|x| x.source != Source::Month), "{p:?}");
    }

    #[test]
    fn months_are_read_whole_or_as_the_month_minus_its_other_days() {
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        // 2026-01-10 .. 2026-04-03 local: most of January (the month minus
        // 9 days), February and March whole (one piece), 2 days of April.
        let p = assert_exact_cover(
            utc("2026-01-09T18:30:00Z"),
            utc("2026-04-02T18:30:00Z"),
            kolkata,
        );
        let kinds: Vec<_> = p.iter().map(|x| (x.source, x.subtract)).collect();
        assert_eq!(
            kinds,
            vec![
                (Source::Month, false),
                (Source::Day, true),
                (Source::Month, false),
                (Source::Day, false),
            ]
        );
        assert_eq!(p[1].start, utc("2025-12-31T18:30:00Z"));
        assert_eq!(p[1].end, utc("2026-01-09T18:30:00Z"));
        assert_eq!(p[2].start, utc("2026-01-31T18:30:00Z"));
        assert_eq!(p[2].end, utc("2026-03-31T18:30:00Z"));
        assert_eq!(p[3].start, utc("2026-03-31T18:30:00Z"));

        // Seven thousand years of months are one piece (a call count with no
        // range reads them so).
        let p = pieces(
            utc("1000-01-01T00:00:00Z"),
            utc("9000-01-01T00:00:00Z"),
            kolkata,
            later(),
        );
        assert!(p.len() <= 8, "{p:?}");

        // Months in a DST zone are the local months, of 743 and 745 hours.
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        for (from, to) in [
            ("2026-02-28T23:00:00Z", "2026-03-31T22:00:00Z"),
            ("2026-09-30T22:00:00Z", "2026-10-31T23:00:00Z"),
        ] {
            let p = assert_exact_cover(utc(from), utc(to), berlin);
            assert_eq!(p.len(), 1, "{p:?}");
            assert_eq!(p[0].source, Source::Month);
        }
        // Ragged ends around month and year boundaries, several zones.
        for zone in ["UTC", "Asia/Kathmandu", "America/St_Johns", "Europe/Berlin"] {
            let zone: Tz = zone.parse().unwrap();
            for (from, to) in [
                ("2025-12-14T10:07:00Z", "2026-02-16T03:50:00Z"),
                ("2026-03-02T00:00:00Z", "2026-03-30T23:59:59Z"),
                ("2026-10-15T12:00:00Z", "2026-11-03T00:00:00Z"),
            ] {
                assert_exact_cover(utc(from), utc(to), zone);
            }
        }
    }

    #[test]
    fn days_in_kolkata_start_at_local_midnight() {
        let tz: Tz = "Asia/Kolkata".parse().unwrap();
        let s = series(
            utc("2026-03-01T00:00:00Z"),
            utc("2026-03-03T00:00:00Z"),
            tz,
            Granularity::Day,
        )
        .unwrap();
        let starts: Vec<String> = s.iter().map(|b| b.start.to_rfc3339()).collect();
        assert_eq!(
            starts,
            vec![
                "2026-03-01T00:00:00+05:30",
                "2026-03-02T00:00:00+05:30",
                "2026-03-03T00:00:00+05:30"
            ]
        );
        assert_eq!(s[0].from, utc("2026-03-01T00:00:00Z"), "cut by the range");
        assert_eq!(s[2].to, utc("2026-03-03T00:00:00Z"));
    }

    #[test]
    fn kathmandu_hours_start_at_quarter_past_utc() {
        let tz: Tz = "Asia/Kathmandu".parse().unwrap();
        let s = series(
            utc("2026-03-01T00:00:00Z"),
            utc("2026-03-01T02:00:00Z"),
            tz,
            Granularity::Hour,
        )
        .unwrap();
        assert_eq!(s[0].start.to_rfc3339(), "2026-03-01T05:00:00+05:45");
        assert_eq!(s[1].start.to_rfc3339(), "2026-03-01T06:00:00+05:45");
        assert_eq!(s[1].from, utc("2026-03-01T00:15:00Z"));
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn dst_days_have_23_and_25_hours_and_hours_repeat_or_vanish() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let spring = series(
            utc("2026-03-28T23:00:00Z"),
            utc("2026-03-29T22:00:00Z"),
            tz,
            Granularity::Day,
        )
        .unwrap();
        assert_eq!(spring.len(), 1);
        assert_eq!((spring[0].to - spring[0].from).num_hours(), 23);
        let autumn = series(
            utc("2026-10-24T22:00:00Z"),
            utc("2026-10-25T23:00:00Z"),
            tz,
            Granularity::Day,
        )
        .unwrap();
        assert_eq!((autumn[0].to - autumn[0].from).num_hours(), 25);

        let hours = series(
            utc("2026-10-24T22:00:00Z"),
            utc("2026-10-25T23:00:00Z"),
            tz,
            Granularity::Hour,
        )
        .unwrap();
        assert_eq!(hours.len(), 25);
        let two_am: Vec<String> = hours
            .iter()
            .map(|b| b.start.to_rfc3339())
            .filter(|s| s.contains("T02:00"))
            .collect();
        assert_eq!(
            two_am,
            vec!["2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00"]
        );
        let spring_hours = series(
            utc("2026-03-28T23:00:00Z"),
            utc("2026-03-29T22:00:00Z"),
            tz,
            Granularity::Hour,
        )
        .unwrap();
        assert_eq!(spring_hours.len(), 23);
        assert!(
            !spring_hours
                .iter()
                .any(|b| b.start.to_rfc3339().contains("T02:")),
            "the skipped hour has no bucket"
        );
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let weeks = series(
            utc("2026-03-04T12:00:00Z"),
            utc("2026-03-20T00:00:00Z"),
            tz,
            Granularity::Week,
        )
        .unwrap();
        assert_eq!(weeks[0].start.to_rfc3339(), "2026-03-02T00:00:00-05:00");
        assert_eq!(weeks[2].start.to_rfc3339(), "2026-03-16T00:00:00-04:00");
        let months = series(
            utc("2026-01-15T00:00:00Z"),
            utc("2026-04-01T05:00:00Z"),
            tz,
            Granularity::Month,
        )
        .unwrap();
        let starts: Vec<String> = months.iter().map(|b| b.start.to_rfc3339()).collect();
        assert_eq!(
            starts,
            vec![
                "2026-01-01T00:00:00-05:00",
                "2026-02-01T00:00:00-05:00",
                "2026-03-01T00:00:00-05:00",
                "2026-04-01T00:00:00-04:00"
            ]
        );
        assert_eq!(months[3].to - months[3].from, Duration::hours(1));
    }

    #[test]
    fn too_many_buckets_is_refused() {
        let tz: Tz = "UTC".parse().unwrap();
        assert!(
            series(
                utc("2020-01-01T00:00:00Z"),
                utc("2021-03-01T00:00:00Z"),
                tz,
                Granularity::Hour
            )
            .is_none()
        );
        assert!(
            series(
                utc("2020-01-01T00:00:00Z"),
                utc("2021-01-01T00:00:00Z"),
                tz,
                Granularity::Hour
            )
            .is_some()
        );
    }
}
