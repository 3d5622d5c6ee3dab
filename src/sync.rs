//! `hetki sync` and `hetki status`: the uploader from the command line.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::clock::SystemClock;
use crate::config::{BufferConfig, ConfigError, Token, check_endpoint, token_file_warning};
use crate::store::{Database, StoreOptions};
use crate::upload::Uploader;

/// Uploads everything pending now, first putting the rejected responses back in the queue
/// if `retry_rejected`. Ok with the number delivered when nothing is left pending and the
/// collector rejected none; an error with the reason otherwise.
pub fn sync_once(
    config: &BufferConfig,
    endpoint: Option<String>,
    token_file: Option<PathBuf>,
    retry_rejected: bool,
) -> anyhow::Result<u64> {
    let endpoint = endpoint
        .or_else(|| config.upload.endpoint.clone())
        .ok_or_else(|| no_setting(config, "upload.endpoint", "--endpoint URL"))?;
    // The device file's endpoint was checked when it loaded: this is the command line's.
    check_endpoint(&endpoint).map_err(|message| anyhow::anyhow!("--endpoint: {message}"))?;
    let (token_file, field) = match token_file {
        Some(path) => (path, "--token-file"),
        None => (
            config
                .upload
                .token_file
                .clone()
                .ok_or_else(|| no_setting(config, "upload.token_file", "--token-file PATH"))?,
            "upload.token_file",
        ),
    };
    let token = Token::read(&token_file, field)?;
    if let Some(warning) = token_file_warning(&token_file) {
        eprintln!("hetki: warning: {field}: {warning}");
    }
    if retry_rejected {
        // Only once the settings hold: a command that stops on them leaves the buffer as it was.
        let mut db = Database::open_existing(&config.database_path(), &StoreOptions::default())?;
        let requeued = db.retry_rejected()?;
        eprintln!("hetki: {requeued} rejected responses are pending again");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut uploader = Uploader::new(
        config.database_path(),
        &endpoint,
        &token,
        config.device_id.clone(),
        config.upload.clone(),
        Box::new(SystemClock::new()),
    )
    .context("cannot set up the HTTP client")?;
    let progress = runtime
        .block_on(uploader.drain())
        .map_err(|failure| anyhow::anyhow!("upload failed: {failure}"))?;
    // Nothing is left pending, but a script (or a person) must not take this for success.
    anyhow::ensure!(
        progress.rejected == 0,
        "the collector rejected {} responses ({} delivered, nothing left pending); \
         `hetki status` shows why",
        progress.rejected,
        progress.delivered
    );
    Ok(progress.delivered)
}

fn no_setting(config: &BufferConfig, field: &str, flag: &str) -> ConfigError {
    ConfigError::one(
        &config.config_file,
        Some(field),
        format!("no collector is configured: set {field} or give {flag}"),
    )
}

/// `hetki status`: what is stored, pending and delivered, and how uploading goes; times in
/// the device's time zone.
pub fn print_status(config: &BufferConfig, out: &mut impl Write) -> anyhow::Result<()> {
    let db = Database::open_for_reading(&config.database_path(), &StoreOptions::default())?;
    let status = db.upload_status()?;
    let time = |t: Option<DateTime<Utc>>| {
        t.map(|t| local_time(t, config.time_zone))
            .unwrap_or_else(|| "never".into())
    };
    writeln!(out, "stored:          {}", status.stored)?;
    writeln!(out, "pending:         {}", status.pending)?;
    writeln!(
        out,
        "delivered:       {} ({} pruned after delivery)",
        status.delivered, status.pruned
    )?;
    writeln!(out, "rejected:        {}", status.rejected)?;
    writeln!(
        out,
        "oldest pending:  {}",
        status
            .oldest_pending
            .map_or("none".into(), |t| time(Some(t)))
    )?;
    writeln!(out, "last upload:     {}", time(status.last_success_at))?;
    match (&status.last_error, status.last_error_at) {
        (Some(error), at) => writeln!(out, "last error:      {} ({error})", time(at))?,
        (None, _) => writeln!(out, "last error:      none since the last upload")?,
    }
    for rejection in db.rejections()? {
        writeln!(out, "rejected {}: {}", rejection.id, rejection.reason)?;
    }
    Ok(())
}

/// A time as staff read it: the device's time zone, named, e.g. `2026-11-24 14:03:12 EET`.
pub fn local_time(t: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    t.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M:%S %Z")
        .to_string()
}
