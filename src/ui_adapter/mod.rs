//! Binds the Slint globals to the kiosk: taps on `KioskActions` become flow input, and each
//! new flow view is written into `KioskState`. The only module that knows both sides.

mod present;
mod scenery;
mod staff;

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use hetki_protocol::Language;
use slint::{ComponentHandle, Timer, TimerMode};

use crate::background::{Background, Finished};
use crate::flow::{Now, Screen, Tap, View};
use crate::kiosk::Kiosk;
use crate::panel::PanelStatus;
use crate::results::PollResults;
use crate::store::FailureCause;
use crate::ui::{AppWindow, KioskActions, KioskState};

pub use present::{present, shown_options};
pub use scenery::Scenery;
pub use staff::{notice, panel_info, show_session};
use staff::{panel_unread, show_failure};

/// Reads the flow's notion of now; the UI tests pass Slint's mock time.
pub type Clock = Rc<dyn Fn() -> Now>;

/// How often the store's reports are collected. Commits are not waited on, so this only
/// bounds how fast a failing disk turns the screen to "out of order" and back.
const STORE_POLL: Duration = Duration::from_millis(200);
/// While the panel is open its facts are read again this often, so staff see an upload
/// they asked for go through. They are read on a thread of their own, at opening too: the
/// screen never waits on the disk.
const PANEL_REFRESH: Duration = Duration::from_secs(3);

/// A kiosk attached to a window. Keep it alive as long as the window runs.
pub struct KioskUi {
    // Owns the kiosk; the UI's callbacks and timers hold only weak references to it.
    inner: Rc<Inner>,
    _store_poll: Timer,
}

struct Inner {
    ui: slint::Weak<AppWindow>,
    kiosk: RefCell<Kiosk>,
    scenery: Scenery,
    clock: Clock,
    /// What is on screen: the view and the poll results it was drawn with.
    shown: RefCell<Option<(View, Option<PollResults>)>>,
    /// Fires when the flow next has something to do (end of a highlight, idle reset, ...).
    deadline: Timer,
    /// An export under way on its own thread (a slow USB stick must not freeze the screen).
    export: Background<anyhow::Result<crate::panel::Exported>>,
    /// When the panel's facts were last read.
    panel_read_at: std::cell::Cell<Now>,
    /// When staff last asked for an upload: the panel's notice tells how it went.
    upload_asked_at: std::cell::Cell<Option<chrono::DateTime<chrono::Utc>>>,
    /// The panel's facts being read afresh on their own thread.
    panel_facts: Background<PanelStatus>,
    /// An export ended, or a setting failed to save, while the panel was closed: its notice
    /// waits for staff instead of being cleared when the panel opens.
    notice_unseen: std::cell::Cell<bool>,
}

impl KioskUi {
    pub fn attach(ui: &AppWindow, kiosk: Kiosk, scenery: Scenery, clock: Clock) -> KioskUi {
        let inner = Rc::new(Inner {
            ui: ui.as_weak(),
            kiosk: RefCell::new(kiosk),
            scenery,
            clock,
            shown: RefCell::new(None),
            deadline: Timer::default(),
            export: Background::default(),
            panel_read_at: Default::default(),
            upload_asked_at: Default::default(),
            panel_facts: Background::default(),
            notice_unseen: Default::default(),
        });
        let actions = ui.global::<KioskActions>();
        // Each callback gets its own sender of taps, holding the kiosk only weakly.
        let tapper = || {
            let weak = Rc::downgrade(&inner);
            move |tap: Tap| Inner::with(&weak, |i| i.tap(tap))
        };
        let tap = tapper();
        actions.on_start(move || tap(Tap::Start));
        let tap = tapper();
        actions.on_skip(move || tap(Tap::Skip));
        let tap = tapper();
        actions.on_done(move || tap(Tap::Done));
        let tap = tapper();
        actions.on_back(move || tap(Tap::Back));
        let tap = tapper();
        actions.on_touched(move || tap(Tap::Elsewhere));
        let tap = tapper();
        actions.on_read_on(move || tap(Tap::ReadOn));
        let tap = tapper();
        actions.on_choose_language(move |code| {
            tap(Language::from_code(&code.to_lowercase()).map_or(Tap::Elsewhere, Tap::Language))
        });
        let tap = tapper();
        actions.on_toggle_contrast(move || tap(Tap::ToggleContrast));
        let tap = tapper();
        actions.on_toggle_large_text(move || tap(Tap::ToggleLargeText));
        let tap = tapper();
        actions.on_panel_gesture(move || tap(Tap::PanelGesture));
        let tap = tapper();
        actions.on_pin_digit(move |d| tap(Tap::Digit(d.clamp(0, 9) as u8)));
        let tap = tapper();
        actions.on_pin_erase(move || tap(Tap::PinErase));
        let tap = tapper();
        actions.on_pin_enter(move || tap(Tap::PinEnter));
        let tap = tapper();
        actions.on_panel_close(move || tap(Tap::PanelClose));
        // And each staff action its own sender of panel actions.
        let staff = || {
            let weak = Rc::downgrade(&inner);
            move |action: PanelAction| Inner::with(&weak, |i| i.panel_action(action))
        };
        let act = staff();
        actions.on_panel_sync(move || act(PanelAction::Sync));
        let act = staff();
        actions.on_panel_export(move || act(PanelAction::Export));
        let act = staff();
        actions.on_panel_choose_survey(move |i| act(PanelAction::Survey(i.max(0) as usize)));
        let act = staff();
        actions.on_panel_choose_event(move |i| act(PanelAction::Event(i.max(0) as usize)));
        let act = staff();
        actions.on_panel_toggle_test_mode(move || act(PanelAction::ToggleTestMode));
        let act = staff();
        actions.on_panel_forget_overrides(move || act(PanelAction::ForgetOverrides));
        let tap = tapper();
        actions.on_answer(move |index| tap(Tap::Option(index.max(0) as usize)));

        let store_poll = Timer::default();
        let weak = Rc::downgrade(&inner);
        store_poll.start(TimerMode::Repeated, STORE_POLL, move || {
            Inner::with(&weak, |i| {
                if !i.kiosk.borrow_mut().poll_store().is_empty() {
                    i.refresh();
                } else {
                    i.show_health(&i.kiosk.borrow());
                }
                i.poll_export();
                i.poll_settings_kept();
                i.refresh_panel_facts();
            })
        });
        inner.refresh();
        KioskUi {
            inner,
            _store_poll: store_poll,
        }
    }

    /// The window is closing with the kiosk: records what the respondent on screen has given
    /// (see [`crate::flow::Flow::shut_down`]) and returns once the store has written it.
    pub fn shut_down(self) -> Option<uuid::Uuid> {
        self.inner.kiosk.borrow_mut().shut_down()
        // Dropping `self` drops the kiosk, which waits for its store.
    }
}

impl Inner {
    fn with(weak: &Weak<Inner>, f: impl FnOnce(&Rc<Inner>)) {
        if let Some(inner) = weak.upgrade() {
            f(&inner);
        }
    }

    fn tap(self: &Rc<Self>, tap: Tap) {
        let now = (self.clock)();
        self.kiosk.borrow_mut().tap(tap, now);
        self.refresh();
    }

    fn panel_action(self: &Rc<Self>, action: PanelAction) {
        let Some(ui) = self.ui.upgrade() else { return };
        let state = ui.global::<KioskState>();
        // Staff at work keep the panel open.
        self.kiosk.borrow_mut().tap(Tap::Elsewhere, (self.clock)());
        match action {
            PanelAction::Sync => {
                let asked = self.kiosk.borrow().sync_now();
                let started = asked.is_some();
                tracing::info!(started, "staff asked for an upload");
                self.upload_asked_at.set(asked);
                state.set_panel_notice(if started {
                    notice::UPLOADING
                } else {
                    notice::NO_COLLECTOR
                });
            }
            PanelAction::Export => self.start_export(&state),
            PanelAction::Survey(index) => self.kiosk.borrow_mut().choose_survey(index),
            PanelAction::Event(index) => self.kiosk.borrow_mut().choose_event(index),
            PanelAction::ToggleTestMode => {
                let mut kiosk = self.kiosk.borrow_mut();
                let on = !kiosk.session().test_mode();
                kiosk.set_test_mode(on);
            }
            PanelAction::ForgetOverrides => self.kiosk.borrow_mut().forget_overrides(),
        }
        self.show_staff(&ui, &self.kiosk.borrow());
        self.refresh();
    }

    /// Writes the CSV on a thread of its own; [`Inner::poll_export`] shows how it went.
    fn start_export(&self, state: &KioskState) {
        if self.export.is_running() {
            tracing::info!("staff asked for an export while one is under way");
            state.set_panel_notice(notice::EXPORTING);
            return;
        }
        let place = self.scenery.panel.clone();
        let started = self.export.start("hetki-export", move || {
            let result = place.export(chrono::Utc::now());
            if let Err(error) = &result {
                tracing::warn!(error = format!("{error:#}"), "staff export failed");
            }
            result
        });
        match started {
            Ok(()) => state.set_panel_notice(notice::EXPORTING),
            Err(error) => {
                tracing::warn!(%error, "the export could not start");
                show_failure(state, notice::EXPORT_FAILED, &error);
            }
        }
    }

    fn poll_export(&self) {
        let result = match self.export.take_finished() {
            Some(Finished::Done(result)) => result,
            Some(Finished::Lost) => Err(anyhow::anyhow!("the export stopped unexpectedly")),
            None => return,
        };
        let Some(ui) = self.ui.upgrade() else { return };
        let state = ui.global::<KioskState>();
        match result {
            Ok(exported) => {
                state.set_panel_notice(notice::EXPORTED);
                state.set_panel_notice_detail(exported.path.display().to_string().into());
                state.set_panel_notice_count(i32::try_from(exported.count).unwrap_or(i32::MAX));
                state.set_panel_notice_pruned(i32::try_from(exported.pruned).unwrap_or(i32::MAX));
            }
            Err(error) => show_failure(&state, notice::EXPORT_FAILED, error.as_ref()),
        }
        self.notice_unseen.set(!self.panel_shown());
    }

    /// Tells staff when what they set could not be saved: it holds only until a restart.
    fn poll_settings_kept(&self) {
        let Some(error) = self.kiosk.borrow().settings_not_kept() else {
            return;
        };
        tracing::warn!(%error, "a staff setting was not saved");
        if let Some(ui) = self.ui.upgrade() {
            show_failure(&ui.global::<KioskState>(), notice::NOT_SAVED, &error);
            self.notice_unseen.set(!self.panel_shown());
        }
    }

    fn panel_shown(&self) -> bool {
        self.shown
            .borrow()
            .as_ref()
            .is_some_and(|(v, _)| v.screen == Screen::Panel)
    }

    /// Reads the panel's facts again while it is open, on a thread of its own: with a
    /// season's answers in the buffer, a read every few seconds must not stall the screen.
    fn refresh_panel_facts(&self) {
        if let Some(Finished::Done(status)) = self.panel_facts.take_finished()
            && self.panel_shown()
            && let Some(language) = self.shown.borrow().as_ref().map(|(view, _)| view.language)
            && let Some(ui) = self.ui.upgrade()
        {
            let state = ui.global::<KioskState>();
            state.set_panel(panel_info(&status, self.scenery.panel.time_zone, language));
            // Told again at each read until it went through: a failure's words are the last
            // error's, and a retry that then succeeds turns it into "Uploaded".
            if matches!(
                state.get_panel_notice(),
                notice::UPLOADING | notice::UPLOAD_FAILED
            ) && let Some(asked) = self.upload_asked_at.get()
                && let Some(outcome) = staff::upload_outcome(&status.upload, asked)
            {
                state.set_panel_notice(outcome);
            }
        }
        if self.panel_shown()
            && !self.panel_facts.is_running()
            && (self.clock)().saturating_sub(self.panel_read_at.get()) >= PANEL_REFRESH
        {
            self.read_panel_facts();
        }
    }

    /// Starts reading the panel's facts afresh; [`Inner::refresh_panel_facts`] shows them.
    fn read_panel_facts(&self) {
        self.panel_read_at.set((self.clock)());
        let place = self.scenery.panel.clone();
        // A read still under way is dropped: it would bring older facts than this one.
        let started = self.panel_facts.start("hetki-panel-facts", move || {
            place.status(chrono::Utc::now())
        });
        if let Err(error) = started {
            tracing::warn!(%error, "cannot read the device's state");
        }
    }

    /// The panel's choices, and its facts read afresh.
    fn show_staff(&self, ui: &AppWindow, kiosk: &Kiosk) {
        self.read_panel_facts();
        let today = crate::panel::today(chrono::Utc::now(), self.scenery.panel.time_zone);
        show_session(ui, kiosk.session(), kiosk.choices(), &self.scenery, today);
    }

    /// The start screen's health mark, the panel's warnings and the store's failure. Also
    /// called from the store poll: the event's day stops being today at midnight, when
    /// nothing else may happen.
    fn show_health(&self, kiosk: &Kiosk) {
        let Some(ui) = self.ui.upgrade() else { return };
        let state = ui.global::<KioskState>();
        let shown = self.shown.borrow();
        let language = shown
            .as_ref()
            .map_or(Language::Fi, |(view, _)| view.language);
        let elsewhen = crate::panel::event_day_elsewhen(
            &kiosk.session().event,
            chrono::Utc::now(),
            self.scenery.panel.time_zone,
        )
        .map(|day| language.day(day))
        .unwrap_or_default();
        if state.get_event_day_elsewhen() != elsewhen.as_str() {
            state.set_event_day_elsewhen(elsewhen.as_str().into());
        }
        if let Some(warnings) = kiosk.warnings() {
            if !state.get_health_known() {
                state.set_health_known(true);
            }
            let needs_staff = warnings.any() || !elsewhen.is_empty();
            if state.get_needs_staff() != needs_staff {
                state.set_needs_staff(needs_staff);
            }
        }
        let (store_failure, cause) = kiosk.store_failure().unwrap_or(("", FailureCause::Other));
        if state.get_store_failure() != store_failure {
            state.set_store_failure(store_failure.into());
            state.set_store_failure_cause(staff::failure_cause(cause));
        }
    }

    fn tick(self: &Rc<Self>) {
        let now = (self.clock)();
        self.kiosk.borrow_mut().tick(now);
        self.refresh();
    }

    /// Shows the flow's view if it changed, and arms the timer for its next deadline.
    fn refresh(self: &Rc<Self>) {
        let kiosk = self.kiosk.borrow();
        let now_showing = (kiosk.flow().view(), kiosk.results().cloned());
        if self.shown.borrow().as_ref() != Some(&now_showing) {
            let was_panel = self.panel_shown();
            if let Some(ui) = self.ui.upgrade() {
                if now_showing.0.screen == Screen::Panel && !was_panel {
                    // Opened afresh on the device's state, where the warnings are.
                    let state = ui.global::<KioskState>();
                    state.set_panel_tab(0);
                    if !self.notice_unseen.replace(false) {
                        state.set_panel_notice(0);
                    }
                    // Figures from the last time the panel was open must not pass for
                    // today's while the buffer is read.
                    state.set_panel(panel_unread(&self.scenery.panel));
                    self.show_staff(&ui, &kiosk);
                }
                let (view, results) = &now_showing;
                present(&ui, &self.scenery, kiosk.session(), view, results.as_ref());
            }
            *self.shown.borrow_mut() = Some(now_showing);
        }
        self.show_health(&kiosk);
        let now = (self.clock)();
        match kiosk.next_deadline(now) {
            Some(deadline) => {
                let wait = deadline.saturating_sub(now);
                let weak = Rc::downgrade(self);
                self.deadline.start(TimerMode::SingleShot, wait, move || {
                    Inner::with(&weak, |i| i.tick())
                });
            }
            None => self.deadline.stop(),
        }
    }
}

enum PanelAction {
    Sync,
    Export,
    Survey(usize),
    Event(usize),
    ToggleTestMode,
    ForgetOverrides,
}
