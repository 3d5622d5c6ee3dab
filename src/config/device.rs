//! The device file: which survey, which event, which languages, and the kiosk's timing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hetki_protocol::{EventInfo, Language, Text, check_id, language_list_problems};
use serde::Deserialize;

use super::error::{ConfigError, ConfigProblem, in_range, parse_toml};
use super::upload::UploadFile;
use super::{
    AttractConfig, BufferConfig, FollowUpNote, KioskConfig, PanelConfig, PlaceNames, SurveyChoice,
    Timing, load_survey,
};

/// Where `--config` points when it is not given.
pub const DEFAULT_CONFIG_PATH: &str = "config/kiosk.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceFile {
    device_id: String,
    /// The active survey file, relative to this file.
    survey: PathBuf,
    /// Other survey files staff may switch to in the panel, relative to this file.
    #[serde(default)]
    surveys: Vec<PathBuf>,
    /// The time zone "today" and the panel's times are in.
    time_zone: Option<String>,
    /// Relative to this file.
    data_dir: PathBuf,
    /// Defaults to every language the survey has.
    languages: Option<Vec<Language>>,
    /// Defaults to the first of `languages`.
    default_language: Option<Language>,
    privacy_note: Text,
    /// The participation symbol, relative to this file; defaults to a neutral placeholder.
    symbol: Option<PathBuf>,
    /// A light version of the symbol for the high-contrast theme's black background;
    /// defaults to `symbol`.
    symbol_high_contrast: Option<PathBuf>,
    #[serde(default = "yes")]
    fullscreen: bool,
    #[serde(default = "yes")]
    keep_partial: bool,
    event: EventFile,
    /// The city's districts: when given, every event's area must be one of them, so that a
    /// misspelt area never becomes an area of its own in the results. Each is a name, or
    /// one per language whose Finnish one the events use.
    districts: Option<Vec<Text>>,
    /// The city's topics: when given, every event's topic must be one of them, for the same
    /// reason (results are read per theme).
    topics: Option<Vec<Text>>,
    /// Other events staff may start a session for in the panel.
    #[serde(default)]
    events: Vec<EventFile>,
    #[serde(default)]
    timing: TimingFile,
    #[serde(default)]
    upload: UploadFile,
    #[serde(default)]
    panel: PanelFile,
    #[serde(default)]
    attract: AttractFile,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AttractFile {
    /// Seconds each slide of the loop shows; leave out for no loop.
    rotate_seconds: Option<f64>,
    #[serde(default)]
    notes: Vec<NoteFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteFile {
    said: Text,
    did: Text,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PanelFile {
    /// From `hetki pin-hash`.
    pin_hash: Option<String>,
    /// Relative to this file.
    export_dir: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventFile {
    name: Text,
    place: Text,
    area: Option<String>,
    topic: Option<String>,
    /// A TOML date (`date = 2026-11-24`); a quoted one is taken too.
    date: Option<toml::Value>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TimingFile {
    idle_timeout_seconds: Option<f64>,
    cooldown_seconds: Option<f64>,
    thanks_seconds: Option<f64>,
    results_seconds: Option<f64>,
    highlight_seconds: Option<f64>,
}

/// An event's day from the file: a TOML date, or the same in quotes.
fn event_date(value: &toml::Value) -> Result<chrono::NaiveDate, String> {
    let wrong = || format!("{value} is not a day: write it as 2026-11-24");
    let date = match value {
        toml::Value::Datetime(toml::value::Datetime {
            date: Some(date),
            time: None,
            offset: None,
        }) => chrono::NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into()),
        toml::Value::String(text) => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
        _ => None,
    };
    date.ok_or_else(wrong)
}

fn yes() -> bool {
    true
}

/// `--config` given a survey file, which fails as a device file: say so, not which of its
/// fields a device file lacks.
fn survey_file_instead(path: &Path, error: ConfigError) -> ConfigError {
    let is_a_survey = std::fs::read_to_string(path)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .is_some_and(|table| table.contains_key("questions") && !table.contains_key("device_id"));
    if !is_a_survey {
        return error;
    }
    ConfigError::one(
        path,
        None,
        "this is a survey file: give --config the device file (such as config/kiosk.toml), \
         which names its survey",
    )
}

/// The part of the device file [`load_buffer`] reads. Other fields are not looked at, so a
/// mistake in them cannot keep stored answers from being exported or uploaded.
#[derive(Deserialize)]
struct BufferFile {
    device_id: Option<String>,
    data_dir: PathBuf,
    time_zone: Option<String>,
    #[serde(default)]
    upload: UploadFile,
}

pub(super) fn load_buffer(path: &Path) -> Result<BufferConfig, ConfigError> {
    let file: BufferFile = parse_toml(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut problems = Vec::new();
    let mut problem = |field: &str, message: String| {
        problems.push(ConfigProblem {
            file: path.to_owned(),
            field: Some(field.to_owned()),
            message,
        })
    };
    check_data_dir(&file.data_dir, &mut problem);
    let time_zone = time_zone(file.time_zone.as_deref(), &mut problem);
    let upload = file.upload.resolve(dir, false, &mut problem);
    if !problems.is_empty() {
        return Err(ConfigError { problems });
    }
    Ok(BufferConfig {
        config_file: path.to_owned(),
        // Only told to the collector, which checks it: a broken one is left unsaid.
        device_id: file.device_id.filter(|id| check_id(id).is_ok()),
        data_dir: dir.join(file.data_dir),
        time_zone,
        upload,
    })
}

fn check_data_dir(data_dir: &Path, problem: &mut dyn FnMut(&str, String)) {
    if data_dir.as_os_str().is_empty() {
        problem(
            "data_dir",
            "is empty: give the folder the answers are kept in".into(),
        );
    }
}

fn time_zone(name: Option<&str>, problem: &mut dyn FnMut(&str, String)) -> chrono_tz::Tz {
    let Some(name) = name else {
        return chrono_tz::Europe::Helsinki;
    };
    name.parse().unwrap_or_else(|_| {
        problem(
            "time_zone",
            format!("{name:?} is not a time zone: use a name such as \"Europe/Helsinki\""),
        );
        chrono_tz::Europe::Helsinki
    })
}

pub(super) fn load(path: &Path) -> Result<KioskConfig, ConfigError> {
    let file: DeviceFile = parse_toml(path).map_err(|error| survey_file_instead(path, error))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let device_file = path;
    let mut problems = Vec::new();
    let mut load = |field: String, relative: &PathBuf| {
        let path = dir.join(relative);
        if !path.is_file() {
            problems.push(ConfigProblem {
                file: device_file.to_owned(),
                field: Some(field),
                message: format!("there is no survey file at {}", path.display()),
            });
            return None;
        }
        match load_survey(&path) {
            Ok(survey) => Some(SurveyChoice {
                file: path,
                survey: Arc::new(survey),
            }),
            Err(mut error) => {
                problems.append(&mut error.problems);
                None
            }
        }
    };
    let survey = load("survey".into(), &file.survey);
    let others: Vec<Option<SurveyChoice>> = file
        .surveys
        .iter()
        .enumerate()
        .map(|(i, relative)| load(format!("surveys[{i}]"), relative))
        .collect();
    let mut problem = |field: &str, message: String| {
        problems.push(ConfigProblem {
            file: path.to_owned(),
            field: Some(field.to_owned()),
            message,
        })
    };

    if let Err(message) = check_id(&file.device_id) {
        problem("device_id", message);
    }

    let languages = file
        .languages
        .clone()
        .or_else(|| survey.as_ref().map(|s| s.survey.languages.clone()))
        .unwrap_or_default();
    // Languages the survey lists are checked with the survey.
    for message in file
        .languages
        .as_deref()
        .map(language_list_problems)
        .unwrap_or_default()
    {
        problem("languages", message);
    }
    // Which file each survey id came from: two files may not share one.
    let mut ids: Vec<(&str, &Path)> = Vec::new();
    let fields = std::iter::once("survey".to_owned()).chain((0..).map(|i| format!("surveys[{i}]")));
    for (field, choice) in fields.zip(std::iter::once(&survey).chain(&others)) {
        let (field, Some(choice)) = (field.as_str(), choice) else {
            continue;
        };
        match ids.iter().find(|(id, _)| *id == choice.survey.id) {
            Some((_, file)) if *file == choice.file => {
                problem(field, format!("{} is listed twice", choice.file.display()))
            }
            Some((id, file)) => problem(
                field,
                format!(
                    "{} has the id {id:?} of {} too: give each survey its own id",
                    choice.file.display(),
                    file.display()
                ),
            ),
            None => ids.push((&choice.survey.id, &choice.file)),
        }
        for language in languages
            .iter()
            .filter(|l| !choice.survey.languages.contains(l))
        {
            problem(
                field,
                format!("the survey {:?} has no {language} texts", choice.survey.id),
            );
        }
    }
    let default_language = file
        .default_language
        .or(languages.first().copied())
        .unwrap_or(Language::Fi);
    // No languages: the survey they come from is broken, and said to be.
    if !languages.is_empty() && !languages.contains(&default_language) {
        problem(
            "default_language",
            format!(
                "{default_language} is not among the languages: {}",
                languages
                    .iter()
                    .map(|l| l.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    for missing in file.privacy_note.missing(&languages) {
        problem("privacy_note", format!("the {missing} text is missing"));
    }
    let event_at = |i: usize| match i {
        0 => "event".to_owned(),
        i => format!("events[{}]", i - 1),
    };
    let events: Vec<EventInfo> = std::iter::once(file.event)
        .chain(file.events)
        .enumerate()
        .map(|(i, e)| EventInfo {
            name: e.name,
            place: e.place,
            area: e.area,
            topic: e.topic,
            date: e.date.and_then(|value| {
                event_date(&value)
                    .map_err(|message| problem(&format!("{}.date", event_at(i)), message))
                    .ok()
            }),
        })
        .collect();
    for (i, event) in events.iter().enumerate() {
        let at = event_at(i);
        for (field, text) in [("name", &event.name), ("place", &event.place)] {
            for missing in text.missing(&languages) {
                problem(
                    &format!("{at}.{field}"),
                    format!("the {missing} text is missing"),
                );
            }
        }
        if events[..i].contains(event) {
            problem(&at, "the same event is listed twice".into());
        }
        // Results are grouped by area and topic: a blank one would be a group of its own.
        for (field, value) in [("area", &event.area), ("topic", &event.topic)] {
            if value
                .as_deref()
                .is_some_and(|v| v.trim() != v || v.is_empty())
            {
                problem(
                    &format!("{at}.{field}"),
                    format!(
                        "{:?} is blank or has spaces around it: remove them, or leave the \
                         {field} out",
                        value.as_deref().unwrap_or_default()
                    ),
                );
            }
        }
        let listed = [
            ("area", &event.area, "districts", &file.districts),
            ("topic", &event.topic, "topics", &file.topics),
        ];
        for (field, value, list, names) in listed {
            let keys = || names.iter().flatten().map(|name| name.get(Language::Fi));
            if let (Some(value), Some(_)) = (value, names)
                && !keys().any(|key| key == value)
            {
                problem(
                    &format!("{at}.{field}"),
                    format!(
                        "{value:?} is not one of the {list}: {}",
                        keys().collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        }
    }
    for (list, names) in [("districts", &file.districts), ("topics", &file.topics)] {
        if names.as_ref().is_some_and(Vec::is_empty) {
            problem(
                list,
                format!("is empty: list the city's {list}, or leave {list} out"),
            );
        }
        for (i, name) in names.iter().flatten().enumerate() {
            if let Text::PerLanguage(texts) = name
                && texts.get(&Language::Fi).is_none_or(|t| t.trim().is_empty())
            {
                problem(
                    &format!("{list}[{i}]"),
                    "has no Finnish name (fi): events name their area and topic by it, and \
                     results are grouped by it"
                        .to_owned(),
                );
            }
        }
    }
    let time_zone = time_zone(file.time_zone.as_deref(), &mut problem);

    let mut image_file = |field: &str, relative: Option<&PathBuf>| {
        let path = dir.join(relative?);
        if !path.is_file() {
            problem(field, format!("no image file at {}", path.display()));
        }
        Some(path)
    };
    let symbol = image_file("symbol", file.symbol.as_ref());
    let symbol_high_contrast =
        image_file("symbol_high_contrast", file.symbol_high_contrast.as_ref());

    let defaults = Timing::default();
    let mut seconds = |field: &str, value: Option<f64>, range: (f64, f64), default: Duration| {
        in_range(&mut problem, field, value, range, " seconds")
            .map_or(default, Duration::from_secs_f64)
    };
    let timing = Timing {
        idle_timeout: seconds(
            "timing.idle_timeout_seconds",
            file.timing.idle_timeout_seconds,
            (5.0, 3600.0),
            defaults.idle_timeout,
        ),
        cooldown: seconds(
            "timing.cooldown_seconds",
            file.timing.cooldown_seconds,
            (0.0, 60.0),
            defaults.cooldown,
        ),
        thanks: seconds(
            "timing.thanks_seconds",
            file.timing.thanks_seconds,
            (1.0, 60.0),
            defaults.thanks,
        ),
        results: seconds(
            "timing.results_seconds",
            file.timing.results_seconds,
            (1.0, 120.0),
            defaults.results,
        ),
        highlight: seconds(
            "timing.highlight_seconds",
            file.timing.highlight_seconds,
            (0.0, 2.0),
            defaults.highlight,
        ),
        settle: defaults.settle,
    };

    let rotate = in_range(
        &mut problem,
        "attract.rotate_seconds",
        file.attract.rotate_seconds,
        (3.0, 120.0),
        " seconds",
    )
    .map(Duration::from_secs_f64);
    let mut notes = Vec::new();
    for (i, note) in file.attract.notes.into_iter().enumerate() {
        for (field, text) in [("said", &note.said), ("did", &note.did)] {
            for missing in text.missing(&languages) {
                problem(
                    &format!("attract.notes[{i}].{field}"),
                    format!("the {missing} text is missing"),
                );
            }
        }
        notes.push(FollowUpNote {
            said: note.said,
            did: note.did,
        });
    }
    // Notes show only as slides of the loop.
    if !notes.is_empty() && file.attract.rotate_seconds.is_none() {
        problem(
            "attract.notes",
            "notes show only as the start screen loops: set attract.rotate_seconds too".into(),
        );
    }
    let attract = AttractConfig { rotate, notes };
    check_data_dir(&file.data_dir, &mut problem);
    let upload = file.upload.resolve(dir, true, &mut problem);
    let pin = file.panel.pin_hash.as_deref().and_then(|text| {
        text.parse()
            .map_err(|message| problem("panel.pin_hash", message))
            .ok()
    });
    let panel = PanelConfig {
        pin,
        export_dir: file.panel.export_dir.map(|d| dir.join(d)),
    };

    match survey {
        Some(survey) if problems.is_empty() => Ok(KioskConfig {
            config_file: path.to_owned(),
            device_id: file.device_id,
            data_dir: dir.join(file.data_dir),
            surveys: std::iter::once(survey)
                .chain(others.into_iter().flatten())
                .collect(),
            events,
            time_zone,
            languages,
            default_language,
            privacy_note: file.privacy_note,
            symbol,
            symbol_high_contrast,
            timing,
            keep_partial: file.keep_partial,
            fullscreen: file.fullscreen,
            upload,
            panel,
            attract,
            place_names: PlaceNames {
                districts: file.districts.unwrap_or_default(),
                topics: file.topics.unwrap_or_default(),
            },
        }),
        _ => Err(ConfigError { problems }),
    }
}
