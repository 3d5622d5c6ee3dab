//! Results for the city's staff: for each question of a survey, how many respondents gave
//! each answer, for all events together or per event, area or topic. Test-mode answers are
//! left out: they never count. All versions of the survey are counted together, answers
//! matched by their face score or option id.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use hetki_protocol::csv::{Dialect, write_row};
use hetki_protocol::{AnswerValue, Language, Question, Response, SurveyDefinition};

use crate::storage::{Storage, StorageError};

/// What the results are split by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupBy {
    /// All responses together.
    All,
    /// The event's name.
    Event,
    /// The city district the event was in.
    Area,
    /// The event's topic.
    Topic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned text, to read in a terminal.
    Text,
    /// For a Finnish-locale spreadsheet: BOM, `;` between cells, decimal commas.
    Spreadsheet,
    /// Comma-separated, decimal points, for programs.
    Csv,
}

/// One question's answers within a group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuestionTally {
    /// Respondents who answered it (a multiple choice counts each respondent once).
    pub answered: u64,
    pub skipped: u64,
    /// Respondents per face score or option id.
    pub counts: HashMap<String, u64>,
}

/// One group's responses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Group {
    pub respondents: u64,
    pub questions: HashMap<String, QuestionTally>,
}

/// A survey's results, by group name (empty when not split).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Results {
    pub groups: BTreeMap<String, Group>,
}

impl Results {
    fn add(&mut self, group: String, response: &Response) {
        let group = self.groups.entry(group).or_default();
        group.respondents += 1;
        for answer in &response.answers {
            let tally = group.questions.entry(answer.question.clone()).or_default();
            match &answer.value {
                AnswerValue::Skipped => tally.skipped += 1,
                AnswerValue::Choices { options } => {
                    tally.answered += 1;
                    for option in options {
                        *tally.counts.entry(option.clone()).or_default() += 1;
                    }
                }
                value => {
                    tally.answered += 1;
                    let cell = value.as_cell().unwrap_or_default();
                    *tally.counts.entry(cell).or_default() += 1;
                }
            }
        }
    }
}

/// The group a response falls in.
fn group_of(response: &Response, by: GroupBy) -> String {
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "–".into());
    match by {
        GroupBy::All => String::new(),
        GroupBy::Event => response.event.name.get(Language::Fi).to_owned(),
        GroupBy::Area => or_none(&response.event.area),
        GroupBy::Topic => or_none(&response.event.topic),
    }
}

/// Counts the responses to `survey`, test answers left out.
pub fn tally(storage: &dyn Storage, survey: &str, by: GroupBy) -> Result<Results, StorageError> {
    let mut results = Results::default();
    storage.for_each_response(Some(survey), &mut |stored| {
        if !stored.response.test {
            results.add(group_of(&stored.response, by), &stored.response);
        }
        Ok(())
    })?;
    Ok(results)
}

/// One row of the results as staff read them.
struct Row<'a> {
    group: &'a str,
    respondents: u64,
    question: &'a Question,
    /// The face score or option id; empty for the skips.
    answer: String,
    label: String,
    count: u64,
    /// Of the respondents who answered the question; none for the skips.
    percent: Option<f64>,
}

/// The rows of `results`, questions and answers in the order the newest version of the
/// survey shows them, answers only older versions had after those.
fn rows<'a>(
    results: &'a Results,
    versions: &'a [SurveyDefinition],
    language: Language,
) -> Vec<Row<'a>> {
    let mut questions: Vec<&Question> = Vec::new();
    for version in versions.iter().rev() {
        for question in &version.questions {
            if !questions.iter().any(|q| q.id == question.id) {
                questions.push(question);
            }
        }
    }
    let labelled: Vec<_> = questions
        .into_iter()
        .map(|q| (q, answer_labels(q, versions, language)))
        .collect();
    let mut rows = Vec::new();
    for (group_name, group) in &results.groups {
        for (question, labels) in &labelled {
            let question = *question;
            let Some(tally) = group.questions.get(&question.id) else {
                continue;
            };
            let mut answers: Vec<&String> = labels.iter().map(|(value, _)| value).collect();
            let mut others: Vec<&String> = tally
                .counts
                .keys()
                .filter(|v| !labels.iter().any(|(known, _)| known == *v))
                .collect();
            others.sort();
            answers.extend(others);
            for value in answers {
                let count = tally.counts.get(value).copied().unwrap_or(0);
                let label = labels
                    .iter()
                    .find(|(known, _)| known == value)
                    .map_or_else(|| value.clone(), |(_, label)| label.clone());
                rows.push(Row {
                    group: group_name,
                    respondents: group.respondents,
                    question,
                    answer: value.clone(),
                    label,
                    count,
                    percent: (tally.answered > 0)
                        .then(|| count as f64 * 100.0 / tally.answered as f64),
                });
            }
            if tally.skipped > 0 {
                rows.push(Row {
                    group: group_name,
                    respondents: group.respondents,
                    question,
                    answer: String::new(),
                    label: "(skipped)".into(),
                    count: tally.skipped,
                    percent: None,
                });
            }
        }
    }
    rows
}

/// Each answer of `question` with its label, in screen order; labels of answers only an
/// older version offered come from that version.
fn answer_labels(
    question: &Question,
    versions: &[SurveyDefinition],
    language: Language,
) -> Vec<(String, String)> {
    let mut labels: Vec<(String, String)> = Vec::new();
    let same_question = versions
        .iter()
        .rev()
        .filter_map(|v| v.question(&question.id));
    for version in std::iter::once(question).chain(same_question) {
        for (value, label) in version.answer_labels(language) {
            if !labels.iter().any(|(known, _)| *known == value) {
                labels.push((value, label));
            }
        }
    }
    labels
}

/// Writes `survey`'s results; `versions` are its stored definitions, oldest first.
pub fn write(
    results: &Results,
    versions: &[SurveyDefinition],
    language: Language,
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let rows = rows(results, versions, language);
    match format {
        Format::Text => write_text(&rows, versions, language, out),
        Format::Spreadsheet | Format::Csv => {
            let dialect = if format == Format::Csv {
                Dialect::Plain
            } else {
                Dialect::Spreadsheet
            };
            dialect.start(out)?;
            let header = [
                "group",
                "respondents",
                "question_id",
                "question",
                "answer",
                "label",
                "count",
                "percent",
            ];
            write_row(out, dialect, header.iter().map(|c| c.to_string()))?;
            for row in &rows {
                let percent = row.percent.map(|p| dialect.decimal(p)).unwrap_or_default();
                let cells = [
                    row.group.to_owned(),
                    row.respondents.to_string(),
                    row.question.id.clone(),
                    row.question.text.get(language).to_owned(),
                    row.answer.clone(),
                    row.label.clone(),
                    row.count.to_string(),
                    percent,
                ];
                write_row(out, dialect, cells.into_iter())?;
            }
            out.flush()
        }
    }
}

fn write_text(
    rows: &[Row],
    versions: &[SurveyDefinition],
    language: Language,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if let Some(newest) = versions.last() {
        writeln!(out, "{} ({})", newest.title.get(language), newest.id)?;
    }
    if rows.is_empty() {
        writeln!(out, "No answers yet.")?;
    }
    let width = rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0);
    let mut last: Option<(&str, &str)> = None;
    for row in rows {
        if last.map(|(g, _)| g) != Some(row.group) {
            let group = if row.group.is_empty() {
                "All responses"
            } else {
                row.group
            };
            let noun = if row.respondents == 1 {
                "respondent"
            } else {
                "respondents"
            };
            writeln!(out, "\n{group}: {} {noun}", row.respondents)?;
        }
        if last != Some((row.group, &row.question.id)) {
            let several = if row.question.is_multiple() {
                " (several answers allowed)"
            } else {
                ""
            };
            writeln!(out, "  {}{several}", row.question.text.get(language))?;
        }
        let line = format!("    {:width$}  {:>6}", row.label, row.count);
        match row.percent {
            Some(p) => writeln!(out, "{line}  {p:5.1} %")?,
            None => writeln!(out, "{line}")?,
        }
        last = Some((row.group, &row.question.id));
    }
    out.flush()
}
