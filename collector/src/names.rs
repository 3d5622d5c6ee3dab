//! What areas and topics are called in Swedish and English. Kiosks send an event's area and
//! topic as the device file names them, in Finnish; that name stays the group's key, so
//! results are split the same way in every language, and this file gives what staff read.
//!
//! ```toml
//! [areas]
//! "Suur-Leppävaara" = { sv = "Stor-Alberga", en = "Greater Leppävaara" }
//! [topics]
//! "Kirjastopalvelut" = { sv = "Bibliotekstjänster", en = "Library services" }
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use hetki_protocol::Language;
use serde::Deserialize;

/// An area's or a topic's name in the other languages; one not given stays in Finnish.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct Translated {
    sv: Option<String>,
    en: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Names {
    #[serde(default)]
    areas: HashMap<String, Translated>,
    #[serde(default)]
    topics: HashMap<String, Translated>,
}

#[derive(Debug, thiserror::Error)]
pub enum NamesError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

/// Where a name is looked up.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Area,
    Topic,
}

impl Names {
    pub fn load(path: &Path) -> Result<Names, NamesError> {
        let text = std::fs::read_to_string(path).map_err(|source| NamesError::Read {
            path: path.to_owned(),
            source,
        })?;
        let invalid = |message: String| NamesError::Invalid {
            path: path.to_owned(),
            message,
        };
        let names: Names = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        for (kind, table) in [("areas", &names.areas), ("topics", &names.topics)] {
            for (name, translated) in table {
                for (code, text) in [("sv", &translated.sv), ("en", &translated.en)] {
                    if text.as_ref().is_some_and(|t| t.trim().is_empty()) {
                        return Err(invalid(format!("{kind}.\"{name}\".{code} is empty")));
                    }
                }
            }
        }
        Ok(names)
    }

    /// What `name` (as kiosks send it) is called in `language`, if this file says.
    pub fn get(&self, kind: Kind, name: &str, language: Language) -> Option<&str> {
        let table = match kind {
            Kind::Area => &self.areas,
            Kind::Topic => &self.topics,
        };
        let translated = table.get(name)?;
        match language {
            Language::Fi => None,
            Language::Sv => translated.sv.as_deref(),
            Language::En => translated.en.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use hetki_protocol::Language;

    use super::{Kind, Names, NamesError};

    fn load(text: &str) -> Result<Names, NamesError> {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(text.as_bytes()).unwrap();
        Names::load(file.path())
    }

    #[test]
    fn names_are_read_in_each_language_and_finnish_is_the_key() {
        let names = load(
            "[areas]\n\"Suur-Tapiola\" = { sv = \"Stor-Hagalund\" }\n\
             [topics]\nLiikenne = { sv = \"Trafik\", en = \"Transport\" }\n",
        )
        .unwrap();
        let area = |lang| names.get(Kind::Area, "Suur-Tapiola", lang);
        assert_eq!(area(Language::Sv), Some("Stor-Hagalund"));
        assert_eq!(area(Language::En), None, "not given: stays as sent");
        assert_eq!(area(Language::Fi), None);
        assert_eq!(
            names.get(Kind::Topic, "Liikenne", Language::En),
            Some("Transport")
        );
        assert_eq!(names.get(Kind::Area, "Liikenne", Language::En), None);
    }

    /// The server's names agree with the demo kiosks' device files, which give staff the same
    /// names in the panel.
    #[test]
    fn the_example_names_every_district_and_topic_of_the_demo_kiosks_as_they_do() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let names = Names::load(&root.join("deploy/server/names.toml")).unwrap();
        for config in ["config/kiosk.toml", "config/library-poll.toml"] {
            let text = std::fs::read_to_string(root.join(config)).unwrap();
            let device: toml::Table = toml::from_str(&text).unwrap();
            let listed = |list: &str| device[list].as_array().unwrap().clone();
            let named = listed("districts")
                .into_iter()
                .map(|d| (Kind::Area, d))
                .chain(listed("topics").into_iter().map(|t| (Kind::Topic, t)));
            for (kind, name) in named {
                let fi = name["fi"].as_str().unwrap();
                for (language, code) in [(Language::Sv, "sv"), (Language::En, "en")] {
                    let got = names.get(kind, fi, language);
                    assert_eq!(got, name[code].as_str(), "{config}: {fi} in {code}");
                }
            }
        }
    }

    #[test]
    fn a_mistake_names_the_file_and_what_is_wrong() {
        let error = load("[areas]\n\"Suur-Tapiola\" = { se = \"Stor-Hagalund\" }\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown field `se`"), "{error}");
        assert!(error.contains(".tmp"), "the file: {error}");
        let error = load("[topics]\nLiikenne = { sv = \" \" }\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("topics.\"Liikenne\".sv is empty"), "{error}");
        let error = load("[area]\n").unwrap_err().to_string();
        assert!(error.contains("unknown field `area`"), "{error}");
    }
}
