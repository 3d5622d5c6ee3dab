//! The kiosk without a screen: the flow, the recorder that stamps what it submits, and the
//! store it hands responses to. The UI adapter and `simulate` drive this same path.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use hetki_protocol::{EventInfo, Response, SurveyDefinition, SurveyRef};
use uuid::Uuid;

use crate::clock::ClockSource;
use crate::config::KioskConfig;
use crate::flow::{Flow, FlowSettings, Now, Submission, Tap};
use crate::results::PollResults;
use crate::store::{self, StoreEvent, StoreHandle, StoreOptions};
use crate::upload::UploaderHandle;

pub struct Kiosk {
    flow: Flow,
    survey_ref: SurveyRef,
    event: EventInfo,
    clock: Box<dyn ClockSource>,
    store: Option<StoreHandle>,
    store_thread: Option<JoinHandle<()>>,
    store_events: Receiver<StoreEvent>,
    uploader: Option<UploaderHandle>,
    /// A poll's published results, as of the last commit.
    results: Option<PollResults>,
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
    /// Starts the store thread on the configured buffer and a flow at the attract screen.
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
            events,
        );
        let settings = FlowSettings {
            languages: config.languages.clone(),
            default_language: config.default_language,
            timing: config.timing,
            keep_partial: config.keep_partial,
            pin: config.panel.pin.clone(),
        };
        Kiosk {
            survey_ref: SurveyRef {
                id: config.survey.id.clone(),
                hash: config.survey.content_hash(),
            },
            flow: Flow::new(config.survey.clone(), settings),
            event: config.event.clone(),
            clock,
            store: Some(store),
            store_thread: Some(store_thread),
            store_events,
            uploader: None,
            results: None,
        }
    }

    /// Asks the uploader to send now; false when no collector is configured.
    pub fn sync_now(&self) -> bool {
        self.uploader.as_ref().inspect(|u| u.nudge()).is_some()
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
        self.flow.survey()
    }

    /// A touch; returns the id of the response it submitted, if any.
    pub fn tap(&mut self, tap: Tap, now: Now) -> Option<Uuid> {
        let submission = self.flow.tap(tap, now)?;
        Some(self.submit(submission))
    }

    /// Lets time pass; returns the id of a response this submitted (a finished highlight on
    /// the last question, or a partial answer kept at an idle reset).
    pub fn tick(&mut self, now: Now) -> Option<Uuid> {
        let submission = self.flow.tick(now)?;
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
                if let Some(results) = results {
                    self.results = Some(results.clone());
                }
                if let Some(uploader) = &self.uploader {
                    uploader.nudge();
                }
            }
            StoreEvent::Unavailable { .. } => {
                // The store holds what it is given until it can write: a respondent caught
                // mid-survey keeps their partial answer as at an idle reset.
                if let Some(partial) = self.flow.store_failed() {
                    self.submit(partial);
                }
            }
            StoreEvent::Recovered => self.flow.store_recovered(),
        }
    }

    fn submit(&mut self, submission: Submission) -> Uuid {
        let response = Response {
            id: Uuid::now_v7(),
            seq: 0, // the store numbers it
            survey: self.survey_ref.clone(),
            event: self.event.clone(),
            language: submission.language,
            complete: submission.complete,
            recorded_at: self.clock.wall(),
            clock: self.clock.facts(),
            display: submission.display,
            answers: submission.answers,
        };
        let id = response.id;
        let survey = self.flow.survey().clone();
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
