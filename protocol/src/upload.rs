//! What a kiosk sends to the collector and what it gets back (see `docs/api.md`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{ClockFacts, Response};

/// Where the API lives under the collector's base URL.
pub const RESPONSES_PATH: &str = "/api/v1/responses";
pub const SURVEYS_PATH: &str = "/api/v1/surveys";
pub const HEALTH_PATH: &str = "/healthz";

/// The most responses one batch may carry; more is refused whole with 413.
pub const MAX_BATCH_RESPONSES: usize = 1000;
/// The largest request body the collector reads; more is refused whole with 413.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// `POST /api/v1/responses`: responses of one device, oldest first. The device is the one
/// the bearer token belongs to; the body may only say which it believes it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadBatch {
    /// The device's clock when it sent the batch: with the time the collector received it,
    /// this places responses recorded earlier in the same boot while the clock was wrong.
    pub sent: ClockReading,
    /// What the device calls itself (its `device_id`), when it says. The collector refuses the
    /// batch with 403 unless the token was issued for that name: a token copied to another
    /// kiosk is caught, instead of filing that kiosk's answers under the wrong device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// The device's state, kept by the collector as its last report from this device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<HealthReport>,
    pub responses: Vec<Response>,
}

/// A reading of the device's clocks at one moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockReading {
    pub wall: DateTime<Utc>,
    pub clock: ClockFacts,
}

/// How a kiosk is doing, sent with uploads (an upload with no responses carries just this).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthReport {
    pub app_version: String,
    /// Responses stored and not yet acknowledged by the collector.
    pub pending: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_pending: Option<DateTime<Utc>>,
    /// Responses the collector refused, kept aside on the device.
    pub rejected: u64,
    pub clock_synchronized: bool,
    /// Free space where the device keeps its buffer, when it could tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_disk_bytes: Option<u64>,
}

/// The answer to a well-formed batch: one receipt per response, in the batch's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadReceipts {
    pub receipts: Vec<Receipt>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub id: Uuid,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What became of one response. `Stored` and `AlreadyHad` mean the collector has it: the
/// kiosk may mark it delivered. `Rejected` is final: sending it again gives the same answer.
/// `UnknownSurvey` is not final: send the survey's definition, then the response again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    Stored,
    AlreadyHad,
    Rejected { reason: String },
    UnknownSurvey,
}

/// The answer to `POST /api/v1/surveys` (the body is a `SurveyDefinition`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyReceipt {
    pub id: String,
    /// The content hash the collector computed: the version responses refer to.
    pub hash: String,
    pub status: SurveyStatus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyStatus {
    Stored,
    AlreadyHad,
}

/// The body of every 4xx answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: String,
}
