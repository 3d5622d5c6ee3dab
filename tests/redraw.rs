//! What the software renderer redraws: nothing when a screen is shown again unchanged, and
//! after a tap only the tapped answer. On a Raspberry Pi without a GPU every redrawn pixel
//! costs, and Slint redraws whatever depends on a changed property, even when the value
//! drawn stays the same (e.g. an empty image never equals another).

mod util;

use std::time::Duration;

use hetki::config::KioskConfig;
use hetki::flow::{Screen, View};
use hetki::headless::{self, Headless, HeadlessWindow, Redrawn};
use hetki::screenshot::{sample_results, screens, show_screen};
use hetki::session::{Overrides, Session};
use hetki::ui::{AppWindow, KioskState};
use hetki::ui_adapter::{Scenery, present, shown_options};
use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use slint::ComponentHandle;

const SIZE: (u32, u32) = (1280, 800);

/// Draws until the screen is still (animations finished), as the event loop would.
fn settle(platform: &Headless, window: &mut HeadlessWindow) {
    for _ in 0..10 {
        platform.advance(Duration::from_secs(1));
        if window.render().is_empty() {
            return;
        }
    }
    panic!("the screen keeps redrawing itself");
}

fn area(redrawn: &[Redrawn]) -> u32 {
    redrawn
        .iter()
        .map(|(_, size)| size.width * size.height)
        .sum()
}

/// The kiosk's window, drawn by the software renderer on a stopped clock.
fn open_window() -> (Headless, AppWindow, HeadlessWindow) {
    let platform = headless::install_stopped_clock(SIZE.0, SIZE.1).unwrap();
    let ui = AppWindow::new().unwrap();
    ui.show().unwrap();
    let window = HeadlessWindow::take(&platform).unwrap();
    (platform, ui, window)
}

/// Question `q` of the demo's survey, with `selected` just tapped (and so highlighted).
fn question(config: &KioskConfig, q: usize, selected: Vec<usize>) -> View {
    View {
        highlighted: !selected.is_empty(),
        selected,
        ..View::new(Screen::Question(q), config.default_language)
    }
}

#[test]
fn a_screen_shown_again_redraws_nothing_and_a_tap_only_its_answer() {
    let (platform, ui, mut window) = open_window();

    let mut redrawn_again = Vec::new();
    for file in ["kiosk.toml", "library-poll.toml"] {
        let config = util::demo_config(file);
        let scenery = Scenery::load(&config).unwrap();
        let session = Session::resolve(&config, Overrides::default());
        let sample = sample_results(config.survey());
        for (name, view) in screens(&config, config.default_language, Default::default()) {
            let show = || show_screen(&ui, &scenery, &session, &config, (&name, &view), &sample);
            show();
            assert!(!window.render().is_empty(), "{file} {name}: drawn");
            settle(&platform, &mut window);
            show();
            let again = window.render();
            if !again.is_empty() {
                redrawn_again.push(format!("{file} {name}: {again:?}"));
            }
        }
    }
    assert!(
        redrawn_again.is_empty(),
        "shown again unchanged, yet redrawn:\n{}",
        redrawn_again.join("\n")
    );

    // A tap on the middle face lights up that face's button and nothing else.
    let config = util::demo_config("kiosk.toml");
    let scenery = Scenery::load(&config).unwrap();
    let session = Session::resolve(&config, Overrides::default());
    present(&ui, &scenery, &session, &question(&config, 0, vec![]), None);
    window.render();
    settle(&platform, &mut window);
    present(
        &ui,
        &scenery,
        &session,
        &question(&config, 0, vec![2]),
        None,
    );
    let redrawn = window.render();

    let label = shown_options(&ui.global::<KioskState>())
        .swap_remove(2)
        .label;
    let buttons: Vec<_> = ElementHandle::find_by_accessible_label(&ui, &label)
        .filter(|e| e.accessible_role() == Some(AccessibleRole::RadioButton))
        .collect();
    assert_eq!(buttons.len(), 1, "one radio button says {label}");
    let (at, size) = (buttons[0].absolute_position(), buttons[0].size());
    assert_eq!(redrawn.len(), 1, "one rectangle redrawn: {redrawn:?}");
    let (drawn_at, drawn_size) = redrawn[0];
    assert!(
        (drawn_at.x as f32 - at.x).abs() <= 2.0
            && (drawn_at.y as f32 - at.y).abs() <= 2.0
            && (drawn_size.width as f32 - size.width).abs() <= 4.0
            && (drawn_size.height as f32 - size.height).abs() <= 4.0,
        "redrawn {redrawn:?}, the tapped button is at {at:?} {size:?}"
    );
    assert!(area(&redrawn) < SIZE.0 * SIZE.1 / 10);
}

#[test]
fn the_next_question_appears_at_once_not_fading_out_of_the_last_pick() {
    // Questions 2 and 3 of the demo both have three answers, so the question screen could
    // reuse the buttons: the first answer would then fade from the pick on question 2.
    let (platform, ui, mut window) = open_window();
    let config = util::demo_config("kiosk.toml");
    let scenery = Scenery::load(&config).unwrap();
    let session = Session::resolve(&config, Overrides::default());
    let survey = config.survey();
    assert_eq!(
        survey.questions[1].option_count(),
        survey.questions[2].option_count()
    );

    present(
        &ui,
        &scenery,
        &session,
        &question(&config, 1, vec![0]),
        None,
    );
    window.render();
    settle(&platform, &mut window);
    present(&ui, &scenery, &session, &question(&config, 2, vec![]), None);
    assert!(!window.render().is_empty(), "question 3 drawn");
    platform.advance(Duration::from_millis(40));
    let still_changing = window.render();
    assert!(
        still_changing.is_empty(),
        "question 3 still changing after it was drawn: {still_changing:?}"
    );
}
