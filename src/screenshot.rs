//! `hetki screenshot`: every screen rendered to PNG, no display needed, through the same
//! `present` the running kiosk uses.

use std::path::{Path, PathBuf};

use anyhow::Context;
use hetki_protocol::{Display, Language, SurveyDefinition};
use slint::ComponentHandle;

use crate::config::KioskConfig;
use crate::flow::{AttractSlide, PinMessage, Screen, View, attract_slides};
use crate::headless::HeadlessWindow;
use crate::panel::PanelStatus;
use crate::results::PollResults;
use crate::session::{Overrides, Session};
use crate::store::{UploadStatus, UploadTrouble};
use crate::ui::{AppWindow, Keyboard, KioskState};
use crate::ui_adapter::notice::{EXPORTED, NOT_SAVED};
use crate::ui_adapter::{Scenery, panel_info, present, show_session};

/// Longer than any animation in the UI.
const SETTLE: std::time::Duration = std::time::Duration::from_secs(1);

/// Renders each screen at `width`×`height` in `language` and `display` into `out`, in test
/// mode if asked; returns the files written.
pub fn render_all(
    config: &KioskConfig,
    out: &Path,
    (width, height): (u32, u32),
    (language, display): (Language, Display),
    test_mode: bool,
) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    // A stopped clock, moved on past every colour change before each picture: a screenshot
    // shows what the screen settles on, never a fade half-way.
    let headless = crate::headless::install_stopped_clock(width, height)?;
    let ui = AppWindow::new()?;
    let mut window = HeadlessWindow::take(&headless).expect("the window was just made");
    ui.show()?;
    let scenery = Scenery::load(config)?;
    let mut written = Vec::new();
    let sample = sample_results(config.survey());
    let mut session = Session::resolve(config, Overrides::default());
    session.overrides.test_mode = test_mode;
    for (name, view) in screens(config, language, display) {
        let keyboard = name.ends_with("-keyboard");
        ui.global::<Keyboard>().set_in_use(keyboard);
        if keyboard {
            // New answers, which take the focus as they show.
            ui.global::<KioskState>().set_question_number(0);
        }
        show_screen(&ui, &scenery, &session, config, (&name, &view), &sample);
        window.render();
        headless.advance(SETTLE);
        window.render_full();
        let path = out.join(format!("{name}.png"));
        window
            .save_png(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Whether the screen named `name` (by [`screens`]) is for staff: the PIN pad and the panel,
/// which have one look whatever the respondent's display settings.
pub fn is_staff_screen(name: &str) -> bool {
    name.starts_with("pin") || name.starts_with("panel")
}

/// Every screen a resident can meet, named as its file is. Questions show an answer chosen
/// (the first question with its middle option highlighted, a multiple choice with two picked)
/// so the selected look is seen too.
pub fn screens(config: &KioskConfig, language: Language, display: Display) -> Vec<(String, View)> {
    let view = |screen, selected, highlighted| View {
        display,
        selected,
        highlighted,
        ..View::new(screen, language)
    };
    // The idle loop's slides (a note's look stands for all), where the device file sets
    // one up.
    let mut slides = attract_slides(config.survey(), config.attract.notes.len().min(1));
    let loops = config.attract.rotate.is_some() && slides.len() > 1;
    if !loops {
        slides.truncate(1);
    }
    let mut screens: Vec<(String, View)> = slides
        .into_iter()
        .map(|slide| {
            let name = match slide {
                AttractSlide::Invitation => "attract".to_owned(),
                // attract-results.png, then attract-results-2.png, … for a poll's later
                // questions.
                AttractSlide::Results(0) => "attract-results".to_owned(),
                AttractSlide::Results(q) => format!("attract-results-{}", q + 1),
                AttractSlide::Note(_) => "attract-note".to_owned(),
            };
            let view = View {
                attract_slide: slide,
                attract_loops: loops,
                ..view(Screen::Attract, vec![], false)
            };
            (name, view)
        })
        .collect();
    for (q, question) in config.survey().questions.iter().enumerate() {
        let (selected, highlighted) = match q {
            _ if question.is_multiple() => (vec![0, 2], false),
            0 => (vec![question.option_count() / 2], true),
            _ => (vec![], false),
        };
        screens.push((
            format!("question-{}", q + 1),
            view(Screen::Question(q), selected, highlighted),
        ));
        // Before anything is picked, Done does nothing, and shows it.
        if question.is_multiple() {
            screens.push((
                format!("question-{}-unpicked", q + 1),
                view(Screen::Question(q), vec![], false),
            ));
        }
    }
    // The last question left untouched: "Do you need more time?" counting down.
    let last = config.survey().questions.len() - 1;
    screens.push((
        "idle-warning".to_owned(),
        View {
            idle_warning: Some(12),
            ..view(Screen::Question(last), vec![], false)
        },
    ));
    // Someone moving with keys: a question shows with its first answer in focus. Last of the
    // questions: the page that follows takes the focus away.
    screens.push((
        "question-1-keyboard".to_owned(),
        view(Screen::Question(0), vec![], false),
    ));
    if config.survey().results_step().is_some() {
        // The respondent chose each question's second option.
        let own = config
            .survey()
            .questions
            .iter()
            .map(|q| match q.is_multiple() {
                true => q.answer_with(&[1, 2]),
                false => q.answer_at(1),
            })
            .collect::<Vec<_>>();
        for name in ["results", "results-too-few"] {
            let mut results = view(Screen::Results, vec![], false);
            results.own = own.clone();
            screens.push((name.to_owned(), results));
        }
    } else {
        screens.push(("thanks".to_owned(), view(Screen::Thanks, vec![], false)));
    }
    screens.push((
        "out-of-order".to_owned(),
        view(Screen::OutOfOrder, vec![], false),
    ));
    // Staff: the PIN pad after a wrong try, checking a PIN, and locked after too many, and
    // the panel, always in the standard look.
    screens.push((
        "pin".to_owned(),
        View {
            pin_digits: 2,
            pin_message: Some(PinMessage::Wrong { left: 2 }),
            ..View::new(Screen::Pin, language)
        },
    ));
    screens.push((
        "pin-checking".to_owned(),
        View {
            pin_digits: 4,
            pin_message: Some(PinMessage::Checking),
            ..View::new(Screen::Pin, language)
        },
    ));
    screens.push((
        "pin-locked".to_owned(),
        View {
            pin_message: Some(PinMessage::Locked { minutes: 2 }),
            ..View::new(Screen::Pin, language)
        },
    ));
    screens.push(("panel".to_owned(), View::new(Screen::Panel, language)));
    screens.push((
        "panel-session".to_owned(),
        View::new(Screen::Panel, language),
    ));
    screens
}

/// Puts screen `name` of [`screens`] on the window, poll results from `sample` (none on the
/// results screen before a poll has enough answers). The panel shows test mode on, as staff
/// see it after switching it on.
pub fn show_screen(
    ui: &AppWindow,
    scenery: &Scenery,
    session: &Session,
    config: &KioskConfig,
    (name, view): (&str, &View),
    sample: &PollResults,
) {
    let mut session = session.clone();
    session.overrides.test_mode |= name == "panel-session" || name == "panel";
    let results = (name != "results-too-few").then_some(sample);
    present(ui, scenery, &session, view, results);
    // A device whose store has reported it healthy.
    ui.global::<KioskState>().set_health_known(true);
    prepare_staff_screen(ui, (config, scenery), &session, (name, view.language));
}

/// Fills the staff panel with a sample state and the configured choices, on the tab the
/// screen `name` shows ("panel" the state, with the store failing, "panel-session" the
/// survey and event).
fn prepare_staff_screen(
    ui: &AppWindow,
    (config, scenery): (&KioskConfig, &Scenery),
    session: &Session,
    (name, language): (&str, Language),
) {
    let state = ui.global::<KioskState>();
    state.set_panel(panel_info(
        &sample_status(config),
        config.time_zone,
        language,
    ));
    state.set_panel_tab(i32::from(name == "panel-session"));
    // The state tab with its longest warning too: the card that answers cannot be written to.
    // A read-only card: the classic failure of an SD card at its end.
    state.set_store_failure(if name == "panel" {
        "attempt to write a readonly database".into()
    } else {
        Default::default()
    });
    state.set_store_failure_cause(2);
    // And the event of another day, as on the morning after an evening.
    let elsewhen = match (name, chrono::NaiveDate::from_ymd_opt(2026, 12, 3)) {
        ("panel", Some(evening)) => language.day(evening),
        _ => String::new(),
    };
    state.set_event_day_elsewhen(elsewhen.into());
    // As on the day of an evening the file lists, which is marked.
    let today = config.events.iter().find_map(|e| e.date);
    show_session(
        ui,
        session,
        (&config.surveys, &config.events),
        scenery,
        today.unwrap_or_else(|| chrono::Utc::now().date_naive()),
    );
    // The notice line with the longest texts it takes: an export's file, a failed save.
    let (notice, detail) = if name == "panel-session" {
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        state.set_panel_notice_reason(crate::ui_adapter::notice::reason(&full));
        (NOT_SAVED, full.to_string())
    } else {
        let file = format!(
            "/media/hetki-usb/hetki-{}-2026-11-23-101500.csv",
            config.device_id
        );
        (EXPORTED, file)
    };
    // 1204 in total, 167 of them pruned after upload.
    state.set_panel_notice_count(1037);
    state.set_panel_notice_pruned(167);
    state.set_panel_notice(notice);
    state.set_panel_notice_detail(detail.into());
}

/// Made-up totals for the results screen's picture, so every bar shows.
pub fn sample_results(survey: &SurveyDefinition) -> PollResults {
    const COUNTS: [u64; 6] = [14, 9, 6, 11, 5, 3];
    let mut results = PollResults::default();
    for question in &survey.questions {
        for (i, count) in COUNTS.iter().enumerate().take(question.option_count()) {
            if let Some(value) = question.answer_at(i).and_then(|v| v.as_cell()) {
                results.add(&question.id, &value, *count);
            }
        }
        if question.is_multiple() {
            // As many voters as a four-option single choice of the same poll has.
            let voters = COUNTS[..4].iter().sum();
            results.add(&question.id, crate::results::RESPONDENTS, voters);
        }
    }
    results
}

/// A plausible device state for the panel's picture, with one warning showing.
pub fn sample_status(config: &KioskConfig) -> PanelStatus {
    let now = chrono::Utc::now();
    PanelStatus {
        device_id: config.device_id.clone(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        today: 37,
        total: 1204,
        upload: UploadStatus {
            stored: 1204,
            pending: 37,
            delivered: 1167,
            oldest_pending: Some(now - chrono::TimeDelta::hours(27)),
            last_success_at: Some(now - chrono::TimeDelta::hours(27)),
            // A trouble whose words come with the error's own text under them.
            last_error: Some("401 Unauthorized: this device's token has been revoked".into()),
            last_error_trouble: Some(UploadTrouble::TokenRefused),
            last_error_at: Some(now - chrono::TimeDelta::minutes(3)),
            ..Default::default()
        },
        clock_synchronized: true,
        free_disk_bytes: Some(5_800 * 1024 * 1024),
        disk_low: false,
        upload_overdue: true,
    }
}
