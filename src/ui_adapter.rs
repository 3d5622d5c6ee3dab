//! Binds the Slint globals to the kiosk: taps on `KioskActions` become flow input, and each
//! new flow view is written into `KioskState`. The only module that knows both sides.

use std::cell::RefCell;
use std::path::Path;
use std::rc::{Rc, Weak};
use std::time::Duration;

use hetki_protocol::{DisplayTheme, EventInfo, Language, QuestionKind, SurveyDefinition, Text};
use slint::{ComponentHandle, Image, Model, ModelRc, Timer, TimerMode, VecModel};

use crate::config::{ConfigError, KioskConfig};
use crate::flow::{Now, Screen, Tap, View};
use crate::kiosk::Kiosk;
use crate::qr::qr_image;
use crate::results::{PollResults, results_view};
use crate::ui::{
    AnswerOption, AppWindow, KioskActions, KioskState, LanguageButton, ResultBar, ResultQuestion,
    Screen as UiScreen, Theme,
};

/// Reads the flow's notion of now; the UI tests pass Slint's mock time.
pub type Clock = Rc<dyn Fn() -> Now>;

/// How often the store's reports are collected. Commits are not waited on, so this only
/// bounds how fast a failing disk turns the screen to "out of order" and back.
const STORE_POLL: Duration = Duration::from_millis(200);

/// What the screens show besides the flow's state: the event, the privacy note, pictures.
pub struct Scenery {
    event: EventInfo,
    privacy_note: Text,
    languages: Vec<Language>,
    symbol: Option<Image>,
    /// Per question, per option: its picture, if it has one.
    option_images: Vec<Vec<Option<Image>>>,
    /// QR codes for the thank-you screen: what came of the feedback, the survey on a phone.
    follow_up_qr: Option<Image>,
    phone_qr: Option<Image>,
}

impl Scenery {
    /// Loads the configured pictures; one that cannot be read is a configuration error.
    pub fn load(config: &KioskConfig) -> Result<Scenery, ConfigError> {
        let load = |path: &Path, file: &Path, field: &str| {
            Image::load_from_path(path).map_err(|_| {
                ConfigError::one(
                    file,
                    Some(field),
                    format!("cannot load the image {}", path.display()),
                )
            })
        };
        let symbol = config
            .symbol
            .as_deref()
            .map(|p| load(p, &config.config_file, "symbol"))
            .transpose()?;
        let survey_dir = config.survey_file.parent().unwrap_or(Path::new("."));
        let mut option_images = Vec::new();
        for (q, question) in config.survey.questions.iter().enumerate() {
            let mut images = Vec::new();
            if let QuestionKind::Choice { options } = &question.kind {
                for (o, option) in options.iter().enumerate() {
                    let field = format!("questions[{q}].options[{o}].image");
                    let image = option
                        .image
                        .as_ref()
                        .map(|name| load(&survey_dir.join(name), &config.survey_file, &field));
                    images.push(image.transpose()?);
                }
            }
            option_images.push(images);
        }
        let qr = |url: &Option<String>, field: &str| {
            url.as_deref()
                .map(|url| {
                    qr_image(url).ok_or_else(|| {
                        ConfigError::one(&config.survey_file, Some(field), "too long for a QR code")
                    })
                })
                .transpose()
        };
        Ok(Scenery {
            follow_up_qr: qr(&config.survey.follow_up_url, "follow_up_url")?,
            phone_qr: qr(&config.survey.phone_url, "phone_url")?,
            event: config.event.clone(),
            privacy_note: config.privacy_note.clone(),
            languages: config.languages.clone(),
            symbol,
            option_images,
        })
    }
}

/// Writes a view of the flow into the UI's globals; `results` are a poll's published results.
pub fn present(
    ui: &AppWindow,
    scenery: &Scenery,
    survey: &SurveyDefinition,
    view: &View,
    results: Option<&PollResults>,
) {
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
    });
    state.set_event_name(scenery.event.name.get(language).into());
    state.set_event_place(scenery.event.place.get(language).into());
    state.set_privacy_note(scenery.privacy_note.get(language).into());
    state.set_survey_title(survey.title.get(language).into());
    if let Some(symbol) = &scenery.symbol {
        state.set_symbol(symbol.clone());
    }
    state.set_question_count(survey.questions.len() as i32);
    if view.screen == Screen::Thanks {
        state.set_follow_up_qr(scenery.follow_up_qr.clone().unwrap_or_default());
        state.set_phone_qr(scenery.phone_qr.clone().unwrap_or_default());
    }
    update_rows(
        state.get_languages(),
        |m| state.set_languages(m),
        scenery.languages.iter().map(|&l| LanguageButton {
            code: l.code().to_uppercase().into(),
            name: l.native_name().into(),
            current: l == language,
        }),
    );

    if let Screen::Question(q) = view.screen {
        let question = &survey.questions[q];
        state.set_question_number(q as i32 + 1);
        state.set_question_text(question.text.get(language).into());
        state.set_can_skip(question.skippable);
        state.set_highlighting(view.highlighted);
        state.set_selected(view.selected.map_or(-1, |i| i as i32));
        let options: Vec<AnswerOption> = match &question.kind {
            QuestionKind::Faces { faces } => faces
                .iter()
                .enumerate()
                .map(|(i, face)| AnswerOption {
                    label: face.label.get(language).into(),
                    face: face_picture(faces.len(), i),
                    image: Image::default(),
                })
                .collect(),
            QuestionKind::Choice { options } => options
                .iter()
                .enumerate()
                .map(|(i, option)| AnswerOption {
                    label: option.label.get(language).into(),
                    face: 0,
                    image: scenery.option_images[q]
                        .get(i)
                        .cloned()
                        .flatten()
                        .unwrap_or_default(),
                })
                .collect(),
        };
        update_rows(state.get_options(), |m| state.set_options(m), options);
    }

    if view.screen == Screen::Results {
        state.set_results_minimum(survey.results_step().unwrap_or(0) as i32);
        let empty = PollResults::default();
        let rows = results_view(survey, results.unwrap_or(&empty), language, &view.own)
            .into_iter()
            .map(|q| ResultQuestion {
                text: q.text.into(),
                shown: q.bars.is_some(),
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
        state.set_results(ModelRc::new(VecModel::from(rows.collect::<Vec<_>>())));
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

/// Puts `rows` into a model property, changing only the rows that differ: a tap that
/// highlights one answer then redraws that answer, not the whole row of them.
fn update_rows<T: Clone + PartialEq + 'static>(
    current: ModelRc<T>,
    set: impl FnOnce(ModelRc<T>),
    rows: impl IntoIterator<Item = T>,
) {
    let rows: Vec<T> = rows.into_iter().collect();
    match current.as_any().downcast_ref::<VecModel<T>>() {
        Some(model) if model.row_count() == rows.len() => {
            for (i, row) in rows.into_iter().enumerate() {
                if model.row_data(i).as_ref() != Some(&row) {
                    model.set_row_data(i, row);
                }
            }
        }
        _ => set(ModelRc::new(VecModel::from(rows))),
    }
}

/// A kiosk attached to a window. Keep it alive as long as the window runs.
pub struct KioskUi {
    // Owns the kiosk; the UI's callbacks and timers hold only weak references to it.
    _inner: Rc<Inner>,
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
        actions.on_back(move || tap(Tap::Back));
        let tap = tapper();
        actions.on_touched(move || tap(Tap::Elsewhere));
        let tap = tapper();
        actions.on_choose_language(move |code| {
            tap(Language::from_code(&code.to_lowercase()).map_or(Tap::Elsewhere, Tap::Language))
        });
        let tap = tapper();
        actions.on_toggle_contrast(move || tap(Tap::ToggleContrast));
        let tap = tapper();
        actions.on_toggle_large_text(move || tap(Tap::ToggleLargeText));
        let tap = tapper();
        actions.on_answer(move |index| tap(Tap::Option(index.max(0) as usize)));

        let store_poll = Timer::default();
        let weak = Rc::downgrade(&inner);
        store_poll.start(TimerMode::Repeated, STORE_POLL, move || {
            Inner::with(&weak, |i| {
                if !i.kiosk.borrow_mut().poll_store().is_empty() {
                    i.refresh();
                }
            })
        });
        inner.refresh();
        KioskUi {
            _inner: inner,
            _store_poll: store_poll,
        }
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
            if let Some(ui) = self.ui.upgrade() {
                let (view, results) = &now_showing;
                present(&ui, &self.scenery, kiosk.survey(), view, results.as_ref());
            }
            *self.shown.borrow_mut() = Some(now_showing);
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
