//! The respondent flow: attract → question 1..n → thanks → attract, with idle reset, cooldown
//! and language. Plain Rust with time passed in and no I/O: the UI and `simulate` both drive
//! it, and what it asks of the world comes back as a [`Submission`] to record.

use std::sync::Arc;
use std::time::Duration;

use hetki_protocol::{Answer, AnswerValue, Display, DisplayTheme, Language, SurveyDefinition};

use crate::config::Timing;
use crate::pin::{PinGate, PinHash, PinResult, WrongTries};

/// Time as the flow sees it: a monotonic reading from an arbitrary origin.
pub type Now = Duration;

#[derive(Clone, Debug)]
pub struct FlowSettings {
    pub languages: Vec<Language>,
    pub default_language: Language,
    pub timing: Timing,
    pub keep_partial: bool,
    /// The staff PIN's hash; without one the panel cannot be opened.
    pub pin: Option<PinHash>,
    /// The attract loop: how long each slide shows (`None`: no loop), and how many
    /// "you said → we did" notes it has.
    pub attract_rotate: Option<Duration>,
    pub attract_notes: usize,
}

/// What the idle start screen shows, besides its invitation to answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AttractSlide {
    /// The survey's title (a poll: its first question).
    #[default]
    Invitation,
    /// A poll's published results for one question, by index: one question at a time
    /// stays readable from a distance on any screen.
    Results(usize),
    /// A "you said → we did" note, by index.
    Note(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Attract,
    /// The question at this index.
    Question(usize),
    Thanks,
    /// A poll's thank-you: the results so far, the respondent's own choice marked.
    Results,
    /// The store cannot write: take no answers until it can.
    OutOfOrder,
    /// Staff: the PIN pad, opened by the hidden gesture.
    Pin,
    /// Staff: the panel, behind the PIN.
    Panel,
}

/// What the PIN pad says after a try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinMessage {
    /// The PIN entered is being checked; the keys rest meanwhile.
    Checking,
    Wrong {
        left: u32,
    },
    /// Locked: try again in this many minutes (rounded up).
    Locked {
        minutes: u32,
    },
}

/// The longest "Do you need more time?" before a half-answered survey starts over: WCAG 2.2.1
/// asks for 20 seconds to answer it. A shorter idle timeout gets a warning half its length, so
/// that a respondent still thinking is not hurried at once.
pub const IDLE_WARNING: Duration = Duration::from_secs(20);

/// How long an open panel waits for staff before closing by itself.
pub const PANEL_IDLE: Duration = Duration::from_secs(120);

/// The least a thank-you screen with QR codes stays: time to take out a phone and point it.
/// A tap after the cooldown still moves on at once, so the next person never waits for it.
pub const QR_READING_TIME: Duration = Duration::from_secs(20);

/// What a respondent touched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tap {
    /// The attract screen's prompt.
    Start,
    /// The answer option at this index (screen order) of the current question; on a
    /// multiple-choice question it picks the option or takes the pick back.
    Option(usize),
    /// A multiple-choice question's "Done": its picks are the answer. On the results screen:
    /// read, make way for the next person.
    Done,
    Skip,
    Back,
    Language(Language),
    /// The high-contrast switch (on the attract and question screens).
    ToggleContrast,
    /// The large-text switch (on the attract and question screens).
    ToggleLargeText,
    /// The hidden staff gesture (a long press in a corner).
    PanelGesture,
    /// A digit on the PIN pad.
    Digit(u8),
    PinErase,
    PinEnter,
    /// Leave the PIN pad or the panel.
    PanelClose,
    /// Anywhere else: keeps the survey alive, on the attract and thanks screens moves on,
    /// and on the results screen reads on.
    Elsewhere,
    /// The results screen's "More results" (or "To the top"): whoever is reading
    /// gets another results period from now.
    ReadOn,
}

/// A finished (or, if partial answers are kept, abandoned) respondent's answers, to be recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    pub language: Language,
    pub display: Display,
    pub complete: bool,
    pub answers: Vec<Answer>,
}

/// What the screen should show; compare two to know whether anything changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    pub screen: Screen,
    pub language: Language,
    pub display: Display,
    /// On a question screen: the options answered (earlier, or just now while highlighted);
    /// at most one unless the question takes several.
    pub selected: Vec<usize>,
    /// The selected option was just tapped and is being shown before moving on.
    pub highlighted: bool,
    /// On the results screen: the respondent's own answers, one slot per question.
    pub own: Vec<Option<AnswerValue>>,
    /// On the PIN pad: how many digits are typed, and what the last try said.
    pub pin_digits: usize,
    pub pin_message: Option<PinMessage>,
    /// On the attract screen: the slide of the loop showing.
    pub attract_slide: AttractSlide,
    /// On the attract screen: whether slides take turns (the start button then stays in one
    /// place on all of them, where someone on their way to tap it expects it).
    pub attract_loops: bool,
    /// On a question left untouched: "Do you need more time?", with the whole seconds left
    /// before the survey starts over.
    pub idle_warning: Option<u32>,
}

impl View {
    /// A plain view of `screen`: nothing selected, default look.
    pub fn new(screen: Screen, language: Language) -> View {
        View {
            screen,
            language,
            display: Display::default(),
            selected: Vec::new(),
            highlighted: false,
            own: Vec::new(),
            pin_digits: 0,
            pin_message: None,
            attract_slide: AttractSlide::Invitation,
            attract_loops: false,
            idle_warning: None,
        }
    }
}

/// The attract loop's slides for `survey`: the invitation, a poll's results question by
/// question, then each of `notes`. They take turns where the device file sets a rotation.
pub fn attract_slides(survey: &SurveyDefinition, notes: usize) -> Vec<AttractSlide> {
    let mut slides = vec![AttractSlide::Invitation];
    if survey.results_step().is_some() {
        slides.extend((0..survey.questions.len()).map(AttractSlide::Results));
    }
    slides.extend((0..notes).map(AttractSlide::Note));
    slides
}

pub struct Flow {
    survey: Arc<SurveyDefinition>,
    settings: FlowSettings,
    screen: Screen,
    language: Language,
    /// The respondent's display settings; the next person starts with the defaults.
    display: Display,
    /// One slot per question; `None` until answered.
    answers: Vec<Option<AnswerValue>>,
    /// Until when the tapped option is highlighted; taps in between do nothing.
    highlight_until: Option<Now>,
    last_touch: Now,
    thanks_until: Now,
    /// A poll respondent's answers, shown marked on the results screen until it closes.
    own: Vec<Option<AnswerValue>>,
    /// Taps before this are ignored: the cooldown after a submit, and the settle time after
    /// any change of screen.
    quiet_until: Now,
    /// The last option picked or unpicked on a multiple-choice question, and when: the same
    /// option again within the settle time is a bounce, not a change of mind.
    last_pick: Option<(usize, Now)>,
    pin: String,
    /// The PIN entered, while it is checked off the UI thread (see [`Flow::pin_to_check`]).
    /// Kept when the pad closes meanwhile, so its result still counts.
    pin_checking: Option<String>,
    pin_gate: PinGate,
    pin_message: Option<PinMessage>,
    /// The store cannot write: where the staff panel returns to.
    store_down: bool,
    /// The attract loop's slide (an index into `attract_slides`), and until when it shows;
    /// `None`: from the next tick.
    slide: usize,
    slide_until: Option<Now>,
    /// Seconds left before an idle reset, while the respondent is asked whether they need
    /// more time.
    idle_warning: Option<u32>,
}

impl Flow {
    pub fn new(survey: Arc<SurveyDefinition>, settings: FlowSettings) -> Flow {
        let answers = vec![None; survey.questions.len()];
        Flow {
            language: settings.default_language,
            display: Display::default(),
            survey,
            settings,
            screen: Screen::Attract,
            answers,
            highlight_until: None,
            last_touch: Duration::ZERO,
            thanks_until: Duration::ZERO,
            own: Vec::new(),
            quiet_until: Duration::ZERO,
            last_pick: None,
            pin: String::new(),
            pin_checking: None,
            pin_gate: PinGate::default(),
            pin_message: None,
            store_down: false,
            slide: 0,
            slide_until: None,
            idle_warning: None,
        }
    }

    fn attract_slides(&self) -> Vec<AttractSlide> {
        attract_slides(&self.survey, self.settings.attract_notes)
    }

    /// How long a slide shows, when the loop has more than one.
    fn rotation(&self) -> Option<Duration> {
        self.settings
            .attract_rotate
            .filter(|_| self.attract_slides().len() > 1)
    }

    pub fn survey(&self) -> &Arc<SurveyDefinition> {
        &self.survey
    }

    /// Staff switched the survey (from the panel): nobody is answering the old one.
    pub fn set_survey(&mut self, survey: Arc<SurveyDefinition>) {
        self.answers = vec![None; survey.questions.len()];
        self.own.clear();
        self.survey = survey;
        if matches!(
            self.screen,
            Screen::Question(_) | Screen::Results | Screen::Thanks
        ) {
            self.reset();
        }
    }

    /// The wrong PINs the pad remembers, for a restart to keep, as of `now`.
    pub fn wrong_tries(&self, now: Now) -> WrongTries {
        self.pin_gate.wrong_tries(now)
    }

    /// When the pad's last lock ends (or ended), if it was ever locked.
    pub fn pin_lock_ends(&self) -> Option<Now> {
        self.pin_gate.lock_ends()
    }

    /// After a restart at `now`: the wrong PINs typed before it, a lock in force included.
    pub fn resume_wrong_tries(&mut self, kept: WrongTries, now: Now) {
        self.pin_gate = PinGate::resume(kept, now);
    }

    pub fn screen(&self) -> Screen {
        self.screen
    }

    pub fn language(&self) -> Language {
        self.language
    }

    pub fn view(&self) -> View {
        let selected = match self.screen {
            Screen::Question(q) => self.answers[q]
                .as_ref()
                .map(|a| self.survey.questions[q].indexes_of(a))
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        View {
            screen: self.screen,
            language: self.language,
            display: self.display,
            selected,
            highlighted: self.highlight_until.is_some(),
            own: match self.screen {
                Screen::Results => self.own.clone(),
                _ => Vec::new(),
            },
            pin_digits: match (self.screen, &self.pin_checking) {
                (Screen::Pin, Some(entered)) => entered.len(),
                (Screen::Pin, None) => self.pin.len(),
                _ => 0,
            },
            pin_message: match (self.screen, &self.pin_checking) {
                (Screen::Pin, Some(_)) => Some(PinMessage::Checking),
                (Screen::Pin, None) => self.pin_message,
                _ => None,
            },
            attract_slide: match self.screen {
                Screen::Attract => self
                    .attract_slides()
                    .get(self.slide)
                    .copied()
                    .unwrap_or_default(),
                _ => AttractSlide::Invitation,
            },
            attract_loops: self.screen == Screen::Attract && self.rotation().is_some(),
            idle_warning: self.idle_warning,
        }
    }

    /// A touch at `now`. Returns what to record, if the touch finished a survey.
    pub fn tap(&mut self, tap: Tap, now: Now) -> Option<Submission> {
        if matches!(self.screen, Screen::Pin | Screen::Panel) {
            self.last_touch = now;
            self.staff_tap(tap, now);
            return None;
        }
        if tap == Tap::PanelGesture {
            if matches!(self.screen, Screen::Attract | Screen::OutOfOrder)
                && self.settings.pin.is_some()
            {
                self.last_touch = now;
                self.pin.clear();
                // Still locked from wrong tries: said at once, not after a PIN typed in vain.
                self.pin_message = self.lock_message(now);
                // Staff screens have one look, laid out for the standard text size.
                self.display = Display::default();
                self.screen = Screen::Pin;
            }
            return None;
        }
        if self.screen == Screen::OutOfOrder {
            // Nothing can be answered, but a passer-by may read why in their own language.
            if let Tap::Language(language) = tap {
                self.last_touch = now;
                self.set_language(language);
            }
            return None;
        }
        if now < self.quiet_until {
            return None;
        }
        let before = self.screen;
        let submission = self.respondent_tap(tap, now);
        // A finger that bounces must not act twice: on the next screen the same spot is
        // often another button (Back under Back, a Skip where Done was, an answer under Start).
        if self.screen != before {
            self.quiet_until = self.quiet_until.max(now + self.settings.timing.settle);
        }
        submission
    }

    /// A resident's tap on the start, question, thank-you or results screen.
    fn respondent_tap(&mut self, tap: Tap, now: Now) -> Option<Submission> {
        self.last_touch = now;
        // Whoever picks a language or a look on the start screen is reading its slide: it
        // gets its full time again rather than changing under their finger.
        if self.screen == Screen::Attract
            && let Some(rotate) = self.rotation()
        {
            self.slide_until = Some(now + rotate);
        }
        if self.idle_warning.take().is_some() {
            // The warning vanishes under the finger: a bounce must not answer what it covered.
            self.quiet_until = self.quiet_until.max(now + self.settings.timing.settle);
        }
        match (self.screen, tap) {
            (Screen::Attract | Screen::Question(_), Tap::ToggleContrast) => {
                self.display.theme = match self.display.theme {
                    DisplayTheme::Default => DisplayTheme::HighContrast,
                    DisplayTheme::HighContrast => DisplayTheme::Default,
                }
            }
            (Screen::Attract | Screen::Question(_), Tap::ToggleLargeText) => {
                self.display.large_text = !self.display.large_text
            }
            (Screen::Attract, Tap::Language(language)) => self.set_language(language),
            (Screen::Attract, Tap::Start | Tap::Elsewhere) => self.screen = Screen::Question(0),
            (Screen::Attract, _) => {}
            // A second tap while the answer is highlighted does nothing.
            (Screen::Question(_), _) if self.highlight_until.is_some() => {}
            (Screen::Question(q), Tap::Option(index)) if self.survey.questions[q].is_multiple() => {
                if self.last_pick.is_some_and(|(picked, at)| {
                    picked == index && now < at + self.settings.timing.settle
                }) {
                    return None;
                }
                self.last_pick = Some((index, now));
                let question = &self.survey.questions[q];
                let mut picked = self.answers[q]
                    .as_ref()
                    .map(|a| question.indexes_of(a))
                    .unwrap_or_default();
                if let Some(at) = picked.iter().position(|&i| i == index) {
                    picked.remove(at);
                } else if index < question.option_count() {
                    picked.push(index);
                }
                self.answers[q] = question.answer_with(&picked);
            }
            (Screen::Question(q), Tap::Done) => {
                if matches!(self.answers[q], Some(AnswerValue::Choices { .. })) {
                    return self.advance(q, now);
                }
            }
            (Screen::Question(q), Tap::Option(index)) => {
                if let Some(answer) = self.survey.questions[q].answer_at(index) {
                    self.answers[q] = Some(answer);
                    self.highlight_until = Some(now + self.settings.timing.highlight);
                    // The last answer finishes the respondent: stored at once, not when its
                    // highlight ends, so a power cut in between loses nothing.
                    let finished =
                        (q + 1 == self.survey.questions.len()).then(|| self.finished_submission());
                    if self.settings.timing.highlight.is_zero() {
                        self.end_highlight(q, now);
                    }
                    return finished;
                }
            }
            (Screen::Question(q), Tap::Skip) if self.survey.questions[q].skippable => {
                self.answers[q] = Some(AnswerValue::Skipped);
                return self.advance(q, now);
            }
            (Screen::Question(0), Tap::Back) => {
                // The same person, back at the start: their language and look stay until the
                // start screen is left alone (see `tick`).
                let (language, display) = (self.language, self.display);
                self.reset();
                (self.language, self.display) = (language, display);
            }
            (Screen::Question(q), Tap::Back) => self.screen = Screen::Question(q - 1),
            (Screen::Question(_), Tap::Language(language)) => self.set_language(language),
            (Screen::Question(_), _) => {}
            // Someone reading the results may touch them, or a bar they take for a button:
            // that keeps them up. Only "Done" (or the time running out) takes them away.
            (Screen::Results, Tap::ReadOn | Tap::Elsewhere) => {
                self.thanks_until = self.thanks_until.max(now + self.settings.timing.results);
            }
            (_, Tap::ReadOn) => {}
            (Screen::Thanks | Screen::Results, tap) => {
                self.reset();
                if let Tap::Language(language) = tap {
                    self.set_language(language);
                }
            }
            (Screen::OutOfOrder | Screen::Pin | Screen::Panel, _) => {
                unreachable!("handled above")
            }
        }
        None
    }

    /// Lets time pass: ends a highlight, a thank-you screen or an abandoned survey.
    pub fn tick(&mut self, now: Now) -> Option<Submission> {
        match self.screen {
            Screen::Question(q) => {
                if self.highlight_until.is_some_and(|until| now >= until) {
                    self.end_highlight(q, now);
                    return None;
                }
                let idle = self.last_touch + self.settings.timing.idle_timeout;
                if now >= idle {
                    return self.walk_away();
                }
                self.idle_warning = (now >= idle - self.warning_span()).then(|| {
                    u32::try_from((idle - now).as_millis().div_ceil(1000)).unwrap_or(u32::MAX)
                });
            }
            Screen::Thanks | Screen::Results if now >= self.thanks_until => self.reset(),
            // Staff who walk away leave nothing open for residents to find.
            Screen::Pin if now >= self.last_touch + self.settings.timing.idle_timeout => {
                self.leave_panel()
            }
            Screen::Pin => self.clear_lapsed_lock(now),
            Screen::Panel if now >= self.last_touch + PANEL_IDLE => {
                tracing::info!("staff panel closed, left untouched");
                self.leave_panel()
            }
            Screen::Attract | Screen::OutOfOrder => {
                // The next person should not find the previous person's language or look waiting.
                if self.personalised() && now >= self.last_touch + self.settings.timing.idle_timeout
                {
                    self.language = self.settings.default_language;
                    self.display = Display::default();
                }
                if self.screen == Screen::Attract
                    && let Some(rotate) = self.rotation()
                {
                    match self.slide_until {
                        None => self.slide_until = Some(now + rotate),
                        Some(until) if now >= until => {
                            self.slide = (self.slide + 1) % self.attract_slides().len();
                            self.slide_until = Some(now + rotate);
                        }
                        Some(_) => {}
                    }
                }
            }
            _ => {}
        }
        None
    }

    /// When [`Flow::tick`] next has something to do, if ever.
    pub fn next_deadline(&self) -> Option<Now> {
        let idle = self.last_touch + self.settings.timing.idle_timeout;
        match self.screen {
            Screen::Question(_) => {
                // The warning counts down by whole seconds.
                let next = match self.idle_warning {
                    None => idle - self.warning_span(),
                    Some(left) => idle.saturating_sub(Duration::from_secs(u64::from(left) - 1)),
                };
                Some(self.highlight_until.map_or(next, |h| h.min(next)))
            }
            Screen::Thanks | Screen::Results => Some(self.thanks_until),
            Screen::Pin => Some(match self.pin_gate.lock_ends() {
                Some(unlocked) if matches!(self.pin_message, Some(PinMessage::Locked { .. })) => {
                    idle.min(unlocked)
                }
                _ => idle,
            }),
            Screen::Panel => Some(self.last_touch + PANEL_IDLE),
            Screen::Attract => {
                let slide = self
                    .rotation()
                    .map(|_| self.slide_until.unwrap_or(self.last_touch));
                let reset = self.personalised().then_some(idle);
                slide.into_iter().chain(reset).min()
            }
            Screen::OutOfOrder => self.personalised().then_some(idle),
        }
    }

    /// The kiosk is stopping (a shutdown, systemd): see [`Flow::interrupted`].
    #[must_use]
    pub fn shut_down(&mut self) -> Option<Submission> {
        self.interrupted()
    }

    /// The store cannot write: take no answers until it can. What the respondent on screen
    /// has given is returned as at a shutdown (see [`Flow::interrupted`]); the store holds it
    /// until it can write.
    #[must_use]
    pub fn store_failed(&mut self) -> Option<Submission> {
        // Whoever is at the screen reads why in their own language and look: left alone, the
        // notice goes back to the defaults (see `tick`).
        let (language, display) = (self.language, self.display);
        let submission = self.interrupted();
        self.store_down = true;
        if !matches!(self.screen, Screen::Pin | Screen::Panel) {
            self.reset();
            (self.language, self.display) = (language, display);
            self.screen = Screen::OutOfOrder;
        }
        submission
    }

    /// A respondent caught on a question: one who has tapped their last answer has finished
    /// and was submitted then, though its highlight has not ended; one mid-survey is treated
    /// as walking away (their partial answer, if kept, is returned).
    fn interrupted(&mut self) -> Option<Submission> {
        let Screen::Question(q) = self.screen else {
            return None;
        };
        let finished = self.highlight_until.is_some() && q + 1 == self.survey.questions.len();
        let submission = if finished {
            None
        } else {
            self.partial_submission()
        };
        self.reset();
        submission
    }

    /// The store writes again: start over from the attract screen.
    pub fn store_recovered(&mut self) {
        self.store_down = false;
        if self.screen == Screen::OutOfOrder {
            self.reset();
        }
    }

    fn staff_tap(&mut self, tap: Tap, now: Now) {
        self.clear_lapsed_lock(now);
        match (self.screen, tap) {
            // The keys rest while the pad is locked, or a PIN is being checked.
            (Screen::Pin, Tap::Digit(_) | Tap::PinErase | Tap::PinEnter)
                if self.pin_gate.locked_until(now).is_some() || self.pin_checking.is_some() => {}
            (Screen::Pin, Tap::Digit(d)) if d <= 9 && self.pin.len() < 12 => {
                self.pin.push(char::from(b'0' + d))
            }
            (Screen::Pin, Tap::PinErase) => {
                self.pin.pop();
            }
            (Screen::Pin, Tap::PinEnter) => {
                if self.settings.pin.is_none() {
                    return self.leave_panel();
                }
                // Nothing typed is no try: a stray tap on OK must not count towards a lock.
                if self.pin.is_empty() {
                    return;
                }
                self.pin_checking = Some(std::mem::take(&mut self.pin));
            }
            (_, Tap::PanelClose) => {
                if self.screen == Screen::Panel {
                    tracing::info!("staff panel closed");
                }
                self.leave_panel();
            }
            _ => {}
        }
    }

    /// The PIN entered on the pad and the hash to check it against, while it waits for
    /// [`Flow::pin_checked`]. The hash is slow on purpose (a quarter of a second on a
    /// Raspberry Pi 4): the kiosk checks it on a thread of its own, and the pad says
    /// "Checking" meanwhile.
    pub fn pin_to_check(&self) -> Option<(&PinHash, &str)> {
        Some((self.settings.pin.as_ref()?, self.pin_checking.as_deref()?))
    }

    /// Whether the PIN of [`Flow::pin_to_check`] matched: counts the try, and opens the
    /// panel if the pad is still showing. A pad closed meanwhile stays closed, though a wrong
    /// PIN still counts, so closing it fast cannot dodge the lock.
    pub fn pin_checked(&mut self, matched: bool, now: Now) {
        if self.pin_checking.take().is_none() {
            return;
        }
        let showing = self.screen == Screen::Pin;
        let message = match self.pin_gate.record(matched, now) {
            PinResult::Open if showing => {
                tracing::info!("staff panel opened");
                self.screen = Screen::Panel;
                None
            }
            PinResult::Open => {
                tracing::info!("the right PIN, but the pad was closed");
                None
            }
            PinResult::Wrong { left } => {
                tracing::warn!(left, "wrong staff PIN");
                Some(PinMessage::Wrong { left })
            }
            PinResult::Locked { until } => {
                let wrong = self.pin_gate.wrong_tries(now);
                tracing::warn!(
                    seconds = (until - now).as_secs(),
                    locks_in_a_row = wrong.locks,
                    "staff PIN pad locked"
                );
                self.lock_message(now)
            }
        };
        // A pad closed meanwhile says nothing of it when opened again.
        self.pin_message = message.filter(|_| showing);
    }

    /// What the pad says while it is locked: when to try again.
    fn lock_message(&self, now: Now) -> Option<PinMessage> {
        let until = self.pin_gate.locked_until(now)?;
        let minutes = (until - now).as_secs().div_ceil(60);
        Some(PinMessage::Locked {
            minutes: u32::try_from(minutes).unwrap_or(u32::MAX),
        })
    }

    /// The lock has run out: the pad says so no more, and takes a PIN again.
    fn clear_lapsed_lock(&mut self, now: Now) {
        if matches!(self.pin_message, Some(PinMessage::Locked { .. }))
            && self.pin_gate.locked_until(now).is_none()
        {
            self.pin_message = None;
        }
    }

    /// Back to what residents see: the attract screen, or out of order if the store is down.
    fn leave_panel(&mut self) {
        self.pin.clear();
        self.pin_message = None;
        self.reset();
        if self.store_down {
            self.screen = Screen::OutOfOrder;
        }
    }

    /// How long before an idle reset the respondent is asked whether they need more time.
    fn warning_span(&self) -> Duration {
        IDLE_WARNING.min(self.settings.timing.idle_timeout / 2)
    }

    /// Whether someone changed the language or the look on the attract screen.
    fn personalised(&self) -> bool {
        self.language != self.settings.default_language || self.display != Display::default()
    }

    fn set_language(&mut self, language: Language) {
        if self.settings.languages.contains(&language) {
            self.language = language;
        }
    }

    /// On from question `q` by a tap (Done, Skip): to the next question, or to the thanks
    /// with the respondent's answers.
    fn advance(&mut self, q: usize, now: Now) -> Option<Submission> {
        if q + 1 < self.survey.questions.len() {
            self.screen = Screen::Question(q + 1);
            return None;
        }
        let submission = self.finished_submission();
        self.thank(now);
        Some(submission)
    }

    /// The tapped answer has been shown: on to the next question, or to the thanks after the
    /// last (whose answers went to the store at its tap).
    fn end_highlight(&mut self, q: usize, now: Now) {
        self.highlight_until = None;
        if q + 1 < self.survey.questions.len() {
            self.screen = Screen::Question(q + 1);
        } else {
            self.thank(now);
        }
        // The second tap of a double tap must not act on the screen now under the finger
        // (a cooldown may be configured shorter).
        self.quiet_until = self.quiet_until.max(now + self.settings.timing.settle);
    }

    fn finished_submission(&self) -> Submission {
        Submission {
            language: self.language,
            display: self.display,
            complete: true,
            answers: self.given_answers(),
        }
    }

    /// The thank-you (or a poll's results) for the respondent who just finished.
    fn thank(&mut self, now: Now) {
        let own = self.answers.clone();
        let (language, display) = (self.language, self.display);
        self.reset();
        // Thanked in the language (and look) they answered in; the next person gets the defaults.
        self.language = language;
        self.display = display;
        if self.survey.results_step().is_some() {
            self.screen = Screen::Results;
            self.thanks_until = now + self.settings.timing.results;
            self.own = own;
        } else {
            self.screen = Screen::Thanks;
            let with_codes = self.survey.follow_up_url.is_some() || self.survey.phone_url.is_some();
            self.thanks_until = now
                + if with_codes {
                    self.settings.timing.thanks.max(QR_READING_TIME)
                } else {
                    self.settings.timing.thanks
                };
        }
        self.quiet_until = now + self.settings.timing.cooldown;
    }

    /// The respondent left mid-survey: back to the start, with their partial answer if kept.
    fn walk_away(&mut self) -> Option<Submission> {
        let partial = self.partial_submission();
        self.reset();
        partial
    }

    fn partial_submission(&self) -> Option<Submission> {
        let answers = self.given_answers();
        (self.settings.keep_partial && !answers.is_empty()).then_some(Submission {
            language: self.language,
            display: self.display,
            complete: false,
            answers,
        })
    }

    fn given_answers(&self) -> Vec<Answer> {
        self.survey
            .questions
            .iter()
            .zip(&self.answers)
            .filter_map(|(question, answer)| {
                answer.clone().map(|value| Answer {
                    question: question.id.clone(),
                    value,
                })
            })
            .collect()
    }

    /// Back to a clean attract screen: nothing of the last respondent remains.
    fn reset(&mut self) {
        self.screen = Screen::Attract;
        self.slide = 0;
        self.slide_until = None;
        self.language = self.settings.default_language;
        self.display = Display::default();
        self.answers.iter_mut().for_each(|a| *a = None);
        self.own.clear();
        self.highlight_until = None;
        self.last_pick = None;
        self.idle_warning = None;
    }
}

#[cfg(test)]
mod tests;
