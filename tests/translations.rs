//! Every text the UI marks for translation (`@tr`) has its Finnish and Swedish in the
//! catalogues under `ui/lang`, with the same placeholders. A text left out would show in English
//! to staff or residents, and nothing else would notice.

mod util;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use util::sources::{ROOT, files};

const CATALOGUES: [&str; 2] = [
    "ui/lang/fi/LC_MESSAGES/hetki.po",
    "ui/lang/sv/LC_MESSAGES/hetki.po",
];

/// One translatable text: its English id and, for a count, the plural id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Id {
    singular: String,
    plural: Option<String>,
}

/// Reads a string literal that starts at `chars` (after optional spaces).
fn literal(chars: &mut std::iter::Peekable<std::str::Chars>) -> Option<String> {
    while chars.next_if(|c| c.is_whitespace()).is_some() {}
    chars.next_if_eq(&'"')?;
    let mut text = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                'n' => text.push('\n'),
                // `\u{a0}`: a character by its code, as Slint writes a no-break space.
                'u' => {
                    chars.next_if_eq(&'{')?;
                    let code: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    text.push(char::from_u32(u32::from_str_radix(&code, 16).ok()?)?);
                }
                c => text.push(c),
            },
            '"' => return Some(text),
            c => text.push(c),
        }
    }
    None
}

/// The `@tr("…")` and `@tr("…" | "…" % n)` texts of a `.slint` file.
fn marked_texts(source: &str) -> Vec<Id> {
    let mut ids = Vec::new();
    for (at, _) in source.match_indices("@tr(") {
        let mut chars = source[at + 4..].chars().peekable();
        let singular = literal(&mut chars).expect("@tr starts with a string");
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        assert_ne!(
            chars.peek(),
            Some(&'='),
            "a context (\"…\" => \"…\") in {singular:?}"
        );
        let plural = chars.next_if_eq(&'|').and_then(|_| literal(&mut chars));
        ids.push(Id { singular, plural });
    }
    ids
}

/// A gettext catalogue: each id with its translations (one, or one per plural form).
fn catalogue(source: &str) -> BTreeMap<Id, Vec<String>> {
    let mut entries = BTreeMap::new();
    for block in source.split("\n\n") {
        let mut fields: Vec<(String, String)> = Vec::new();
        for line in block.lines().filter(|l| !l.starts_with('#')) {
            let quoted = || {
                let mut chars = line[line.find('"').unwrap()..].chars().peekable();
                literal(&mut chars).unwrap()
            };
            if line.starts_with('"') {
                fields.last_mut().expect("a continuation after a field").1 += &quoted();
            } else if let Some((key, _)) = line.split_once(' ') {
                fields.push((key.to_owned(), quoted()));
            }
        }
        let field = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let Some(singular) = field("msgid").filter(|id| !id.is_empty()) else {
            continue; // the header
        };
        let translations = fields
            .iter()
            .filter(|(k, _)| k.starts_with("msgstr"))
            .map(|(_, v)| v.clone())
            .collect();
        let id = Id {
            singular,
            plural: field("msgid_plural"),
        };
        assert!(
            entries.insert(id.clone(), translations).is_none(),
            "{id:?} twice"
        );
    }
    entries
}

/// `{0}`, `{n}` and the like, in order of appearance, each once.
fn placeholders(text: &str) -> BTreeSet<&str> {
    text.match_indices('{')
        .filter_map(|(at, _)| text[at..].find('}').map(|end| &text[at..=at + end]))
        .collect()
}

fn ui_texts() -> BTreeSet<Id> {
    files("ui", "slint")
        .iter()
        .flat_map(|path| marked_texts(&std::fs::read_to_string(path).unwrap()))
        .collect()
}

#[test]
fn every_ui_text_is_translated_with_its_placeholders() {
    let ids = ui_texts();
    assert!(
        ids.len() > 50,
        "only {} texts found: is the parser lost?",
        ids.len()
    );
    let mut wrong = Vec::new();
    for path in CATALOGUES {
        let entries = catalogue(&std::fs::read_to_string(Path::new(ROOT).join(path)).unwrap());
        for id in &ids {
            let Some(translations) = entries.get(id) else {
                wrong.push(format!("{path}: no translation of {id:?}"));
                continue;
            };
            let forms = if id.plural.is_some() { 2 } else { 1 };
            if translations.len() != forms || translations.iter().any(String::is_empty) {
                wrong.push(format!("{path}: {id:?} needs {forms} non-empty msgstr"));
            }
            for translation in translations {
                if placeholders(translation) != placeholders(&id.singular) {
                    wrong.push(format!(
                        "{path}: {translation:?} has other placeholders than {:?}",
                        id.singular
                    ));
                }
            }
        }
        for id in entries.keys().filter(|id| !ids.contains(id)) {
            wrong.push(format!("{path}: {id:?} is no longer in the UI"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_parsers_read_what_the_files_hold() {
    let slint =
        r#"text: @tr("Skip"); n: @tr("{n} try" | "{n} tries" % count); x: @tr( "a \"b\"" );"#;
    assert_eq!(
        marked_texts(slint),
        [
            Id {
                singular: "Skip".into(),
                plural: None
            },
            Id {
                singular: "{n} try".into(),
                plural: Some("{n} tries".into())
            },
            Id {
                singular: "a \"b\"".into(),
                plural: None
            },
        ]
    );
    let po = "msgid \"\"\nmsgstr \"\"\n\"Language: fi\\n\"\n\n# a note\nmsgid \"Skip\"\n\
              msgstr \"Ohita\"\n\nmsgid \"{n} try\"\nmsgid_plural \"{n} tries\"\n\
              msgstr[0] \"{n} yritys\"\nmsgstr[1] \"{n} \"\n\"yritystä\"\n";
    let entries = catalogue(po);
    assert_eq!(entries.len(), 2);
    let plural = Id {
        singular: "{n} try".into(),
        plural: Some("{n} tries".into()),
    };
    assert_eq!(entries[&plural], ["{n} yritys", "{n} yritystä"]);
    assert_eq!(
        placeholders("{0} of {1}, {0}"),
        BTreeSet::from(["{0}", "{1}"])
    );
}
