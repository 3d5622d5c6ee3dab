//! The rules for one incoming response, whatever the back-end: does it fit its survey, and
//! when was it really given.

use chrono::{DateTime, Datelike, TimeDelta, Utc};
use hetki_protocol::{ClockReading, Outcome, Response, SurveyDefinition};
use serde::{Deserialize, Serialize};

/// Why a response may not be stored, or `Ok` when it may. `survey` is its survey version as
/// the collector has it, if it does.
pub fn judge(response: &Response, survey: Option<&SurveyDefinition>) -> Result<(), Outcome> {
    let Some(survey) = survey else {
        return Err(Outcome::UnknownSurvey);
    };
    let reject = |reason: String| Outcome::Rejected { reason };
    if !survey.languages.contains(&response.language) {
        return Err(reject(format!(
            "the survey has no {} texts, so it cannot have been answered in {}",
            response.language, response.language
        )));
    }
    if response.seq == 0 {
        return Err(reject("seq starts at 1".into()));
    }
    survey
        .check_answers(&response.answers, response.complete)
        .map_err(reject)
}

/// How the collector knows when a response was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeBasis {
    /// The device's clock was synchronised when it recorded the response.
    DeviceClock,
    /// Sent in the same boot it was recorded in: the device's monotonic clock says how long
    /// before the collector received it.
    SameBootUpload,
    /// Neither: `recorded_at` is all there is, and it may be wrong.
    Unplaced,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// When the response was given, as well as it can be told; `None` when it cannot.
    pub placed_at: Option<DateTime<Utc>>,
    pub time_basis: TimeBasis,
}

impl Placement {
    /// When a response that arrived at `received_at` counts as given: when it was placed, or
    /// if its time cannot be told, when it arrived (its own clock may be years off). Periods,
    /// purges and results go by this; the database's index is on the same expression.
    pub fn given_at(&self, received_at: DateTime<Utc>) -> DateTime<Utc> {
        self.placed_at.unwrap_or(received_at)
    }
}

/// Places a response in time. A Raspberry Pi without a real-time clock may record with a
/// wrong wall clock; if it sends in the same boot, the monotonic clock bridges the gap to
/// the collector's own (trusted) receive time. Network delay makes that a little early.
pub fn place(response: &Response, sent: &ClockReading, received_at: DateTime<Utc>) -> Placement {
    let recorded = &response.clock;
    // A synchronised clock is believed within reason: not before 2000, nor after the response
    // arrived (a day's grace for the collector's own clock). A time beyond the year 9999
    // could not even be written back as RFC 3339, and would sort before every other.
    let believable = |at: &DateTime<Utc>| {
        at.year() >= 2000
            && received_at
                .checked_add_signed(TimeDelta::days(1))
                .is_none_or(|latest| *at <= latest)
    };
    if recorded.synchronized && believable(&response.recorded_at) {
        return Placement {
            placed_at: Some(response.recorded_at),
            time_basis: TimeBasis::DeviceClock,
        };
    }
    if recorded.boot_id == sent.clock.boot_id && sent.clock.monotonic_ms >= recorded.monotonic_ms {
        // Checked all the way: the readings come from the network, and an absurd age
        // leaves the response unplaced rather than panicking.
        let age = i64::try_from(sent.clock.monotonic_ms - recorded.monotonic_ms)
            .ok()
            .and_then(TimeDelta::try_milliseconds);
        // Nor does an uptime of centuries place anything (its year could not even be
        // written back as RFC 3339).
        let at = age
            .and_then(|age| received_at.checked_sub_signed(age))
            .filter(|at| at.year() >= 2000);
        if let Some(at) = at {
            return Placement {
                placed_at: Some(at),
                time_basis: TimeBasis::SameBootUpload,
            };
        }
    }
    Placement {
        placed_at: None,
        time_basis: TimeBasis::Unplaced,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hetki_protocol::ClockFacts;

    fn response(boot: &str, monotonic_ms: u64, synchronized: bool) -> Response {
        serde_json::from_value(serde_json::json!({
            "id": "01890a5d-ac96-774b-bcce-b302099a8057", "seq": 1,
            "survey": {"id": "s", "hash": "h"},
            "event": {"name": "E", "place": "P"},
            "language": "fi", "complete": true,
            "recorded_at": "1970-01-01T00:01:00Z",
            "clock": {"boot_id": boot, "monotonic_ms": monotonic_ms, "synchronized": synchronized},
            "answers": []
        }))
        .unwrap()
    }

    fn sent(boot: &str, monotonic_ms: u64) -> ClockReading {
        ClockReading {
            wall: DateTime::UNIX_EPOCH,
            clock: ClockFacts {
                boot_id: boot.into(),
                monotonic_ms,
                synchronized: false,
            },
        }
    }

    #[test]
    fn a_synchronised_clock_is_believed() {
        let received: DateTime<Utc> = "2026-05-01T12:00:00Z".parse().unwrap();
        let mut given = response("a", 1_000, true);
        given.recorded_at = "2026-05-01T11:58:00Z".parse().unwrap();
        let p = place(&given, &sent("b", 5), received);
        assert_eq!(p.time_basis, TimeBasis::DeviceClock);
        assert_eq!(p.placed_at, Some(given.recorded_at));
    }

    #[test]
    fn a_synchronised_clock_with_an_impossible_time_is_not_believed() {
        let received: DateTime<Utc> = "2026-05-01T12:00:00Z".parse().unwrap();
        for at in [
            "+10000-01-01T00:00:00Z",
            "1970-01-01T00:01:00Z",
            "2026-05-02T12:00:01Z",
        ] {
            let mut given = response("a", 1_000, true);
            given.recorded_at = serde_json::from_value(serde_json::json!(at)).unwrap();
            let elsewhere = place(&given, &sent("b", 5), received);
            assert_eq!(elsewhere.time_basis, TimeBasis::Unplaced, "{at}");
            // The same boot still places it by the monotonic clock.
            let same_boot = place(&given, &sent("a", 61_000), received);
            assert_eq!(
                same_boot.placed_at,
                Some("2026-05-01T11:59:00Z".parse().unwrap()),
                "{at}"
            );
        }
    }

    #[test]
    fn the_same_boot_places_by_the_monotonic_clock() {
        let received: DateTime<Utc> = "2026-05-01T12:00:00Z".parse().unwrap();
        let p = place(&response("a", 1_000, false), &sent("a", 61_000), received);
        assert_eq!(p.time_basis, TimeBasis::SameBootUpload);
        assert_eq!(p.placed_at, Some("2026-05-01T11:59:00Z".parse().unwrap()));
    }

    #[test]
    fn another_boot_with_a_wrong_clock_is_flagged() {
        let p = place(&response("a", 1_000, false), &sent("b", 61_000), Utc::now());
        assert_eq!(p.time_basis, TimeBasis::Unplaced);
        assert_eq!(p.placed_at, None);
    }

    #[test]
    fn absurd_clock_readings_leave_a_response_unplaced_without_panicking() {
        let centuries = 100_000_000_000_000;
        for (recorded, sent_ms) in [
            (0, 1 << 63),
            (0, u64::MAX),
            (1, i64::MAX as u64),
            (0, centuries),
        ] {
            let p = place(
                &response("a", recorded, false),
                &sent("a", sent_ms),
                Utc::now(),
            );
            assert_eq!(p.time_basis, TimeBasis::Unplaced, "{recorded} → {sent_ms}");
        }
    }
}
