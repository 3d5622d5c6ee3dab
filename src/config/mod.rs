//! Device and survey configuration: TOML files → validated types. Every mistake is reported
//! with the file, the field and what is wrong, and nothing half-valid is ever returned.

mod device;
mod error;
pub mod font_coverage;
mod survey_file;
mod upload;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hetki_protocol::{EventInfo, Language, SurveyDefinition, Text};

pub use device::DEFAULT_CONFIG_PATH;
pub use error::{ConfigError, ConfigProblem};
pub use survey_file::load_survey;
pub use upload::{Token, UploadConfig, check_endpoint, token_file_warning};

/// A kiosk's whole configuration, validated.
#[derive(Clone, Debug)]
pub struct KioskConfig {
    pub config_file: PathBuf,
    pub device_id: String,
    /// Where the response buffer lives.
    pub data_dir: PathBuf,
    /// Every survey staff may switch to in the panel; the first is the device file's own
    /// (`survey()`).
    pub surveys: Vec<SurveyChoice>,
    /// Every event staff may start a session for in the panel; the first is the device
    /// file's own (`event()`).
    pub events: Vec<EventInfo>,
    /// Where "today" is counted, and the panel's times shown.
    pub time_zone: chrono_tz::Tz,
    /// The languages offered on screen, in button order.
    pub languages: Vec<Language>,
    pub default_language: Language,
    pub privacy_note: Text,
    /// The participation symbol shown on the attract screen; `None` shows the bundled placeholder.
    pub symbol: Option<PathBuf>,
    /// The symbol on the high-contrast theme's black background; `None` uses `symbol`, or the
    /// placeholder's light version when `symbol` is `None` too.
    pub symbol_high_contrast: Option<PathBuf>,
    pub timing: Timing,
    /// Keep a half-answered survey (flagged incomplete) when a respondent walks away.
    pub keep_partial: bool,
    pub fullscreen: bool,
    pub upload: UploadConfig,
    pub panel: PanelConfig,
    pub attract: AttractConfig,
    /// What the city's districts and topics are called in each language, for staff.
    pub place_names: PlaceNames,
}

/// The city's districts and topics as the device file lists them. An event names its area and
/// topic in Finnish, which is what it sends and what results are grouped by; staff read
/// them in the panel's language where the file gives it.
#[derive(Clone, Debug, Default)]
pub struct PlaceNames {
    pub districts: Vec<Text>,
    pub topics: Vec<Text>,
}

impl PlaceNames {
    /// What the district `name` (in Finnish) is called in `language`; as it is when the file
    /// does not say.
    pub fn area<'a>(&'a self, name: &'a str, language: Language) -> &'a str {
        named(&self.districts, name, language)
    }

    /// What the topic `name` (in Finnish) is called in `language`, likewise.
    pub fn topic<'a>(&'a self, name: &'a str, language: Language) -> &'a str {
        named(&self.topics, name, language)
    }
}

fn named<'a>(list: &'a [Text], name: &'a str, language: Language) -> &'a str {
    list.iter()
        .find(|text| text.get(Language::Fi) == name)
        .map_or(name, |text| text.get(language))
}

/// What reaches the answers already stored: where the buffer is, the time zone its times are
/// shown in, and the collector. `hetki export`, `status` and `sync` need only this part of the
/// device file, so a mistake elsewhere (a broken survey file, say) stops the kiosk from
/// starting but never keeps what it took from being exported or uploaded.
#[derive(Clone, Debug)]
pub struct BufferConfig {
    pub config_file: PathBuf,
    /// What the uploader tells the collector this device is; `None` where the file's is broken.
    pub device_id: Option<String>,
    pub data_dir: PathBuf,
    pub time_zone: chrono_tz::Tz,
    pub upload: UploadConfig,
}

impl BufferConfig {
    /// Loads and validates only the buffer's fields of the device file at `path`.
    pub fn load(path: &Path) -> Result<BufferConfig, ConfigError> {
        device::load_buffer(path)
    }

    /// The response buffer's file.
    pub fn database_path(&self) -> PathBuf {
        database_path(&self.data_dir)
    }
}

fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("responses.sqlite3")
}

/// The attract loop of a library screen: what the idle start screen rotates through.
#[derive(Clone, Debug, Default)]
pub struct AttractConfig {
    /// How long each slide shows; `None`: no loop, the start screen stays as it is.
    pub rotate: Option<Duration>,
    /// "You said → we did": what the city did with earlier feedback.
    pub notes: Vec<FollowUpNote>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpNote {
    pub said: Text,
    pub did: Text,
}

/// A survey a kiosk can run, and the file it came from (its pictures are named relative to it).
#[derive(Clone, Debug)]
pub struct SurveyChoice {
    pub file: PathBuf,
    pub survey: Arc<SurveyDefinition>,
}

/// The staff panel: the PIN that opens it, and where it exports to.
#[derive(Clone, Debug, Default)]
pub struct PanelConfig {
    pub pin: Option<crate::pin::PinHash>,
    /// Where "export" writes its CSV file, e.g. a USB stick's mount point.
    pub export_dir: Option<PathBuf>,
}

/// How long each part of the respondent flow lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// Without a touch for this long, a half-answered survey goes back to the attract screen.
    pub idle_timeout: Duration,
    /// After a submit, taps are ignored this long so one person cannot machine-gun answers.
    pub cooldown: Duration,
    /// How long the thank-you screen stays.
    pub thanks: Duration,
    /// How long a poll's results screen (its thank-you) stays.
    pub results: Duration,
    /// How long a tapped answer stays highlighted before the next question.
    pub highlight: Duration,
    /// After any change of screen (by a tap, or at the end of a highlight), taps are ignored
    /// this long: longer than a bouncing finger or an accidental double tap, shorter than
    /// anyone reads the next screen. Not in the device file.
    pub settle: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            idle_timeout: Duration::from_secs(30),
            cooldown: Duration::from_secs(2),
            thanks: Duration::from_secs(5),
            results: Duration::from_secs(10),
            highlight: Duration::from_millis(400),
            settle: Duration::from_millis(500),
        }
    }
}

impl KioskConfig {
    /// Loads and validates the device file at `path` and the survey it names.
    pub fn load(path: &Path) -> Result<KioskConfig, ConfigError> {
        device::load(path)
    }

    /// What `hetki check` warns of: the kiosk runs, but not as staff would want.
    pub fn warnings(&self) -> Vec<ConfigProblem> {
        let warning = |field: &str, message: String| ConfigProblem {
            file: self.config_file.clone(),
            field: Some(field.into()),
            message,
        };
        let mut warnings = Vec::new();
        match &self.panel.pin {
            None => warnings.push(warning(
                "panel.pin_hash",
                "not set, so the staff panel cannot be opened (no export, no event switch, no \
                 test mode): make one with `hetki pin-hash`"
                    .into(),
            )),
            Some(hash) if hash.is_the_demos() => warnings.push(warning(
                "panel.pin_hash",
                "is the demo's, whose PIN the README gives to all: make your own with \
                 `hetki pin-hash`"
                    .into(),
            )),
            Some(_) => {}
        }
        let token_file = self.upload.token_file.as_deref();
        if let Some(message) = token_file.and_then(upload::token_file_warning) {
            warnings.push(warning("upload.token_file", message));
        }
        warnings.extend(self.undrawable_texts());
        warnings
    }

    /// Texts in the device and survey files that the embedded fonts cannot draw (see
    /// [`font_coverage`]): warnings, not errors.
    pub fn undrawable_texts(&self) -> Vec<ConfigProblem> {
        let mut files = vec![&self.config_file];
        for choice in &self.surveys {
            if !files.contains(&&choice.file) {
                files.push(&choice.file);
            }
        }
        files
            .into_iter()
            .flat_map(|file| font_coverage::undrawable_texts(file))
            .collect()
    }

    /// The response buffer's file.
    pub fn database_path(&self) -> PathBuf {
        database_path(&self.data_dir)
    }

    /// The part that reaches the answers stored.
    pub fn buffer(&self) -> BufferConfig {
        BufferConfig {
            config_file: self.config_file.clone(),
            device_id: Some(self.device_id.clone()),
            data_dir: self.data_dir.clone(),
            time_zone: self.time_zone,
            upload: self.upload.clone(),
        }
    }

    /// The survey the device file makes active (`load` guarantees there is one).
    pub fn survey(&self) -> &Arc<SurveyDefinition> {
        &self.surveys[0].survey
    }

    /// The event the device file names.
    pub fn event(&self) -> &EventInfo {
        &self.events[0]
    }
}

/// Why answers could not be kept in `dir`, if they could not: it, or the folder it would be
/// made in, is not a folder or cannot be written. For `hetki check`: the kiosk itself starts
/// anyway, out of order until the folder can be written (a card may come back).
pub fn unwritable_data_dir(dir: &Path) -> Option<String> {
    let mut existing = dir;
    while !existing.exists() {
        existing = match existing.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            // A relative path's first folder is made in the working directory.
            _ if existing != Path::new(".") => Path::new("."),
            _ => return None,
        };
    }
    if !existing.is_dir() {
        return Some(format!("{} is not a folder", existing.display()));
    }
    let probe = existing.join(format!(".hetki-check-{}", std::process::id()));
    match std::fs::File::create_new(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            None
        }
        Err(error) => Some(format!("cannot write in {}: {error}", existing.display())),
    }
}
