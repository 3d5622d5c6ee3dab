//! What the kiosk runs now: the survey, the event and test mode. The device file gives the
//! defaults; staff change them in the panel, and their changes (the overrides) are kept in
//! the data directory across restarts and shown as overriding the file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hetki_protocol::{EventInfo, Language, SurveyDefinition};
use serde::{Deserialize, Serialize};

use crate::config::KioskConfig;

/// What staff changed in the panel. Kept by value, not by position in the device file, so
/// an edited file can never make an override point at something else.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overrides {
    /// The id of the survey staff switched to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<String>,
    /// The event staff started a session for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<EventInfo>,
    /// Answers are flagged as tests and never counted in results.
    #[serde(default)]
    pub test_mode: bool,
}

impl Overrides {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("panel-overrides.json")
    }

    /// The overrides kept at `path`; none when there is no file. A file that cannot be read is
    /// logged and ignored: the device file's settings are always a safe fallback.
    pub fn load(path: &Path) -> Overrides {
        crate::kept::load(path, "panel overrides")
    }

    pub fn is_empty(&self) -> bool {
        *self == Overrides::default()
    }
}

/// The device file's entry for the event staff chose: the same entry, or one edited since
/// (a language added, a typo mended, a day given) that alone has its name and place in the
/// device's default language and no other day. Never an evening of another day at the same
/// hall: the list is edited for next season, and answers must not move to it.
fn same_event<'a>(config: &'a KioskConfig, chosen: &EventInfo) -> Option<&'a EventInfo> {
    fn known_as(event: &EventInfo, language: Language) -> (&str, &str) {
        (event.name.get(language), event.place.get(language))
    }
    let language = config.default_language;
    fn only<'a>(mut events: impl Iterator<Item = &'a EventInfo>) -> Option<&'a EventInfo> {
        match (events.next(), events.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }
    let other_day = |e: &EventInfo| matches!((e.date, chosen.date), (Some(a), Some(b)) if a != b);
    let alike = || {
        config
            .events
            .iter()
            .filter(|e| known_as(e, language) == known_as(chosen, language) && !other_day(e))
    };
    config
        .events
        .iter()
        .find(|e| *e == chosen)
        .or_else(|| only(alike()))
        // The evening of that day, beside the same one listed without a day.
        .or_else(|| only(alike().filter(|e| e.date == chosen.date)))
}

/// The survey, event and mode in force: the device file's, with the valid overrides applied.
#[derive(Clone, Debug)]
pub struct Session {
    pub survey: Arc<SurveyDefinition>,
    pub event: EventInfo,
    /// The overrides in force (those that still match something in the device file).
    pub overrides: Overrides,
}

impl Session {
    /// Answers are flagged as tests and never counted.
    pub fn test_mode(&self) -> bool {
        self.overrides.test_mode
    }

    /// Applies `overrides` to `config`. An override naming a survey or event the device file
    /// no longer lists is dropped with a warning.
    pub fn resolve(config: &KioskConfig, overrides: Overrides) -> Session {
        let mut kept = Overrides {
            test_mode: overrides.test_mode,
            ..Overrides::default()
        };
        let mut survey = config.survey().clone();
        if let Some(id) = overrides.survey {
            match config.surveys.iter().find(|c| c.survey.id == id) {
                Some(choice) => {
                    survey = choice.survey.clone();
                    kept.survey = Some(id);
                }
                None => tracing::warn!(id, "the panel's survey is no longer configured"),
            }
        }
        let mut event = config.event().clone();
        if let Some(chosen) = overrides.event {
            match same_event(config, &chosen) {
                Some(listed) => {
                    if *listed != chosen {
                        tracing::info!("the panel's event was edited in the device file");
                    }
                    event = listed.clone();
                    kept.event = Some(listed.clone());
                }
                None => tracing::warn!("the panel's event is no longer configured"),
            }
        }
        Session {
            survey,
            event,
            overrides: kept,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> KioskConfig {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/kiosk.toml");
        KioskConfig::load(&path).unwrap()
    }

    /// `event` as saved before its Swedish place was mended in the device file.
    fn saved_before_an_edit(event: &EventInfo) -> EventInfo {
        let mut saved = serde_json::to_value(event).unwrap();
        saved["place"]["sv"] = "Entressebibloteket".into();
        serde_json::from_value(saved).unwrap()
    }

    #[test]
    fn an_event_edited_in_the_file_since_staff_chose_it_stays_chosen_as_edited() {
        let config = demo();
        let listed = config.events[1].clone();
        let saved = saved_before_an_edit(&listed);
        assert_ne!(saved, listed);
        let session = Session::resolve(
            &config,
            Overrides {
                event: Some(saved),
                ..Overrides::default()
            },
        );
        assert_eq!(session.event, listed);
        assert_eq!(session.overrides.event, Some(listed));
    }

    #[test]
    fn of_one_evening_held_twice_the_one_chosen_stays_chosen_after_an_edit() {
        let mut config = demo();
        let spring = config.events[1].clone();
        let autumn = EventInfo {
            date: chrono::NaiveDate::from_ymd_opt(2027, 10, 7),
            ..spring.clone()
        };
        assert_ne!(spring.date, autumn.date);
        config.events.push(autumn.clone());
        for chosen in [&spring, &autumn] {
            let session = Session::resolve(
                &config,
                Overrides {
                    event: Some(saved_before_an_edit(chosen)),
                    ..Overrides::default()
                },
            );
            assert_eq!(session.event, *chosen);
        }
        // Listed without a day as well: the edited choice is still the evening of its day.
        let undated = EventInfo {
            date: None,
            ..spring.clone()
        };
        config.events.push(undated.clone());
        let session = Session::resolve(
            &config,
            Overrides {
                event: Some(saved_before_an_edit(&spring)),
                ..Overrides::default()
            },
        );
        assert_eq!(session.event, spring);
        config.events.retain(|e| *e != undated);
        // Next season's list: the spring evening is gone, and a choice of it does not become
        // the autumn one.
        config.events.retain(|e| *e != spring);
        let session = Session::resolve(
            &config,
            Overrides {
                event: Some(spring),
                ..Overrides::default()
            },
        );
        assert_eq!(session.event, *config.event());
    }

    #[test]
    fn an_event_renamed_in_the_file_is_no_longer_the_one_chosen() {
        let config = demo();
        let mut gone = serde_json::to_value(&config.events[1]).unwrap();
        gone["name"]["fi"] = "Asukasilta: Espoonlahti".into();
        let session = Session::resolve(
            &config,
            Overrides {
                event: Some(serde_json::from_value(gone).unwrap()),
                ..Overrides::default()
            },
        );
        assert_eq!(session.event, *config.event());
        assert_eq!(session.overrides, Overrides::default());
    }
}
