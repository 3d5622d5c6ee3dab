//! Texts in the config files that the kiosk's embedded fonts cannot draw. Not an error: a
//! device with fallback fonts draws them in another typeface, but a bare one (a Raspberry Pi
//! without DejaVu) shows an empty box, so `check` and the kiosk's log say so.

use std::path::Path;

use super::ConfigProblem;

/// The characters of `ui/fonts/NotoSans-{Regular,Bold}.ttf`, a subset for Finnish, Swedish and
/// English with their punctuation; tests/glyphs.rs holds this to the font files.
const EMBEDDED: &[(char, char)] = &[
    (' ', '~'),
    ('\u{a0}', '\u{17f}'),
    ('\u{2010}', '\u{2027}'),
    ('\u{2030}', '\u{203a}'),
    ('€', '€'),
    ('™', '™'),
];

/// Whether the embedded fonts have `c`; control characters (a line break) draw nothing anyway.
pub fn drawable(c: char) -> bool {
    c.is_control()
        || EMBEDDED
            .iter()
            .any(|&(first, last)| (first..=last).contains(&c))
}

/// Every text in the TOML file `file` holding a character the embedded fonts lack, as a
/// problem of its field. A file that cannot be read or parsed gives none: loading it has
/// already said why.
pub(super) fn undrawable_texts(file: &Path) -> Vec<ConfigProblem> {
    let table = std::fs::read_to_string(file)
        .ok()
        .and_then(|text| toml::from_str::<toml::Table>(&text).ok());
    let mut problems = Vec::new();
    if let Some(table) = table {
        walk(
            file,
            String::new(),
            &toml::Value::Table(table),
            &mut problems,
        );
    }
    problems
}

fn walk(file: &Path, field: String, value: &toml::Value, problems: &mut Vec<ConfigProblem>) {
    match value {
        toml::Value::String(text) => {
            if let Some(c) = text.chars().find(|&c| !drawable(c)) {
                problems.push(ConfigProblem {
                    file: file.to_owned(),
                    field: Some(field),
                    message: format!(
                        "{c:?} (U+{:04X}) is not in the kiosk's font: a device without other \
                         fonts shows an empty box in its place",
                        c as u32
                    ),
                });
            }
        }
        toml::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(file, format!("{field}[{i}]"), item, problems);
            }
        }
        toml::Value::Table(table) => {
            for (key, item) in table {
                let field = if field.is_empty() {
                    key.clone()
                } else {
                    format!("{field}.{key}")
                };
                walk(file, field, item, problems);
            }
        }
        _ => {}
    }
}
