//! What the collector needs from a database. Handlers call these from blocking threads, so
//! a back-end may block; SQLite is the one shipped, PostgreSQL can follow behind the same trait.

use chrono::{DateTime, Utc};
use hetki_protocol::{
    HealthReport, Receipt, Response, SurveyDefinition, SurveyStatus, UploadBatch,
};
use serde::{Deserialize, Serialize};

use crate::ingest::Placement;
use crate::period::Period;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("the database cannot be used: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the database {path} cannot be opened: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("the database {path} cannot be created: {source}")]
    Create {
        path: String,
        source: std::io::Error,
    },
    #[error("a stored record is unreadable: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("there is already a device named {0:?}; revoke it first to give it a new token")]
    DeviceExists(String),
    #[error("there is no device named {0:?}")]
    NoSuchDevice(String),
    #[error(
        "the database was written by a newer collector (schema {found}, this one knows {known})"
    )]
    TooNew { found: i64, known: i64 },
    #[error("this is not a collector's database (a kiosk's buffer?): give the server's with --db")]
    NotACollectors,
    #[error("cannot write out what is stored: {0}")]
    Write(#[from] std::io::Error),
}

/// Who a token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenOwner {
    Active(String),
    Revoked(String),
}

/// A registered kiosk and the last thing it said about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRecord {
    pub name: String,
    pub added_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
    /// Residents' responses; test-mode ones are counted apart, as they count nowhere.
    pub responses: u64,
    pub test_responses: u64,
    pub health: Option<HealthReport>,
}

/// A response as the collector keeps it: with its device, when it arrived, and when it was
/// really given as far as the collector can tell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResponse {
    pub device_id: String,
    pub received_at: DateTime<Utc>,
    #[serde(flatten)]
    pub placement: Placement,
    pub response: Response,
}

impl StoredResponse {
    /// When the response was given as far as the collector can tell (see
    /// [`Placement::given_at`]).
    pub fn given_at(&self) -> DateTime<Utc> {
        self.placement.given_at(self.received_at)
    }
}

pub trait Storage: Send + Sync + 'static {
    /// Whether a write could begin now (the health check): a collector that answers but cannot
    /// store is not healthy.
    fn can_write(&self) -> Result<(), StorageError>;

    fn token_owner(&self, token_hash: &str) -> Result<Option<TokenOwner>, StorageError>;

    /// Keeps a survey version (already validated); sending it again changes nothing.
    fn put_survey(
        &self,
        survey: &SurveyDefinition,
        received_at: DateTime<Utc>,
    ) -> Result<SurveyStatus, StorageError>;

    /// Stores the batch's good responses in one transaction, and the device's health report;
    /// returns a receipt per response, in order.
    fn ingest(
        &self,
        device: &str,
        batch: &UploadBatch,
        received_at: DateTime<Utc>,
    ) -> Result<Vec<Receipt>, StorageError>;

    fn add_device(
        &self,
        name: &str,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;
    fn revoke_device(&self, name: &str, now: DateTime<Utc>) -> Result<(), StorageError>;
    fn devices(&self) -> Result<Vec<DeviceRecord>, StorageError>;

    fn surveys(&self) -> Result<Vec<SurveyDefinition>, StorageError>;
    /// Every response (of one survey, if given) given in `period`, in the order received.
    fn for_each_response(
        &self,
        survey: Option<&str>,
        period: Period,
        each: &mut dyn FnMut(StoredResponse) -> std::io::Result<()>,
    ) -> Result<u64, StorageError>;

    /// How many responses (test ones too) were given before `cutoff`.
    fn count_responses_before(&self, cutoff: DateTime<Utc>) -> Result<u64, StorageError>;

    /// Deletes every response given before `cutoff`, leaving nothing of them readable in the
    /// database's files; returns how many there were. Devices and survey versions stay.
    fn delete_responses_before(&self, cutoff: DateTime<Utc>) -> Result<u64, StorageError>;
}
