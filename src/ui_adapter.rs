//! Binds the Slint globals to the kiosk: taps on `KioskActions` become flow input, and each
//! new flow view is written into `KioskState`. The only module that knows both sides.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::rc::{Rc, Weak};
use std::time::Duration;

use hetki_protocol::{DisplayTheme, EventInfo, Language, QuestionKind, Text};
use slint::{ComponentHandle, Image, Model, ModelRc, Timer, TimerMode, VecModel};

use crate::background::{Background, Finished};
use crate::config::{ConfigError, FollowUpNote, KioskConfig, SurveyChoice};
use crate::flow::{AttractSlide, Now, PinMessage, Screen, Tap, View};
use crate::kiosk::Kiosk;
use crate::panel::{PanelPlace, PanelStatus};
use crate::qr::qr_image;
use crate::results::{PollResults, results_view};
use crate::session::Session;
use crate::store;
use crate::ui::{
    AnswerOption, AppWindow, KioskActions, KioskState, LanguageButton, PanelChoice, PanelInfo,
    ResultBar, ResultPair, ResultQuestion, Screen as UiScreen, Theme, UploadTrouble,
};

/// Reads the flow's notion of now; the UI tests pass Slint's mock time.
pub type Clock = Rc<dyn Fn() -> Now>;

/// How often the store's reports are collected. Commits are not waited on, so this only
/// bounds how fast a failing disk turns the screen to "out of order" and back.
const STORE_POLL: Duration = Duration::from_millis(200);
/// While the panel is open its facts are read again this often, so staff see an upload
/// they asked for go through.
const PANEL_REFRESH: Duration = Duration::from_secs(3);

/// What the panel's notice line says (`KioskState.panel-notice`).
pub mod notice {
    pub const UPLOADING: i32 = 1;
    pub const NO_COLLECTOR: i32 = 2;
    pub const EXPORTED: i32 = 3;
    pub const EXPORT_FAILED: i32 = 4;
    pub const NOT_SAVED: i32 = 5;
    pub const EXPORTING: i32 = 6;

    /// Why a write failed (`KioskState.panel-notice-reason`), in words staff can act on; 0 shows
    /// the error's own text.
    pub fn reason(error: &(dyn std::error::Error + 'static)) -> i32 {
        use std::io::ErrorKind;
        let mut cause = Some(error);
        while let Some(error) = cause {
            if let Some(io) = error.downcast_ref::<std::io::Error>() {
                match io.kind() {
                    ErrorKind::StorageFull | ErrorKind::QuotaExceeded => return 1,
                    ErrorKind::ReadOnlyFilesystem => return 2,
                    ErrorKind::PermissionDenied => return 3,
                    ErrorKind::NotFound => return 4,
                    // An automounted folder with no stick in it: no such device.
                    _ if io.raw_os_error() == Some(libc::ENODEV) => return 4,
                    // A wrapper (`io::Error::other`): the kind may be in what it wraps.
                    ErrorKind::Other => {}
                    _ => return 0,
                }
            }
            cause = error.source();
        }
        0
    }
}

/// Shows on the panel that a write failed: which notice, why in words staff can act on, and
/// the error's own text with its causes ("export: cannot create …: No such file").
fn show_failure(state: &KioskState, which: i32, error: &(dyn std::error::Error + 'static)) {
    state.set_panel_notice(which);
    state.set_panel_notice_reason(notice::reason(error));
    state.set_panel_notice_detail(hetki_protocol::errors::one_line(error).into());
}

/// What the screens show besides the flow's state: the privacy note, pictures, QR codes.
pub struct Scenery {
    privacy_note: Text,
    languages: Vec<Language>,
    symbol: Option<Image>,
    /// The symbol on the high-contrast theme's black background.
    symbol_high_contrast: Option<Image>,
    /// The attract loop's "you said → we did" notes.
    notes: Vec<FollowUpNote>,
    /// Each configured survey's pictures and QR codes, by survey id.
    surveys: HashMap<String, SurveyPictures>,
    /// Where the staff panel reads and exports.
    pub panel: PanelPlace,
}

/// One survey's pictures: per question, per option, its picture if it has one; and the QR
/// codes of the thank-you screen (what came of the feedback, the survey on a phone).
#[derive(Default)]
struct SurveyPictures {
    option_images: Vec<Vec<Option<Image>>>,
    follow_up_qr: Option<Image>,
    phone_qr: Option<Image>,
}

impl Scenery {
    /// Loads the configured pictures; one that cannot be read is a configuration error.
    pub fn load(config: &KioskConfig) -> Result<Scenery, ConfigError> {
        let load = |path: &Path, file: &Path, field: &str| {
            crate::picture::load(path)
                .map_err(|message| ConfigError::one(file, Some(field), message))
        };
        let symbol = config
            .symbol
            .as_deref()
            .map(|p| load(p, &config.config_file, "symbol"))
            .transpose()?;
        let symbol_high_contrast = match &config.symbol_high_contrast {
            Some(p) => Some(load(p, &config.config_file, "symbol_high_contrast")?),
            None => symbol.clone(),
        };
        let mut surveys = HashMap::new();
        for SurveyChoice { file, survey } in &config.surveys {
            let survey_dir = file.parent().unwrap_or(Path::new("."));
            let mut option_images = Vec::new();
            for (q, question) in survey.questions.iter().enumerate() {
                let mut images = Vec::new();
                if let QuestionKind::Choice { options, .. } = &question.kind {
                    for (o, option) in options.iter().enumerate() {
                        let field = format!("questions[{q}].options[{o}].image");
                        let image = option
                            .image
                            .as_ref()
                            .map(|name| load(&survey_dir.join(name), file, &field));
                        images.push(image.transpose()?);
                    }
                }
                option_images.push(images);
            }
            let qr = |url: &Option<String>, field: &str| {
                url.as_deref()
                    .map(|url| {
                        qr_image(url).ok_or_else(|| {
                            ConfigError::one(
                                file,
                                Some(field),
                                "too long for a QR code a phone can read from the screen: \
                                 keep it under about 200 characters (a short address that \
                                 redirects will do)",
                            )
                        })
                    })
                    .transpose()
            };
            let pictures = SurveyPictures {
                option_images,
                follow_up_qr: qr(&survey.follow_up_url, "follow_up_url")?,
                phone_qr: qr(&survey.phone_url, "phone_url")?,
            };
            surveys.insert(survey.id.clone(), pictures);
        }
        Ok(Scenery {
            panel: PanelPlace {
                device_id: config.device_id.clone(),
                database: config.database_path(),
                export_dir: config.panel.export_dir.clone(),
                uploads: config.upload.endpoint.is_some(),
                time_zone: config.time_zone,
                config_file_name: config
                    .config_file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            },
            privacy_note: config.privacy_note.clone(),
            languages: config.languages.clone(),
            symbol,
            symbol_high_contrast,
            notes: config.attract.notes.clone(),
            surveys,
        })
    }
}

/// Writes a view of the flow into the UI's globals; `results` are a poll's published results.
pub fn present(
    ui: &AppWindow,
    scenery: &Scenery,
    session: &Session,
    view: &View,
    results: Option<&PollResults>,
) {
    let survey = &*session.survey;
    let no_pictures = SurveyPictures::default();
    let pictures = scenery.surveys.get(&survey.id).unwrap_or(&no_pictures);
    let language = view.language;
    let state = ui.global::<KioskState>();
    // The chrome strings (buttons, thanks) follow the respondent's language; "en" is the source.
    // Switching retranslates every string on screen, so only on a change.
    if state.get_language() != language.code() {
        if let Err(error) = slint::select_bundled_translation(language.code()) {
            tracing::warn!(%error, language = language.code(), "no UI translation");
        }
        state.set_language(language.code().into());
    }
    // Set only on a change: every colour and size depends on these.
    let theme = ui.global::<Theme>();
    let high_contrast = view.display.theme == DisplayTheme::HighContrast;
    if theme.get_high_contrast() != high_contrast {
        theme.set_high_contrast(high_contrast);
    }
    if theme.get_large_text() != view.display.large_text {
        theme.set_large_text(view.display.large_text);
    }
    state.set_screen(match view.screen {
        Screen::Attract => UiScreen::Attract,
        Screen::Question(_) => UiScreen::Question,
        Screen::Thanks => UiScreen::Thanks,
        Screen::Results => UiScreen::Results,
        Screen::OutOfOrder => UiScreen::OutOfOrder,
        Screen::Pin => UiScreen::Pin,
        Screen::Panel => UiScreen::Panel,
    });
    state.set_pin_digits(view.pin_digits as i32);
    state.set_pin_tries_left(match view.pin_message {
        Some(PinMessage::Wrong { left }) => left as i32,
        _ => -1,
    });
    state.set_pin_locked(view.pin_message == Some(PinMessage::Locked));
    state.set_event_name(session.event.name.get(language).into());
    state.set_event_place(session.event.place.get(language).into());
    state.set_test_mode(session.test_mode());
    state.set_privacy_note(scenery.privacy_note.get(language).into());
    state.set_survey_title(survey.title.get(language).into());
    if let Some(symbol) = &scenery.symbol {
        state.set_symbol(symbol.clone());
    }
    if let Some(symbol) = &scenery.symbol_high_contrast {
        state.set_symbol_high_contrast(symbol.clone());
    }
    state.set_question_count(survey.questions.len() as i32);
    if view.screen == Screen::Thanks {
        state.set_follow_up_qr(pictures.follow_up_qr.clone().unwrap_or_default());
        state.set_phone_qr(pictures.phone_qr.clone().unwrap_or_default());
    }
    update_rows(
        state.get_languages(),
        |m| state.set_languages(m),
        scenery.languages.iter().map(|&l| LanguageButton {
            code: l.code().to_uppercase().into(),
            name: l.native_name().into(),
            current: l == language,
        }),
        PartialEq::eq,
    );

    if let Screen::Question(q) = view.screen {
        let question = &survey.questions[q];
        // A new question gets new buttons: the last question's, reused, would fade its pick
        // out on the new answers.
        let new_question = state.get_question_number() != q as i32 + 1;
        state.set_question_number(q as i32 + 1);
        state.set_question_text(question.text.get(language).into());
        state.set_can_skip(question.skippable);
        state.set_highlighting(view.highlighted);
        let multiple = question.is_multiple();
        state.set_multiple(multiple);
        state.set_picked_count(if multiple {
            view.selected.len() as i32
        } else {
            0
        });
        let options: Vec<AnswerOption> = match &question.kind {
            QuestionKind::Faces { faces } => faces
                .iter()
                .enumerate()
                .map(|(i, face)| AnswerOption {
                    label: face.label.get(language).into(),
                    face: face_picture(faces.len(), i),
                    image: Image::default(),
                    picked: view.selected.contains(&i),
                })
                .collect(),
            QuestionKind::Choice { options, .. } => options
                .iter()
                .enumerate()
                .map(|(i, option)| AnswerOption {
                    label: option.label.get(language).into(),
                    face: 0,
                    image: pictures
                        .option_images
                        .get(q)
                        .and_then(|images| images.get(i))
                        .cloned()
                        .flatten()
                        .unwrap_or_default(),
                    picked: view.selected.contains(&i),
                })
                .collect(),
        };
        let longest_word = options
            .iter()
            .flat_map(|o| o.label.split_whitespace())
            .max_by_key(|word| word.chars().count())
            .unwrap_or_default();
        state.set_longest_word(longest_word.into());
        state.set_options_are_faces(options.first().is_some_and(|o| o.face > 0));
        state.set_options_have_pictures(options.first().is_some_and(|o| o.image.size().width > 0));
        let mut first_half = options;
        let second_half = first_half.split_off(first_half.len().div_ceil(2));
        let shown = |half: ModelRc<AnswerOption>| {
            if new_question {
                ModelRc::default()
            } else {
                half
            }
        };
        update_rows(
            shown(state.get_options_first_half()),
            |m| state.set_options_first_half(m),
            first_half,
            same_option,
        );
        update_rows(
            shown(state.get_options_second_half()),
            |m| state.set_options_second_half(m),
            second_half,
            same_option,
        );
    }

    let attract_slide = match view.attract_slide {
        AttractSlide::Invitation => 0,
        AttractSlide::Results(_) => 1,
        AttractSlide::Note(i) => {
            if let Some(note) = scenery.notes.get(i) {
                state.set_note_said(note.said.get(language).into());
                state.set_note_did(note.did.get(language).into());
            }
            2
        }
    };
    state.set_attract_slide(attract_slide);
    // A poll invites with its question; a feedback survey with its title.
    state.set_attract_headline(match survey.results_step() {
        Some(_) => survey.questions[0].text.get(language).into(),
        None => survey.title.get(language).into(),
    });
    let slide_question = match view.attract_slide {
        AttractSlide::Results(q) if view.screen == Screen::Attract => Some(q),
        _ => None,
    };
    if view.screen == Screen::Results || slide_question.is_some() {
        state.set_results_minimum(survey.results_step().unwrap_or(0) as i32);
        let empty = PollResults::default();
        let rows = results_view(survey, results.unwrap_or(&empty), language, &view.own)
            .into_iter()
            .map(|q| ResultQuestion {
                text: q.text.into(),
                shown: q.bars.is_some(),
                answered: q.answered.min(i32::MAX as u64) as i32,
                bars: ModelRc::new(VecModel::from(
                    q.bars
                        .unwrap_or_default()
                        .into_iter()
                        .map(|b| ResultBar {
                            label: b.label.into(),
                            percent: b.percent as i32,
                            mine: b.mine,
                        })
                        .collect::<Vec<_>>(),
                )),
            });
        // The results screen shows every question, in rows of two on a landscape screen; a
        // start screen slide shows one question.
        let (questions, pairs) = match slide_question {
            Some(q) => (rows.skip(q).take(1).collect(), Vec::new()),
            None => {
                let questions: Vec<ResultQuestion> = rows.collect();
                let pairs = questions
                    .chunks(2)
                    .map(|pair| ResultPair {
                        first: pair[0].clone(),
                        second: pair.get(1).cloned().unwrap_or_default(),
                        paired: pair.len() == 2,
                    })
                    .collect();
                (questions, pairs)
            }
        };
        update_rows(
            state.get_results(),
            |m| state.set_results(m),
            questions,
            same_result,
        );
        update_rows(
            state.get_result_pairs(),
            |m| state.set_result_pairs(m),
            pairs,
            |a, b| {
                a.paired == b.paired
                    && same_result(&a.first, &b.first)
                    && same_result(&a.second, &b.second)
            },
        );
    }
}

/// Which of the five face pictures (1 = unhappiest) shows option `index` of `count` faces:
/// three faces are the extremes and the middle, four leave the middle out.
fn face_picture(count: usize, index: usize) -> i32 {
    let pictures: &[i32] = match count {
        3 => &[1, 3, 5],
        4 => &[1, 2, 4, 5],
        _ => &[1, 2, 3, 4, 5],
    };
    pictures.get(index).copied().unwrap_or(3)
}

/// Slint's `Image` equality says two empty images differ, which would redraw every face on
/// every update: an option is the same if its text, face and pick are, and its picture is.
fn same_option(a: &AnswerOption, b: &AnswerOption) -> bool {
    let no_picture = |o: &AnswerOption| o.image.size().width == 0;
    (&a.label, a.face, a.picked) == (&b.label, b.face, b.picked)
        && (a.image == b.image || (no_picture(a) && no_picture(b)))
}

/// A question's results are the same if their text and bars are (each bar list is a model of
/// its own, which compares by identity).
fn same_result(a: &ResultQuestion, b: &ResultQuestion) -> bool {
    (&a.text, a.shown, a.answered) == (&b.text, b.shown, b.answered)
        && a.bars.iter().eq(b.bars.iter())
}

/// Puts `rows` into a model property, changing only the rows that differ (by `same`): a tap
/// that highlights one answer then redraws that answer, not the whole row of them.
fn update_rows<T: Clone + 'static>(
    current: ModelRc<T>,
    set: impl FnOnce(ModelRc<T>),
    rows: impl IntoIterator<Item = T>,
    same: impl Fn(&T, &T) -> bool,
) {
    let rows: Vec<T> = rows.into_iter().collect();
    match current.as_any().downcast_ref::<VecModel<T>>() {
        Some(model) if model.row_count() == rows.len() => {
            for (i, row) in rows.into_iter().enumerate() {
                if !model.row_data(i).is_some_and(|old| same(&old, &row)) {
                    model.set_row_data(i, row);
                }
            }
        }
        _ => set(ModelRc::new(VecModel::from(rows))),
    }
}

/// The answers the question screen shows, in order.
pub fn shown_options(state: &KioskState) -> Vec<AnswerOption> {
    let first_half = state.get_options_first_half();
    let second_half = state.get_options_second_half();
    first_half.iter().chain(second_half.iter()).collect()
}

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
    /// The panel's facts being read afresh on their own thread.
    panel_facts: Background<PanelStatus>,
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
            panel_facts: Background::default(),
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
                }
                i.poll_export();
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
        let saved = match action {
            PanelAction::Sync => {
                let started = self.kiosk.borrow().sync_now();
                tracing::info!(started, "staff asked for an upload");
                state.set_panel_notice(if started {
                    notice::UPLOADING
                } else {
                    notice::NO_COLLECTOR
                });
                Ok(())
            }
            PanelAction::Export => {
                self.start_export(&state);
                Ok(())
            }
            PanelAction::Survey(index) => self.kiosk.borrow_mut().choose_survey(index),
            PanelAction::Event(index) => self.kiosk.borrow_mut().choose_event(index),
            PanelAction::ToggleTestMode => {
                let mut kiosk = self.kiosk.borrow_mut();
                let on = !kiosk.session().test_mode();
                kiosk.set_test_mode(on)
            }
            PanelAction::ForgetOverrides => self.kiosk.borrow_mut().forget_overrides(),
        };
        if let Err(error) = saved {
            tracing::warn!(%error, "a staff setting was not saved");
            show_failure(&state, notice::NOT_SAVED, &error);
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
            && let Some(ui) = self.ui.upgrade()
        {
            ui.global::<KioskState>()
                .set_panel(panel_info(&status, self.scenery.panel.time_zone));
        }
        let now = (self.clock)();
        if self.panel_shown()
            && !self.panel_facts.is_running()
            && now.saturating_sub(self.panel_read_at.get()) >= PANEL_REFRESH
        {
            self.panel_read_at.set(now);
            let place = self.scenery.panel.clone();
            let started = self.panel_facts.start("hetki-panel-facts", move || {
                place.status(chrono::Utc::now())
            });
            if let Err(error) = started {
                tracing::warn!(%error, "cannot read the device's state");
            }
        }
    }

    /// The panel's facts and choices, read afresh.
    fn show_staff(&self, ui: &AppWindow, kiosk: &Kiosk) {
        let place = &self.scenery.panel;
        self.panel_read_at.set((self.clock)());
        // A read still under way would bring older facts than these.
        self.panel_facts.forget();
        show_panel(ui, place);
        show_session(
            ui,
            kiosk.session(),
            kiosk.choices(),
            &place.config_file_name,
        );
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
                    ui.global::<KioskState>().set_panel_notice(0);
                    self.show_staff(&ui, &kiosk);
                }
                let (view, results) = &now_showing;
                present(&ui, &self.scenery, kiosk.session(), view, results.as_ref());
            }
            *self.shown.borrow_mut() = Some(now_showing);
        }
        if let Some(ui) = self.ui.upgrade() {
            let state = ui.global::<KioskState>();
            let needs_staff = kiosk.warnings().any();
            if state.get_needs_staff() != needs_staff {
                state.set_needs_staff(needs_staff);
            }
        }
        match kiosk.flow().next_deadline() {
            Some(deadline) => {
                let wait = deadline.saturating_sub((self.clock)());
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

/// What the kiosk runs, and what staff may choose from (`surveys`, `events`), into the panel.
pub fn show_session(
    ui: &AppWindow,
    session: &Session,
    (surveys, events): (&[SurveyChoice], &[EventInfo]),
    config_file_name: &str,
) {
    let state = ui.global::<KioskState>();
    let language = Language::from_code(&state.get_language()).unwrap_or(Language::Fi);
    let surveys = surveys
        .iter()
        .map(|SurveyChoice { survey, .. }| PanelChoice {
            label: survey.title.get(language).into(),
            detail: survey.id.clone().into(),
            current: survey.id == session.survey.id,
        });
    let events = events.iter().map(|event| {
        // Place, area and topic: what tells two evenings at the same hall apart.
        let place = event.place.get(language);
        let detail = std::iter::once(place)
            .chain(event.area.as_deref())
            .chain(event.topic.as_deref())
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        PanelChoice {
            label: event.name.get(language).into(),
            detail: detail.into(),
            current: *event == session.event,
        }
    });
    update_rows(
        state.get_panel_surveys(),
        |m| state.set_panel_surveys(m),
        surveys,
        PartialEq::eq,
    );
    update_rows(
        state.get_panel_events(),
        |m| state.set_panel_events(m),
        events,
        PartialEq::eq,
    );
    state.set_test_mode(session.test_mode());
    state.set_panel_overridden(!session.overrides.is_empty());
    state.set_config_file_name(config_file_name.into());
}

/// Reads the device's state into the panel (only while staff look at it).
pub fn show_panel(ui: &AppWindow, place: &PanelPlace) {
    let status = place.status(chrono::Utc::now());
    ui.global::<KioskState>()
        .set_panel(panel_info(&status, place.time_zone));
}

fn ui_trouble(trouble: store::UploadTrouble) -> UploadTrouble {
    match trouble {
        store::UploadTrouble::Unreachable => UploadTrouble::Unreachable,
        store::UploadTrouble::TokenRefused => UploadTrouble::TokenRefused,
        store::UploadTrouble::Busy => UploadTrouble::Busy,
        store::UploadTrouble::CollectorFault => UploadTrouble::CollectorFault,
        store::UploadTrouble::Refused => UploadTrouble::Refused,
        store::UploadTrouble::Buffer => UploadTrouble::Buffer,
        store::UploadTrouble::Other => UploadTrouble::Other,
    }
}

/// The panel's facts as text.
pub fn panel_info(status: &PanelStatus, zone: chrono_tz::Tz) -> PanelInfo {
    let time = |at| crate::panel::time(at, zone);
    let u = &status.upload;
    PanelInfo {
        device_id: status.device_id.clone().into(),
        version: status.version.clone().into(),
        today: status.today.to_string().into(),
        total: status.total.to_string().into(),
        pending: u.pending.to_string().into(),
        oldest_pending: time(u.oldest_pending).into(),
        last_upload: time(u.last_success_at).into(),
        last_error_at: match &u.last_error {
            Some(_) => time(u.last_error_at).into(),
            None => "".into(),
        },
        last_error_trouble: u
            .last_error_trouble
            .map_or(UploadTrouble::Other, ui_trouble),
        last_error_detail: u.last_error.clone().unwrap_or_default().into(),
        clock_synchronized: status.clock_synchronized,
        free_disk: status
            .free_disk_bytes
            .map(|b| format!("{} MiB", b / (1024 * 1024)))
            .unwrap_or_else(|| "–".into())
            .into(),
        disk_low: status.disk_low,
        upload_overdue: status.upload_overdue,
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Error, ErrorKind};

    use super::notice::reason;

    #[test]
    fn a_failed_write_is_told_by_its_cause_however_deep() {
        assert_eq!(reason(&Error::from(ErrorKind::StorageFull)), 1);
        assert_eq!(reason(&Error::from(ErrorKind::ReadOnlyFilesystem)), 2);
        let wrapped = anyhow::Error::from(Error::from(ErrorKind::NotFound)).context("export");
        assert_eq!(reason(wrapped.as_ref()), 4);
        assert_eq!(reason(&Error::other("odd")), 0, "shown as it is");
        let wrapped = Error::other(crate::export::ExportError::Write(Error::from(
            ErrorKind::StorageFull,
        )));
        assert_eq!(reason(&wrapped), 1, "through io::Error::other");
        assert_eq!(reason(&Error::from_raw_os_error(libc::ENODEV)), 4);
    }
}
