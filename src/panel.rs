//! What the staff panel shows and does besides the flow: the device's state read from the
//! buffer (only while staff look at it), and the export to a USB stick.

use std::path::PathBuf;

use anyhow::Context;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::store::{Database, StoreOptions, UploadStatus, free_disk_bytes};

/// Below this much free space the panel warns that storage is nearly full.
pub const LOW_DISK_BYTES: u64 = 200 * 1024 * 1024;
/// With responses pending and no upload for this long, the panel warns.
pub const UPLOAD_OVERDUE: chrono::TimeDelta = chrono::TimeDelta::days(1);

/// The device's state as the panel shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PanelStatus {
    pub device_id: String,
    pub version: String,
    /// Answers taken today and ever, test answers left out of both.
    pub today: u64,
    pub total: u64,
    pub upload: UploadStatus,
    pub clock_synchronized: bool,
    pub free_disk_bytes: Option<u64>,
    pub disk_low: bool,
    pub upload_overdue: bool,
}

/// What staff must be told: loudly on the panel, by a mark on the start screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Warnings {
    pub disk_low: bool,
    pub upload_overdue: bool,
}

impl Warnings {
    /// `uploads`: whether a collector is configured. A kiosk kept offline on purpose holds
    /// its answers for export; a mark that never goes away would hide a real warning.
    pub fn of(
        upload: &UploadStatus,
        free_disk_bytes: Option<u64>,
        uploads: bool,
        now: DateTime<Utc>,
    ) -> Warnings {
        Warnings {
            disk_low: free_disk_bytes.is_some_and(|f| f < LOW_DISK_BYTES),
            upload_overdue: uploads
                && upload.pending > 0
                && upload
                    .last_success_at
                    .or(upload.oldest_pending)
                    .is_some_and(|t| now - t > UPLOAD_OVERDUE),
        }
    }

    pub fn any(self) -> bool {
        self.disk_low || self.upload_overdue
    }
}

/// Where the panel finds what it reads and writes.
#[derive(Clone, Debug)]
pub struct PanelPlace {
    pub device_id: String,
    pub database: PathBuf,
    pub export_dir: Option<PathBuf>,
    /// Whether a collector is configured (see [`Warnings::of`]).
    pub uploads: bool,
    /// Where "today" is counted and times are shown.
    pub time_zone: Tz,
    /// The device file's name, for "set here, overriding kiosk.toml".
    pub config_file_name: String,
}

impl PanelPlace {
    /// Reads the state now. "Today" is the day in the configured time zone.
    pub fn status(&self, now: DateTime<Utc>) -> anyhow::Result<PanelStatus> {
        let db = Database::open_existing(&self.database, &StoreOptions::default())?;
        let upload = db.upload_status()?;
        let zone = self.time_zone;
        let midnight = now
            .with_timezone(&zone)
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(zone).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now);
        let today = db.count_since(midnight)?;
        let free = self.database.parent().and_then(free_disk_bytes);
        let warnings = Warnings::of(&upload, free, self.uploads, now);
        Ok(PanelStatus {
            device_id: self.device_id.clone(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            today,
            total: db.answers_total()?,
            upload,
            clock_synchronized: crate::clock::clock_synchronized(),
            free_disk_bytes: free,
            disk_low: warnings.disk_low,
            upload_overdue: warnings.upload_overdue,
        })
    }

    /// Writes every response as a spreadsheet CSV into the export directory; returns the file
    /// and how many responses it holds.
    pub fn export(&self, now: DateTime<Utc>) -> anyhow::Result<(PathBuf, u64)> {
        let dir = self
            .export_dir
            .as_deref()
            .context("no export directory is configured ([panel] export_dir)")?;
        anyhow::ensure!(
            dir.is_dir(),
            "{} is not there (is the USB stick in?)",
            dir.display()
        );
        let stamp = now.with_timezone(&self.time_zone).format("%Y-%m-%d-%H%M%S");
        let path = dir.join(format!("hetki-{}-{stamp}.csv", self.device_id));
        let db = Database::open_existing(&self.database, &StoreOptions::default())?;
        let file = std::fs::File::create(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        let mut out = std::io::BufWriter::new(file);
        let count = crate::export::export_spreadsheet(&db, &mut out)?;
        out.into_inner()
            .map_err(|e| e.into_error())?
            .sync_all()
            .with_context(|| format!("cannot finish {}", path.display()))?;
        tracing::info!(path = %path.display(), count, "staff exported the responses");
        Ok((path, count))
    }
}

/// A moment as staff read it: in the kiosk's time zone, to the minute.
pub fn time(at: Option<DateTime<Utc>>, zone: Tz) -> String {
    at.map(|t| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "–".into())
}
