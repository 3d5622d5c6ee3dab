//! What the screens show besides the flow's state, loaded once from the configuration.

use std::collections::HashMap;
use std::path::Path;

use hetki_protocol::{Language, QuestionKind, Text};
use slint::Image;

use crate::config::{ConfigError, FollowUpNote, KioskConfig, PlaceNames, SurveyChoice};
use crate::panel::PanelPlace;
use crate::picture::AnswerPicture;
use crate::qr::qr_image;

/// What the screens show besides the flow's state: the privacy note, pictures, QR codes.
pub struct Scenery {
    pub(super) privacy_note: Text,
    pub(super) languages: Vec<Language>,
    pub(super) symbol: Option<Image>,
    /// The symbol on the high-contrast theme's black background.
    pub(super) symbol_high_contrast: Option<Image>,
    /// The attract loop's "you said → we did" notes.
    pub(super) notes: Vec<FollowUpNote>,
    /// Each configured survey's pictures and QR codes, by survey id.
    pub(super) surveys: HashMap<String, SurveyPictures>,
    /// Where the staff panel reads and exports.
    pub panel: PanelPlace,
    /// The city's districts and topics in each language, for the panel's events.
    pub(super) place_names: PlaceNames,
}

/// One survey's pictures: per question, per option, its picture if it has one; and the QR
/// codes of the thank-you screen (what came of the feedback, the survey on a phone).
#[derive(Default)]
pub(super) struct SurveyPictures {
    pub(super) option_images: Vec<Vec<Option<AnswerPicture>>>,
    pub(super) follow_up_qr: Option<Image>,
    pub(super) phone_qr: Option<Image>,
}

impl Scenery {
    /// Loads the configured pictures; one that cannot be read is a configuration error.
    pub fn load(config: &KioskConfig) -> Result<Scenery, ConfigError> {
        let load = |path: &Path, file: &Path, field: &str| {
            crate::picture::load(path)
                .map_err(|message| ConfigError::one(file, Some(field), message))
        };
        let symbol = config
            .symbol
            .as_deref()
            .map(|p| load(p, &config.config_file, "symbol"))
            .transpose()?;
        let symbol_high_contrast = match &config.symbol_high_contrast {
            Some(p) => Some(load(p, &config.config_file, "symbol_high_contrast")?),
            None => symbol.clone(),
        };
        let mut surveys = HashMap::new();
        for SurveyChoice { file, survey } in &config.surveys {
            let survey_dir = file.parent().unwrap_or(Path::new("."));
            let mut option_images = Vec::new();
            for (q, question) in survey.questions.iter().enumerate() {
                let mut images = Vec::new();
                if let QuestionKind::Choice { options, .. } = &question.kind {
                    for (o, option) in options.iter().enumerate() {
                        let field = format!("questions[{q}].options[{o}].image");
                        let image = option.image.as_ref().map(|name| {
                            AnswerPicture::load(&survey_dir.join(name))
                                .map_err(|message| ConfigError::one(file, Some(&field), message))
                        });
                        images.push(image.transpose()?);
                    }
                }
                option_images.push(images);
            }
            let qr = |url: &Option<String>, field: &str| {
                url.as_deref()
                    .map(|url| {
                        qr_image(url).ok_or_else(|| {
                            ConfigError::one(
                                file,
                                Some(field),
                                "too long for a QR code a phone can read from the screen: \
                                 keep it under about 200 characters (a short address that \
                                 redirects will do)",
                            )
                        })
                    })
                    .transpose()
            };
            let pictures = SurveyPictures {
                option_images,
                follow_up_qr: qr(&survey.follow_up_url, "follow_up_url")?,
                phone_qr: qr(&survey.phone_url, "phone_url")?,
            };
            surveys.insert(survey.id.clone(), pictures);
        }
        Ok(Scenery {
            place_names: config.place_names.clone(),
            panel: PanelPlace {
                device_id: config.device_id.clone(),
                database: config.database_path(),
                export_dir: config.panel.export_dir.clone(),
                uploads: config.upload.endpoint.is_some(),
                time_zone: config.time_zone,
                config_file_name: config
                    .config_file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            },
            privacy_note: config.privacy_note.clone(),
            languages: config.languages.clone(),
            symbol,
            symbol_high_contrast,
            notes: config.attract.notes.clone(),
            surveys,
        })
    }
}
