use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The languages Hetki speaks: the city is bilingual (Finnish, Swedish) and English is third.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Fi,
    Sv,
    En,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::Fi, Language::Sv, Language::En];

    /// A day as written in this language: "24.11.2026", or "2026-11-24" in English (as the
    /// panel writes times).
    pub fn day(self, day: chrono::NaiveDate) -> String {
        let format = match self {
            Language::Fi | Language::Sv => "%-d.%-m.%Y",
            Language::En => "%Y-%m-%d",
        };
        day.format(format).to_string()
    }

    /// The ISO 639-1 code, as used in config files and translation catalogues.
    pub fn code(self) -> &'static str {
        match self {
            Language::Fi => "fi",
            Language::Sv => "sv",
            Language::En => "en",
        }
    }

    /// The language's name in itself, as a language button should read to a screen reader.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::Fi => "Suomi",
            Language::Sv => "Svenska",
            Language::En => "English",
        }
    }

    pub fn from_code(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What is wrong with a list of languages a file gives: empty, or a language listed twice.
pub fn language_list_problems(languages: &[Language]) -> Vec<String> {
    let mut problems = Vec::new();
    if languages.is_empty() {
        problems.push("list at least one language (fi, sv, en)".to_owned());
    }
    for (i, language) in languages.iter().enumerate() {
        if languages[..i].contains(language) {
            problems.push(format!("{language} is listed twice"));
        }
    }
    problems
}

/// A text given in each language, e.g. `{ fi = "Kiitos", sv = "Tack", en = "Thank you" }`.
pub type Localized = BTreeMap<Language, String>;

/// A text that is either the same in every language (a place name) or given per language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Text {
    Same(String),
    PerLanguage(Localized),
}

// By hand rather than `untagged`, so a mistake says what it is ("unknown language `se`")
// instead of "data did not match any variant".
impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        struct TextVisitor;

        impl<'de> serde::de::Visitor<'de> for TextVisitor {
            type Value = Text;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a text, or one per language such as { fi = \"…\", sv = \"…\", en = \"…\" }",
                )
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Text, E> {
                Ok(Text::Same(text.to_owned()))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                let mut texts = Localized::new();
                while let Some(code) = map.next_key::<String>()? {
                    let language = Language::from_code(&code).ok_or_else(|| {
                        serde::de::Error::custom(format!(
                            "unknown language `{code}`: use fi, sv or en"
                        ))
                    })?;
                    if texts.insert(language, map.next_value()?).is_some() {
                        return Err(serde::de::Error::custom(format!("{code} is given twice")));
                    }
                }
                Ok(Text::PerLanguage(texts))
            }
        }

        deserializer.deserialize_any(TextVisitor)
    }
}

impl Text {
    /// The text in `language`; a per-language text missing it falls back to any it has, so a
    /// screen never goes blank (validation reports the gap before a kiosk ever starts).
    pub fn get(&self, language: Language) -> &str {
        match self {
            Text::Same(text) => text,
            Text::PerLanguage(texts) => texts
                .get(&language)
                .or_else(|| texts.values().next())
                .map(String::as_str)
                .unwrap_or(""),
        }
    }

    /// The languages among `wanted` this text has no words for (empty ones count as missing).
    pub fn missing(&self, wanted: &[Language]) -> Vec<Language> {
        match self {
            Text::Same(text) if text.trim().is_empty() => wanted.to_vec(),
            Text::Same(_) => Vec::new(),
            Text::PerLanguage(texts) => wanted
                .iter()
                .copied()
                .filter(|l| texts.get(l).is_none_or(|t| t.trim().is_empty()))
                .collect(),
        }
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Text::Same(text.to_owned())
    }
}
