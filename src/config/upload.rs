//! The `[upload]` table of the device file: where the collector is, the token, and timing.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::error::{ConfigError, in_range, unreadable};

/// How the uploader talks to the collector. Without an endpoint and a token file the kiosk
/// keeps everything locally and `hetki sync` needs both given as flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadConfig {
    /// The collector's base URL, e.g. `https://palaute.example.fi`.
    pub endpoint: Option<String>,
    /// A file holding the device's token (made by `hetki-collector device add`).
    pub token_file: Option<PathBuf>,
    pub batch_responses: usize,
    pub batch_bytes: usize,
    /// The first retry waits up to this long; each failure doubles it, up to `retry_cap`.
    pub retry_base: Duration,
    pub retry_cap: Duration,
    /// Delivered responses are deleted after this long; their tallies stay.
    pub prune_after: Duration,
    /// How often the kiosk reports its health when it has nothing else to send.
    pub health_interval: Duration,
}

impl Default for UploadConfig {
    fn default() -> Self {
        UploadConfig {
            endpoint: None,
            token_file: None,
            batch_responses: 500,
            batch_bytes: 1024 * 1024,
            retry_base: Duration::from_secs(1),
            retry_cap: Duration::from_secs(300),
            prune_after: Duration::from_secs(30 * 24 * 3600),
            health_interval: Duration::from_secs(600),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct UploadFile {
    endpoint: Option<String>,
    token_file: Option<PathBuf>,
    batch_responses: Option<usize>,
    batch_kib: Option<usize>,
    retry_base_seconds: Option<f64>,
    retry_cap_seconds: Option<f64>,
    prune_after_days: Option<f64>,
    health_interval_seconds: Option<f64>,
}

/// A device token. Never printed: `Debug` and `Display` show only that it is there.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Reads the token from `path` (surrounding whitespace ignored). `field` names where the
    /// path came from, for the error.
    pub fn read(path: &Path, field: &str) -> Result<Token, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            let hint = match e.kind() {
                std::io::ErrorKind::NotFound => {
                    ": `hetki-collector device add NAME` on the collector prints the token to keep in it"
                }
                _ => "",
            };
            ConfigError::one(path, Some(field), format!("{}{hint}", unreadable(&e)))
        })?;
        let token = text.trim();
        if token.is_empty() || token.contains(char::is_whitespace) || !token.is_ascii() {
            return Err(ConfigError::one(
                path,
                Some(field),
                "the file must hold one token, as `hetki-collector device add` printed it",
            ));
        }
        Ok(Token(token.to_owned()))
    }

    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(..)")
    }
}

/// Checks a collector URL: https with a host, or http to this machine only (the device
/// token goes in every request, so it must not cross a network in clear).
pub fn check_endpoint(url: &str) -> Result<(), String> {
    use reqwest::Url;
    let on_this_machine = |u: &Url| match u.host_str() {
        Some(host) if host.eq_ignore_ascii_case("localhost") => true,
        Some(host) => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    };
    match Url::parse(url) {
        Ok(u) if u.host().is_none() => Err(format!("{url:?} has no host")),
        Ok(u) if u.path().trim_end_matches('/').ends_with("/api/v1") => Err(format!(
            "{url:?} goes too far: give the collector's own address, without {}",
            u.path()
        )),
        Ok(u) if u.scheme() == "https" => Ok(()),
        Ok(u) if u.scheme() == "http" && on_this_machine(&u) => Ok(()),
        Ok(u) if u.scheme() == "http" => Err(format!(
            "{url:?} would send the device token in clear: use https:// (http:// is only for a \
             collector on this machine)"
        )),
        Ok(u) => Err(format!(
            "{url:?} is not an http(s) URL (scheme {:?})",
            u.scheme()
        )),
        Err(e) => Err(format!("{url:?} is not a URL: {e}")),
    }
}

/// Whoever reads the token can upload as this device: what to say if the file is open to
/// others (a warning, as `chmod 600` is the fix and the kiosk can still run).
pub fn token_file_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode();
        (mode & 0o077 != 0).then(|| {
            format!(
                "{}: the token file is readable by other users (mode {:o}): chmod 600 it",
                path.display(),
                mode & 0o777
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

impl UploadFile {
    /// Resolves the table against its file's directory; `problem` collects what is wrong.
    /// `read_token`: whether the token file must be readable now (the kiosk's start-up and
    /// `check`); reading or exporting what is stored needs no token, and `sync` reads it itself.
    pub(super) fn resolve(
        self,
        dir: &Path,
        read_token: bool,
        problem: &mut dyn FnMut(&str, String),
    ) -> UploadConfig {
        let d = UploadConfig::default();
        if let Some(endpoint) = &self.endpoint
            && let Err(message) = check_endpoint(endpoint)
        {
            problem("upload.endpoint", message);
        }
        let token_file = self.token_file.map(|f| dir.join(f));
        if let Some(path) = &token_file
            && read_token
            && let Err(error) = Token::read(path, "upload.token_file")
        {
            for p in error.problems {
                problem(
                    "upload.token_file",
                    format!("{}: {}", path.display(), p.message),
                );
            }
        }
        if self.endpoint.is_some() != token_file.is_some() {
            problem(
                "upload",
                "give both endpoint and token_file, or neither (to keep answers only locally)"
                    .into(),
            );
        }
        let mut count = |field: &str, value: Option<usize>, range: (usize, usize), default| {
            in_range(problem, field, value, range, "").unwrap_or(default)
        };
        let batch_responses = count(
            "upload.batch_responses",
            self.batch_responses,
            (1, hetki_protocol::MAX_BATCH_RESPONSES),
            d.batch_responses,
        );
        let batch_bytes = count(
            "upload.batch_kib",
            self.batch_kib,
            (16, hetki_protocol::MAX_BODY_BYTES / 1024 / 2),
            d.batch_bytes / 1024,
        ) * 1024;
        let mut seconds =
            |field: &str, value: Option<f64>, range: (f64, f64), scale: f64, default: Duration| {
                in_range(problem, field, value, range, "")
                    .map_or(default, |s| Duration::from_secs_f64(s * scale))
            };
        let retry_base = seconds(
            "upload.retry_base_seconds",
            self.retry_base_seconds,
            (0.01, 60.0),
            1.0,
            d.retry_base,
        );
        let retry_cap = seconds(
            "upload.retry_cap_seconds",
            self.retry_cap_seconds,
            (0.1, 3600.0),
            1.0,
            d.retry_cap,
        );
        let prune_after = seconds(
            "upload.prune_after_days",
            self.prune_after_days,
            // The panel's "answers today" counts what is kept here, so answers must outlast
            // the longest day (25 hours, when summer time ends).
            (2.0, 3650.0),
            86_400.0,
            d.prune_after,
        );
        let health_interval = seconds(
            "upload.health_interval_seconds",
            self.health_interval_seconds,
            (1.0, 86_400.0),
            1.0,
            d.health_interval,
        );
        UploadConfig {
            endpoint: self.endpoint,
            token_file,
            batch_responses,
            batch_bytes,
            retry_base,
            retry_cap: retry_cap.max(retry_base),
            prune_after,
            health_interval,
        }
    }
}
