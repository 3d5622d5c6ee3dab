//! Every screen of both demos laid out at 800×480 (and upright), 1280×800, 768×1024 and
//! 1080×1920 (portrait) and 1920×1080, in Finnish, Swedish and English, in both display
//! themes and both text sizes: no label may overflow its box (see ui/widgets/label.slint) or
//! leave the window, and on a portrait screen a resident's controls sit in the lower
//! two-thirds.

mod util;

use std::time::Duration;

use hetki::config::KioskConfig;
use hetki::screenshot::{is_staff_screen, sample_results, screens, show_screen};
use hetki::session::{Overrides, Session};
use hetki::ui::{AppWindow, Theme};
use hetki::ui_adapter::{Scenery, present};
use hetki_protocol::{Display, DisplayTheme, Language};
use i_slint_backend_testing::{ElementHandle, ElementQuery, init_no_event_loop, mock_elapsed_time};
use slint::ComponentHandle;

const SIZES: [(u32, u32); 6] = [
    (800, 480),
    (480, 800),
    (1280, 800),
    // A 10" tablet upright: the least height a column of faces gets.
    (768, 1024),
    (1080, 1920),
    (1920, 1080),
];

/// What is wrong with the labels on screen now, in a window of `width` × `height`: each
/// overflowing label, one that leaves the window, spills out of its button or shows under
/// another button, described. With `may_scroll` what lies in a scrolling area may go below the
/// window's edge: not so for results of a poll of one or two questions, which must fit whole
/// (the results screen gives way by itself: there is no time to scroll). `buttons` are the
/// controls on screen ([`shown_buttons`]).
fn misfits(
    ui: &AppWindow,
    buttons: &[ElementHandle],
    (width, height): (u32, u32),
    may_scroll: bool,
) -> Vec<String> {
    let labels = visible(
        ElementQuery::from_root(ui)
            .match_descendants()
            .match_inherits("Label")
            .find_all(),
    );
    assert!(!labels.is_empty(), "no labels found: is the debug info on?");
    let window = Rect::of_window(width, height);
    // What lies in a scrolling area (a poll's results, the panel's facts) is reached by
    // scrolling: it may go below the window's edge, but never beyond its sides, and only the
    // part inside the area shows.
    let scrolled: Vec<(Rect, Rect)> = ElementQuery::from_root(ui)
        .match_descendants()
        .match_inherits("Flickable")
        .find_all()
        .iter()
        .flat_map(|area| {
            let clip = Rect::of(area);
            let labels = area.query_descendants().match_inherits("Label").find_all();
            labels
                .into_iter()
                .map(move |label| (Rect::of(&label), clip))
        })
        .collect();
    let clip_of = |rect: &Rect| {
        scrolled
            .iter()
            .find(|(r, _)| r == rect)
            .map(|&(_, clip)| clip)
    };
    let mut found = Vec::new();
    for label in &labels {
        let id = label.accessible_id().unwrap_or_default();
        if !id.is_empty() {
            found.push(id.to_string());
        }
        let rect = Rect::of(label);
        let reachable = if may_scroll && clip_of(&rect).is_some() {
            rect.x >= -1.0 && rect.x + rect.width <= width as f32 + 1.0
        } else {
            window.holds(&rect)
        };
        if !reachable && rect.width > 0.0 {
            found.push(format!("outside the window at {rect}: {}", text(label)));
        }
    }
    // A label inside a button must stay inside it, and no button may cover another's label:
    // the layout can make a label as big as its text and let it spill out of the button.
    let own_labels: Vec<Vec<Rect>> = buttons
        .iter()
        .map(|button| {
            visible(
                button
                    .query_descendants()
                    .match_inherits("Label")
                    .find_all(),
            )
            .iter()
            .map(Rect::of)
            .collect()
        })
        .collect();
    for (button, own) in buttons.iter().zip(&own_labels) {
        let area = Rect::of(button);
        if !window.holds(&area) && area.width > 0.0 {
            found.push(format!(
                "a control outside the window at {area}: {}",
                button.accessible_label().unwrap_or_default()
            ));
        }
        for rect in own.iter().filter(|rect| !area.holds(rect)) {
            found.push(format!(
                "a label spills out of its button {area} at {rect}: {}",
                button.accessible_label().unwrap_or_default()
            ));
        }
        for label in &labels {
            let rect = Rect::of(label);
            let shown = match clip_of(&rect) {
                Some(clip) => rect.within(&clip),
                None => Some(rect),
            };
            let covered = shown.is_some_and(|shown| area.overlaps(&shown));
            if !own.contains(&rect) && covered && rect.width > 0.0 {
                found.push(format!(
                    "the button {} at {area} covers a label at {rect}: {}",
                    button.accessible_label().unwrap_or_default(),
                    text(label)
                ));
            }
        }
    }
    // Content cut off at a scrolling area's foot needs a sign that there is more: a scroll
    // mark, shown beside the area and inside the window.
    let marks = scroll_marks(ui);
    let mut cut_off: Vec<Rect> = scrolled
        .iter()
        .filter(|(rect, clip)| {
            rect.width > 0.0 && rect.y + rect.height > clip.y + clip.height + 1.0
        })
        .map(|&(_, clip)| clip)
        .collect();
    cut_off.dedup();
    for clip in cut_off {
        let marked = marks.iter().any(|mark| {
            window.holds(mark) && mark.y < clip.y + clip.height && clip.y < mark.y + mark.height
        });
        if !marked {
            found.push(format!(
                "content cut off at the foot of {clip} with no scroll mark"
            ));
        }
    }
    // The test-mode banner is laid over the page: it must leave every label of it clear.
    if let Some(area) = test_banner(ui) {
        for label in &labels {
            let rect = Rect::of(label);
            if !area.holds(&rect) && area.overlaps(&rect) && rect.width > 0.0 {
                found.push(format!(
                    "the test-mode banner at {area} covers a label at {rect}: {}",
                    text(label)
                ));
            }
        }
    }
    // One element can match once per component it is made of.
    found.sort();
    found.dedup();
    found
}

/// Where the test-mode banner is, if it shows (its label fills it).
fn test_banner(ui: &AppWindow) -> Option<Rect> {
    let banner = ElementQuery::from_root(ui)
        .match_descendants()
        .match_id("AppWindow::test-label")
        .find_all();
    visible(banner).first().map(Rect::of)
}

/// Where scroll marks show (see ui/widgets/scroll-area.slint).
fn scroll_marks(ui: &AppWindow) -> Vec<Rect> {
    ElementQuery::from_root(ui)
        .match_descendants()
        .match_inherits("ScrollMark")
        .find_all()
        .iter()
        .map(Rect::of)
        .filter(|mark| mark.height > 0.0)
        .collect()
}

/// The controls on screen.
fn shown_buttons(ui: &AppWindow) -> Vec<ElementHandle> {
    visible(
        ElementQuery::from_root(ui)
            .match_descendants()
            .match_predicate(|e| util::is_control(e.accessible_role()))
            .find_all(),
    )
}

fn visible(elements: Vec<ElementHandle>) -> Vec<ElementHandle> {
    elements
        .into_iter()
        .filter(|e| e.computed_opacity() > 0.0)
        .collect()
}

fn text(label: &ElementHandle) -> String {
    label.accessible_label().unwrap_or_default().to_string()
}

/// An element's box in window coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Rect {
    x: f32,
    y: f32,
    width: f32,
    height: f32,
}

impl Rect {
    fn of(element: &ElementHandle) -> Rect {
        let (at, size) = (element.absolute_position(), element.size());
        Rect {
            x: at.x,
            y: at.y,
            width: size.width,
            height: size.height,
        }
    }

    fn of_window(width: u32, height: u32) -> Rect {
        Rect {
            x: 0.0,
            y: 0.0,
            width: width as f32,
            height: height as f32,
        }
    }

    /// Whether `other` lies within this box, give or take a pixel of rounding.
    fn holds(&self, other: &Rect) -> bool {
        other.x >= self.x - 1.0
            && other.y >= self.y - 1.0
            && other.x + other.width <= self.x + self.width + 1.0
            && other.y + other.height <= self.y + self.height + 1.0
    }

    /// The part of this box inside `clip`, if any.
    fn within(&self, clip: &Rect) -> Option<Rect> {
        let (x, y) = (self.x.max(clip.x), self.y.max(clip.y));
        let right = (self.x + self.width).min(clip.x + clip.width);
        let bottom = (self.y + self.height).min(clip.y + clip.height);
        (right > x && bottom > y).then_some(Rect {
            x,
            y,
            width: right - x,
            height: bottom - y,
        })
    }

    /// Whether the two boxes share more than a pixel's rounding.
    fn overlaps(&self, other: &Rect) -> bool {
        other.x < self.x + self.width - 1.0
            && self.x < other.x + other.width - 1.0
            && other.y < self.y + self.height - 1.0
            && self.y < other.y + other.height - 1.0
    }
}

impl std::fmt::Display for Rect {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(
            f,
            "{:.0},{:.0} {:.0}×{:.0}",
            self.x, self.y, self.width, self.height
        )
    }
}

/// Resizes the window and lets its change handlers run (they scale the theme to the size), as
/// the event loop would before drawing.
fn set_size(ui: &AppWindow, (width, height): (u32, u32)) {
    ui.window()
        .set_size(slint::PhysicalSize::new(width, height));
    mock_elapsed_time(Duration::ZERO);
    let scale = ui.global::<Theme>().get_scale();
    let (w, h) = if height > width {
        (800.0, 1280.0)
    } else {
        (1280.0, 800.0)
    };
    let expected = (width as f32 / w).min(height as f32 / h);
    assert!(
        (scale - expected).abs() < 1e-3,
        "the theme scale follows the size"
    );
}

/// The smallest a resident's control may be, both ways: 15 mm on a 7" 800×480 panel (about
/// 5.2 px per mm); larger screens have fewer pixels per millimetre and the scale gives more.
const TOUCH_MIN: f32 = 78.0;

/// Of `buttons`, those smaller than `least` both ways (a fingertip needs [`TOUCH_MIN`]).
fn too_small(buttons: &[ElementHandle], least: f32) -> Vec<String> {
    buttons
        .iter()
        .filter(|button| {
            let size = button.size();
            size.width.min(size.height) < least - 0.5
        })
        .map(|button| {
            format!(
                "a control smaller than 15 mm ({}): {}",
                Rect::of(button),
                button.accessible_label().unwrap_or_default()
            )
        })
        .collect()
}

/// The least room between two of a resident's controls: about 2 mm on a 7" 800×480 panel,
/// so a finger aimed at one does not land on the other.
const TOUCH_GAP: f32 = 10.0;

/// Pairs of `buttons` closer together than `gap` (a finger tells apart [`TOUCH_GAP`]).
fn crowded(controls: &[ElementHandle], gap: f32) -> Vec<String> {
    let mut buttons: Vec<(Rect, String)> = Vec::new();
    for button in controls {
        // One control is matched once per component it is made of.
        let rect = Rect::of(button);
        if !buttons.iter().any(|(seen, _)| *seen == rect) {
            let label = button.accessible_label().unwrap_or_default().to_string();
            buttons.push((rect, label));
        }
    }
    let mut found = Vec::new();
    for (i, (a, a_label)) in buttons.iter().enumerate() {
        for (b, b_label) in &buttons[i + 1..] {
            let across = (b.x - (a.x + a.width)).max(a.x - (b.x + b.width));
            let down = (b.y - (a.y + a.height)).max(a.y - (b.y + b.height));
            let apart = across.max(down);
            if apart < gap - 0.5 {
                found.push(format!(
                    "{a_label} at {a} and {b_label} at {b} are {apart:.0} px apart"
                ));
            }
        }
    }
    found
}

/// On a portrait screen of `height`, those of `buttons` above the lower two-thirds.
fn out_of_reach(buttons: &[ElementHandle], height: u32) -> Vec<String> {
    buttons
        .iter()
        .filter(|button| button.absolute_position().y < height as f32 / 3.0)
        .map(|button| {
            format!(
                "out of reach in the top third: {}",
                button.accessible_label().unwrap_or_default()
            )
        })
        .collect()
}

/// Checks the screens of `config` whose names `wanted` accepts.
fn check_all(
    config: &KioskConfig,
    wanted: impl Fn(&str) -> bool,
    ui: &AppWindow,
    problems: &mut Vec<String>,
) {
    let scenery = Scenery::load(config).unwrap();
    let sample = sample_results(config.survey());
    // Test mode on: its banner shows on every resident screen.
    let mut session = Session::resolve(config, Overrides::default());
    session.overrides.test_mode = true;
    for size in SIZES {
        set_size(ui, size);
        for language in Language::ALL {
            for theme in [DisplayTheme::Default, DisplayTheme::HighContrast] {
                for large_text in [false, true] {
                    let display = Display { theme, large_text };
                    let chosen = screens(config, language, display)
                        .into_iter()
                        .filter(|(name, _)| wanted(name));
                    for (name, view) in chosen {
                        let staff = is_staff_screen(&name);
                        // Staff screens have one look: the same layout four times over.
                        if staff && display != Display::default() {
                            assert_eq!(view.display, Display::default(), "{name}");
                            continue;
                        }
                        show_screen(ui, &scenery, &session, config, (&name, &view), &sample);
                        let may_scroll = staff || config.survey().questions.len() > 2;
                        let buttons = shown_buttons(ui);
                        let mut found = misfits(ui, &buttons, size, may_scroll);
                        if !staff {
                            found.extend(too_small(&buttons, TOUCH_MIN));
                            found.extend(crowded(&buttons, TOUCH_GAP));
                            if test_banner(ui).is_none() {
                                found.push("no test-mode banner".into());
                            }
                        }
                        // The checks of controls above see them: a start screen has its
                        // start and language buttons, a question at least two answers.
                        let controls = buttons.len();
                        if (name == "attract" || name.starts_with("question")) && controls < 2 {
                            found.push(format!("{controls} controls found"));
                        }
                        // Reach is about a tall screen's height above the floor: all of a 7"
                        // panel turned upright is within a hand's span.
                        if size.1 > size.0 && size.1 >= 1280 && !staff {
                            found.extend(out_of_reach(&buttons, size.1));
                        }
                        for misfit in found {
                            problems.push(format!(
                                "{} {name} {}x{} {language} {} large={large_text}: {misfit}",
                                config.device_id,
                                size.0,
                                size.1,
                                theme.code()
                            ));
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn every_screen_fits_every_size_language_and_display_setting() {
    init_no_event_loop();
    let ui = AppWindow::new().unwrap();
    ui.show().unwrap();
    let mut problems = Vec::new();

    // The check itself must see a label that does not fit: a word too long for any button.
    let mut broken = util::demo_config("kiosk.toml");
    let mut survey = (**broken.survey()).clone();
    survey.questions[0].text = "Kaupunkisuunnittelulautakunnanpuheenjohtajaehdokkaalle?".into();
    broken.surveys[0].survey = survey.into();
    set_size(&ui, (800, 480));
    let (name, view) = screens(&broken, Language::Fi, Display::default())
        .into_iter()
        .find(|(name, _)| name == "question-1")
        .unwrap();
    let session = Session::resolve(&broken, Overrides::default());
    present(&ui, &Scenery::load(&broken).unwrap(), &session, &view, None);
    let buttons = shown_buttons(&ui);
    assert!(
        misfits(&ui, &buttons, (800, 480), false)
            .iter()
            .any(|m| m.contains("Kaupunki")),
        "{name}: the too-long word was not caught"
    );
    // And controls too small or too close for a finger: the answers, asked to be huge.
    assert!(
        !too_small(&buttons, 10_000.0).is_empty(),
        "a too small control was not caught"
    );
    assert!(
        !crowded(&buttons, 10_000.0).is_empty(),
        "crowded controls were not caught"
    );
    let mut testing = session.clone();
    testing.overrides.test_mode = true;
    present(&ui, &Scenery::load(&broken).unwrap(), &testing, &view, None);
    assert!(
        test_banner(&ui).is_some(),
        "the test-mode banner was not found"
    );

    for file in ["kiosk.toml", "library-poll.toml"] {
        check_all(&util::demo_config(file), |_| true, &ui, &mut problems);
    }
    // Neither demo lets a question be skipped: the poll's questions once more with Skip,
    // beside Done on its multiple choice.
    let mut skippable = util::demo_config("library-poll.toml");
    let mut survey = (**skippable.survey()).clone();
    survey.questions.iter_mut().for_each(|q| q.skippable = true);
    skippable.surveys[0].survey = survey.into();
    skippable.device_id = "skippable".into();
    let questions = |name: &str| name.starts_with("question");
    check_all(&skippable, questions, &ui, &mut problems);
    // Four questions (the poll's two twice) are more than the results screen holds: it
    // scrolls, and says there is more.
    let mut four = util::demo_config("library-poll.toml");
    let mut survey = (**four.survey()).clone();
    let again: Vec<_> = survey
        .questions
        .iter()
        .cloned()
        .map(|mut q| {
            q.id = format!("{}-again", q.id);
            q
        })
        .collect();
    survey.questions.extend(again);
    four.surveys[0].survey = survey.into();
    four.device_id = "four".into();
    check_all(
        &four,
        |name| name.starts_with("results"),
        &ui,
        &mut problems,
    );
    // There the button under the results pages on to their end, and then back to the top.
    set_size(&ui, (800, 480));
    let results = screens(&four, Language::En, Display::default())
        .into_iter()
        .find(|(name, _)| name == "results")
        .unwrap();
    let session = Session::resolve(&four, Overrides::default());
    let scenery = Scenery::load(&four).unwrap();
    let sample = sample_results(four.survey());
    show_screen(
        &ui,
        &scenery,
        &session,
        &four,
        (&results.0, &results.1),
        &sample,
    );
    let find = |label: &str| ElementHandle::find_by_accessible_label(&ui, label).next();
    let mut pages = 0;
    while let Some(more) = find("More results") {
        more.invoke_accessible_default_action();
        pages += 1;
        assert!(pages < 10, "the results never reach their end");
    }
    assert!(
        pages >= 2,
        "four questions fill more than two screens at 800x480"
    );
    find("To the top")
        .expect("at the end, a way back")
        .invoke_accessible_default_action();
    assert!(find("More results").is_some());
    if let Ok(path) = std::env::var("HETKI_LAYOUT_REPORT") {
        std::fs::write(path, problems.join("\n")).unwrap();
    }
    assert!(
        problems.is_empty(),
        "{} labels do not fit:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Large text is a quarter larger on every screen, a 7" panel's too: every size of the
/// theme's type scale, and so every text that uses it. (The test above checks that the
/// pages still fit.)
#[test]
fn large_text_is_a_quarter_larger_at_every_size() {
    init_no_event_loop();
    let ui = AppWindow::new().unwrap();
    ui.show().unwrap();
    let theme = ui.global::<Theme>();
    let type_scale = |large_text| {
        theme.set_large_text(large_text);
        [
            ("display", theme.get_font_display()),
            ("title", theme.get_font_title()),
            ("large", theme.get_font_large()),
            ("body", theme.get_font_body()),
            ("small", theme.get_font_small()),
        ]
    };
    for size in SIZES {
        set_size(&ui, size);
        for ((name, normal), (_, large)) in type_scale(false).into_iter().zip(type_scale(true)) {
            assert!(
                large >= normal * 1.25 - 0.01,
                "{}x{}: the {name} text is {normal:.1} px, and only {large:.1} px large",
                size.0,
                size.1
            );
        }
    }
}
