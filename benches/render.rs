//! The software renderer (what a Raspberry Pi without GPU drivers uses): a full frame of each
//! screen beside a blank window of the same size, and the partial redraw after a tap.
//!
//! Every full frame is drawn twice: into 24-bit RGB (what `hetki screenshot` saves) and into
//! 32-bit XRGB8888, the pixels Slint's KMS and winit back-ends hand to a display. The blank
//! frame is a fill of the window's background, which the 32-bit buffer does with wide stores,
//! so the 32-bit ratios are the larger ones.
//!
//! `cargo bench --bench render [-- WIDTHxHEIGHT]` (default 1920x1080). One size per process:
//! Slint's platform is set once.

use std::time::{Duration, Instant};

use hetki::flow::{Screen, View};
use hetki::headless::{self, HeadlessWindow, Xrgb8888};
use hetki::screenshot::{is_staff_screen, sample_results, screens, show_screen};
use hetki::session::{Overrides, Session};
use hetki::ui::{AppWindow, BlankWindow};
use hetki::ui_adapter::{Scenery, present};
use slint::platform::software_renderer::TargetPixel;
use slint::{ComponentHandle, Rgb8Pixel};

const FRAMES: usize = 30;

mod support;

fn main() {
    let size = std::env::args()
        .skip(1)
        .find(|a| a.contains('x'))
        .unwrap_or_else(|| "1920x1080".into());
    let (width, height) = size
        .split_once('x')
        .map(|(w, h)| (w.parse().unwrap(), h.parse().unwrap()))
        .unwrap();
    let config = support::demo_config("kiosk.toml");
    // The library poll adds the results screen and a multiple choice.
    let poll = support::demo_config("library-poll.toml");
    let platform = headless::install(width, height).unwrap();

    let blank = BlankWindow::new().unwrap();
    blank.show().unwrap();
    let blank_window = HeadlessWindow::take(&platform).unwrap();
    let blank_frame = Frames::of(&blank_window);
    println!(
        "{width}x{height}: blank window full frame {:.2} ms (RGB888), {:.2} ms (XRGB8888)",
        ms(blank_frame.rgb),
        ms(blank_frame.xrgb)
    );

    let ui = AppWindow::new().unwrap();
    ui.show().unwrap();
    let window = HeadlessWindow::take(&platform).unwrap();
    let (mut worst_rgb, mut worst_xrgb): (f64, f64) = (0.0, 0.0);
    for (config, prefix) in [(&config, ""), (&poll, "poll ")] {
        let scenery = Scenery::load(config).unwrap();
        let session = Session::resolve(config, Overrides::default());
        let sample = sample_results(config.survey());
        for (name, view) in screens(config, config.default_language, Default::default()) {
            // The feedback survey's staff screens stand for both.
            if !prefix.is_empty() && (name == "out-of-order" || is_staff_screen(&name)) {
                continue;
            }
            show_screen(&ui, &scenery, &session, config, (&name, &view), &sample);
            let frame = Frames::of(&window);
            let (rgb, xrgb) = frame.ratios(&blank_frame);
            (worst_rgb, worst_xrgb) = (worst_rgb.max(rgb), worst_xrgb.max(xrgb));
            println!(
                "{width}x{height}: {:<20} full frame {:.2} ms ({rgb:.2}× blank) RGB888, {:.2} ms ({xrgb:.2}× blank) XRGB8888",
                format!("{prefix}{name}"),
                ms(frame.rgb),
                ms(frame.xrgb)
            );
        }
    }
    println!(
        "{width}x{height}: worst screen {worst_rgb:.2}× the blank frame (RGB888), {worst_xrgb:.2}× (XRGB8888) (target ≤ 1.5)"
    );

    // A tap on a face: the tapped one lights up, and only that region is redrawn into the
    // reused buffer.
    let scenery = Scenery::load(&config).unwrap();
    let session = Session::resolve(&config, Overrides::default());
    let question = |selected: Option<usize>| View {
        selected: selected.into_iter().collect(),
        highlighted: selected.is_some(),
        ..View::new(Screen::Question(0), config.default_language)
    };
    // Into the display's pixels, starting from a whole frame as a display would have.
    let mut window = window.with_pixels::<Xrgb8888>();
    window.render_full();
    // Let a colour animation finish, so every tap starts from a still screen.
    let settle = |window: &mut HeadlessWindow<Xrgb8888>| {
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

/// The median whole-window repaint of what a window shows, into either pixel format.
struct Frames {
    rgb: Duration,
    xrgb: Duration,
}

impl Frames {
    fn of(window: &HeadlessWindow) -> Frames {
        Frames {
            rgb: full_frame(&mut window.with_pixels::<Rgb8Pixel>()),
            xrgb: full_frame(&mut window.with_pixels::<Xrgb8888>()),
        }
    }

    fn ratios(&self, blank: &Frames) -> (f64, f64) {
        (ms(self.rgb) / ms(blank.rgb), ms(self.xrgb) / ms(blank.xrgb))
    }
}

/// The median time of a whole-window repaint.
fn full_frame<P: TargetPixel + Default>(window: &mut HeadlessWindow<P>) -> Duration {
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
