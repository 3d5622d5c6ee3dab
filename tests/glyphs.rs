//! Every character the kiosk can show is in the fonts it embeds. A device without fallback
//! fonts (a bare Raspberry Pi) would draw an empty box for any other, and one with them would
//! draw it in a different typeface: arrows and ticks are pictures for that reason.

mod util;

use std::path::{Path, PathBuf};

use util::sources::{ROOT, files, slint_strings};

const FONTS: [&str; 2] = [
    "ui/fonts/NotoSans-Regular.ttf",
    "ui/fonts/NotoSans-Bold.ttf",
];

/// The quoted texts of a gettext catalogue: the English ids and their translations.
fn catalogue_strings(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| Some(line[line.find('"')? + 1..line.rfind('"')?].to_owned()))
        .collect()
}

fn toml_strings(value: &toml::Value, out: &mut Vec<String>) {
    match value {
        toml::Value::String(s) => out.push(s.clone()),
        toml::Value::Array(items) => items.iter().for_each(|v| toml_strings(v, out)),
        toml::Value::Table(table) => table.values().for_each(|v| toml_strings(v, out)),
        _ => {}
    }
}

/// Where each text comes from, and the texts.
fn shown_texts() -> Vec<(PathBuf, Vec<String>)> {
    let read = |path: &PathBuf| std::fs::read_to_string(path).unwrap();
    let mut texts = Vec::new();
    for path in files("ui", "slint") {
        texts.push((path.clone(), slint_strings(&read(&path))));
    }
    for path in files("ui/lang", "po") {
        texts.push((path.clone(), catalogue_strings(&read(&path))));
    }
    for path in files("config", "toml") {
        let mut strings = Vec::new();
        let table: toml::Table = toml::from_str(&read(&path)).unwrap();
        toml_strings(&toml::Value::Table(table), &mut strings);
        texts.push((path, strings));
    }
    // What Rust puts on screen: the panel's and the results' marks ("–", "…", " · ") and the
    // faces' default labels. Their letters beyond ASCII, outside comments, each line as one.
    let rust = [
        files("src/ui_adapter", "rs"),
        ["src/panel.rs", "src/results.rs", "protocol/src/survey.rs"]
            .map(|f| Path::new(ROOT).join(f))
            .to_vec(),
    ];
    for path in rust.concat() {
        let beyond_ascii = read(&path)
            .lines()
            .map(|line| line.split("//").next().unwrap_or_default())
            .map(|code| code.chars().filter(|c| !c.is_ascii()).collect::<String>())
            .filter(|chars| !chars.is_empty())
            .collect();
        texts.push((path, beyond_ascii));
    }
    texts
}

#[test]
fn every_text_the_kiosk_shows_is_in_the_embedded_fonts() {
    let fonts: Vec<Vec<u8>> = FONTS
        .iter()
        .map(|f| std::fs::read(Path::new(ROOT).join(f)).unwrap())
        .collect();
    let faces: Vec<_> = fonts
        .iter()
        .map(|data| ttf_parser::Face::parse(data, 0).unwrap())
        .collect();
    let mut missing = Vec::new();
    for (path, strings) in shown_texts() {
        for string in strings {
            for c in string.chars().filter(|c| !c.is_control()) {
                for (face, font) in faces.iter().zip(FONTS) {
                    if face.glyph_index(c).is_none_or(|glyph| glyph.0 == 0) {
                        missing.push(format!(
                            "{}: {c:?} (U+{:04X}) in {string:?} is not in {font}",
                            path.strip_prefix(ROOT).unwrap().display(),
                            c as u32
                        ));
                    }
                }
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn the_check_finds_what_the_fonts_lack() {
    let strings = slint_strings(
        "// \"→ in a comment\"\ntext: \"Skip →\"; x: \"a \\\"quoted\\\" ✓\"; // \"✗\"",
    );
    assert_eq!(strings, ["Skip →", "a \"quoted\" ✓"]);
    let data = std::fs::read(Path::new(ROOT).join(FONTS[0])).unwrap();
    let face = ttf_parser::Face::parse(&data, 0).unwrap();
    assert!(face.glyph_index('ä').is_some() && face.glyph_index('…').is_some());
    assert!(face.glyph_index('→').is_none() && face.glyph_index('✓').is_none());
}

#[test]
fn the_config_check_knows_exactly_what_the_fonts_have() {
    for font in FONTS {
        let data = std::fs::read(Path::new(ROOT).join(font)).unwrap();
        let face = ttf_parser::Face::parse(&data, 0).unwrap();
        let disagree: Vec<String> = (0..=char::MAX as u32)
            .filter_map(char::from_u32)
            .filter(|c| !c.is_control())
            // Glyph 0 is the empty box itself (the cmap's end marker, U+FFFF, maps to it).
            .filter(|&c| {
                hetki::config::font_coverage::drawable(c)
                    != face.glyph_index(c).is_some_and(|glyph| glyph.0 != 0)
            })
            .map(|c| format!("U+{:04X}", c as u32))
            .collect();
        assert!(disagree.is_empty(), "{font}: {}", disagree.join(" "));
    }
}
