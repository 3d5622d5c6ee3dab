//! What the uploader does, step by step: prune, pick the oldest pending responses, make sure
//! the collector has their survey versions, send, and record each receipt.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use hetki_protocol::{ClockReading, HealthReport, Outcome, SurveyRef, UploadReceipts};
use reqwest::StatusCode;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::time::Instant;

use super::backoff::{full_jitter, random_unit};
use super::client::{CollectorClient, Reply};
use crate::clock::ClockSource;
use crate::config::{Token, UploadConfig};
use crate::store::{Database, Delivery, Pending, StoreOptions, UploadTrouble, free_disk_bytes};

/// A new response cuts a retry wait to at most this (unless the collector asked for longer).
const NUDGE_WAIT: Duration = Duration::from_secs(10);
const PRUNE_INTERVAL: Duration = Duration::from_secs(3600);

/// Why the uploader is woken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// A response was committed: send soon.
    Committed,
    /// Staff pressed "Upload now" (having, say, fixed the network): try at once, even
    /// within a wait the collector asked for.
    StaffAsked,
}

/// What one step delivered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub delivered: u64,
    pub rejected: u64,
}

impl std::ops::AddAssign for Progress {
    fn add_assign(&mut self, other: Progress) {
        self.delivered += other.delivered;
        self.rejected += other.rejected;
    }
}

/// Why an upload did not go through; it is tried again later.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub trouble: UploadTrouble,
    pub reason: String,
    /// The collector's `Retry-After`, if it gave one.
    pub retry_after: Option<Duration>,
}

impl Failure {
    fn new(trouble: UploadTrouble, reason: impl Into<String>) -> Failure {
        Failure {
            trouble,
            reason: reason.into(),
            retry_after: None,
        }
    }
}

/// The kiosk's own buffer failed.
fn buffer_failure(error: impl fmt::Display) -> Failure {
    Failure::new(UploadTrouble::Buffer, format!("the buffer: {error}"))
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

pub struct Uploader {
    database: PathBuf,
    db: Option<Database>,
    client: CollectorClient,
    settings: UploadConfig,
    clock: Box<dyn ClockSource>,
    /// What this device calls itself, told to the collector with each batch (see
    /// [`hetki_protocol::UploadBatch::device_id`]).
    device_id: Option<String>,
    /// Every response numbered up to here has been answered for in this run, so the next
    /// batch is read from after it instead of from the start of the buffer.
    cursor: u64,
    /// Halved while the collector refuses a batch, doubled again (up to `batch_ceiling`)
    /// with each batch it takes.
    batch_limit: usize,
    /// Lowered when a batch is refused as too large (413): the most the way to the collector
    /// lets through.
    batch_ceiling: usize,
    next_health: Instant,
    /// The last health report went with responses, so its pending count is already out of
    /// date: one more goes as soon as nothing is pending.
    report_when_drained: bool,
    next_prune: Instant,
    failures: u32,
}

impl Uploader {
    pub fn new(
        database: PathBuf,
        endpoint: &str,
        token: &Token,
        device_id: Option<String>,
        settings: UploadConfig,
        clock: Box<dyn ClockSource>,
    ) -> Result<Uploader, reqwest::Error> {
        let now = Instant::now();
        Ok(Uploader {
            database,
            db: None,
            client: CollectorClient::new(endpoint, token)?,
            batch_limit: settings.batch_responses,
            batch_ceiling: settings.batch_responses,
            settings,
            clock,
            device_id,
            cursor: 0,
            next_health: now,
            report_when_drained: false,
            next_prune: now,
            failures: 0,
        })
    }

    /// Uploads until nothing is pending; stops at the first failure (for `hetki sync --once`).
    pub async fn drain(&mut self) -> Result<Progress, Failure> {
        let mut total = Progress::default();
        while let Some(progress) = self.step_recording().await? {
            total += progress;
        }
        Ok(total)
    }

    /// Uploads for as long as the handle lives: right away while there is something to
    /// send, after a failure with backoff, and on the health timer when idle.
    pub async fn run(mut self, mut signals: UnboundedReceiver<Signal>) {
        loop {
            match self.step_recording().await {
                Ok(Some(_)) => {
                    // Sending anyway: nudges that came meanwhile are served by this loop.
                    loop {
                        match signals.try_recv() {
                            Ok(_) => continue,
                            Err(TryRecvError::Empty) => break,
                            Err(TryRecvError::Disconnected) => return,
                        }
                    }
                }
                Ok(None) => {
                    let until = self.next_health.min(self.next_prune);
                    if !self.wait(&mut signals, until, true).await {
                        return;
                    }
                }
                Err(failure) => {
                    let (wait, cut_by_nudge) = match failure.retry_after {
                        // The collector said when: a new response does not hurry it. Never
                        // at once, though ("0", or a date already past by our clock).
                        Some(after) => (after.max(self.settings.retry_base), false),
                        None => (
                            full_jitter(
                                self.failures,
                                self.settings.retry_base,
                                self.settings.retry_cap,
                                random_unit(),
                            ),
                            true,
                        ),
                    };
                    tracing::warn!(reason = %failure, retry_in_s = wait.as_secs_f64(), "upload failed");
                    if !self
                        .wait(&mut signals, Instant::now() + wait, cut_by_nudge)
                        .await
                    {
                        return;
                    }
                }
            }
        }
    }

    /// Waits until `deadline`. A new response cuts it (to now when idle, to at most 10 s in
    /// a retry wait); staff asking ends it at once. Returns false when the handle is gone.
    async fn wait(
        &mut self,
        signals: &mut UnboundedReceiver<Signal>,
        mut deadline: Instant,
        cut: bool,
    ) -> bool {
        let idle = self.failures == 0;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => return true,
                signal = signals.recv() => match signal {
                    None => return false,
                    Some(Signal::StaffAsked) => {
                        // With nothing pending a health report goes, so staff learn whether
                        // the collector can be reached.
                        self.next_health = Instant::now();
                        return true;
                    }
                    Some(Signal::Committed) if idle => return true,
                    Some(Signal::Committed) if cut => {
                        deadline = deadline.min(Instant::now() + NUDGE_WAIT)
                    }
                    Some(Signal::Committed) => {}
                },
            }
        }
    }

    async fn step_recording(&mut self) -> Result<Option<Progress>, Failure> {
        let result = self.step().await;
        match &result {
            Ok(_) => self.failures = 0,
            Err(failure) => {
                self.failures = self.failures.saturating_add(1);
                if let Some(db) = &self.db
                    && let Err(error) =
                        db.record_upload_error(&failure.reason, failure.trouble, Utc::now())
                {
                    tracing::warn!(%error, "cannot note the upload error");
                }
                if failure.trouble == UploadTrouble::Buffer {
                    // Opened afresh next time, as the store thread does: the card may have
                    // been put back, or replaced.
                    self.db = None;
                }
            }
        }
        result
    }

    fn db(&mut self) -> Result<&mut Database, Failure> {
        if self.db.is_none() {
            let db = Database::open_existing(&self.database, &StoreOptions::default())
                .map_err(buffer_failure)?;
            self.db = Some(db);
        }
        Ok(self.db.as_mut().expect("just opened"))
    }

    /// One batch: `Ok(None)` when nothing was pending.
    pub async fn step(&mut self) -> Result<Option<Progress>, Failure> {
        if Instant::now() >= self.next_prune {
            self.next_prune = Instant::now() + PRUNE_INTERVAL;
            let cutoff = Utc::now() - self.settings.prune_after;
            match self.db()?.prune_delivered(cutoff) {
                Ok(0) => {}
                Ok(pruned) => tracing::info!(pruned, "pruned responses delivered long ago"),
                Err(error) => tracing::warn!(%error, "cannot prune"),
            }
        }
        let (cursor, limit, bytes) = (self.cursor, self.batch_limit, self.settings.batch_bytes);
        let mut batch = self
            .db()?
            .pending_batch(cursor, limit, bytes)
            .map_err(buffer_failure)?;
        if batch.is_empty() && self.cursor > 0 {
            // Anything left behind the cursor (e.g. by another process) is found from the start.
            self.cursor = 0;
            batch = self
                .db()?
                .pending_batch(0, limit, bytes)
                .map_err(buffer_failure)?;
        }
        let health_due = Instant::now() >= self.next_health;
        if batch.is_empty() {
            if health_due || self.report_when_drained {
                self.send(&[]).await.map_err(Sent::into_failure)?;
                // The way to the collector works: staff asking with nothing to send see so.
                self.db()?
                    .record_contact(Utc::now())
                    .map_err(buffer_failure)?;
            }
            return Ok(None);
        }
        if let Some(progress) = self.send_surveys(&batch).await? {
            return Ok(Some(progress));
        }
        match self.send(&batch).await {
            Ok(receipts) => {
                self.batch_limit = (self.batch_limit * 2).min(self.batch_ceiling);
                self.apply_receipts(&batch, receipts).map(Some)
            }
            Err(Sent::Refused { status, reason }) if !about_the_content(status) => {
                // A wrong path's 404, a proxy's 409: nothing to do with what was sent, so
                // nothing is blamed on it; tried again later.
                Err(Failure::new(UploadTrouble::Refused, reason))
            }
            Err(Sent::Later(failure))
                if failure.trouble == UploadTrouble::Unreachable && batch.len() > 1 =>
            {
                // Cut off or timed out: the batch may be too much for a slow link, so the
                // next try sends half (each batch taken doubles it again).
                self.batch_limit = (batch.len() / 2).max(1);
                Err(failure)
            }
            Err(Sent::Refused { status, reason }) if batch.len() > 1 => {
                // Too large, or one response the collector cannot read: halve until the
                // batch fits or the culprit is alone.
                self.batch_limit = (batch.len() / 2).max(1);
                if status == StatusCode::PAYLOAD_TOO_LARGE {
                    self.batch_ceiling = self.batch_limit;
                }
                tracing::info!(%status, reason, limit = self.batch_limit, "batch refused; halving");
                Ok(Some(Progress::default()))
            }
            Err(Sent::Refused { reason, .. }) => {
                // One response refused whole. Blame it only if the same envelope without it
                // goes through; otherwise the trouble is not this response's.
                self.send(&[]).await.map_err(Sent::into_failure)?;
                let pending = &batch[0];
                tracing::warn!(id = pending.id, reason, "the collector refused a response");
                self.db()?
                    .record_deliveries(&[(pending.seq, Delivery::Rejected(reason))], Utc::now())
                    .map_err(buffer_failure)?;
                self.cursor = pending.seq;
                Ok(Some(Progress {
                    delivered: 0,
                    rejected: 1,
                }))
            }
            Err(other) => Err(other.into_failure()),
        }
    }

    /// Sends the definitions the collector lacks. A definition it refuses makes its
    /// responses unsendable: they are rejected with its reason (`Some` progress then).
    async fn send_surveys(&mut self, batch: &[Pending]) -> Result<Option<Progress>, Failure> {
        let mut refs: Vec<&SurveyRef> = batch.iter().map(|p| &p.survey).collect();
        refs.sort_by(|a, b| (&a.id, &a.hash).cmp(&(&b.id, &b.hash)));
        refs.dedup();
        for survey in refs {
            let db = self.db()?;
            let Some(definition) = db.unsent_survey(survey).map_err(buffer_failure)? else {
                continue;
            };
            match self.client.send_survey(&definition).await {
                Reply::Ok(receipt) if receipt.hash != survey.hash => {
                    // Responses refer to our hash, so the collector would never find it:
                    // retrying cannot help until the two agree (usually: update the collector).
                    return Err(Failure::new(
                        UploadTrouble::CollectorFault,
                        format!(
                            "the collector files survey {} {} as version {}: it reads the \
                         definition differently (an older collector?)",
                            survey.id, survey.hash, receipt.hash
                        ),
                    ));
                }
                Reply::Ok(_) => {
                    self.db()?
                        .set_survey_sent(survey, Some(Utc::now()))
                        .map_err(buffer_failure)?;
                }
                Reply::Later {
                    trouble,
                    reason,
                    retry_after,
                } => {
                    return Err(Failure {
                        trouble,
                        reason,
                        retry_after,
                    });
                }
                Reply::Refused { status, reason } => {
                    let reason = format!(
                        "the collector refused survey {} {}: {reason}",
                        survey.id, survey.hash
                    );
                    // Only the collector's own verdict on the definition is final: a wrong
                    // path or a proxy's 4xx says nothing about it, so that is tried again.
                    if status != StatusCode::UNPROCESSABLE_ENTITY {
                        return Err(Failure::new(UploadTrouble::Refused, reason));
                    }
                    self.send(&[]).await.map_err(Sent::into_failure)?;
                    let outcomes: Vec<_> = batch
                        .iter()
                        .filter(|p| &p.survey == survey)
                        .map(|p| (p.seq, Delivery::Rejected(reason.clone())))
                        .collect();
                    self.db()?
                        .record_deliveries(&outcomes, Utc::now())
                        .map_err(buffer_failure)?;
                    self.cursor = 0;
                    return Ok(Some(Progress {
                        delivered: 0,
                        rejected: outcomes.len() as u64,
                    }));
                }
            }
        }
        Ok(None)
    }

    /// Posts `batch` (the stored bodies as they are) with the clock reading, and a health
    /// report when one is due.
    async fn send(&mut self, batch: &[Pending]) -> Result<UploadReceipts, Sent> {
        let drained = batch.is_empty() && self.report_when_drained;
        let health = if Instant::now() >= self.next_health || drained {
            Some(self.health().map_err(Sent::Later)?)
        } else {
            None
        };
        let sent = ClockReading {
            wall: self.clock.wall(),
            clock: self.clock.facts(),
        };
        let mut body =
            Vec::with_capacity(batch.iter().map(|p| p.body.len() + 1).sum::<usize>() + 512);
        body.push(b'{');
        push_field(&mut body, "sent", &sent)?;
        if let Some(device_id) = &self.device_id {
            push_field(&mut body, "device_id", device_id)?;
        }
        if let Some(health) = &health {
            push_field(&mut body, "health", health)?;
        }
        body.extend_from_slice(b"\"responses\":[");
        for (i, pending) in batch.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            body.extend_from_slice(pending.body.as_bytes());
        }
        body.extend_from_slice(b"]}");
        match self.client.send_batch(body).await {
            Reply::Ok(receipts) => {
                if health.is_some() {
                    self.next_health = Instant::now() + self.settings.health_interval;
                    self.report_when_drained = !batch.is_empty();
                }
                Ok(receipts)
            }
            Reply::Refused { status, reason } => Err(Sent::Refused { status, reason }),
            Reply::Later {
                trouble,
                reason,
                retry_after,
            } => Err(Sent::Later(Failure {
                trouble,
                reason,
                retry_after,
            })),
        }
    }

    /// Marks what the receipts acknowledge. A response without a final receipt (its survey
    /// unknown to the collector, or no receipt at all) stays pending and is sent again.
    fn apply_receipts(
        &mut self,
        batch: &[Pending],
        receipts: UploadReceipts,
    ) -> Result<Progress, Failure> {
        let mut by_id: HashMap<String, Outcome> = receipts
            .receipts
            .into_iter()
            .map(|r| (r.id.to_string(), r.outcome))
            .collect();
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut progress = Progress::default();
        let mut unresolved: Option<u64> = None;
        let mut unknown_surveys = Vec::new();
        for pending in batch {
            match by_id.remove(&pending.id) {
                Some(Outcome::Stored | Outcome::AlreadyHad) => {
                    outcomes.push((pending.seq, Delivery::Delivered));
                }
                Some(Outcome::Rejected { reason }) => {
                    tracing::warn!(id = pending.id, reason, "the collector rejected a response");
                    outcomes.push((pending.seq, Delivery::Rejected(reason)));
                    progress.rejected += 1;
                }
                Some(Outcome::UnknownSurvey) => {
                    unresolved.get_or_insert(pending.seq);
                    unknown_surveys.push(pending.survey.clone());
                }
                None => {
                    unresolved.get_or_insert(pending.seq);
                }
            }
        }
        let db = self.db()?;
        progress.delivered = db
            .record_deliveries(&outcomes, Utc::now())
            .map_err(buffer_failure)?;
        for survey in &unknown_surveys {
            db.set_survey_sent(survey, None).map_err(buffer_failure)?;
        }
        self.cursor = match unresolved {
            Some(first) => first - 1,
            None => batch.last().map_or(self.cursor, |p| p.seq),
        };
        if outcomes.is_empty() {
            return Err(Failure::new(
                UploadTrouble::CollectorFault,
                "the collector acknowledged none of the batch (survey definitions missing there?)",
            ));
        }
        Ok(progress)
    }

    fn health(&mut self) -> Result<HealthReport, Failure> {
        let synchronized = self.clock.facts().synchronized;
        let dir = self
            .database
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let status = self.db()?.upload_status().map_err(buffer_failure)?;
        Ok(HealthReport {
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            pending: status.pending,
            oldest_pending: status.oldest_pending,
            rejected: status.rejected,
            clock_synchronized: synchronized,
            free_disk_bytes: free_disk_bytes(&dir),
        })
    }
}

/// Writes `"name":value,` into the envelope being built.
fn push_field(body: &mut Vec<u8>, name: &str, value: &impl serde::Serialize) -> Result<(), Sent> {
    body.extend_from_slice(format!("\"{name}\":").as_bytes());
    serde_json::to_writer(&mut *body, value)
        .map_err(|e| Sent::Later(Failure::new(UploadTrouble::Other, e.to_string())))?;
    body.push(b',');
    Ok(())
}

/// Whether a refusal is the collector's verdict on what was sent (malformed, too large,
/// not valid), which halving the batch can isolate.
fn about_the_content(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::BAD_REQUEST | StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNPROCESSABLE_ENTITY
    )
}

/// How a batch post went wrong.
enum Sent {
    Refused { status: StatusCode, reason: String },
    Later(Failure),
}

impl Sent {
    fn into_failure(self) -> Failure {
        match self {
            Sent::Refused { reason, .. } => Failure::new(UploadTrouble::Refused, reason),
            Sent::Later(failure) => failure,
        }
    }
}
