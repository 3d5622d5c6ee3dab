use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Answer, AnswerValue, Language, SurveyRef, Text, language_list_problems};

/// The longest question, in characters: read standing, at a glance, and leaving the
/// answers and Back their room on every kiosk screen (checked at 800×480 to 1920×1080, large
/// text). The collector refuses a longer one too: its results print the text.
pub const LONGEST_QUESTION: usize = 120;
/// A survey has at least one and at most this many questions ("light participation").
pub const MAX_QUESTIONS: usize = 4;
pub const MIN_CHOICE_OPTIONS: usize = 2;
pub const MAX_CHOICE_OPTIONS: usize = 6;
const FACE_COUNTS: std::ops::RangeInclusive<usize> = 3..=5;

/// A survey as it travels and is stored: every default resolved, so its content hash says
/// exactly what a respondent saw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyDefinition {
    pub id: String,
    pub kind: SurveyKind,
    pub title: Text,
    /// The languages every text of this survey is given in.
    pub languages: Vec<Language>,
    pub questions: Vec<Question>,
    /// A poll's results show once a question has this many answers, and then move only in
    /// steps of this many, so no one vote can be read from a change. `None`: the default
    /// (polls only; feedback shows no results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results_minimum: Option<u32>,
    /// Where the city tells what came of this feedback: shown as a QR code when thanking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_url: Option<String>,
    /// The same survey on a phone (hybrid events): shown as a QR code when thanking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_url: Option<String>,
}

/// A poll's results show from this many answers on, unless its survey says otherwise.
pub const DEFAULT_RESULTS_MINIMUM: u32 = 5;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SurveyKind {
    /// Event feedback: a few questions answered on the spot.
    #[default]
    Feedback,
    /// A quick (gallup-style) poll.
    Poll,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub text: Text,
    /// Whether the respondent may move on without answering.
    pub skippable: bool,
    pub kind: QuestionKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum QuestionKind {
    /// 3, 4 or 5 faces from unhappy to happy; the answer is the face's score, 1 = unhappiest.
    Faces { faces: Vec<FaceOption> },
    /// Pick one of 2–6 options, or with `multiple` any number of them (at least one).
    Choice {
        options: Vec<ChoiceOption>,
        /// Left out when false, so a single-choice survey keeps its content hash.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        multiple: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceOption {
    pub score: u8,
    /// What the face means, shown under it and read by screen readers.
    pub label: Text,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceOption {
    pub id: String,
    pub label: Text,
    /// A picture shown with the label (a file name beside the survey file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// One thing wrong with a definition: the field it is in and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl Question {
    /// How many answers this question offers.
    pub fn option_count(&self) -> usize {
        match &self.kind {
            QuestionKind::Faces { faces } => faces.len(),
            QuestionKind::Choice { options, .. } => options.len(),
        }
    }

    /// Each answer it offers, in screen order: its value as a cell (face score or option id)
    /// and its label in `language`.
    pub fn answer_labels(&self, language: Language) -> Vec<(String, String)> {
        match &self.kind {
            QuestionKind::Faces { faces } => faces
                .iter()
                .map(|f| (f.score.to_string(), f.label.get(language).to_owned()))
                .collect(),
            QuestionKind::Choice { options, .. } => options
                .iter()
                .map(|o| (o.id.clone(), o.label.get(language).to_owned()))
                .collect(),
        }
    }

    /// Whether the respondent picks any number of options and then says they are done.
    pub fn is_multiple(&self) -> bool {
        matches!(self.kind, QuestionKind::Choice { multiple: true, .. })
    }

    /// The answer that picking option `index` (0-based, in screen order) gives.
    pub fn answer_at(&self, index: usize) -> Option<AnswerValue> {
        match &self.kind {
            QuestionKind::Faces { faces } => faces
                .get(index)
                .map(|f| AnswerValue::Face { score: f.score }),
            QuestionKind::Choice { options, .. } => {
                options.get(index).map(|o| AnswerValue::Choice {
                    option: o.id.clone(),
                })
            }
        }
    }

    /// The screen position of the option an answer picked, if it picked one.
    pub fn index_of(&self, value: &AnswerValue) -> Option<usize> {
        match (&self.kind, value) {
            (QuestionKind::Faces { faces }, AnswerValue::Face { score }) => {
                faces.iter().position(|f| f.score == *score)
            }
            (
                QuestionKind::Choice {
                    options,
                    multiple: false,
                },
                AnswerValue::Choice { option },
            ) => options.iter().position(|o| &o.id == option),
            _ => None,
        }
    }

    /// The screen positions of the options an answer picked: one for a single answer, any
    /// number for a multiple choice, none for a skip.
    pub fn indexes_of(&self, value: &AnswerValue) -> Vec<usize> {
        match (&self.kind, value) {
            (
                QuestionKind::Choice {
                    options,
                    multiple: true,
                },
                AnswerValue::Choices { options: picked },
            ) => picked
                .iter()
                .filter_map(|p| options.iter().position(|o| &o.id == p))
                .collect(),
            _ => self.index_of(value).into_iter().collect(),
        }
    }

    /// The answer picking the options at `indexes` gives on a multiple-choice question, in
    /// screen order; `None` when nothing is picked.
    pub fn answer_with(&self, indexes: &[usize]) -> Option<AnswerValue> {
        let QuestionKind::Choice { options, .. } = &self.kind else {
            return None;
        };
        let picked: Vec<String> = options
            .iter()
            .enumerate()
            .filter(|(i, _)| indexes.contains(i))
            .map(|(_, o)| o.id.clone())
            .collect();
        (!picked.is_empty()).then_some(AnswerValue::Choices { options: picked })
    }

    fn check_value(&self, value: &AnswerValue) -> Result<(), String> {
        match value {
            AnswerValue::Skipped if self.skippable => Ok(()),
            AnswerValue::Skipped => Err(format!("question {:?} may not be skipped", self.id)),
            AnswerValue::Choices { options } if self.is_multiple() => {
                let known = self.indexes_of(value);
                let distinct: HashSet<_> = known.iter().collect();
                if options.is_empty()
                    || known.len() != options.len()
                    || distinct.len() != known.len()
                {
                    Err(format!(
                        "{value} is not an answer to question {:?}: pick one or more of its options, each once",
                        self.id
                    ))
                } else {
                    Ok(())
                }
            }
            _ if self.index_of(value).is_some() => Ok(()),
            _ => Err(format!(
                "{value} is not an answer to question {:?}",
                self.id
            )),
        }
    }
}

impl SurveyDefinition {
    /// The version of this survey: a hash of its whole content, so a fixed typo is a new
    /// version that can never be confused with the old text.
    pub fn content_hash(&self) -> String {
        let canonical = serde_json::to_vec(self).expect("a survey always serializes");
        let digest = Sha256::digest(&canonical);
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// How a response names this survey version.
    pub fn reference(&self) -> SurveyRef {
        SurveyRef {
            id: self.id.clone(),
            hash: self.content_hash(),
        }
    }

    /// For a poll, how many answers a question needs before its results show, which is also
    /// the step they move in; `None` for a survey that shows no results.
    pub fn results_step(&self) -> Option<u32> {
        (self.kind == SurveyKind::Poll)
            .then(|| self.results_minimum.unwrap_or(DEFAULT_RESULTS_MINIMUM))
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// Everything wrong with this definition; empty when it is fit to show.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut problem =
            |field: String, message: String| problems.push(Problem { field, message });

        if let Err(message) = check_id(&self.id) {
            problem("id".into(), message);
        }
        match (self.kind, self.results_minimum) {
            (SurveyKind::Feedback, Some(_)) => problem(
                "results_minimum".into(),
                "only a poll shows results: leave this out, or make the survey kind = \"poll\""
                    .into(),
            ),
            (_, Some(n)) if !(1..=1000).contains(&n) => problem(
                "results_minimum".into(),
                format!("{n} is out of range: use 1 to 1000"),
            ),
            _ => {}
        }
        for (field, url) in [
            ("follow_up_url", &self.follow_up_url),
            ("phone_url", &self.phone_url),
        ] {
            if let Some(url) = url
                && let Err(message) = check_url(url)
            {
                problem(field.into(), message);
            }
        }
        for message in language_list_problems(&self.languages) {
            problem("languages".into(), message);
        }
        let languages = &self.languages;
        for missing in self.title.missing(languages) {
            problem("title".into(), format!("the {missing} text is missing"));
        }
        if self.questions.is_empty() || self.questions.len() > MAX_QUESTIONS {
            problem(
                "questions".into(),
                format!(
                    "a survey has 1 to {MAX_QUESTIONS} questions, this one has {}",
                    self.questions.len()
                ),
            );
        }
        let mut question_ids = HashSet::new();
        for (i, question) in self.questions.iter().enumerate() {
            let at = format!("questions[{i}]");
            for &language in languages {
                let length = question.text.get(language).chars().count();
                if length > LONGEST_QUESTION {
                    problem(
                        format!("{at}.text"),
                        format!(
                            "the {language} text has {length} characters: keep a question \
                             under {LONGEST_QUESTION}, so it is read at a glance and leaves the \
                             answers their room"
                        ),
                    );
                }
            }
            if let Err(message) = check_id(&question.id) {
                problem(format!("{at}.id"), message);
            } else if !question_ids.insert(question.id.as_str()) {
                problem(
                    format!("{at}.id"),
                    format!("{:?} is used by an earlier question", question.id),
                );
            }
            for missing in question.text.missing(languages) {
                problem(
                    format!("{at}.text"),
                    format!("the {missing} text is missing"),
                );
            }
            match &question.kind {
                QuestionKind::Faces { faces } => {
                    if !FACE_COUNTS.contains(&faces.len()) {
                        problem(
                            format!("{at}.faces"),
                            format!("a faces question has 3, 4 or 5 faces, not {}", faces.len()),
                        );
                    }
                    for (j, face) in faces.iter().enumerate() {
                        if usize::from(face.score) != j + 1 {
                            problem(
                                format!("{at}.faces[{j}].score"),
                                format!("expected score {}, found {}", j + 1, face.score),
                            );
                        }
                        for missing in face.label.missing(languages) {
                            problem(
                                format!("{at}.labels[{j}]"),
                                format!("the {missing} label is missing"),
                            );
                        }
                    }
                }
                QuestionKind::Choice { options, .. } => {
                    if !(MIN_CHOICE_OPTIONS..=MAX_CHOICE_OPTIONS).contains(&options.len()) {
                        problem(
                            format!("{at}.options"),
                            format!(
                                "a choice question has {MIN_CHOICE_OPTIONS} to {MAX_CHOICE_OPTIONS} options, not {}",
                                options.len()
                            ),
                        );
                    }
                    let mut option_ids = HashSet::new();
                    for (j, option) in options.iter().enumerate() {
                        let at = format!("{at}.options[{j}]");
                        if let Err(message) = check_id(&option.id) {
                            problem(format!("{at}.id"), message);
                        } else if !option_ids.insert(option.id.as_str()) {
                            problem(
                                format!("{at}.id"),
                                format!("{:?} is used by an earlier option", option.id),
                            );
                        }
                        for missing in option.label.missing(languages) {
                            problem(
                                format!("{at}.label"),
                                format!("the {missing} text is missing"),
                            );
                        }
                    }
                }
            }
        }
        problems
    }

    /// Whether `answers` fit this survey: known questions, each at most once, values the
    /// question offers; a complete response answers (or skips) every question.
    pub fn check_answers(&self, answers: &[Answer], complete: bool) -> Result<(), String> {
        let mut answered = HashSet::new();
        for answer in answers {
            let question = self
                .question(&answer.question)
                .ok_or_else(|| format!("the survey has no question {:?}", answer.question))?;
            if !answered.insert(answer.question.as_str()) {
                return Err(format!("question {:?} is answered twice", answer.question));
            }
            question.check_value(&answer.value)?;
        }
        if complete
            && let Some(q) = self
                .questions
                .iter()
                .find(|q| !answered.contains(q.id.as_str()))
        {
            return Err(format!("a complete response lacks question {:?}", q.id));
        }
        Ok(())
    }
}

/// A web address a phone can open from a QR code: http(s), no spaces, short enough for a
/// code a camera reads from a step away. (The kiosk's own check wants https; the collector
/// keeps taking versions an older kiosk made with http.)
fn check_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("{url:?} is not a secure web address: start it with https://"))?;
    if url.contains(char::is_whitespace) {
        return Err(format!(
            "{url:?} has a space in it: a web address has none (write %20 for one)"
        ));
    }
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("{url:?} is not a web address"));
    }
    if url.len() > 300 {
        return Err(format!(
            "the address is {} characters; keep it under 300 so its QR code stays readable",
            url.len()
        ));
    }
    Ok(())
}

/// Ids (of surveys, questions, options and devices) appear in exports, file names and URLs:
/// keep them short, lowercase and plain.
pub fn check_id(id: &str) -> Result<(), String> {
    let plain = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
    if id.is_empty() || id.len() > 64 || !id.chars().all(plain) {
        Err(format!(
            "{id:?} is not a valid id: use 1-64 lowercase letters a-z, digits, '-' or '_'"
        ))
    } else {
        Ok(())
    }
}

/// The labels a faces question gets when its survey file gives none, unhappiest first.
pub fn default_face_labels(count: usize) -> Option<Vec<Text>> {
    const FIVE: [[&str; 3]; 5] = [
        ["Erittäin huono", "Mycket dåligt", "Very bad"],
        ["Huono", "Dåligt", "Bad"],
        ["Kohtalainen", "Varken bra eller dåligt", "Okay"],
        ["Hyvä", "Bra", "Good"],
        ["Erittäin hyvä", "Mycket bra", "Very good"],
    ];
    let picks: &[usize] = match count {
        3 => &[1, 2, 3],
        4 => &[0, 1, 3, 4],
        5 => &[0, 1, 2, 3, 4],
        _ => return None,
    };
    Some(
        picks
            .iter()
            .map(|&i| {
                let [fi, sv, en] = FIVE[i];
                Text::PerLanguage(
                    [(Language::Fi, fi), (Language::Sv, sv), (Language::En, en)]
                        .into_iter()
                        .map(|(l, t)| (l, t.to_owned()))
                        .collect(),
                )
            })
            .collect(),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn survey() -> SurveyDefinition {
        SurveyDefinition {
            id: "poll".into(),
            kind: SurveyKind::Poll,
            title: "Poll".into(),
            languages: vec![Language::Fi, Language::En],
            results_minimum: None,
            follow_up_url: None,
            phone_url: None,
            questions: vec![
                Question {
                    id: "mood".into(),
                    text: "Mood?".into(),
                    skippable: false,
                    kind: QuestionKind::Faces {
                        faces: (1..=3)
                            .map(|score| FaceOption {
                                score,
                                label: "x".into(),
                            })
                            .collect(),
                    },
                },
                Question {
                    id: "add".into(),
                    text: "Add?".into(),
                    skippable: true,
                    kind: QuestionKind::Choice {
                        options: ["books", "games"]
                            .map(|id| ChoiceOption {
                                id: id.into(),
                                label: id.into(),
                                image: None,
                            })
                            .to_vec(),
                        multiple: false,
                    },
                },
            ],
        }
    }

    fn answer(question: &str, value: AnswerValue) -> Answer {
        Answer {
            question: question.into(),
            value,
        }
    }

    #[test]
    fn the_hash_is_stable_and_changes_with_any_text() {
        let original = survey();
        assert_eq!(original.content_hash(), survey().content_hash());
        assert_eq!(original.content_hash().len(), 16);
        let mut typo_fixed = survey();
        typo_fixed.questions[1].text = "Add!".into();
        assert_ne!(original.content_hash(), typo_fixed.content_hash());
    }

    #[test]
    fn a_sound_survey_has_no_problems() {
        assert_eq!(survey().problems(), vec![]);
    }

    #[test]
    fn a_per_language_text_must_have_every_language() {
        let mut s = survey();
        s.title = Text::PerLanguage([(Language::Fi, "Kysely".to_owned())].into());
        assert_eq!(
            s.problems(),
            vec![Problem {
                field: "title".into(),
                message: "the en text is missing".into()
            }]
        );
    }

    #[test]
    fn answers_must_fit_their_questions() {
        let s = survey();
        let ok = [
            answer("mood", AnswerValue::Face { score: 3 }),
            answer("add", AnswerValue::Skipped),
        ];
        assert_eq!(s.check_answers(&ok, true), Ok(()));
        let cases = [
            (
                vec![answer("mood", AnswerValue::Face { score: 4 })],
                false,
                "face 4 is not an answer",
            ),
            (
                vec![answer(
                    "mood",
                    AnswerValue::Choice {
                        option: "books".into(),
                    },
                )],
                false,
                "not an answer",
            ),
            (
                vec![answer("nope", AnswerValue::Skipped)],
                false,
                "no question \"nope\"",
            ),
            (
                vec![answer("mood", AnswerValue::Skipped)],
                false,
                "may not be skipped",
            ),
            (
                vec![answer("mood", AnswerValue::Face { score: 1 })],
                true,
                "lacks question \"add\"",
            ),
            (
                vec![
                    answer("mood", AnswerValue::Face { score: 1 }),
                    answer("mood", AnswerValue::Face { score: 2 }),
                ],
                false,
                "answered twice",
            ),
        ];
        for (answers, complete, expected) in cases {
            let error = s.check_answers(&answers, complete).unwrap_err();
            assert!(
                error.contains(expected),
                "{error:?} should say {expected:?}"
            );
        }
    }

    #[test]
    fn a_multiple_choice_answer_picks_known_options_once_each() {
        let mut s = survey();
        let QuestionKind::Choice { multiple, .. } = &mut s.questions[1].kind else {
            unreachable!()
        };
        *multiple = true;
        let picks = |ids: &[&str]| {
            vec![answer(
                "add",
                AnswerValue::Choices {
                    options: ids.iter().map(|&id| id.to_owned()).collect(),
                },
            )]
        };
        assert_eq!(s.check_answers(&picks(&["books", "games"]), false), Ok(()));
        assert_eq!(s.check_answers(&picks(&["games"]), false), Ok(()));
        for wrong in [&[][..], &["books", "books"], &["books", "films"]] {
            let error = s.check_answers(&picks(wrong), false).unwrap_err();
            assert!(error.contains("pick one or more"), "{error}");
        }
        // A single pick on a multiple-choice question is not the shape it takes.
        let single = [answer(
            "add",
            AnswerValue::Choice {
                option: "books".into(),
            },
        )];
        assert!(s.check_answers(&single, false).is_err());
        assert_eq!(
            s.questions[1].answer_with(&[1, 0]),
            Some(AnswerValue::Choices {
                options: vec!["books".into(), "games".into()]
            })
        );
        assert_eq!(s.questions[1].answer_with(&[]), None);
        // Single-choice surveys keep their hash: the flag is left out when false.
        assert!(
            !serde_json::to_string(&survey())
                .unwrap()
                .contains("multiple")
        );
    }

    #[test]
    fn default_face_labels_exist_for_three_four_and_five_faces() {
        for count in 3..=5 {
            let labels = default_face_labels(count).unwrap();
            assert_eq!(labels.len(), count);
            assert!(labels.iter().all(|l| l.missing(&Language::ALL).is_empty()));
        }
        assert!(default_face_labels(2).is_none());
    }
}
