//! Every colour pair the UI puts text on passes WCAG 2.1 AA (4.5:1), and control outlines
//! pass the 3:1 asked of graphical objects. Reads the colours from ui/theme.slint itself.

use std::collections::HashMap;

fn theme() -> HashMap<String, [u8; 3]> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ui/theme.slint")).unwrap();
    text.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("out property <color> ")?;
            let (name, value) = rest.split_once(':')?;
            let hex = value.trim().strip_prefix('#')?.get(..6)?;
            let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
            Some((name.trim().to_owned(), [channel(0), channel(2), channel(4)]))
        })
        .collect()
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
    let all = theme();
    for palette in ["paper-", "hc-"] {
        let colours: HashMap<String, [u8; 3]> = all
            .iter()
            .filter_map(|(name, rgb)| Some((name.strip_prefix(palette)?.to_owned(), *rgb)))
            .collect();
        assert!(
            colours.len() >= 11,
            "the {palette} palette's colours were not found: {colours:?}"
        );
        check_palette(palette, &colours);
    }
}

fn check_palette(palette: &str, colours: &HashMap<String, [u8; 3]>) {
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
        ("accent", "background", 3.0),
        ("outline", "background", 3.0),
        ("outline", "surface", 3.0),
        // A poll's result bars against their track.
        ("outline", "surface", 3.0),
        ("accent", "surface", 3.0),
    ];
    let mut failures = Vec::new();
    for (fg, bg, minimum) in pairs {
        let ratio = contrast(colours[fg], colours[bg]);
        if ratio < minimum {
            failures.push(format!(
                "{palette}{fg} on {bg}: {ratio:.2}:1, needs {minimum}:1"
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
