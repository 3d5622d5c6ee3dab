//! The software renderer (what a Raspberry Pi without GPU drivers uses): a full frame of each
//! screen beside a blank window of the same size, and the partial redraw after a tap.
//!
//! `cargo bench --bench render [-- WIDTHxHEIGHT]` (default 1920x1080). One size per process:
//! Slint's platform is set once.

use std::time::{Duration, Instant};

use hetki::config::KioskConfig;
use hetki::flow::{Screen, View};
use hetki::headless::{self, HeadlessWindow};
use hetki::screenshot::{prepare_staff_screen, sample_results, screens};
use hetki::session::{Overrides, Session};
use hetki::ui::{AppWindow, BlankWindow};
use hetki::ui_adapter::{Scenery, present};
use slint::ComponentHandle;

const FRAMES: usize = 30;

fn main() {
    let size = std::env::args()
        .skip(1)
        .find(|a| a.contains('x'))
        .unwrap_or_else(|| "1920x1080".into());
    let (width, height) = size
        .split_once('x')
        .map(|(w, h)| (w.parse().unwrap(), h.parse().unwrap()))
        .unwrap();
    let load = |file: &str| {
        KioskConfig::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap()
    };
    let config = load("config/kiosk.toml");
    // The library poll adds the results screen and a multiple choice.
    let poll = load("config/library-poll.toml");
    let platform = headless::install(width, height).unwrap();

    let blank = BlankWindow::new().unwrap();
    blank.show().unwrap();
    let mut blank_window = HeadlessWindow::take(&platform).unwrap();
    let blank_frame = full_frame(&mut blank_window);
    println!(
        "{width}x{height}: blank window full frame {:.2} ms",
        ms(blank_frame)
    );

    let ui = AppWindow::new().unwrap();
    ui.show().unwrap();
    let mut window = HeadlessWindow::take(&platform).unwrap();
    let mut worst: f64 = 0.0;
    for (config, prefix) in [(&config, ""), (&poll, "poll ")] {
        let scenery = Scenery::load(config).unwrap();
        let session = Session::resolve(config, Overrides::default());
        let sample = sample_results(&config.survey);
        for (name, view) in screens(config, config.default_language, Default::default()) {
            // The feedback survey's staff screens stand for both.
            if !prefix.is_empty() && matches!(name.as_str(), "out-of-order" | "pin") {
                continue;
            }
            if !prefix.is_empty() && name.starts_with("panel") {
                continue;
            }
            prepare_staff_screen(&ui, config, &session, &name);
            let results = (name != "results-too-few").then_some(&sample);
            present(&ui, &scenery, &session, &view, results);
            let frame = full_frame(&mut window);
            let ratio = ms(frame) / ms(blank_frame);
            worst = worst.max(ratio);
            println!(
                "{width}x{height}: {:<18} full frame {:.2} ms ({ratio:.2}× blank)",
                format!("{prefix}{name}"),
                ms(frame)
            );
        }
    }
    println!("{width}x{height}: worst screen {worst:.2}× the blank frame (target ≤ 1.5)");

    // A tap on a face: the tapped one lights up, and only that region is redrawn into the
    // reused buffer.
    let scenery = Scenery::load(&config).unwrap();
    let session = Session::resolve(&config, Overrides::default());
    let question = |selected: Option<usize>| View {
        selected: selected.into_iter().collect(),
        highlighted: selected.is_some(),
        ..View::new(Screen::Question(0), config.default_language)
    };
    // Let a colour animation finish, so every tap starts from a still screen.
    let settle = |window: &mut HeadlessWindow| {
        std::thread::sleep(Duration::from_millis(150));
        window.render();
    };
    present(&ui, &scenery, &session, &question(None), None);
    window.render();
    let mut redraws = Vec::new();
    for i in 0..FRAMES * 2 {
        present(&ui, &scenery, &session, &question(Some(i % 5)), None);
        let started = Instant::now();
        window.render();
        redraws.push(started.elapsed());
        settle(&mut window);
        present(&ui, &scenery, &session, &question(None), None);
        window.render();
        settle(&mut window);
    }
    redraws.sort();
    println!(
        "{width}x{height}: partial redraw after a tap: median {:.2} ms, max {:.2} ms (target ≤ 2 ms)",
        ms(redraws[redraws.len() / 2]),
        ms(*redraws.last().unwrap())
    );
}

/// The median time of a whole-window repaint.
fn full_frame(window: &mut HeadlessWindow) -> Duration {
    window.render();
    let mut times: Vec<Duration> = (0..FRAMES)
        .map(|_| {
            let started = Instant::now();
            window.render_full();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
