//! Every colour pair the UI puts text on passes WCAG 2.1 AA (4.5:1), and control outlines
//! pass the 3:1 asked of graphical objects. Reads the colours the pages use from the UI's
//! `Theme` global, with high contrast off and on.

use std::collections::HashMap;

use hetki::ui::{AppWindow, Theme};
use slint::{Color, ComponentHandle};

type Palette = HashMap<&'static str, [u8; 3]>;

/// The colours of `Theme` that the pages draw with, by name: the default palette, then the
/// high-contrast one.
fn palettes() -> [Palette; 2] {
    i_slint_backend_testing::init_no_event_loop();
    let ui = AppWindow::new().unwrap();
    [false, true].map(|high_contrast| palette(&ui, high_contrast))
}

fn palette(ui: &AppWindow, high_contrast: bool) -> Palette {
    let theme = ui.global::<Theme>();
    theme.set_high_contrast(high_contrast);
    let rgb = |c: Color| [c.red(), c.green(), c.blue()];
    HashMap::from([
        ("background", rgb(theme.get_background())),
        ("surface", rgb(theme.get_surface())),
        ("text", rgb(theme.get_text())),
        ("text-muted", rgb(theme.get_text_muted())),
        ("accent", rgb(theme.get_accent())),
        ("accent-pressed", rgb(theme.get_accent_pressed())),
        ("accent-soft", rgb(theme.get_accent_soft())),
        ("on-accent", rgb(theme.get_on_accent())),
        ("outline", rgb(theme.get_outline())),
        ("alert", rgb(theme.get_alert())),
        ("alert-soft", rgb(theme.get_alert_soft())),
        ("inactive", rgb(theme.get_inactive())),
        ("focus", rgb(theme.get_focus())),
    ])
}

fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn text_and_controls_meet_wcag_aa_in_both_palettes() {
    let [paper, high_contrast] = palettes();
    assert_ne!(
        paper["background"], high_contrast["background"],
        "the switch changes the palette"
    );
    check_palette("default", &paper);
    check_palette("high contrast", &high_contrast);
}

fn check_palette(palette: &str, colours: &Palette) {
    let pairs = [
        // (foreground, background, minimum)
        ("text", "background", 4.5),
        ("text", "surface", 4.5),
        ("text", "accent-soft", 4.5),
        ("text", "alert-soft", 4.5),
        ("text-muted", "background", 4.5),
        ("text-muted", "surface", 4.5),
        ("on-accent", "accent", 4.5),
        ("on-accent", "accent-pressed", 4.5),
        ("alert", "alert-soft", 4.5),
        // Warnings on the panel, and the test-mode banner.
        ("alert", "background", 4.5),
        ("on-accent", "alert", 4.5),
        ("accent", "background", 3.0),
        // Controls' edges, also on the out-of-order screen; a poll's result bars against
        // their track.
        ("outline", "background", 3.0),
        ("outline", "surface", 3.0),
        ("outline", "alert-soft", 3.0),
        ("accent", "surface", 3.0),
        // An inactive control: exempt from the minimum, but kept at the 3:1 of controls so
        // it reads as a control.
        ("inactive", "background", 3.0),
        // The keyboard focus ring, just outside a control (WCAG 2.4.13).
        ("focus", "background", 3.0),
        ("focus", "surface", 3.0),
    ];
    let mut failures = Vec::new();
    for (fg, bg, minimum) in pairs {
        let ratio = contrast(colours[fg], colours[bg]);
        if ratio < minimum {
            failures.push(format!(
                "{palette}: {fg} on {bg}: {ratio:.2}:1, needs {minimum}:1"
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// A picture's colours: its fill and its mark (the two colours covering most of its opaque
/// pixels), and its edge (the commonest colour of opaque pixels next to transparent ones).
struct Picture {
    fill: [u8; 3],
    mark: [u8; 3],
    edge: [u8; 3],
}

fn picture(file: &str) -> Picture {
    let path = format!("{}/ui/images/{file}", env!("CARGO_MANIFEST_DIR"));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgba, "{file}");
    let (width, height) = (info.width as usize, info.height as usize);
    let at = |x: usize, y: usize| &pixels[(y * width + x) * 4..][..4];
    let opaque = |x: usize, y: usize| at(x, y)[3] == 255;
    let (mut all, mut edge): (HashMap<[u8; 3], usize>, HashMap<[u8; 3], usize>) =
        Default::default();
    for y in 1..height - 1 {
        for x in 1..width - 1 {
            if !opaque(x, y) {
                continue;
            }
            let p = at(x, y);
            let rgb = [p[0], p[1], p[2]];
            *all.entry(rgb).or_default() += 1;
            if !(opaque(x - 1, y) && opaque(x + 1, y) && opaque(x, y - 1) && opaque(x, y + 1)) {
                *edge.entry(rgb).or_default() += 1;
            }
        }
    }
    let by_count = |counts: HashMap<[u8; 3], usize>| {
        let mut sorted: Vec<_> = counts.into_iter().collect();
        sorted.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
        sorted.into_iter().map(|(rgb, _)| rgb).collect::<Vec<_>>()
    };
    let all = by_count(all);
    Picture {
        fill: all[0],
        mark: all[1],
        edge: by_count(edge)[0],
    }
}

/// The pictures that carry meaning, and the placeholder symbol, stand out from what they sit on (3:1, as graphical
/// objects: by their fill or their outline), and their marks (the tick, the "!", a face's
/// eyes and mouth) from their fill.
#[test]
fn pictures_stand_out_in_both_palettes() {
    let palettes = palettes();
    let pictures = [
        // (picture, high contrast, the palette colour it sits on)
        ("check.png", false, "background"),
        ("check-hc.png", true, "background"),
        ("out-of-order.png", false, "alert-soft"),
        ("out-of-order-hc.png", true, "alert-soft"),
        ("participation-symbol.png", false, "background"),
        ("participation-symbol-hc.png", true, "background"),
    ]
    .into_iter()
    .map(|(file, hc, on)| (file.to_owned(), hc, on))
    // Each face in each of its sizes (see the answer button's face-picture).
    .chain(
        (1..=5)
            .flat_map(|face| ["", "-160", "-96"].map(|size| format!("face-{face}{size}.png")))
            .flat_map(|file| {
                [
                    (false, "surface"),
                    (false, "accent-soft"),
                    (true, "surface"),
                    (true, "accent-soft"),
                ]
                .map(|(hc, on)| (file.clone(), hc, on))
            }),
    );
    let mut failures = Vec::new();
    for (file, hc, on) in pictures {
        let Picture { fill, mark, edge } = picture(&file);
        let on_colour = palettes[usize::from(hc)][on];
        let shape = contrast(fill, on_colour).max(contrast(edge, on_colour));
        let mark_on_fill = contrast(mark, fill);
        if shape < 3.0 || mark_on_fill < 3.0 {
            failures.push(format!(
                "{file} on {on} (high contrast {hc}): shape {shape:.2}:1, mark on fill {mark_on_fill:.2}:1"
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn the_contrast_formula_matches_known_values() {
    assert!((contrast([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 0.01);
    assert!((contrast([0x76, 0x76, 0x76], [255, 255, 255]) - 4.54).abs() < 0.01);
}
