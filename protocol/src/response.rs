use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Language, Text};

/// One respondent's answers, written once when they finish (or are reset, if partial answers
/// are kept) and never changed after. The device is not named here: on the wire, the device's
/// token decides which device a response belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    /// UUIDv7: unique across devices, and sorts by creation time.
    pub id: Uuid,
    /// The device's own running number for its responses: gaps show what is missing.
    pub seq: u64,
    pub survey: SurveyRef,
    pub event: EventInfo,
    pub language: Language,
    /// False for a partial answer kept when a respondent walked away.
    pub complete: bool,
    /// Wall-clock time on the device, UTC. May be wrong: see `clock`.
    pub recorded_at: DateTime<Utc>,
    pub clock: ClockFacts,
    /// How the screen looked for this respondent (older responses lack it: the defaults).
    #[serde(default)]
    pub display: Display,
    /// Given in the panel's test mode: kept apart, never counted in results.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub test: bool,
    pub answers: Vec<Answer>,
}

/// The display settings a respondent used: a kiosk offers them with one tap each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Display {
    pub theme: DisplayTheme,
    pub large_text: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DisplayTheme {
    #[default]
    Default,
    HighContrast,
}

impl DisplayTheme {
    pub fn code(self) -> &'static str {
        match self {
            DisplayTheme::Default => "default",
            DisplayTheme::HighContrast => "high-contrast",
        }
    }
}

/// A survey version: its id plus the hash of its content.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SurveyRef {
    pub id: String,
    pub hash: String,
}

/// Where and at what a response was given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventInfo {
    pub name: Text,
    pub place: Text,
    /// The city district ("suuralue") the event is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// The day of a one-day event: a resident evening held again next spring at the same hall
    /// is another event in the results. None for what runs for weeks (a library's poll).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
}

impl EventInfo {
    /// The event's day as written in `language` (see [`Language::day`]).
    pub fn date_text(&self, language: Language) -> Option<String> {
        self.date.map(|date| language.day(date))
    }
}

/// What the device knew about its clock when it recorded a response. A Raspberry Pi has no
/// real-time clock, so its wall clock can be wrong until network time arrives; the boot id
/// and a monotonic reading let a later, trusted timestamp from the same boot correct it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockFacts {
    /// Changes at every boot of the device.
    pub boot_id: String,
    /// Milliseconds since that boot, counting time suspended.
    pub monotonic_ms: u64,
    /// Whether the system clock was synchronised (e.g. by NTP) at the time.
    pub synchronized: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub question: String,
    pub value: AnswerValue,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum AnswerValue {
    Face {
        score: u8,
    },
    Choice {
        option: String,
    },
    /// A multiple-choice answer: the option ids picked, in screen order.
    Choices {
        options: Vec<String>,
    },
    Skipped,
}

impl AnswerValue {
    /// The value as one short string (face score or option id), `None` when skipped: the
    /// form answers take in a table or a CSV file.
    pub fn as_cell(&self) -> Option<String> {
        match self {
            AnswerValue::Face { score } => Some(score.to_string()),
            AnswerValue::Choice { option } => Some(option.clone()),
            AnswerValue::Choices { options } => Some(options.join("|")),
            AnswerValue::Skipped => None,
        }
    }
}

impl fmt::Display for AnswerValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnswerValue::Face { score } => write!(f, "face {score}"),
            AnswerValue::Choice { option } => write!(f, "option {option:?}"),
            AnswerValue::Choices { options } => write!(f, "options {options:?}"),
            AnswerValue::Skipped => f.write_str("skipped"),
        }
    }
}
