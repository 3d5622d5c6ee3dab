//! The store thread: takes responses over a channel, commits each, and reports back. When
//! the disk fails it keeps what it was given in memory, says so, and retries until it can write.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use hetki_protocol::{Response, SurveyDefinition};
use uuid::Uuid;

use super::{Database, FailureCause, StoreOptions};
use crate::panel::Warnings;
use crate::results::PollResults;

/// What the store thread reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreEvent {
    /// The response is on disk: only now does it count as taken.
    /// For a poll, its published results as of this commit come along.
    Committed {
        id: Uuid,
        seq: u64,
        /// The poll's id and its published results.
        results: Option<(String, PollResults)>,
    },
    /// A poll's published results, as asked for with [`StoreHandle::ask_results`].
    Results {
        survey: String,
        results: PollResults,
    },
    /// Writing failed; what was not written is held and retried.
    Unavailable { reason: String, cause: FailureCause },
    /// Everything held has been written and the store takes answers again.
    Recovered,
    /// What staff should be warned of changed (checked at start and every minute).
    Warnings(Warnings),
}

/// How often the store thread looks at free disk and upload progress for the start screen's
/// health mark.
const WARNINGS_EVERY: Duration = Duration::from_secs(60);

struct Record {
    survey: Arc<SurveyDefinition>,
    response: Response,
}

/// What the store thread is asked to do.
enum Job {
    // Boxed: a response is far bigger than a poll's id.
    Record(Box<Record>),
    /// Report a poll's published results, by the poll's id.
    Results(String),
}

/// The way to the store thread. Dropping every handle lets the thread finish and exit.
#[derive(Clone)]
pub struct StoreHandle {
    jobs: Sender<Job>,
}

impl StoreHandle {
    /// Hands a response to the store thread; its `Committed` event follows once it is on disk.
    /// Returns false if the store thread is gone.
    pub fn record(&self, survey: Arc<SurveyDefinition>, response: Response) -> bool {
        self.jobs
            .send(Job::Record(Box::new(Record { survey, response })))
            .is_ok()
    }

    /// Asks for a poll's published results; a `Results` event answers, once the store can read.
    pub fn ask_results(&self, survey_id: &str) {
        let _ = self.jobs.send(Job::Results(survey_id.to_owned()));
    }
}

/// Starts the store thread on the database at `path`. `uploads`: whether a collector is
/// configured, for the staff warnings.
pub fn spawn(
    path: PathBuf,
    options: StoreOptions,
    device_id: String,
    uploads: bool,
    events: Sender<StoreEvent>,
) -> (StoreHandle, JoinHandle<()>) {
    let (jobs, inbox) = mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("hetki-store".into())
        .spawn(move || {
            Worker {
                path,
                options,
                device_id,
                uploads,
                events,
                db: None,
                held: VecDeque::new(),
                asked: Vec::new(),
                warnings: None,
                healthy: true,
                opened_once: false,
            }
            .run(inbox)
        })
        .expect("the store thread starts");
    (StoreHandle { jobs }, thread)
}

struct Worker {
    path: PathBuf,
    options: StoreOptions,
    device_id: String,
    uploads: bool,
    events: Sender<StoreEvent>,
    db: Option<Database>,
    /// Responses given to the store and not yet committed, oldest first.
    held: VecDeque<Record>,
    /// Polls whose results were asked for and not yet reported.
    asked: Vec<String>,
    /// The warnings last reported.
    warnings: Option<Warnings>,
    healthy: bool,
    /// After the first open, a missing buffer is a failure, never a reason to start a new one.
    opened_once: bool,
}

impl Worker {
    fn run(mut self, inbox: Receiver<Job>) {
        self.write_held();
        self.check_warnings();
        // Checked on time even on a busy day, when answers arrive more often than that.
        let mut next_check = Instant::now() + WARNINGS_EVERY;
        loop {
            let until_check = next_check.saturating_duration_since(Instant::now());
            let next = if self.healthy {
                inbox.recv_timeout(until_check)
            } else {
                inbox.recv_timeout(self.options.retry_interval.min(until_check))
            };
            match next {
                Ok(job) => {
                    for job in std::iter::once(job).chain(inbox.try_iter()) {
                        match job {
                            Job::Record(record) => self.held.push_back(*record),
                            Job::Results(survey) => self.asked.push(survey),
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    self.write_held();
                    if !self.held.is_empty() {
                        tracing::error!(
                            lost = self.held.len(),
                            "the store stops with responses it could not write"
                        );
                    }
                    return;
                }
            }
            self.write_held();
            if Instant::now() >= next_check {
                self.check_warnings();
                next_check = Instant::now() + WARNINGS_EVERY;
            }
        }
    }

    /// Writes what is held, oldest first, stopping at the first failure.
    fn write_held(&mut self) {
        if self.db.is_none() {
            let reopen = if self.opened_once {
                Database::open_existing
            } else {
                Database::open
            };
            match reopen(&self.path, &self.options) {
                Ok(db) => {
                    self.db = Some(db);
                    self.opened_once = true;
                }
                Err(error) => return self.fail(&error),
            }
        }
        let db = self.db.as_mut().expect("opened above");
        while let Some(record) = self.held.front_mut() {
            match db.record(&self.device_id, &record.survey, &mut record.response) {
                Ok(seq) => {
                    let results = record
                        .survey
                        .results_step()
                        .and_then(|_| published(db, &record.survey.id))
                        .map(|results| (record.survey.id.clone(), results));
                    let _ = self.events.send(StoreEvent::Committed {
                        id: record.response.id,
                        seq,
                        results,
                    });
                    self.held.pop_front();
                }
                Err(error) => {
                    // Reopen next time: the card may have been remounted or replaced.
                    self.db = None;
                    return self.fail(&error);
                }
            }
        }
        for survey in std::mem::take(&mut self.asked) {
            if let Some(results) = published(db, &survey) {
                let _ = self.events.send(StoreEvent::Results { survey, results });
            }
        }
        if !self.healthy {
            tracing::info!("the response store writes again");
            self.healthy = true;
            let _ = self.events.send(StoreEvent::Recovered);
        }
    }

    /// Reports the warnings for staff when they change.
    fn check_warnings(&mut self) {
        let Some(db) = &self.db else { return };
        let upload = match db.upload_status() {
            Ok(upload) => upload,
            Err(error) => return tracing::warn!(%error, "cannot read the upload state"),
        };
        let free = self.path.parent().and_then(super::free_disk_bytes);
        let warnings = Warnings::of(&upload, free, self.uploads, chrono::Utc::now());
        if self.warnings != Some(warnings) {
            self.warnings = Some(warnings);
            let _ = self.events.send(StoreEvent::Warnings(warnings));
        }
    }

    fn fail(&mut self, error: &(dyn std::error::Error + 'static)) {
        if self.healthy {
            let reason = error.to_string();
            tracing::error!(%reason, held = self.held.len(), "the response store cannot write");
            self.healthy = false;
            let cause = FailureCause::of(error);
            let _ = self.events.send(StoreEvent::Unavailable { reason, cause });
        }
    }
}

/// A poll's published results; `None` (logged) if they cannot be read.
fn published(db: &Database, survey_id: &str) -> Option<PollResults> {
    db.published_results(survey_id)
        .inspect_err(|error| tracing::warn!(%error, "cannot read the poll's results"))
        .ok()
}
