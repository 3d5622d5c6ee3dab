//! When responses were given, as staff ask for it: whole days on their own clock.

use chrono::{DateTime, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use hetki_protocol::Language;

use crate::words::Words;

/// A span of time responses were given in: from `from` (inclusive) until `until` (not
/// inclusive), either end open. A response whose time cannot be told counts as given when
/// it arrived (see [`crate::StoredResponse::given_at`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Whole days as staff name them, on their own clock: from one to another, both included;
/// either end may be left open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::Args)]
pub struct Days {
    /// Only responses given on or after this day (YYYY-MM-DD, on the --time-zone clock).
    #[arg(long, value_parser = parse_day)]
    pub from: Option<NaiveDate>,
    /// Only responses given on or before this day (YYYY-MM-DD).
    #[arg(long, value_parser = parse_day)]
    pub to: Option<NaiveDate>,
}

impl Days {
    /// The moments these days span in `zone`.
    pub fn period(&self, zone: Tz) -> Result<Period, PeriodError> {
        let Days { from, to } = *self;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(PeriodError::Reversed { from, to });
        }
        let after = |day: NaiveDate| {
            day.checked_add_days(chrono::Days::new(1))
                .ok_or(PeriodError::OutOfRange(day))
        };
        Ok(Period {
            from: from.map(|day| start_of_day(day, zone)).transpose()?,
            until: to
                .map(|day| after(day).and_then(|next| start_of_day(next, zone)))
                .transpose()?,
        })
    }

    /// "Responses given 2026-09-01 to 2026-11-30 (Europe/Helsinki)" in `language`, or none
    /// when no end is given.
    pub fn describe(&self, zone: Tz, language: Language) -> Option<String> {
        Words(language).responses_given((self.from, self.to), zone.name())
    }
}

/// A day as the command line gives it.
pub fn parse_day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|error| match error.kind() {
        chrono::format::ParseErrorKind::OutOfRange => {
            format!("{text} is not a day of the calendar")
        }
        _ => format!("{text:?} is not a day written as YYYY-MM-DD, such as 2026-09-01"),
    })
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("--from {from} is after --to {to}")]
    Reversed { from: NaiveDate, to: NaiveDate },
    #[error("{0} is beyond the dates this collector can count with")]
    OutOfRange(NaiveDate),
}

impl Period {
    /// Whether a response given at `at` falls in the period.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from.is_none_or(|from| from <= at) && self.until.is_none_or(|until| at < until)
    }
}

/// The first moment of `day` in `zone`. Where a clock change skips midnight, the day begins
/// when the clock resumes.
pub fn start_of_day(day: NaiveDate, zone: Tz) -> Result<DateTime<Utc>, PeriodError> {
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    let start = match zone.from_local_datetime(&midnight) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Some(at),
        // No zone skips more than a few hours, and none at the end of a day.
        LocalResult::None => (1..=24).find_map(|hour| {
            zone.from_local_datetime(&(midnight + chrono::TimeDelta::hours(hour)))
                .earliest()
        }),
    };
    start
        .map(|at| at.with_timezone(&Utc))
        .ok_or(PeriodError::OutOfRange(day))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn days(from: Option<&str>, to: Option<&str>) -> Days {
        Days {
            from: from.map(day),
            to: to.map(day),
        }
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn days_are_whole_days_on_the_staff_clock_across_a_clock_change() {
        let helsinki: Tz = "Europe/Helsinki".parse().unwrap();
        // Summer time ends on 25 October 2026: that day has 25 hours.
        let period = days(Some("2026-10-25"), Some("2026-10-25"))
            .period(helsinki)
            .unwrap();
        assert_eq!(period.from, Some(utc("2026-10-24T21:00:00Z")));
        assert_eq!(period.until, Some(utc("2026-10-25T22:00:00Z")));
        assert!(period.contains(utc("2026-10-24T21:00:00Z")));
        assert!(period.contains(utc("2026-10-25T21:59:59Z")));
        assert!(!period.contains(utc("2026-10-25T22:00:00Z")));
        assert!(!period.contains(utc("2026-10-24T20:59:59Z")));
    }

    #[test]
    fn an_end_not_given_is_open_and_a_reversed_period_is_refused() {
        let helsinki: Tz = "Europe/Helsinki".parse().unwrap();
        let open = days(None, Some("2026-01-31")).period(helsinki).unwrap();
        assert!(open.contains(utc("1999-01-01T00:00:00Z")));
        assert!(Period::default().contains(utc("2026-11-24T12:00:00Z")));
        assert_eq!(
            days(Some("2026-02-01"), Some("2026-01-31"))
                .period(helsinki)
                .unwrap_err()
                .to_string(),
            "--from 2026-02-01 is after --to 2026-01-31"
        );
    }

    #[test]
    fn a_day_whose_midnight_a_clock_change_skips_begins_when_the_clock_resumes() {
        // Santiago moved its clocks from 00:00 to 01:00 on 8 September 2024.
        let santiago: Tz = "America/Santiago".parse().unwrap();
        assert_eq!(
            start_of_day(day("2024-09-08"), santiago).unwrap(),
            utc("2024-09-08T04:00:00Z")
        );
    }
}
