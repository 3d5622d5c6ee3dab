//! The response buffer: a SQLite file written by its own thread, so the UI never waits on
//! the disk, and read directly by `export` and the tests.

mod database;
mod outbox;
mod schema;
mod worker;

use std::path::Path;
use std::time::Duration;

pub use database::{Database, StoredResponse, TALLY_SQL, Tally};
pub use outbox::{Delivery, Pending, Rejection, UploadStatus, UploadTrouble};
pub use worker::{StoreEvent, StoreHandle, spawn};

/// Why a write failed (the store's, or an export's), in terms staff can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureCause {
    DiskFull,
    ReadOnly,
    NoPermission,
    /// The folder is not there: an automounted one with no stick in it says "no device".
    Missing,
    /// Another program holds the buffer's write lock.
    Locked,
    /// Anything else: the error's own words say it.
    Other,
}

impl FailureCause {
    /// The first cause in an error's chain that says what went wrong.
    pub fn of(error: &(dyn std::error::Error + 'static)) -> FailureCause {
        use rusqlite::ErrorCode;
        use std::io::ErrorKind;
        for cause in hetki_protocol::errors::causes(error) {
            // A transparent wrapper hands on the SQLite failure inside a rusqlite error.
            let sqlite = match cause.downcast_ref() {
                Some(rusqlite::Error::SqliteFailure(failure, _)) => Some(failure),
                _ => cause.downcast_ref::<rusqlite::ffi::Error>(),
            };
            if let Some(failure) = sqlite {
                match failure.code {
                    ErrorCode::DiskFull => return FailureCause::DiskFull,
                    ErrorCode::ReadOnly => return FailureCause::ReadOnly,
                    ErrorCode::PermissionDenied => return FailureCause::NoPermission,
                    ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                        return FailureCause::Locked;
                    }
                    _ => {}
                }
            }
            if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                match io.kind() {
                    ErrorKind::StorageFull | ErrorKind::QuotaExceeded => {
                        return FailureCause::DiskFull;
                    }
                    ErrorKind::ReadOnlyFilesystem => return FailureCause::ReadOnly,
                    ErrorKind::PermissionDenied => return FailureCause::NoPermission,
                    ErrorKind::NotFound => return FailureCause::Missing,
                    _ if io.raw_os_error() == Some(libc::ENODEV) => return FailureCause::Missing,
                    // A wrapper (`io::Error::other`): the kind may be in what it wraps.
                    ErrorKind::Other => {}
                    _ => return FailureCause::Other,
                }
            }
        }
        FailureCause::Other
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot create the response buffer {path}: {source}")]
    Create {
        path: String,
        source: std::io::Error,
    },
    #[error("there is no response buffer at {path}")]
    Missing { path: String },
    #[error("the response buffer {path} cannot be used: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error(
        "the response buffer was written by a newer Hetki (schema {found}, this one knows {known})"
    )]
    TooNew { found: i64, known: i64 },
    #[error(
        "the response buffer {path} was written by an older Hetki (schema {found}, this one \
         knows {known}): start the kiosk once to bring it up to date, or read it with the \
         Hetki that wrote it"
    )]
    TooOld {
        path: String,
        found: i64,
        known: i64,
    },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot write out what is stored: {0}")]
    Export(#[source] std::io::Error),
    #[error("a stored response is unreadable: {0}")]
    Corrupt(#[from] serde_json::Error),
}

#[derive(Clone, Copy, Debug)]
pub struct StoreOptions {
    /// How long a write waits for a lock held by another process before it counts as failed.
    pub busy_timeout: Duration,
    /// How often a failed store tries again.
    pub retry_interval: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            busy_timeout: Duration::from_secs(2),
            retry_interval: Duration::from_secs(5),
        }
    }
}

/// Free space for an unprivileged writer on the file system holding `dir`.
pub fn free_disk_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: a valid C string and a zeroed out-parameter of the right type.
    if unsafe { libc::statvfs(path.as_ptr(), &mut stat) } != 0 {
        return None;
    }
    Some(stat.f_bavail as u64 * stat.f_frsize as u64)
}
