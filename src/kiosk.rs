//! The kiosk without a screen: the flow, the recorder that stamps what it submits, and the
//! store it hands responses to. The UI adapter and `simulate` drive this same path.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use hetki_protocol::{EventInfo, Response, SurveyDefinition, SurveyRef};
use uuid::Uuid;

use crate::background::{Background, Finished};
use crate::clock::ClockSource;
use crate::config::{KioskConfig, SurveyChoice};
use crate::flow::{Flow, FlowSettings, Now, Submission, Tap};
use crate::kept::Keeper;
use crate::panel::Warnings;
use crate::pin::WrongTries;
use crate::results::PollResults;
use crate::session::{Overrides, Session};
use crate::store::{self, FailureCause, StoreEvent, StoreHandle, StoreOptions};
use crate::upload::UploaderHandle;

/// How often a PIN check under way is looked at: soon after it ends, the pad opens.
const PIN_CHECK_POLL: Duration = Duration::from_millis(20);

pub struct Kiosk {
    flow: Flow,
    survey_ref: SurveyRef,
    session: Session,
    /// What staff may choose from in the panel: the device file's surveys and events, its
    /// defaults first.
    surveys: Vec<SurveyChoice>,
    events: Vec<EventInfo>,
    overrides_path: std::path::PathBuf,
    /// Where the wrong PINs typed are kept, so that a restart does not lift a lock.
    wrong_tries_path: std::path::PathBuf,
    /// Those last kept (read at start, then handed to the keeper): a change from them is kept.
    wrong_tries_kept: WrongTries,
    /// The flow has been given those read at start: it needs a time to lock from first.
    wrong_tries_resumed: bool,
    /// Writes both files above off the UI thread.
    keeper: Keeper,
    /// The PIN entered on the pad, being checked on a thread of its own: the hash takes a
    /// quarter of a second on a Raspberry Pi 4 on purpose, too long to freeze the screen.
    pin_check: Background<bool>,
    clock: Box<dyn ClockSource>,
    store: Option<StoreHandle>,
    store_thread: Option<JoinHandle<()>>,
    store_events: Receiver<StoreEvent>,
    uploader: Option<UploaderHandle>,
    /// A poll's published results, as of the last commit.
    results: Option<PollResults>,
    /// What staff should be warned of, as the store last reported; None until it has.
    warnings: Option<Warnings>,
    store_failure: Option<(String, FailureCause)>,
}

impl Drop for Kiosk {
    /// Waits for the store to write what it was given: the process may end right after.
    fn drop(&mut self) {
        self.store = None;
        if let Some(thread) = self.store_thread.take() {
            let _ = thread.join();
        }
    }
}

impl Kiosk {
    /// Starts the store thread on the configured buffer and a flow at the attract screen,
    /// running what the panel last chose (see [`Session`]).
    pub fn start(
        config: &KioskConfig,
        clock: Box<dyn ClockSource>,
        options: StoreOptions,
    ) -> Kiosk {
        let (events, store_events) = mpsc::channel();
        let (store, store_thread) = store::spawn(
            config.database_path(),
            options,
            config.device_id.clone(),
            config.upload.endpoint.is_some(),
            events,
        );
        let settings = FlowSettings {
            languages: config.languages.clone(),
            default_language: config.default_language,
            timing: config.timing,
            keep_partial: config.keep_partial,
            pin: config.panel.pin.clone(),
            attract_rotate: config.attract.rotate,
            attract_notes: config.attract.notes.len(),
        };
        let overrides_path = Overrides::path(&config.data_dir);
        let loaded = Overrides::load(&overrides_path);
        let session = Session::resolve(config, loaded.clone());
        if !session.overrides.is_empty() {
            tracing::info!(overrides = ?session.overrides, "running what staff set in the panel");
        }
        // What no longer matches the device file is forgotten for good, so it cannot come
        // back by surprise when, say, an event is configured again next season.
        let stale = session.overrides != loaded;
        let wrong_tries_path = config.data_dir.join("pin-tries.json");
        let wrong_tries_kept = crate::kept::load(&wrong_tries_path, "wrong PIN tries");
        let kiosk = Kiosk {
            survey_ref: session.survey.reference(),
            flow: Flow::new(session.survey.clone(), settings),
            session,
            surveys: config.surveys.clone(),
            events: config.events.clone(),
            overrides_path,
            wrong_tries_path,
            wrong_tries_kept,
            wrong_tries_resumed: false,
            keeper: Keeper::spawn(),
            pin_check: Background::default(),
            clock,
            store: Some(store),
            store_thread: Some(store_thread),
            store_events,
            uploader: None,
            results: None,
            warnings: None,
            store_failure: None,
        };
        if stale {
            kiosk.keep_overrides();
        }
        kiosk.ask_results();
        kiosk
    }

    /// What staff should be warned of: the start screen shows a mark for it. None until the
    /// store has first checked.
    pub fn warnings(&self) -> Option<Warnings> {
        self.warnings
    }

    /// Why the store cannot write, while it cannot (the kiosk is out of order meanwhile).
    pub fn store_failure(&self) -> Option<(&str, FailureCause)> {
        self.store_failure
            .as_ref()
            .map(|(reason, cause)| (reason.as_str(), *cause))
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The surveys and events staff may choose from, the device file's defaults first.
    pub fn choices(&self) -> (&[SurveyChoice], &[EventInfo]) {
        (&self.surveys, &self.events)
    }

    /// Staff: run the survey at `index` of [`Kiosk::choices`].
    pub fn choose_survey(&mut self, index: usize) {
        let Some(choice) = self.surveys.get(index) else {
            return;
        };
        let survey = choice.survey.clone();
        tracing::info!(survey = %survey.id, "staff switched the survey");
        self.session.overrides.survey = (index > 0).then(|| survey.id.clone());
        self.run_survey(survey);
        self.keep_overrides();
    }

    /// Staff: start a session for the event at `index` of [`Kiosk::choices`].
    pub fn choose_event(&mut self, index: usize) {
        let Some(event) = self.events.get(index).cloned() else {
            return;
        };
        tracing::info!(
            event = %event.name.get(hetki_protocol::Language::Fi),
            day = ?event.date,
            "staff started an event session"
        );
        self.session.overrides.event = (index > 0).then(|| event.clone());
        self.session.event = event;
        self.keep_overrides();
    }

    /// Staff: answers from now on are (or are no longer) tests, flagged and never counted.
    pub fn set_test_mode(&mut self, on: bool) {
        tracing::info!(on, "staff switched test mode");
        self.session.overrides.test_mode = on;
        self.keep_overrides();
    }

    /// Whether what is answered from now on is flagged as test answers, as test mode does,
    /// for this run only: staff's setting is neither kept nor changed (`hetki simulate`).
    pub fn set_test_answers(&mut self, test: bool) {
        self.session.overrides.test_mode = test;
    }

    /// Staff: back to exactly what the device file says.
    pub fn forget_overrides(&mut self) {
        tracing::info!("staff went back to the device file's settings");
        self.session.overrides = Overrides::default();
        self.session.event = self.events[0].clone();
        self.run_survey(self.surveys[0].survey.clone());
        self.keep_overrides();
    }

    /// Runs `survey` from the next respondent on, with its own poll results.
    fn run_survey(&mut self, survey: Arc<SurveyDefinition>) {
        self.survey_ref = survey.reference();
        self.flow.set_survey(survey.clone());
        self.session.survey = survey;
        self.results = None;
        self.ask_results();
    }

    /// Saves what staff set, in the background. On failure the change still holds until a
    /// restart; [`Kiosk::settings_not_kept`] tells the panel, as staff would otherwise trust it
    /// to last.
    fn keep_overrides(&self) {
        self.keeper.keep(
            &self.session.overrides,
            &self.overrides_path,
            "panel's settings",
        );
    }

    /// Why staff's settings could not be saved, if a save failed since the last call. A
    /// restart forgets wrong PIN tries that could not be saved; that is only logged.
    pub fn settings_not_kept(&self) -> Option<std::io::Error> {
        self.keeper
            .failures()
            .into_iter()
            .filter(|failure| failure.path == self.overrides_path)
            .map(|failure| failure.error)
            .last()
    }

    /// Keeps a poll's published results if it is the one running (staff may have switched).
    fn keep_results(&mut self, survey: &str, results: &PollResults) {
        if survey == self.session.survey.id {
            self.results = Some(results.clone());
        }
    }

    /// Asks the store for the active poll's published results (they come as a store event).
    fn ask_results(&self) {
        if self.session.survey.results_step().is_some()
            && let Some(store) = &self.store
        {
            store.ask_results(&self.session.survey.id);
        }
    }

    /// Asks the uploader to send now, and returns when it was asked (see
    /// [`UploaderHandle::upload_now`]); `None` when no collector is configured.
    pub fn sync_now(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.uploader.as_ref().map(UploaderHandle::upload_now)
    }

    /// Tells `uploader` of every committed response, so it sends soon.
    pub fn set_uploader(&mut self, uploader: UploaderHandle) {
        self.uploader = Some(uploader);
    }

    /// A poll's published results as of the last response committed; `None` before any.
    pub fn results(&self) -> Option<&PollResults> {
        self.results.as_ref()
    }

    pub fn flow(&self) -> &Flow {
        &self.flow
    }

    pub fn survey(&self) -> &Arc<SurveyDefinition> {
        &self.session.survey
    }

    /// A touch; returns the id of the response it submitted, if any.
    pub fn tap(&mut self, tap: Tap, now: Now) -> Option<Uuid> {
        self.resume_wrong_tries(now);
        let submission = self.flow.tap(tap, now);
        self.start_pin_check(now);
        Some(self.submit(submission?))
    }

    /// Lets time pass; returns the id of a response this submitted (a partial answer kept at
    /// an idle reset: a finished one goes at the tap of its last answer).
    pub fn tick(&mut self, now: Now) -> Option<Uuid> {
        self.resume_wrong_tries(now);
        self.finish_pin_check(now);
        // A lock that ran out is kept as over, so a restart does not serve it again.
        self.keep_wrong_tries(now);
        let submission = self.flow.tick(now)?;
        Some(self.submit(submission))
    }

    /// When [`Kiosk::tick`] next has something to do: the flow's next deadline, the end of a
    /// PIN lock not yet kept as over, and soon while a PIN is being checked, to take its
    /// result.
    pub fn next_deadline(&self, now: Now) -> Option<Now> {
        let lock_ends = self
            .flow
            .pin_lock_ends()
            .filter(|_| self.wrong_tries_kept.locked());
        let checked = self.pin_check.is_running().then_some(now + PIN_CHECK_POLL);
        [self.flow.next_deadline(), lock_ends, checked]
            .into_iter()
            .flatten()
            .min()
    }

    /// Starts checking the PIN the pad was given, if it was given one.
    fn start_pin_check(&mut self, now: Now) {
        if self.pin_check.is_running() {
            return;
        }
        let Some((hash, pin)) = self.flow.pin_to_check() else {
            return;
        };
        let (hash, pin) = (hash.clone(), pin.to_owned());
        if let Err(error) = self
            .pin_check
            .start("hetki-pin-check", move || hash.matches(&pin))
        {
            tracing::warn!(%error, "no thread to check the PIN on: checked here");
            let matched = self.flow.pin_to_check().is_some_and(|(h, p)| h.matches(p));
            self.count_pin(matched, now);
        }
    }

    /// Takes the PIN check's result, once it has one.
    fn finish_pin_check(&mut self, now: Now) {
        let matched = match self.pin_check.take_finished() {
            None => return,
            Some(Finished::Done(matched)) => matched,
            Some(Finished::Lost) => {
                tracing::error!("the PIN check stopped unexpectedly");
                false
            }
        };
        self.count_pin(matched, now);
    }

    /// Tells the flow how the PIN check went, and keeps the wrong tries if they changed.
    fn count_pin(&mut self, matched: bool, now: Now) {
        self.flow.pin_checked(matched, now);
        self.keep_wrong_tries(now);
    }

    /// Gives the flow the wrong PINs typed before the restart, at the first time it is told:
    /// a lock then in force starts again from there.
    fn resume_wrong_tries(&mut self, now: Now) {
        if !std::mem::replace(&mut self.wrong_tries_resumed, true) {
            self.flow.resume_wrong_tries(self.wrong_tries_kept, now);
        }
    }

    /// Keeps the wrong PINs typed, if they changed, in the background. On failure a restart
    /// forgets them; the pad works on.
    fn keep_wrong_tries(&mut self, now: Now) {
        if !self.wrong_tries_resumed {
            return;
        }
        let tries = self.flow.wrong_tries(now);
        if tries != self.wrong_tries_kept {
            self.keeper
                .keep(&tries, &self.wrong_tries_path, "wrong PIN tries");
            self.wrong_tries_kept = tries;
        }
    }

    /// The kiosk is stopping: records what the respondent on screen has given (see
    /// [`Flow::shut_down`]); dropping the kiosk then waits for the store to write it.
    pub fn shut_down(&mut self) -> Option<Uuid> {
        let submission = self.flow.shut_down()?;
        Some(self.submit(submission))
    }

    /// Takes what the store reported since the last call, telling the flow whether it can write.
    pub fn poll_store(&mut self) -> Vec<StoreEvent> {
        let events: Vec<_> = self.store_events.try_iter().collect();
        events.iter().for_each(|e| self.apply(e));
        events
    }

    /// Waits up to `timeout` for the store's next report.
    pub fn wait_store(&mut self, timeout: Duration) -> Option<StoreEvent> {
        match self.store_events.recv_timeout(timeout) {
            Ok(event) => {
                self.apply(&event);
                Some(event)
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => None,
        }
    }

    fn apply(&mut self, event: &StoreEvent) {
        match event {
            StoreEvent::Committed { id, seq, results } => {
                tracing::debug!(%id, seq, "response committed");
                if let Some((survey, results)) = results {
                    self.keep_results(survey, results);
                }
                if let Some(uploader) = &self.uploader {
                    uploader.nudge();
                }
            }
            StoreEvent::Unavailable { reason, cause } => {
                self.store_failure = Some((reason.clone(), *cause));
                // The store holds what it is given until it can write: a respondent caught
                // mid-survey keeps their partial answer as at an idle reset.
                if let Some(partial) = self.flow.store_failed() {
                    self.submit(partial);
                }
            }
            StoreEvent::Results { survey, results } => self.keep_results(survey, results),
            StoreEvent::Warnings(warnings) => self.warnings = Some(*warnings),
            StoreEvent::Recovered => {
                self.store_failure = None;
                self.flow.store_recovered();
            }
        }
    }

    fn submit(&mut self, submission: Submission) -> Uuid {
        let response = Response {
            id: Uuid::now_v7(),
            seq: 0, // the store numbers it
            survey: self.survey_ref.clone(),
            event: self.session.event.clone(),
            language: submission.language,
            complete: submission.complete,
            recorded_at: self.clock.wall(),
            clock: self.clock.facts(),
            display: submission.display,
            test: self.session.test_mode(),
            answers: submission.answers,
        };
        let id = response.id;
        let survey = self.session.survey.clone();
        if !self
            .store
            .as_ref()
            .is_some_and(|s| s.record(survey, response))
        {
            tracing::error!(%id, "the store thread is gone");
            let _ = self.flow.store_failed();
        }
        id
    }
}
