//! The real Slint UI driven through the testing backend with mock time: taps find their
//! targets by accessible label (as a screen reader would), and what they do is checked in
//! the UI's state and in the real SQLite buffer.

#[path = "../collector/tests/support/mod.rs"]
mod collector_support;
mod util;

use std::rc::Rc;
use std::time::Duration;

use hetki::clock::SystemClock;
use hetki::flow::QR_READING_TIME;
use hetki::kiosk::Kiosk;
use hetki::store::{Database, StoreOptions, StoredResponse, UploadTrouble};
use hetki::ui::{AppWindow, KioskState, Screen};
use hetki::ui_adapter::{Clock, KioskUi, Scenery, shown_options};
use hetki_protocol::{AnswerValue, Language};
use i_slint_backend_testing::{
    AccessibleLiveness, AccessibleRole, ElementHandle, ElementQuery, ElementRoot, get_mocked_time,
    init_no_event_loop, mock_elapsed_time,
};
use slint::platform::{Key, PointerEventButton, WindowEvent};
use slint::{ComponentHandle, Model};
use util::{Setup, collector_bin, stored_rows, wait_until};

struct TestKiosk {
    setup: Setup,
    ui: AppWindow,
    attached: KioskUi,
}

fn store_options() -> StoreOptions {
    StoreOptions {
        busy_timeout: Duration::from_millis(20),
        retry_interval: Duration::from_millis(20),
    }
}

/// The elements a screen reader announces as `label`: what is hidden from it (role none, like
/// the text inside a button, which the button itself speaks for) is left out.
fn spoken(ui: &AppWindow, label: &str) -> Vec<ElementHandle> {
    let label = as_heard(label);
    ui.root_element()
        .query_descendants()
        .match_predicate(move |e| {
            e.accessible_role() != Some(AccessibleRole::None)
                && e.accessible_label().is_some_and(|l| as_heard(&l) == label)
        })
        .find_all()
}

/// What a screen reader says: a no-break space (which keeps a heading's last words
/// together) sounds like any other.
fn as_heard(text: &str) -> String {
    text.replace('\u{a0}', " ")
}

impl TestKiosk {
    fn start() -> TestKiosk {
        TestKiosk::start_with(Setup::demo())
    }

    fn start_with(setup: Setup) -> TestKiosk {
        init_no_event_loop();
        TestKiosk::restart_with(setup)
    }

    /// A kiosk on `setup` again, as after a power cut, in the same test (and platform).
    fn restart_with(setup: Setup) -> TestKiosk {
        let config = setup.config();
        let ui = AppWindow::new().unwrap();
        ui.window().set_size(slint::PhysicalSize::new(1280, 800));
        ui.show().unwrap();
        let mut kiosk = Kiosk::start(&config, Box::new(SystemClock::new()), store_options());
        // As `hetki run` does: an uploader where the device file names a collector.
        hetki::run::start_uploader(&mut kiosk, &config).unwrap();
        let clock: Clock = Rc::new(|| Duration::from_millis(get_mocked_time()));
        let attached = KioskUi::attach(&ui, kiosk, Scenery::load(&config).unwrap(), clock);
        TestKiosk {
            setup,
            ui,
            attached,
        }
    }

    /// Stops the kiosk as `hetki run` does when told to (SIGTERM): returns once the store has
    /// written what it was given.
    fn stop(self) -> Setup {
        self.attached.shut_down();
        self.setup
    }

    /// Pulls the plug, once what the kiosk was given to write has landed: the store's answers
    /// and the kept files (staff's settings, wrong PIN tries), each written by a thread of its
    /// own. Unlike `stop`, nothing left on the screen is recorded. The old kiosk is gone
    /// before a restart reads the files, as a real one would be; kept alive beside the new
    /// one, its last kept file could land after the new kiosk had read the old.
    fn power_cut(self) -> Setup {
        let TestKiosk {
            setup,
            ui,
            attached,
        } = self;
        drop(attached);
        drop(ui);
        setup
    }

    /// Taps the one control a screen reader would call `label`, and lets a moment pass.
    /// Turns the window into a screen `width` × `height` pixels.
    fn resize(&self, width: u32, height: u32) {
        self.ui
            .window()
            .set_size(slint::PhysicalSize::new(width, height));
    }

    fn tap(&self, label: &str) {
        self.tap_at_once(label);
        self.settle();
    }

    /// Taps the one control a screen reader would call `label`; the next tap may follow
    /// at once, as in a double tap.
    fn tap_at_once(&self, label: &str) {
        self.one_spoken(label)
            .mock_single_click(PointerEventButton::Left);
    }

    /// The one element a screen reader calls `label`.
    fn one_spoken(&self, label: &str) -> ElementHandle {
        let found = spoken(&self.ui, label);
        assert_eq!(
            found.len(),
            1,
            "expected one element labelled {label:?} on {:?}",
            self.screen()
        );
        found.into_iter().next().unwrap()
    }

    /// Taps the current page away from any control.
    fn tap_background(&self, page: &str) {
        let found: Vec<_> = ElementHandle::find_by_element_type_name(&self.ui, page).collect();
        assert_eq!(found.len(), 1, "{page} is not showing");
        found[0].mock_single_click(PointerEventButton::Left);
        self.settle();
    }

    /// Drags a finger up the screen at `x`, from `from` to `to`, as someone scrolls.
    fn swipe_up(&self, x: f32, from: f32, to: f32) {
        let window = self.ui.window();
        let at = |y: f32| slint::LogicalPosition::new(x, y);
        let button = PointerEventButton::Left;
        window.dispatch_event(WindowEvent::PointerPressed {
            position: at(from),
            button,
        });
        for step in 1..=4 {
            mock_elapsed_time(Duration::from_millis(16));
            let y = from + (to - from) * step as f32 / 4.0;
            window.dispatch_event(WindowEvent::PointerMoved { position: at(y) });
        }
        window.dispatch_event(WindowEvent::PointerReleased {
            position: at(to),
            button,
        });
        self.settle();
    }

    /// Lets a person's moment pass after a tap: taps sooner after one that changed the
    /// screen are taken for a bounce and ignored.
    fn settle(&self) {
        mock_elapsed_time(hetki::config::Timing::default().settle);
    }

    /// Presses `key` as a keyboard, or a switch interface, sends it.
    fn press(&self, key: Key) {
        let text = slint::SharedString::from(key);
        let window = self.ui.window();
        window.dispatch_event(WindowEvent::KeyPressed { text: text.clone() });
        window.dispatch_event(WindowEvent::KeyReleased { text });
        self.settle();
    }

    /// The control with the keyboard focus, by its spoken name: the one its ring is around.
    fn focused(&self) -> Option<String> {
        ElementQuery::from_root(&self.ui)
            .match_descendants()
            .match_predicate(|e| util::is_control(e.accessible_role()))
            .find_all()
            .into_iter()
            .find(|control| {
                let ring = control.query_descendants().match_id("KeyPress::ring");
                ring.find_first().is_some()
            })
            .map(|control| control.accessible_label().unwrap_or_default().into())
    }

    /// The labels of the answers on screen, in order.
    fn option_labels(&self) -> Vec<String> {
        shown_options(&self.ui.global::<KioskState>())
            .iter()
            .map(|option| option.label.to_string())
            .collect()
    }

    /// What a screen reader says the one control called `label` is.
    fn role(&self, label: &str) -> AccessibleRole {
        self.one_spoken(label).accessible_role().unwrap()
    }

    /// How a screen reader reads out the one text labelled `label` when it comes or changes.
    fn live_region(&self, label: &str) -> Option<AccessibleLiveness> {
        self.one_spoken(label).accessible_live_region()
    }

    fn has(&self, label: &str) -> bool {
        !spoken(&self.ui, label).is_empty()
    }

    fn wait(&self, ms: u64) {
        mock_elapsed_time(Duration::from_millis(ms));
    }

    /// Lets the thank-you screen give way by itself: the demo's has QR codes, so it stays
    /// long enough to scan them.
    fn wait_out_thanks(&self) {
        mock_elapsed_time(QR_READING_TIME);
    }

    fn screen(&self) -> Screen {
        self.ui.global::<KioskState>().get_screen()
    }

    fn question(&self) -> (i32, String) {
        let state = self.ui.global::<KioskState>();
        (
            state.get_question_number(),
            as_heard(&state.get_question_text()),
        )
    }

    /// Which answers show as chosen, as a screen reader sees them.
    fn selected(&self) -> Vec<bool> {
        shown_options(&self.ui.global::<KioskState>())
            .iter()
            .map(|option| {
                self.one_spoken(&option.label)
                    .accessible_checked()
                    .expect("answers are checkable")
            })
            .collect()
    }

    /// Answers by label, lets the highlight pass, and the moment in which the next question
    /// takes a tap for the second of a double tap.
    fn answer(&self, label: &str) {
        self.tap_at_once(label);
        self.wait(400);
        self.settle();
    }

    /// Lets mock time and real time pass until the screen is `screen` (the store thread
    /// reports in real time; the UI collects its reports on a mock-time timer).
    fn wait_for_screen(&self, screen: Screen) {
        self.wait_for(&format!("the screen is {screen:?}"), || {
            self.screen() == screen
        });
    }

    /// Lets mock time and real time pass until `condition` holds: other threads (the store,
    /// the panel's reads, an export, the uploader) report in real time, and the UI collects
    /// their reports on a mock-time timer.
    fn wait_for(&self, what: &str, mut condition: impl FnMut() -> bool) {
        wait_until(what, || {
            self.wait(200);
            condition()
        });
    }

    /// The buffer's rows once there are `count` of them.
    fn stored(&self, count: u64) -> Vec<StoredResponse> {
        let db = Database::open(&self.setup.database(), &store_options()).unwrap();
        wait_until(&format!("{count} responses are stored"), || {
            db.count().unwrap() >= count
        });
        let rows = stored_rows(&db);
        assert_eq!(rows.len() as u64, count);
        rows
    }
}

fn values(row: &StoredResponse) -> Vec<(String, AnswerValue)> {
    row.response
        .answers
        .iter()
        .map(|a| (a.question.clone(), a.value.clone()))
        .collect()
}

fn choice(option: &str) -> AnswerValue {
    AnswerValue::Choice {
        option: option.into(),
    }
}

#[test]
fn answering_every_question_by_label_stores_one_complete_response() {
    let kiosk = TestKiosk::start();
    assert_eq!(kiosk.screen(), Screen::Attract);
    kiosk.tap("Napauta ja vastaa");
    assert_eq!(
        kiosk.question(),
        (1, "Millainen tilaisuus oli kokonaisuutena?".into())
    );
    kiosk.answer("Erittäin hyvä");
    assert_eq!(kiosk.question(), (2, "Tuliko äänesi kuulluksi?".into()));
    kiosk.answer("Kyllä");
    kiosk.answer("Ehkä");
    assert_eq!(kiosk.screen(), Screen::Thanks);
    assert!(kiosk.has("QR-koodi: Mitä palautteella tehdään"));
    assert!(kiosk.has("QR-koodi: Kysely omaan puhelimeen"));

    let rows = kiosk.stored(1);
    let row = &rows[0];
    assert!(row.response.complete);
    assert_eq!(row.response.language, Language::Fi);
    assert_eq!(row.device_id, "demo-kiosk-1");
    assert_eq!(
        values(row),
        vec![
            ("overall".into(), AnswerValue::Face { score: 5 }),
            ("heard".into(), choice("yes")),
            ("again".into(), choice("maybe")),
        ]
    );
    kiosk.wait_out_thanks();
    assert_eq!(
        kiosk.screen(),
        Screen::Attract,
        "the thank-you screen gives way by itself"
    );
}

#[test]
fn a_double_tap_on_back_goes_back_one_question() {
    let kiosk = TestKiosk::start();
    kiosk.tap("Napauta ja vastaa");
    kiosk.answer("Hyvä");
    assert_eq!(kiosk.question().0, 2);
    kiosk.tap_at_once("Takaisin");
    kiosk.tap_at_once("Takaisin");
    assert_eq!(kiosk.screen(), Screen::Question);
    assert_eq!(kiosk.question().0, 1, "not out of the survey");
    assert_eq!(kiosk.selected(), [false, false, false, true, false]);
}

#[test]
fn a_tapped_answer_is_highlighted_and_a_second_tap_does_nothing() {
    let kiosk = TestKiosk::start();
    kiosk.tap("Napauta ja vastaa");
    kiosk.tap_at_once("Hyvä");
    assert_eq!(kiosk.selected(), [false, false, false, true, false]);
    assert!(kiosk.ui.global::<KioskState>().get_highlighting());
    kiosk.tap_at_once("Huono");
    kiosk.wait(100);
    assert_eq!(kiosk.question().0, 1, "still showing the highlight");
    kiosk.wait(300);
    assert_eq!(kiosk.question().0, 2, "moved on once");
    kiosk.settle();
    kiosk.tap("Takaisin");
    assert_eq!(
        kiosk.selected(),
        [false, false, false, true, false],
        "the first tap stood"
    );
}

/// On a library's upright screen five faces whose labels do not fit side by side (in any of
/// the kiosk's languages) go one under another, the happiest on top, and a tap still records
/// the face tapped.
#[test]
fn on_an_upright_screen_the_faces_run_down_from_the_happiest() {
    let kiosk = TestKiosk::start();
    kiosk.resize(1080, 1920);
    kiosk.tap("Napauta ja vastaa");
    let at = |label: &str| kiosk.one_spoken(label).absolute_position();
    let faces = [
        "Erittäin hyvä",
        "Hyvä",
        "Kohtalainen",
        "Huono",
        "Erittäin huono",
    ];
    for pair in faces.windows(2) {
        let (upper, lower) = (at(pair[0]), at(pair[1]));
        assert!(upper.y < lower.y, "{pair:?} at {upper:?} and {lower:?}");
        assert_eq!(upper.x, lower.x, "{pair:?} one under another");
    }
    kiosk.answer("Huono");
    kiosk.answer("Kyllä");
    kiosk.answer("Ehkä");
    let rows = kiosk.stored(1);
    assert_eq!(
        values(&rows[0])[0],
        ("overall".into(), AnswerValue::Face { score: 2 })
    );

    // The English labels would fit side by side, but a language switch does not turn the
    // scale around: each face stays where it was.
    kiosk.wait_out_thanks();
    kiosk.wait(2000); // past the cooldown
    kiosk.tap("Napauta ja vastaa");
    let finnish = faces.map(at);
    kiosk.tap("English (EN)");
    let english = ["Very good", "Good", "Okay", "Bad", "Very bad"].map(at);
    assert_eq!(english, finnish);
}

/// On an upright screen a poll's times of day, whose labels do not fit two across on one
/// line (in any of the kiosk's languages), go one under another, each on one line, and stay
/// in place from Finnish to Swedish.
#[test]
fn on_an_upright_screen_long_text_answers_go_one_under_another() {
    let kiosk = times_of_day_upright();
    let at = |label: &str| {
        let answer = kiosk.one_spoken(label);
        (answer.absolute_position(), answer.size())
    };
    let finnish = ["Aamuisin", "Päivisin", "Iltaisin", "Viikonloppuisin"].map(at);
    for pair in finnish.windows(2) {
        let ((upper, upper_size), (lower, lower_size)) = (pair[0], pair[1]);
        assert!(upper.y < lower.y, "{pair:?}");
        assert_eq!(upper.x, lower.x, "{pair:?} one under another");
        assert_eq!(upper_size, lower_size, "{pair:?} each on one line");
    }
    kiosk.tap("Svenska (SV)");
    let swedish = [
        "På morgnarna",
        "På dagarna",
        "På kvällarna",
        "På veckosluten",
    ]
    .map(at);
    assert_eq!(swedish, finnish);
}

/// The library poll's times of day, in Finnish, on a 1080×1920 upright screen.
fn times_of_day_upright() -> TestKiosk {
    let kiosk = TestKiosk::start_with(Setup::library_poll());
    kiosk.resize(1080, 1920);
    kiosk.wait(2000); // past the cooldown
    kiosk.tap("Napauta ja vastaa");
    kiosk.answer("Pelejä");
    kiosk
}

/// On an upright screen "You can pick several." reads with its question, in the room above the
/// answers, not at the far end of it beside the answers.
#[test]
fn on_an_upright_screen_the_hint_keeps_to_its_question() {
    let kiosk = times_of_day_upright();
    let question = kiosk.one_spoken("Milloin käyt kirjastossa?");
    let hint = kiosk.one_spoken("Voit valita useita.");
    let first_answer = kiosk.one_spoken("Aamuisin");
    // The question's text is centred in its box, whatever the box's height.
    let question_middle = question.absolute_position().y + question.size().height / 2.0;
    let hint_top = hint.absolute_position().y;
    let to_question = hint_top - question_middle;
    let to_answers = first_answer.absolute_position().y - (hint_top + hint.size().height);
    assert!(
        to_question < to_answers,
        "the hint is {to_question} px under its question's middle and {to_answers} px over the answers"
    );
}

/// In large text on an upright screen, "Kyllä / Osittain / Ei" no longer fit in one row: they
/// go one under another, not two in a row and one left alone under them.
#[test]
fn on_an_upright_screen_in_large_text_three_answers_go_one_under_another() {
    let kiosk = TestKiosk::start();
    kiosk.resize(1080, 1920);
    kiosk.wait(2000); // past the cooldown
    kiosk.tap("Suurempi teksti (A+)");
    kiosk.tap("Napauta ja vastaa");
    kiosk.answer("Hyvä");
    let at = |label: &str| kiosk.one_spoken(label).absolute_position();
    let answers = ["Kyllä", "Osittain", "Ei"].map(at);
    for pair in answers.windows(2) {
        assert!(pair[0].y < pair[1].y, "{pair:?}");
        assert_eq!(pair[0].x, pair[1].x, "{pair:?} one under another");
    }
}

#[test]
fn idle_reset_returns_to_the_start_and_keeps_the_partial_answer() {
    let kiosk = TestKiosk::start();
    kiosk.tap("Napauta ja vastaa");
    kiosk.answer("Huono");
    kiosk.wait(29_000);
    assert_eq!(kiosk.screen(), Screen::Question, "not yet");
    kiosk.wait(1_000);
    assert_eq!(kiosk.screen(), Screen::Attract);
    let rows = kiosk.stored(1);
    assert!(!rows[0].response.complete, "flagged incomplete");
    assert_eq!(
        values(&rows[0]),
        vec![("overall".into(), AnswerValue::Face { score: 2 })]
    );
}

/// A screen reader follows the reader's finger or focus; what comes without either, each
/// new question, the thanks, a wrong PIN, is read out as it comes.
#[test]
fn what_comes_on_screen_without_the_readers_own_step_is_read_out() {
    let kiosk = TestKiosk::start();
    kiosk.tap("Napauta ja vastaa");
    let polite = Some(AccessibleLiveness::Polite);
    let first = "Millainen tilaisuus oli kokonaisuutena?";
    assert_eq!(kiosk.live_region(first), polite);
    kiosk.answer("Hyvä");
    assert_eq!(kiosk.live_region("Tuliko äänesi kuulluksi?"), polite);
    kiosk.answer("Kyllä");
    kiosk.answer("Ehkä");
    assert_eq!(kiosk.live_region("Kiitos!"), polite);
    kiosk.wait_out_thanks();

    press_corner(&kiosk, 3100);
    type_pin(&kiosk, "1111");
    let wrong = "Väärä PIN-koodi. Yrityksiä jäljellä: 2.";
    assert_eq!(
        kiosk.live_region(wrong),
        Some(AccessibleLiveness::Assertive)
    );
}

#[test]
fn a_respondent_left_alone_is_asked_whether_they_need_more_time_and_one_tap_goes_on() {
    const ASKED: &str = "Tarvitsetko lisää aikaa?";
    let kiosk = TestKiosk::start();
    kiosk.tap("Napauta ja vastaa");
    kiosk.answer("Huono");
    kiosk.wait(14_000);
    assert!(!kiosk.has(ASKED), "not yet");
    kiosk.wait(1_000);
    assert!(kiosk.has(ASKED), "asked 15 s before the 30 s idle reset");
    assert_eq!(
        kiosk.live_region(ASKED),
        Some(AccessibleLiveness::Assertive),
        "whoever was reading elsewhere hears it at once"
    );
    assert!(kiosk.has("Kysely alkaa alusta 15\u{a0}sekunnin\u{a0}kuluttua."));
    kiosk.wait(1_000);
    assert!(
        kiosk.has("Kysely alkaa alusta 14\u{a0}sekunnin\u{a0}kuluttua."),
        "counting down"
    );

    // The question alone shows: nothing of the page to tap or read out by mistake.
    assert!(!kiosk.has("Takaisin") && !kiosk.has("Osittain"));
    // A tap anywhere answers it, and the question comes back as it was.
    kiosk.tap(ASKED);
    assert!(!kiosk.has(ASKED));
    assert_eq!(kiosk.question().0, 2, "still the second question");
    assert!(kiosk.has("Takaisin") && kiosk.has("Osittain"));

    // Asked again when left again, and "Continue" answers it too.
    kiosk.wait(15_000);
    assert!(kiosk.has(ASKED));
    kiosk.tap("Jatka");
    assert!(!kiosk.has(ASKED));
    kiosk.wait(14_000);
    assert_eq!(
        kiosk.screen(),
        Screen::Question,
        "the idle time starts over"
    );
    kiosk.answer("Kyllä");
    kiosk.answer("En");
    let rows = kiosk.stored(1);
    assert!(rows[0].response.complete);
    assert_eq!(values(&rows[0])[0].1, AnswerValue::Face { score: 2 });
}

#[test]
fn a_respondent_can_answer_with_keys_alone_and_a_touch_shows_no_focus_ring() {
    let kiosk = TestKiosk::start();
    assert_eq!(kiosk.focused(), None);
    // Tab goes from control to control; Enter presses the one in focus.
    let mut tabs = 0;
    while kiosk.focused().as_deref() != Some("Napauta ja vastaa") {
        kiosk.press(Key::Tab);
        tabs += 1;
        assert!(
            tabs < 10,
            "Tab never reached the start: {:?}",
            kiosk.focused()
        );
    }
    kiosk.press(Key::Return);
    assert_eq!(kiosk.question().0, 1);
    // Each question shows with the focus on its first answer: no Tabbing down from the top.
    let faces = kiosk.option_labels();
    assert_eq!(kiosk.focused(), Some(faces[0].clone()));
    // Left alone, "Do you need more time?" takes the focus, and gives it back when answered.
    kiosk.wait(15_000);
    assert_eq!(kiosk.focused().as_deref(), Some("Jatka"));
    kiosk.press(Key::Return);
    assert!(!kiosk.has("Tarvitsetko lisää aikaa?"));
    assert_eq!(kiosk.focused(), Some(faces[0].clone()));
    kiosk.press(Key::Tab);
    assert_eq!(kiosk.focused(), Some(faces[1].clone()));
    kiosk.press(Key::Space);
    kiosk.wait(400);
    kiosk.settle();
    assert_eq!(kiosk.question().0, 2);
    assert_eq!(kiosk.focused().as_deref(), Some("Kyllä"));
    kiosk.press(Key::Return);
    kiosk.wait(400);
    kiosk.settle();
    assert_eq!(
        kiosk.focused().as_deref(),
        Some("Kyllä"),
        "the third question's"
    );
    kiosk.press(Key::Tab);
    kiosk.press(Key::Tab);
    assert_eq!(kiosk.focused().as_deref(), Some("En"));
    kiosk.press(Key::Return);
    let rows = kiosk.stored(1);
    assert_eq!(
        values(&rows[0]),
        vec![
            ("overall".into(), AnswerValue::Face { score: 2 }),
            ("heard".into(), choice("yes")),
            ("again".into(), choice("no")),
        ]
    );

    // The next person touches: no ring follows them from screen to screen.
    kiosk.wait_out_thanks();
    assert_eq!(kiosk.screen(), Screen::Attract);
    kiosk.tap("Napauta ja vastaa");
    assert_eq!(kiosk.focused(), None, "a touch shows no focus ring");
}

#[test]
fn a_last_answer_given_as_the_kiosk_stops_is_stored_complete() {
    let kiosk = TestKiosk::start();
    kiosk.tap("Napauta ja vastaa");
    kiosk.answer("Hyvä");
    kiosk.answer("Osittain");
    // Stopped while the last answer is still highlighted, before the thank-you screen.
    kiosk.tap_at_once("En");
    assert_eq!(kiosk.screen(), Screen::Question);
    let setup = kiosk.stop();

    let db = Database::open_for_reading(&setup.database(), &store_options()).unwrap();
    let rows = stored_rows(&db);
    assert_eq!(rows.len(), 1);
    assert!(rows[0].response.complete);
    assert_eq!(
        values(&rows[0]),
        vec![
            ("overall".into(), AnswerValue::Face { score: 4 }),
            ("heard".into(), choice("partly")),
            ("again".into(), choice("no")),
        ]
    );
}

#[test]
fn idle_reset_drops_the_partial_answer_when_configured_to() {
    let setup = Setup::demo();
    setup.edit("kiosk.toml", "keep_partial = true", "keep_partial = false");
    let kiosk = TestKiosk::start_with(setup);
    kiosk.tap("Napauta ja vastaa");
    kiosk.answer("Huono");
    kiosk.wait(30_000);
    assert_eq!(kiosk.screen(), Screen::Attract);
    // A response finished after the reset is the first and only row.
    kiosk.tap("Napauta ja vastaa");
    kiosk.answer("Hyvä");
    kiosk.answer("Ei");
    kiosk.answer("En");
    let rows = kiosk.stored(1);
    assert!(rows[0].response.complete);
}

#[test]
fn the_cooldown_ignores_taps_right_after_a_submit() {
    let kiosk = TestKiosk::start();
    kiosk.tap("Napauta ja vastaa");
    kiosk.answer("Hyvä");
    kiosk.answer("Kyllä");
    kiosk.answer("Kyllä");
    assert_eq!(kiosk.screen(), Screen::Thanks);
    // The thank-you came 400 ms after the last tap, and the cooldown runs 2 s from then.
    kiosk.tap_background("ThanksPage"); // 0.9 s after the last tap
    kiosk.wait(400);
    kiosk.tap_background("ThanksPage"); // 1.8 s
    assert_eq!(
        kiosk.screen(),
        Screen::Thanks,
        "taps within the 2 s cooldown do nothing"
    );
    kiosk.wait(200);
    kiosk.tap_background("ThanksPage"); // 2.5 s
    assert_eq!(
        kiosk.screen(),
        Screen::Attract,
        "after it, a tap makes room for the next person"
    );
    kiosk.stored(1);
}

#[test]
fn switching_language_mid_survey_keeps_the_answers_given() {
    let kiosk = TestKiosk::start();
    kiosk.tap("Napauta ja vastaa");
    kiosk.answer("Kohtalainen");
    kiosk.tap("Svenska (SV)");
    assert_eq!(kiosk.question(), (2, "Blev din röst hörd?".into()));
    assert!(kiosk.has("Tillbaka"), "the chrome is translated too");
    kiosk.tap("Tillbaka");
    assert_eq!(
        kiosk.selected(),
        [false, false, true, false, false],
        "the first answer is still there"
    );
    kiosk.answer("Varken bra eller dåligt");
    kiosk.answer("Delvis");
    kiosk.tap("English (EN)");
    assert_eq!(kiosk.question(), (3, "Would you take part again?".into()));
    kiosk.answer("Yes");
    let rows = kiosk.stored(1);
    assert_eq!(rows[0].response.language, Language::En);
    assert_eq!(
        values(&rows[0]),
        vec![
            ("overall".into(), AnswerValue::Face { score: 3 }),
            ("heard".into(), choice("partly")),
            ("again".into(), choice("yes")),
        ]
    );
    assert!(
        kiosk.has("Thank you!"),
        "thanked in the language they finished in"
    );
}

#[test]
fn the_next_respondent_starts_clean_in_the_default_language() {
    let kiosk = TestKiosk::start();
    kiosk.tap("Napauta ja vastaa");
    kiosk.tap("English (EN)");
    kiosk.answer("Very bad");
    kiosk.answer("No");
    kiosk.answer("No");
    kiosk.wait_out_thanks();
    assert_eq!(kiosk.screen(), Screen::Attract);
    assert!(kiosk.has("Napauta ja vastaa"), "back in Finnish");
    kiosk.tap("Napauta ja vastaa");
    assert_eq!(kiosk.question().0, 1);
    assert_eq!(
        kiosk.selected(),
        [false; 5],
        "nothing of the last person's answers shows"
    );
    kiosk.tap("Takaisin");
    assert_eq!(kiosk.screen(), Screen::Attract);
}

#[test]
fn a_store_that_cannot_write_shows_out_of_order_and_recovers_by_itself() {
    let kiosk = TestKiosk::start();
    let respond = || {
        kiosk.tap("Napauta ja vastaa");
        kiosk.answer("Hyvä");
        kiosk.answer("Kyllä");
        kiosk.answer("Kyllä");
    };
    respond();
    kiosk.stored(1);
    kiosk.wait_out_thanks();

    // Another process takes the write lock: the store's writes fail.
    let blocker = rusqlite::Connection::open(kiosk.setup.database()).unwrap();
    blocker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    respond();
    kiosk.wait_for_screen(Screen::OutOfOrder);
    assert!(!kiosk.has("Napauta ja vastaa"), "no answers are taken");
    // Staff called over read why on the panel, before anything else.
    open_panel(&kiosk);
    let failure = kiosk.ui.global::<KioskState>().get_store_failure();
    assert!(failure.contains("locked"), "{failure}");
    // In the panel's language, not SQLite's.
    let warning = "Vastauksia ei voi tallentaa: toinen ohjelma käyttää vastausvarastoa. Asukkaat \
         näkevät ilmoituksen ”Tilapäisesti poissa käytöstä”. Annetut vastaukset säilytetään \
         muistissa, kunnes tallennus taas onnistuu.";
    assert!(kiosk.has(warning), "the panel does not say: {warning}");
    kiosk.tap("Sulje");

    blocker.execute_batch("ROLLBACK").unwrap();
    kiosk.wait_for_screen(Screen::Attract);
    assert_eq!(kiosk.ui.global::<KioskState>().get_store_failure(), "");
    let rows = kiosk.stored(2);
    assert!(
        rows[1].response.complete,
        "the answer held during the failure was written"
    );
}

/// The results screen's bars of question `q`, as (label, percent, mine), once they show.
fn result_bars(kiosk: &TestKiosk, q: usize) -> Option<Vec<(String, i32, bool)>> {
    let state = kiosk.ui.global::<KioskState>();
    let question = state.get_results().iter().nth(q)?;
    question.shown.then(|| {
        question
            .bars
            .iter()
            .map(|b| (b.label.to_string(), b.percent, b.mine))
            .collect()
    })
}

/// The library poll, its results shown from three answers on (the least allowed).
fn poll_showing_results_at_three() -> Setup {
    let setup = Setup::library_poll();
    setup.edit(
        "surveys/library-poll.toml",
        "results_minimum = 5",
        "results_minimum = 3",
    );
    setup
}

/// A library poll at `size` whose results show from three answers on, and three voters who
/// each tap `first` (a language, the text size) on the start screen and then vote in its
/// `words` (start, a picture, a time of day, done): the results are up for the third.
fn poll_with_results_up(
    size: (u32, u32),
    first: Option<&str>,
    [start, picture, time, done]: [&str; 4],
) -> TestKiosk {
    let kiosk = TestKiosk::start_with(poll_showing_results_at_three());
    kiosk.resize(size.0, size.1);
    for voter in 1..=3 {
        kiosk.wait(2000); // past the cooldown
        if let Some(first) = first {
            kiosk.tap(first);
        }
        kiosk.tap(start);
        kiosk.answer(picture);
        kiosk.tap(time);
        kiosk.tap(done);
        kiosk.stored(voter);
        if voter < 3 {
            kiosk.wait(2000); // past the cooldown
            kiosk.tap(done);
        }
    }
    kiosk.wait_for("the results show", || result_bars(&kiosk, 1).is_some());
    kiosk
}

const FINNISH_VOTE: [&str; 4] = ["Napauta ja vastaa", "Pelejä", "Iltaisin", "Valmis"];

/// On a small screen a poll's results scroll: swiping them is reading them, and keeps them
/// up as a touch does.
#[test]
fn swiping_the_results_keeps_them_up() {
    let kiosk = poll_with_results_up((800, 480), None, FINNISH_VOTE);
    let bar = || {
        kiosk
            .one_spoken("Iltaisin: 100 %, oma valintasi")
            .absolute_position()
    };
    let before = bar();
    // Every 4 s a swipe up, for longer than the results stay up untouched (10 s).
    for _ in 0..4 {
        kiosk.wait(4000);
        kiosk.swipe_up(400.0, 300.0, 200.0);
    }
    assert_eq!(kiosk.screen(), Screen::Results, "still up after 16 s");
    assert!(bar().y < before.y, "the results scrolled: {before:?}");
}

/// Side by side, two questions' bars start level, though one question takes two lines.
#[test]
fn results_side_by_side_start_level() {
    let swedish = ["Tryck och svara", "Spel", "På kvällarna", "Klar"];
    let kiosk = poll_with_results_up((1280, 800), Some("Svenska (SV)"), swedish);
    let size = |label: &str| kiosk.one_spoken(label).size();
    assert!(
        size("Vad borde biblioteket satsa mer på?").height
            > size("När besöker du biblioteket?").height * 1.5,
        "the first question takes two lines, the second one"
    );
    // Nobody chose either question's first answer.
    let first_bar = |label: &str| kiosk.one_spoken(label).absolute_position().y;
    assert_eq!(
        first_bar("Längre öppettider: 0 %"),
        first_bar("På morgnarna: 0 %")
    );
}

/// On an upright screen in large text too, every bar of the results has the same track, so
/// a share is drawn as long in one question as in the next.
#[test]
fn every_result_bar_is_drawn_to_one_scale() {
    let large_text = Some("Suurempi teksti (A+)");
    let kiosk = poll_with_results_up((800, 1280), large_text, FINNISH_VOTE);
    let tracks: Vec<_> = ElementHandle::find_by_element_type_name(&kiosk.ui, "ShareBar")
        .map(|bar| (bar.absolute_position().x, bar.size().width))
        .collect();
    // The first question's four, and the second's that are not scrolled out of sight.
    assert!(tracks.len() > 4, "both questions' bars: {tracks:?}");
    assert!(tracks.iter().all(|&track| track == tracks[0]), "{tracks:?}");
}

#[test]
fn a_poll_shows_results_after_voting_from_the_minimum_on_and_in_steps() {
    let kiosk = TestKiosk::start_with(poll_showing_results_at_three());
    // One vote: a pictured option, then any number of times of day and "Done".
    let vote = |add: &str, when: &[&str]| {
        kiosk.wait(2000); // past the cooldown
        kiosk.tap("Napauta ja vastaa");
        assert_eq!(kiosk.role(add), AccessibleRole::RadioButton, "one of a set");
        kiosk.answer(add);
        assert_eq!(kiosk.question().0, 2);
        kiosk.tap("Valmis");
        assert_eq!(
            kiosk.question().0,
            2,
            "done with nothing picked does nothing"
        );
        for &label in when {
            assert_eq!(
                kiosk.role(label),
                AccessibleRole::Checkbox,
                "one of several"
            );
            kiosk.tap(label);
        }
        assert_eq!(kiosk.question().0, 2, "picks do not move on");
        let picked = kiosk.selected().iter().filter(|&&p| p).count();
        assert_eq!(picked, when.len(), "each pick shows as checked");
        kiosk.tap("Valmis");
        assert_eq!(kiosk.screen(), Screen::Results);
    };
    let expect = |q: usize, bars: [(&str, i32, bool); 4], what: &str| {
        let expected: Vec<_> = bars.iter().map(|&(l, p, m)| (l.to_owned(), p, m)).collect();
        kiosk.wait_for(what, || result_bars(&kiosk, q).as_ref() == Some(&expected));
    };

    for (voted, (option, when)) in [("Pelejä", "Iltaisin"), ("Pelejä", "Aamuisin")]
        .into_iter()
        .enumerate()
    {
        vote(option, &[when]);
        // The store reports the commit in real time; give it that, then check nothing shows.
        kiosk.stored(voted as u64 + 1);
        std::thread::sleep(Duration::from_millis(50));
        kiosk.wait(400);
        assert_eq!(
            result_bars(&kiosk, 0),
            None,
            "{} votes are not enough to show",
            voted + 1
        );
        assert_eq!(result_bars(&kiosk, 1), None);
        assert!(kiosk.has("Tulokset näkyvät, kun 3 ihmistä on vastannut."));
        // Thanked, but not promised results over none.
        assert!(kiosk.has("Kiitos!"));
        assert!(!kiosk.has("Kiitos! Tulokset tähän mennessä:"));
        kiosk.wait(2000); // taps during the cooldown do nothing
        // Someone reading may touch the results, or a bar: they stay up, for longer.
        kiosk.tap_background("ResultsPage");
        kiosk.wait(9000);
        assert_eq!(kiosk.screen(), Screen::Results);
        assert_eq!(
            result_bars(&kiosk, 0),
            None,
            "nor once the report is surely heard"
        );
        kiosk.tap("Valmis");
        assert_eq!(kiosk.screen(), Screen::Attract);
    }

    vote("Hiljaisia tiloja", &["Aamuisin", "Iltaisin"]);
    expect(
        0,
        [
            ("Pidempiä aukioloaikoja", 0, false),
            ("Hiljaisia tiloja", 33, true),
            ("Lasten tapahtumia", 0, false),
            ("Pelejä", 67, false),
        ],
        "three votes show, the voter's own marked",
    );
    assert!(kiosk.has("Hiljaisia tiloja: 33 %, oma valintasi"));
    assert!(kiosk.has("Kiitos! Tulokset tähän mennessä:"));
    assert!(
        kiosk.has("3 ihmistä on vastannut"),
        "what the shares are of"
    );
    // A multiple choice: each bar is its share of the respondents.
    expect(
        1,
        [
            ("Aamuisin", 67, true),
            ("Päivisin", 0, false),
            ("Iltaisin", 67, true),
            ("Viikonloppuisin", 0, false),
        ],
        "both picks are marked as the voter's",
    );
    kiosk.wait(10_000);
    assert_eq!(
        kiosk.screen(),
        Screen::Attract,
        "the results give way by themselves"
    );

    // The next two votes do not move the totals: a change would tell what they were.
    for (voted, when) in [(4, "Viikonloppuisin"), (5, "Päivisin")] {
        vote("Pelejä", &[when]);
        kiosk.stored(voted);
        // Let the commit's report reach the screen before looking.
        std::thread::sleep(Duration::from_millis(50));
        kiosk.wait(400);
        expect(
            0,
            [
                ("Pidempiä aukioloaikoja", 0, false),
                ("Hiljaisia tiloja", 33, false),
                ("Lasten tapahtumia", 0, false),
                ("Pelejä", 67, true),
            ],
            "the totals stay at the last step",
        );
        assert!(kiosk.has("3 ihmistä on vastannut"), "so does the count");
        assert!(!kiosk.has(&format!("{voted} ihmistä on vastannut")));
        kiosk.wait(2000);
        kiosk.tap("Valmis");
    }

    vote("Pelejä", &["Iltaisin", "Viikonloppuisin"]);
    expect(
        0,
        [
            ("Pidempiä aukioloaikoja", 0, false),
            ("Hiljaisia tiloja", 17, false),
            ("Lasten tapahtumia", 0, false),
            ("Pelejä", 83, true),
        ],
        "the sixth vote completes the next step",
    );
    expect(
        1,
        [
            ("Aamuisin", 33, false),
            ("Päivisin", 17, false),
            ("Iltaisin", 50, true),
            ("Viikonloppuisin", 33, true),
        ],
        "picks count per respondent",
    );
    assert!(kiosk.has("6 ihmistä on vastannut"));
    let rows = kiosk.stored(6);
    assert!(rows.iter().all(|r| r.device_id == "demo-library-1"));
    assert_eq!(
        values(&rows[5])[1],
        (
            "when".into(),
            AnswerValue::Choices {
                options: vec!["evenings".into(), "weekends".into()]
            }
        ),
        "picks are stored in screen order"
    );
}

#[test]
fn contrast_and_text_size_switch_with_one_tap_and_are_recorded_with_the_response() {
    let kiosk = TestKiosk::start();
    let theme = || {
        let theme = kiosk.ui.global::<hetki::ui::Theme>();
        (theme.get_high_contrast(), theme.get_large_text())
    };
    let checked = |label: &str| {
        ElementHandle::find_by_accessible_label(&kiosk.ui, label)
            .next()
            .unwrap()
            .accessible_checked()
    };
    assert_eq!(theme(), (false, false));
    assert_eq!(checked("Suuri kontrasti"), Some(false));
    // The languages are a set: the ones not chosen are read as not chosen, not as plain buttons.
    for (language, chosen) in [
        ("Suomi (FI)", true),
        ("Svenska (SV)", false),
        ("English (EN)", false),
    ] {
        let button = ElementHandle::find_by_accessible_label(&kiosk.ui, language)
            .next()
            .unwrap();
        assert_eq!(button.accessible_checkable(), Some(true), "{language}");
        assert_eq!(button.accessible_role(), Some(AccessibleRole::RadioButton));
        assert_eq!(button.accessible_checked(), Some(chosen), "{language}");
    }
    assert_eq!(kiosk.role("Suuri kontrasti"), AccessibleRole::Switch);
    assert_eq!(kiosk.role("Suurempi teksti (A+)"), AccessibleRole::Switch);
    kiosk.tap("Suuri kontrasti");
    kiosk.tap("Suurempi teksti (A+)");
    assert_eq!(theme(), (true, true));
    assert_eq!(checked("Suuri kontrasti"), Some(true));
    assert_eq!(checked("Suurempi teksti (A+)"), Some(true));
    assert_eq!(
        kiosk.screen(),
        Screen::Attract,
        "a switch does not start the survey"
    );

    kiosk.tap("Napauta ja vastaa");
    assert_eq!(theme(), (true, true), "the look stays through the survey");
    assert!(
        kiosk.has("Kysymys 1, kysymyksiä yhteensä 3"),
        "progress in words, not as the fraction shown"
    );
    kiosk.answer("Hyvä");
    kiosk.answer("Kyllä");
    kiosk.answer("Ehkä");
    let rows = kiosk.stored(1);
    assert_eq!(
        rows[0].response.display,
        hetki_protocol::Display {
            theme: hetki_protocol::DisplayTheme::HighContrast,
            large_text: true
        }
    );
    assert_eq!(theme(), (true, true), "thanked in the same look");
    kiosk.wait_out_thanks();
    assert_eq!(kiosk.screen(), Screen::Attract);
    assert_eq!(
        theme(),
        (false, false),
        "the next person starts with the defaults"
    );

    // Switched on and then left alone, the attract screen goes back to the defaults.
    kiosk.tap("Suuri kontrasti");
    assert_eq!(theme(), (true, false));
    kiosk.wait(31_000);
    assert_eq!(theme(), (false, false));
}

/// Presses the top-left corner for `ms` of mock time.
fn press_corner(kiosk: &TestKiosk, ms: u64) {
    use slint::LogicalPosition;
    use slint::platform::WindowEvent;
    let position = LogicalPosition::new(20.0, 20.0);
    let window = kiosk.ui.window();
    window.dispatch_event(WindowEvent::PointerPressed {
        position,
        button: PointerEventButton::Left,
    });
    kiosk.wait(ms);
    window.dispatch_event(WindowEvent::PointerReleased {
        position,
        button: PointerEventButton::Left,
    });
    kiosk.settle();
}

/// Types `pin` and OK, and waits for the kiosk to check it.
fn type_pin(kiosk: &TestKiosk, pin: &str) {
    type_digits(kiosk, pin);
    kiosk.tap("OK");
    wait_for_pin_check(kiosk);
}

fn type_digits(kiosk: &TestKiosk, pin: &str) {
    for digit in pin.chars() {
        kiosk.tap(&digit.to_string());
    }
}

/// The PIN is checked on a thread of its own, in real time; the pad takes its result at a
/// mock-time tick.
fn wait_for_pin_check(kiosk: &TestKiosk) {
    let state = kiosk.ui.global::<KioskState>();
    wait_until("the PIN is checked", || {
        kiosk.wait(20);
        !state.get_pin_checking()
    });
}

/// The PIN's hash is slow on purpose (a quarter of a second on a Raspberry Pi 4): the pad
/// says it is checking, rests its keys meanwhile, and the screen does not freeze.
#[test]
fn the_pad_says_it_is_checking_a_pin_and_rests_its_keys_meanwhile() {
    let kiosk = TestKiosk::start();
    let state = kiosk.ui.global::<KioskState>();
    press_corner(&kiosk, 3100);
    type_digits(&kiosk, "2468");
    // No time passes after the tap: the check's result cannot have been taken yet.
    kiosk.tap_at_once("OK");
    assert_eq!(
        kiosk.screen(),
        Screen::Pin,
        "the tap returned before the check"
    );
    assert!(state.get_pin_checking());
    assert!(kiosk.has("Tarkistetaan…"));
    assert_eq!(state.get_pin_digits(), 4, "the dots stay");
    let five = spoken(&kiosk.ui, "5");
    assert_eq!(five[0].accessible_enabled(), Some(false), "the keys rest");
    wait_for_pin_check(&kiosk);
    assert_eq!(kiosk.screen(), Screen::Panel);
}

/// Someone trying PINs at a kiosk left alone: each lock in a row lasts twice as long, and
/// pulling the plug does not lift one.
#[test]
fn wrong_pins_lock_the_pad_longer_each_time_and_a_restart_does_not_lift_the_lock() {
    let kiosk = TestKiosk::start();
    let state = kiosk.ui.global::<KioskState>();
    let three_wrong = |kiosk: &TestKiosk| {
        press_corner(kiosk, 3100);
        for pin in ["1111", "1234", "0000"] {
            type_pin(kiosk, pin);
        }
    };
    three_wrong(&kiosk);
    assert_eq!(state.get_pin_lock_minutes(), 1);
    kiosk.tap("Peruuta");
    kiosk.wait(61_000);
    // A lock that ran out stays over after a restart: the next three wrong PINs are
    // counted, and lock the pad for longer.
    let kiosk = TestKiosk::restart_with(kiosk.power_cut());
    let state = kiosk.ui.global::<KioskState>();
    three_wrong(&kiosk);
    assert_eq!(state.get_pin_lock_minutes(), 2);
    assert!(kiosk.has("Liian monta väärää PIN-koodia. Yritä uudelleen 2 minuutin päästä."));

    let setup = kiosk.power_cut();
    let kiosk = TestKiosk::restart_with(setup);
    let state = kiosk.ui.global::<KioskState>();
    press_corner(&kiosk, 3100);
    assert_eq!(kiosk.screen(), Screen::Pin);
    assert_eq!(
        state.get_pin_lock_minutes(),
        2,
        "locked again from the restart"
    );
    type_pin(&kiosk, "2468");
    assert_eq!(kiosk.screen(), Screen::Pin, "even the right PIN waits");
    kiosk.tap("Peruuta");
    kiosk.wait(121_000);
    press_corner(&kiosk, 3100);
    assert_eq!(state.get_pin_lock_minutes(), 0);
    type_pin(&kiosk, "2468");
    assert_eq!(kiosk.screen(), Screen::Panel);
    // The right PIN starts again from a minute, after a restart too.
    kiosk.tap("Sulje");
    let setup = kiosk.power_cut();
    let kiosk = TestKiosk::restart_with(setup);
    let state = kiosk.ui.global::<KioskState>();
    three_wrong(&kiosk);
    assert_eq!(state.get_pin_lock_minutes(), 1);
}

#[test]
fn staff_open_the_panel_with_a_long_press_and_the_pin_and_export_from_it() {
    let setup = Setup::demo();
    setup.edit(
        "kiosk.toml",
        "export_dir = \"../data\"",
        "export_dir = \"usb\"",
    );
    std::fs::create_dir(setup.path("usb")).unwrap();
    let kiosk = TestKiosk::start_with(setup);

    // A short press in the corner is just a tap: it starts the survey.
    press_corner(&kiosk, 300);
    assert_eq!(kiosk.screen(), Screen::Question);
    kiosk.answer("Hyvä");
    kiosk.answer("Kyllä");
    kiosk.answer("Ehkä");
    kiosk.stored(1);
    kiosk.wait_out_thanks();
    assert_eq!(kiosk.screen(), Screen::Attract);

    press_corner(&kiosk, 3100);
    assert_eq!(kiosk.screen(), Screen::Pin);
    let state = kiosk.ui.global::<KioskState>();
    type_pin(&kiosk, "1111");
    assert_eq!(state.get_pin_tries_left(), 2);
    assert_eq!(state.get_pin_digits(), 0, "a wrong PIN is cleared");
    type_pin(&kiosk, "1234");
    type_pin(&kiosk, "0000");
    assert_eq!(state.get_pin_lock_minutes(), 1);
    assert!(kiosk.has("Liian monta väärää PIN-koodia. Yritä uudelleen 1 minuutin päästä."));
    let five = spoken(&kiosk.ui, "5");
    assert_eq!(five[0].accessible_enabled(), Some(false), "the keys rest");
    type_pin(&kiosk, "2468");
    assert_eq!(
        kiosk.screen(),
        Screen::Pin,
        "locked: even the right PIN waits"
    );
    assert_eq!(state.get_pin_digits(), 0);
    // Well within the pad's idle timeout (30 s): waiting for the slow hash of the third
    // wrong PIN let mock time pass too, the more the busier the machine.
    kiosk.wait(5_000);
    kiosk.tap("Peruuta");
    assert_eq!(kiosk.screen(), Screen::Attract);
    // Opened again within the minute, the pad says it is locked before a PIN is typed.
    press_corner(&kiosk, 3100);
    assert_eq!(state.get_pin_lock_minutes(), 1);
    kiosk.tap("Peruuta");
    kiosk.wait(53_000);
    press_corner(&kiosk, 3100);
    type_digits(&kiosk, "2468");
    kiosk.tap_at_once("OK");
    wait_for_pin_check(&kiosk);
    assert_eq!(kiosk.screen(), Screen::Panel, "the lock has passed");
    // The buffer is read on a thread of its own, the screen's thread never waits on it: the
    // figures show once the UI's timer hears back.
    assert_eq!(state.get_panel().total, "…");
    assert_eq!(state.get_panel().device_id, "demo-kiosk-1");
    kiosk.wait_for("the panel has read the buffer", || {
        state.get_panel().total != "…"
    });
    let panel = state.get_panel();
    assert_eq!(panel.device_id, "demo-kiosk-1");
    assert_eq!(panel.total, "1");
    assert_eq!(panel.pending, "1");
    let version = env!("CARGO_PKG_VERSION");
    assert!(kiosk.has(&format!("Laite: demo-kiosk-1 · Hetki {version}")));
    assert!(kiosk.has("Viimeisin virhe: –"));
    // While the panel is open its facts are read again, on a thread of their own.
    let simulated = kiosk.setup.hetki(&["simulate", "--real", "--count", "1"]);
    assert!(simulated.status.success(), "{simulated:?}");
    let buffer =
        Database::open_existing(&kiosk.setup.config().database_path(), &Default::default());
    let failed_at = "2026-11-24T10:15:00Z".parse().unwrap();
    let revoked = "401 Unauthorized: this device's token has been revoked";
    buffer
        .unwrap()
        .record_upload_error(revoked, UploadTrouble::TokenRefused, failed_at)
        .unwrap();
    wait_until("the panel counts the new answer", || {
        kiosk.wait(500);
        state.get_panel().total == "2"
    });
    assert_eq!(state.get_panel().pending, "2");
    // An upload error in the staff's language, at Helsinki time, with the collector's words
    // under it for whoever looks after the device.
    assert!(
        kiosk.has(
            "Viimeisin virhe: 24.11.2026 klo 12.15 – keräyspalvelin ei hyväksy laitteen avainta"
        )
    );
    assert!(kiosk.has(revoked));

    kiosk.tap_at_once("Vie CSV");
    // Shown until the UI's timer hears from the export's thread.
    assert!(kiosk.has("Viedään…"));
    kiosk.wait_for("the export is done", || state.get_panel_notice() != 6);
    assert_eq!(
        state.get_panel_notice(),
        3,
        "{}",
        state.get_panel_notice_detail()
    );
    assert_eq!(state.get_panel_notice_count(), 2);
    assert_eq!(state.get_panel_notice_pruned(), 0, "nothing pruned yet");
    let files: Vec<_> = std::fs::read_dir(kiosk.setup.path("usb"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let csv = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        csv.starts_with("\u{feff}survey_id;event_name;event_place;"),
        "what staff take away: {csv}"
    );
    assert_eq!(csv.lines().count(), 3, "a header and the two answers");
    for row in kiosk.stored(2) {
        let id = row.response.id.to_string();
        assert!(!csv.contains(&id), "no {id} in {csv}");
    }
    assert!(
        csv.lines().skip(1).all(
            |line| line.contains(";Asukasilta: Leppävaaran keskus;") && line.contains(":00 +0")
        ),
        "{csv}"
    );

    // The stick pulled out: said in Finnish, not in the system's English.
    std::fs::remove_dir_all(kiosk.setup.path("usb")).unwrap();
    kiosk.tap_at_once("Vie CSV");
    kiosk.wait_for("the export has failed", || state.get_panel_notice() != 6);
    assert!(
        kiosk.has("Vienti epäonnistui: kansiota ei löydy (onko USB-muisti paikallaan?)"),
        "{}",
        state.get_panel_notice_detail()
    );

    kiosk.tap("Lähetä nyt");
    assert_eq!(state.get_panel_notice(), 2, "no collector in the demo");

    kiosk.tap("Sulje");
    assert_eq!(kiosk.screen(), Screen::Attract);
    // Left open, the panel closes by itself.
    press_corner(&kiosk, 3100);
    type_pin(&kiosk, "2468");
    assert_eq!(kiosk.screen(), Screen::Panel);
    kiosk.wait(121_000);
    assert_eq!(kiosk.screen(), Screen::Attract);
}

fn open_panel(kiosk: &TestKiosk) {
    press_corner(kiosk, 3100);
    type_pin(kiosk, "2468");
    assert_eq!(kiosk.screen(), Screen::Panel);
}

#[test]
fn staff_scrolling_the_panel_keep_it_open_and_each_tab_starts_at_its_top() {
    // A season's events are more than a 7" screen shows between the tabs and the buttons.
    let setup = Setup::demo();
    let more: String = (1..=4)
        .map(|n| format!("[[events]]\nname = \"Asukasilta {n}\"\nplace = \"Sello\"\n\n"))
        .collect();
    setup.edit("kiosk.toml", "[timing]", &format!("{more}[timing]"));
    let kiosk = TestKiosk::start_with(setup);
    kiosk.resize(800, 480);
    open_panel(&kiosk);
    let device = format!("Laite: demo-kiosk-1 · Hetki {}", env!("CARGO_PKG_VERSION"));
    let fact = || kiosk.one_spoken(&device).absolute_position().y;
    let state_top = fact();
    kiosk.tap("Kysely ja tapahtuma");
    let tab = |label: &str| kiosk.one_spoken(label);
    assert_eq!(
        tab("Kysely ja tapahtuma").accessible_role(),
        Some(AccessibleRole::Tab)
    );
    assert_eq!(
        tab("Kysely ja tapahtuma").accessible_item_selected(),
        Some(true)
    );
    assert_eq!(tab("Laitteen tila").accessible_item_selected(), Some(false));
    let choice = || kiosk.one_spoken("Pikakysely").absolute_position().y;
    let top = choice();
    // A swipe a minute, for longer than the panel stays open untouched (2 minutes).
    for _ in 0..4 {
        kiosk.wait(60_000);
        kiosk.swipe_up(400.0, 300.0, 200.0);
    }
    assert_eq!(kiosk.screen(), Screen::Panel, "still open after 4 minutes");
    assert!(choice() < top, "the list scrolled: {} from {top}", choice());
    // Each tab starts at its top, whatever was scrolled on the other.
    kiosk.tap("Laitteen tila");
    assert_eq!(fact(), state_top, "the state tab starts at its top");
    kiosk.tap("Kysely ja tapahtuma");
    assert_eq!(choice(), top, "and so does this one, again");
    kiosk.wait(121_000);
    assert_eq!(kiosk.screen(), Screen::Attract, "left alone, it closes");
}

#[test]
fn staff_switch_survey_event_and_test_mode_and_the_choices_outlive_a_restart() {
    let kiosk = TestKiosk::start();
    open_panel(&kiosk);
    kiosk.tap("Kysely ja tapahtuma");
    assert!(!kiosk.has("Valittu tässä. Ohittaa tiedoston kiosk.toml asetukset."));
    kiosk.tap("Pikakysely");
    // Staff tell one evening from another of the season by its day (marked on the day).
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Helsinki)
        .date_naive();
    let elsewhen = today != chrono::NaiveDate::from_ymd_opt(2027, 1, 21).unwrap();
    let on_the_day = if elsewhen { "" } else { "Tänään " };
    kiosk.tap(&format!(
        "Asukasilta: Espoon keskus\n{on_the_day}21.1.2027 · Entressen kirjasto · Vanha-Espoo · \
         Kaupunkisuunnittelu"
    ));
    kiosk.tap("Testitila");
    assert!(kiosk.has("Valittu tässä. Ohittaa tiedoston kiosk.toml asetukset."));
    kiosk.tap("Sulje");
    // Opened again, the panel starts from the device's state, where the warnings are: the
    // evening chosen is on another day (but on that day itself).
    open_panel(&kiosk);
    assert_eq!(kiosk.ui.global::<KioskState>().get_panel_tab(), 0);
    assert!(kiosk.has("Testitila on päällä: nyt annettuja vastauksia ei lasketa."));
    assert_eq!(
        kiosk.has(
            "Käytössä olevan tapahtuman päivä on 21.1.2027, ei tänään: nyt annetut vastaukset \
             kirjataan sille. Valitse tämän päivän tapahtuma kohdasta ”Kysely ja tapahtuma”."
        ),
        elsewhen
    );
    kiosk.wait_for("the store's first health report", || {
        kiosk.ui.global::<KioskState>().get_health_known()
    });
    assert_eq!(
        kiosk.ui.global::<KioskState>().get_needs_staff(),
        elsewhen,
        "the start screen's mark asks for staff"
    );
    kiosk.tap("Sulje");

    // Residents now get the poll, told that answers are not counted.
    assert!(kiosk.has("TESTITILA: vastauksia ei lasketa"));
    let state = kiosk.ui.global::<KioskState>();
    assert_eq!(state.get_survey_title(), "Pikakysely");
    assert_eq!(state.get_event_name(), "Asukasilta: Espoon keskus");
    kiosk.tap("Napauta ja vastaa");
    kiosk.answer("Pelejä");
    kiosk.tap("Iltaisin");
    kiosk.tap("Valmis");
    assert_eq!(kiosk.screen(), Screen::Results);
    let rows = kiosk.stored(1);
    let row = &rows[0].response;
    assert!(row.test, "a test answer is flagged");
    assert_eq!(row.survey.id, "library-poll");
    assert_eq!(row.event.area.as_deref(), Some("Vanha-Espoo"));
    assert_eq!(row.event.date.unwrap().to_string(), "2027-01-21");
    let db = Database::open(&kiosk.setup.database(), &store_options()).unwrap();
    assert_eq!(
        db.tally("library-poll", "add").unwrap(),
        vec![],
        "and never counted"
    );
    drop(db);

    // What staff chose is kept across a restart.
    let setup = kiosk.power_cut();
    let kiosk = TestKiosk::restart_with(setup);
    let state = kiosk.ui.global::<KioskState>();
    assert_eq!(state.get_survey_title(), "Pikakysely");
    assert!(kiosk.has("TESTITILA: vastauksia ei lasketa"));

    // Back to the file's settings: the feedback survey, counted answers.
    open_panel(&kiosk);
    kiosk.tap("Kysely ja tapahtuma");
    kiosk.tap("Käytä tiedoston asetuksia");
    assert!(!kiosk.has("Valittu tässä. Ohittaa tiedoston kiosk.toml asetukset."));
    kiosk.tap("Sulje");
    assert!(!kiosk.has("TESTITILA: vastauksia ei lasketa"));
    assert_eq!(state.get_survey_title(), "Palaute tilaisuudesta");
    assert_eq!(state.get_event_name(), "Asukasilta: Leppävaaran keskus");
    assert_eq!(
        state.get_event_day_elsewhen(),
        "",
        "the file's event has no day"
    );
}

#[test]
fn staff_are_told_when_a_setting_cannot_be_kept_and_stale_settings_are_forgotten() {
    let setup = Setup::demo();
    let overrides = hetki::session::Overrides::path(&setup.config().data_dir);
    std::fs::create_dir_all(overrides.parent().unwrap()).unwrap();
    // A survey no longer in the device file, and test mode, as an earlier season left them.
    std::fs::write(
        &overrides,
        r#"{"survey": "winter-poll", "test_mode": true}"#,
    )
    .unwrap();
    let kiosk = TestKiosk::start_with(setup);
    assert!(kiosk.has("TESTITILA: vastauksia ei lasketa"));
    let kept = std::fs::read_to_string(&overrides).unwrap();
    assert!(
        !kept.contains("winter-poll"),
        "rewritten without it: {kept}"
    );

    // A disk that refuses the new file: the change holds, and staff are told it won't last.
    std::fs::create_dir(overrides.with_extension("json.tmp")).unwrap();
    open_panel(&kiosk);
    kiosk.tap("Kysely ja tapahtuma");
    kiosk.tap("Testitila");
    let state = kiosk.ui.global::<KioskState>();
    kiosk.wait_for("staff are told the setting was not saved", || {
        state.get_panel_notice() == 5
    });
    let detail = state.get_panel_notice_detail();
    assert!(detail.contains("Is a directory"), "{detail}");
    kiosk.tap("Sulje");
    assert!(!kiosk.has("TESTITILA: vastauksia ei lasketa"));
}

#[test]
fn the_panel_does_not_wait_for_a_disk_that_hangs_to_save_a_setting() {
    let setup = Setup::demo();
    let overrides = hetki::session::Overrides::path(&setup.config().data_dir);
    let temporary = overrides.with_extension("json.tmp");
    std::fs::create_dir_all(overrides.parent().unwrap()).unwrap();
    // Opening a FIFO for writing blocks until someone reads it: a card that hangs.
    let made = std::process::Command::new("mkfifo")
        .arg(&temporary)
        .status();
    assert!(made.unwrap().success());
    // Should the tap wait for the disk, this reads the FIFO after a while so that the
    // test fails instead of hanging.
    let (tapped, told) = std::sync::mpsc::channel::<()>();
    let watchdog = {
        let temporary = temporary.clone();
        std::thread::spawn(move || {
            let waited_out = told.recv_timeout(Duration::from_secs(20)).is_err();
            (waited_out, std::fs::read_to_string(&temporary).unwrap())
        })
    };
    let kiosk = TestKiosk::start_with(setup);
    open_panel(&kiosk);
    kiosk.tap("Kysely ja tapahtuma");
    kiosk.tap("Testitila");
    // Closed before the save ends: what staff are told waits for the panel.
    kiosk.tap("Sulje");
    let _ = tapped.send(());
    let (waited_out, written) = watchdog.join().unwrap();
    assert!(!waited_out, "the tap waited for the disk");
    assert!(written.contains(r#""test_mode": true"#), "{written}");
    // A FIFO cannot be synced, so that save fails.
    let state = kiosk.ui.global::<KioskState>();
    kiosk.wait_for("the failure is heard", || state.get_panel_notice() == 5);
    open_panel(&kiosk);
    assert_eq!(
        state.get_panel_notice(),
        5,
        "staff are told the setting was not saved when they open the panel again"
    );
    kiosk.tap("Kysely ja tapahtuma");
    assert_eq!(
        kiosk.one_spoken("Testitila").accessible_checked(),
        Some(true)
    );
}

#[test]
fn an_idle_library_screen_loops_through_results_and_follow_up_notes() {
    let kiosk = TestKiosk::start_with(Setup::library_poll());
    let state = kiosk.ui.global::<KioskState>();
    assert_eq!(state.get_attract_slide(), 0);
    assert!(
        kiosk.has("Mitä kirjastoon pitäisi lisätä?"),
        "a poll invites with its question"
    );
    // Someone on their way to tap it finds the start button where they saw it.
    let start = || {
        let button = kiosk.one_spoken("Napauta ja vastaa");
        (button.absolute_position(), button.size())
    };
    let first_seen = start();
    let still = |slide: &str| assert_eq!(start(), first_seen, "on {slide}");
    // The loop's clock starts on the first tick.
    kiosk.wait(100);
    kiosk.wait(8000);
    assert_eq!(state.get_attract_slide(), 1, "then its results so far");
    assert!(kiosk.has("Tulokset näkyvät, kun 5 ihmistä on vastannut."));
    assert!(kiosk.has("Tulokset tähän mennessä: Mitä kirjastoon pitäisi lisätä?"));
    still("the first results");
    kiosk.wait(8000);
    assert_eq!(state.get_attract_slide(), 1, "question by question");
    assert!(kiosk.has("Tulokset tähän mennessä: Milloin käyt kirjastossa?"));
    assert!(!kiosk.has("Tulokset tähän mennessä: Mitä kirjastoon pitäisi lisätä?"));
    kiosk.wait(8000);
    assert_eq!(state.get_attract_slide(), 2);
    assert!(kiosk.has("Te sanoitte: Lukusalista puuttuu hiljaisuus."));
    still("a note");
    kiosk.wait(8000);
    assert!(kiosk.has("Te sanoitte: Lapsille lisää tekemistä viikonloppuisin."));
    kiosk.wait(8000);
    assert_eq!(state.get_attract_slide(), 0, "and round again");
    // A 7" panel, where the button goes beside the privacy note.
    kiosk.resize(800, 480);
    kiosk.settle();
    let first_seen = start();
    kiosk.wait(8000);
    assert_eq!(state.get_attract_slide(), 1);
    assert_eq!(start(), first_seen, "on a 7-inch panel");
    // Any slide is an invitation: a tap starts the poll.
    kiosk.wait(8000);
    kiosk.tap_background("AttractPage");
    assert_eq!(kiosk.screen(), Screen::Question);
}

#[test]
fn the_start_screen_shows_staff_a_health_mark() {
    let kiosk = TestKiosk::start();
    // The mark shows once the store has checked, not before.
    kiosk.wait_for("the store's first health report", || {
        kiosk.has("Laite: kunnossa")
    });
    kiosk.tap("Napauta ja vastaa");
    kiosk.answer("Hyvä");
    kiosk.answer("Kyllä");
    kiosk.answer("Ehkä");
    kiosk.stored(1);

    // The answer has waited two days for an upload...
    let setup = kiosk.power_cut();
    let db = rusqlite::Connection::open(setup.database()).unwrap();
    db.execute(
        "UPDATE responses SET recorded_at = '2020-01-01T00:00:00.000Z'",
        [],
    )
    .unwrap();
    drop(db);
    // ...which a kiosk with no collector never makes: its answers are kept for export.
    let kiosk = TestKiosk::restart_with(setup);
    kiosk.wait_for("the store's first health report", || {
        kiosk.ui.global::<KioskState>().get_health_known()
    });
    assert!(kiosk.has("Laite: kunnossa"));
    assert!(!kiosk.ui.global::<KioskState>().get_needs_staff());

    // With a collector configured, two days without an upload need staff.
    let setup = kiosk.power_cut();
    upload_to_nobody(&setup);
    let kiosk = TestKiosk::restart_with(setup);
    kiosk.wait_for("the overdue upload is marked", || {
        kiosk.has("Laite: tarvitsee huoltoa")
    });
    assert!(kiosk.ui.global::<KioskState>().get_needs_staff());
}

#[test]
fn staff_who_ask_for_an_upload_are_told_how_it_went() {
    let setup = Setup::demo();
    upload_to_nobody(&setup);
    let kiosk = TestKiosk::start_with(setup);
    open_panel(&kiosk);
    // Said at once; the failure may follow as soon as the UI's timer next hears back.
    kiosk.tap_at_once("Lähetä nyt");
    assert!(kiosk.has("Lähetetään nyt."));
    // Mock time runs fast here: staff touching the panel keep it from closing meanwhile.
    wait_until("the panel says the upload failed", || {
        kiosk.tap("Laitteen tila");
        kiosk.has("Lähetys epäonnistui: ei yhteyttä keräyspalvelimeen: toimiiko verkko?")
    });

    // A collector there, and nothing to send: asking checks the way to it all the same.
    let collector = collector_support::Collector::start(&collector_bin());
    let setup = kiosk.power_cut();
    setup.write(
        "kiosk.token",
        &format!("{}\n", collector.add_device("demo-kiosk-1")),
    );
    setup.edit("kiosk.toml", "http://127.0.0.1:9", &collector.url());
    let kiosk = TestKiosk::restart_with(setup);
    // Its first report on starting makes the last error an old one.
    kiosk.wait_for("the uploader has reported", || {
        let list = collector.cli(&["device", "list"]).stdout;
        String::from_utf8_lossy(&list).contains(&format!("version {}", env!("CARGO_PKG_VERSION")))
    });
    open_panel(&kiosk);
    kiosk.tap("Lähetä nyt");
    wait_until("the panel says the upload went through", || {
        kiosk.tap("Laitteen tila");
        kiosk.has("Lähetetty. Odottaa lähetystä: 0.")
    });
}

/// Points the device file at a collector that is not there: every upload fails at once.
fn upload_to_nobody(setup: &Setup) {
    setup.write("kiosk.token", "token\n");
    let device = std::fs::read_to_string(setup.config_path()).unwrap();
    setup.write(
        "kiosk.toml",
        &format!(
            "{device}\n[upload]\nendpoint = \"http://127.0.0.1:9\"\ntoken_file = \"kiosk.token\"\n"
        ),
    );
}
