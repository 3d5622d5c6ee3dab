//! What the staff panel shows and does besides the flow: the device's state read from the
//! buffer (only while staff look at it), and the export to a USB stick.

use std::path::PathBuf;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use hetki_protocol::{EventInfo, Language};

use crate::store::{Database, StoreOptions, UploadStatus, UploadTrouble, free_disk_bytes};

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

/// The day `now` falls on by the kiosk's clock in `zone`: what "today" means to staff.
pub fn today(now: DateTime<Utc>, zone: Tz) -> NaiveDate {
    now.with_timezone(&zone).date_naive()
}

/// The day of the event in force, when that is not today in `zone`: answers given now would
/// count for another evening than the one they were given at.
pub fn event_day_elsewhen(event: &EventInfo, now: DateTime<Utc>, zone: Tz) -> Option<NaiveDate> {
    event.date.filter(|day| *day != today(now, zone))
}

/// What an export wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exported {
    pub path: PathBuf,
    pub count: u64,
    /// Older responses, uploaded and then pruned here, that the file cannot hold.
    pub pruned: u64,
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
    /// Reads the state now. "Today" is the day in the configured time zone. A buffer that
    /// cannot be read shows as the last error; the device's own facts (version, clock, free
    /// disk) show all the same.
    pub fn status(&self, now: DateTime<Utc>) -> PanelStatus {
        let free = self.database.parent().and_then(free_disk_bytes);
        let mut status = PanelStatus {
            device_id: self.device_id.clone(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            clock_synchronized: crate::clock::clock_synchronized(),
            free_disk_bytes: free,
            ..PanelStatus::default()
        };
        match self.buffer_facts(now) {
            Ok((today, total, upload)) => {
                (status.today, status.total, status.upload) = (today, total, upload);
            }
            Err(error) => {
                let error = format!("{error:#}");
                tracing::warn!(error, "cannot read the buffer");
                status.upload = UploadStatus {
                    last_error: Some(error),
                    last_error_trouble: Some(UploadTrouble::Buffer),
                    ..UploadStatus::default()
                };
            }
        }
        let warnings = Warnings::of(&status.upload, free, self.uploads, now);
        status.disk_low = warnings.disk_low;
        status.upload_overdue = warnings.upload_overdue;
        status
    }

    /// Answers today and in total, and the upload state, from the buffer.
    fn buffer_facts(&self, now: DateTime<Utc>) -> anyhow::Result<(u64, u64, UploadStatus)> {
        let db = Database::open_for_reading(&self.database, &StoreOptions::default())?;
        let today = db.count_since(start_of_day(now, self.time_zone))?;
        Ok((today, db.answers_total()?, db.upload_status()?))
    }

    /// Writes every response kept here into the export directory, in the form staff take
    /// away (a spreadsheet CSV without ids or clock readings, times to the hour).
    pub fn export(&self, now: DateTime<Utc>) -> anyhow::Result<Exported> {
        let dir = self
            .export_dir
            .as_deref()
            .context("no export directory is configured ([panel] export_dir)")?;
        tracing::info!(dir = %dir.display(), "staff started an export");
        if !dir.is_dir() {
            // As an I/O error, so the panel words it in the staff's language.
            return Err(
                anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::NotFound))
                    .context(format!("{} is not there", dir.display())),
            );
        }
        let db = Database::open_for_reading(&self.database, &StoreOptions::default())?;
        let path = unused_name(dir, &self.device_id, now.with_timezone(&self.time_zone));
        // Written under a working name and renamed when whole, so a stick that fills up or
        // is pulled out never holds a cut-short file under a finished-looking name.
        let part = path.with_extension("csv.part");
        let written = write_file(&part, |out| {
            crate::export::export_for_staff(&db, self.time_zone, out).map_err(std::io::Error::other)
        })
        .and_then(|count| {
            std::fs::rename(&part, &path)?;
            std::fs::File::open(dir)?.sync_all()?;
            Ok(count)
        });
        let count = written.map_err(|error| {
            let _ = std::fs::remove_file(&part);
            anyhow::Error::new(error).context(format!("cannot write {}", path.display()))
        })?;
        // Responses delivered long ago were pruned here: staff must not mistake the file
        // for all there ever was.
        let pruned = db.pruned_count()?;
        tracing::info!(path = %path.display(), count, pruned, "staff exported the responses");
        Ok(Exported {
            path,
            count,
            pruned,
        })
    }
}

/// A name for an export made at `local` that no earlier export has taken: a second export
/// within the same second, or in the hour that repeats when summer time ends, gets `-2`, `-3`
/// … (a rename would silently replace the earlier file).
fn unused_name(dir: &std::path::Path, device_id: &str, local: DateTime<Tz>) -> PathBuf {
    let stamp = local.format("%Y-%m-%d-%H%M%S");
    (1..)
        .map(|n| match n {
            1 => dir.join(format!("hetki-{device_id}-{stamp}.csv")),
            n => dir.join(format!("hetki-{device_id}-{stamp}-{n}.csv")),
        })
        .find(|path| !path.exists() && !path.with_extension("csv.part").exists())
        .expect("some number is free")
}

/// Writes a new file at `path` with `write`, synced to disk; returns what `write` did.
fn write_file<T>(
    path: &std::path::Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    let mut out = std::io::BufWriter::new(file);
    let done = write(&mut out)?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(done)
}

/// When the day of `now` began in `zone`: midnight, or the first hour that exists where a
/// clock change skips midnight (as in some zones).
fn start_of_day(now: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    let date = today(now, zone);
    (0..24)
        .find_map(|hour| {
            date.and_hms_opt(hour, 0, 0)?
                .and_local_timezone(zone)
                .earliest()
        })
        .map_or(now, |t| t.with_timezone(&Utc))
}

/// A moment as staff read it, in the kiosk's time zone to the minute, written as usual in
/// `language`: "23.11.2026 klo 8.11", "23.11.2026 kl. 8.11",
/// "2026-11-23 08:11".
pub fn time(at: Option<DateTime<Utc>>, zone: Tz, language: Language) -> String {
    let format = match language {
        Language::Fi => "%-d.%-m.%Y klo %-H.%M",
        Language::Sv => "%-d.%-m.%Y kl. %-H.%M",
        Language::En => "%Y-%m-%d %H:%M",
    };
    at.map(|t| t.with_timezone(&zone).format(format).to_string())
        .unwrap_or_else(|| "–".into())
}

/// Free disk as staff read it: gigabytes with a decimal comma in Finnish and Swedish.
pub fn disk_size(bytes: u64, language: Language) -> String {
    let text = format!("{:.1} GB", bytes as f64 / 1e9);
    match language {
        Language::En => text,
        Language::Fi | Language::Sv => text.replace('.', ","),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_on_another_day_until_its_own_begins_on_the_kiosks_clock() {
        let event = EventInfo {
            name: "Asukasilta".into(),
            place: "Sello".into(),
            area: None,
            topic: None,
            date: NaiveDate::from_ymd_opt(2026, 12, 3),
        };
        let at = |utc: &str| utc.parse::<DateTime<Utc>>().unwrap();
        let zone = chrono_tz::Europe::Helsinki;
        // 23.30 and 0.30 in Helsinki.
        assert_eq!(
            event_day_elsewhen(&event, at("2026-12-02T21:30:00Z"), zone),
            event.date
        );
        assert_eq!(
            event_day_elsewhen(&event, at("2026-12-02T22:30:00Z"), zone),
            None
        );
        let undated = EventInfo {
            date: None,
            ..event
        };
        assert_eq!(
            event_day_elsewhen(&undated, at("2026-12-02T21:30:00Z"), zone),
            None
        );
    }

    #[test]
    fn staff_read_times_and_sizes_as_written_in_their_language() {
        let at = "2026-11-24T06:05:00Z".parse().ok();
        let helsinki = chrono_tz::Europe::Helsinki;
        assert_eq!(time(at, helsinki, Language::Fi), "24.11.2026 klo 8.05");
        assert_eq!(time(at, helsinki, Language::Sv), "24.11.2026 kl. 8.05");
        assert_eq!(time(at, helsinki, Language::En), "2026-11-24 08:05");
        assert_eq!(time(None, helsinki, Language::Fi), "–");
        assert_eq!(disk_size(11_834_000_000, Language::Fi), "11,8 GB");
        assert_eq!(disk_size(11_834_000_000, Language::En), "11.8 GB");
    }

    #[test]
    fn a_day_starts_at_local_midnight_or_the_first_hour_there_is() {
        let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap();
        // Helsinki in winter is UTC+2; its clocks change at 03:00, never at midnight.
        assert_eq!(
            start_of_day(at("2026-11-23T12:00:00Z"), chrono_tz::Europe::Helsinki),
            at("2026-11-22T22:00:00Z")
        );
        // Santiago skipped 00:00-01:00 on 2022-09-11: the day began at 01:00 (UTC-3).
        assert_eq!(
            start_of_day(at("2022-09-11T15:00:00Z"), chrono_tz::America::Santiago),
            at("2022-09-11T04:00:00Z")
        );
    }

    #[test]
    fn a_buffer_that_cannot_be_read_hides_none_of_the_devices_own_facts() {
        let place = PanelPlace {
            device_id: "kiosk-1".into(),
            database: std::env::temp_dir().join("hetki-no-such-buffer.sqlite3"),
            export_dir: None,
            uploads: true,
            time_zone: chrono_tz::Europe::Helsinki,
            config_file_name: "kiosk.toml".into(),
        };
        let status = place.status(Utc::now());
        assert_eq!(
            status.upload.last_error_trouble,
            Some(UploadTrouble::Buffer)
        );
        assert!(status.upload.last_error.is_some());
        assert_eq!(status.version, env!("CARGO_PKG_VERSION"));
        assert!(status.free_disk_bytes.is_some(), "the folder is there");
    }

    #[test]
    fn an_export_never_takes_the_name_of_an_earlier_one() {
        let dir = std::env::temp_dir().join(format!("hetki-export-names-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let local = "2026-10-25T00:30:00Z"
            .parse::<DateTime<Utc>>()
            .unwrap()
            .with_timezone(&chrono_tz::Europe::Helsinki);
        let first = unused_name(&dir, "kiosk-1", local);
        assert_eq!(first, dir.join("hetki-kiosk-1-2026-10-25-033000.csv"));
        std::fs::write(&first, "").unwrap();
        let second = unused_name(&dir, "kiosk-1", local);
        assert_eq!(second, dir.join("hetki-kiosk-1-2026-10-25-033000-2.csv"));
        // One still being written counts as taken too.
        std::fs::write(second.with_extension("csv.part"), "").unwrap();
        let third = unused_name(&dir, "kiosk-1", local);
        assert_eq!(third, dir.join("hetki-kiosk-1-2026-10-25-033000-3.csv"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
