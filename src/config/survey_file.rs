//! The survey file format: what a person writes, resolved into a [`SurveyDefinition`].

use std::path::Path;

use hetki_protocol::{
    ChoiceOption, FaceOption, Language, Question, QuestionKind, SurveyDefinition, SurveyKind, Text,
    default_face_labels,
};
use serde::Deserialize;

use super::error::{ConfigError, ConfigProblem, parse_toml};

/// The fewest answers a poll's results on the kiosk may move by.
pub const LEAST_RESULTS_MINIMUM: u32 = 3;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SurveyFile {
    id: String,
    #[serde(default)]
    kind: SurveyKind,
    title: Text,
    languages: Vec<Language>,
    questions: Vec<QuestionFile>,
    /// Polls: results show from this many answers on, and move in steps of it (default 5).
    results_minimum: Option<u32>,
    /// Where the city tells what came of the feedback (a QR code on the thank-you screen).
    follow_up_url: Option<String>,
    /// The same survey on a phone, for hybrid events (a QR code on the thank-you screen).
    phone_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionFile {
    id: String,
    #[serde(rename = "type")]
    kind: QuestionType,
    text: Text,
    #[serde(default)]
    skippable: bool,
    /// Faces: how many (3, 4 or 5).
    faces: Option<usize>,
    /// Faces: a label per face, unhappiest first; defaults to built-in labels.
    labels: Option<Vec<Text>>,
    /// Choice: the options, in screen order.
    options: Option<Vec<OptionFile>>,
    /// Choice: pick any number of the options (at least one), then "Done".
    #[serde(default)]
    multiple: bool,
}

/// An answer option as written: like [`ChoiceOption`], but a misspelt key (`img`) is an
/// error here instead of a picture that silently never shows.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionFile {
    id: String,
    label: Text,
    image: Option<String>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum QuestionType {
    Faces,
    Choice,
}

/// Loads and validates a survey file; option images must exist beside it.
pub fn load_survey(file: &Path) -> Result<SurveyDefinition, ConfigError> {
    let parsed: SurveyFile = parse_toml(file)?;
    let mut problems = Vec::new();
    let mut problem = |field: String, message: String| {
        problems.push(ConfigProblem {
            file: file.to_owned(),
            field: Some(field),
            message,
        })
    };
    let mut questions = Vec::new();
    // Questions too broken to resolve keep their place (so later indexes stay true) but are
    // left out of the definition's own checks, which would only repeat the problem.
    let mut broken = Vec::new();
    for (i, q) in parsed.questions.into_iter().enumerate() {
        let at = format!("questions[{i}]");
        let placeholder = QuestionKind::Choice {
            options: Vec::new(),
            multiple: false,
        };
        let kind = match q.kind {
            QuestionType::Faces => {
                if q.options.is_some() {
                    problem(
                        format!("{at}.options"),
                        "a faces question has no options: use faces = 3, 4 or 5".into(),
                    );
                }
                if q.multiple {
                    problem(
                        format!("{at}.multiple"),
                        "only a choice question can take several answers".into(),
                    );
                }
                let count = q.faces.unwrap_or(5);
                // The built-in labels exist exactly for the counts a faces question may have.
                let labels = match (default_face_labels(count), q.labels) {
                    (None, _) => {
                        problem(
                            format!("{at}.faces"),
                            format!("a faces question has 3, 4 or 5 faces, not {count}"),
                        );
                        broken.push(i);
                        Vec::new()
                    }
                    (Some(_), Some(labels)) if labels.len() != count => {
                        problem(
                            format!("{at}.labels"),
                            format!("{} labels given for {count} faces", labels.len()),
                        );
                        broken.push(i);
                        Vec::new()
                    }
                    (Some(_), Some(labels)) => labels,
                    (Some(defaults), None) => defaults,
                };
                if broken.last() == Some(&i) {
                    placeholder
                } else {
                    let faces = (1..)
                        .zip(labels)
                        .map(|(score, label)| FaceOption { score, label })
                        .collect();
                    QuestionKind::Faces { faces }
                }
            }
            QuestionType::Choice => {
                for (field, given) in [("faces", q.faces.is_some()), ("labels", q.labels.is_some())]
                {
                    if given {
                        problem(
                            format!("{at}.{field}"),
                            "faces and labels are for faces questions: a choice question lists \
                             options"
                                .into(),
                        );
                    }
                }
                let Some(options) = q.options else {
                    problem(
                        format!("{at}.options"),
                        "a choice question needs its options".into(),
                    );
                    broken.push(i);
                    questions.push(Question {
                        id: q.id,
                        text: q.text,
                        skippable: q.skippable,
                        kind: placeholder,
                    });
                    continue;
                };
                let options: Vec<ChoiceOption> = options
                    .into_iter()
                    .map(|o| ChoiceOption {
                        id: o.id,
                        label: o.label,
                        image: o.image,
                    })
                    .collect();
                let dir = file.parent().unwrap_or(Path::new("."));
                for (j, option) in options.iter().enumerate() {
                    if let Some(image) = &option.image
                        && !dir.join(image).is_file()
                    {
                        problem(
                            format!("{at}.options[{j}].image"),
                            format!("no image file {image:?} beside the survey file"),
                        );
                    }
                }
                QuestionKind::Choice {
                    options,
                    multiple: q.multiple,
                }
            }
        };
        questions.push(Question {
            id: q.id,
            text: q.text,
            skippable: q.skippable,
            kind,
        });
    }
    let survey = SurveyDefinition {
        id: parsed.id,
        kind: parsed.kind,
        title: parsed.title,
        languages: parsed.languages,
        questions,
        results_minimum: parsed.results_minimum,
        follow_up_url: parsed.follow_up_url,
        phone_url: parsed.phone_url,
    };
    // A poll thanks with its results screen, which has no room for QR codes: an address
    // that would never show is a mistake to point out, not to ignore.
    if survey.kind == SurveyKind::Poll {
        for (field, url) in [
            ("follow_up_url", &survey.follow_up_url),
            ("phone_url", &survey.phone_url),
        ] {
            if url.is_some() {
                problem(
                    field.into(),
                    "a poll thanks with its results, where no QR code shows: leave this out, \
                     or make the survey kind = \"feedback\""
                        .into(),
                );
            }
        }
    }
    // A resident's phone must not be sent to a page anyone on the way could change.
    for (field, url) in [
        ("follow_up_url", &survey.follow_up_url),
        ("phone_url", &survey.phone_url),
    ] {
        if let Some(url) = url
            && url.starts_with("http://")
        {
            problem(
                field.into(),
                format!("{url:?} is not a secure web address: start it with https://"),
            );
        }
    }
    // The collector takes any step from 1 (it shows no running results); a kiosk showing
    // results that move by one or two would let a voter read the vote before theirs.
    let minimum_out_of_range = survey.kind == SurveyKind::Poll
        && survey
            .results_minimum
            .is_some_and(|n| !(LEAST_RESULTS_MINIMUM..=1000).contains(&n));
    if minimum_out_of_range {
        let n = survey.results_minimum.unwrap_or_default();
        let why = if n < LEAST_RESULTS_MINIMUM {
            ", or one person's vote could be read from how the results change"
        } else {
            ""
        };
        problem(
            "results_minimum".into(),
            format!("{n} is out of range: use {LEAST_RESULTS_MINIMUM} to 1000{why}"),
        );
    }
    for p in survey.problems() {
        let said = minimum_out_of_range && p.field == "results_minimum";
        if !said
            && !broken
                .iter()
                .any(|i| p.field.starts_with(&format!("questions[{i}].")))
        {
            problem(p.field, p.message);
        }
    }
    if problems.is_empty() {
        Ok(survey)
    } else {
        Err(ConfigError { problems })
    }
}
