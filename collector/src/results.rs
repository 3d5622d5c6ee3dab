//! Results for the city's staff: for each question of a survey, how many respondents gave
//! each answer, for all events together or per event, area or topic. Test-mode answers are
//! left out: they never count; incomplete responses (a respondent who walked away) count
//! with the answers they gave, and how many there were is told. All versions of the survey
//! are counted together, answers matched by their option id or face score; a face question
//! whose number of faces changed counts each scale apart (a 3 of three faces is not a 3 of
//! five). An answer's share is of those who were offered it: an option a later version added
//! is not a share of respondents who never saw it. Each group is shown in the wording of the
//! version its respondents answered last, with the answers its versions offered.
//!
//! Events of fewer respondents than a threshold are left out of every figure: their answers
//! could be told apart. So are an event's answers to a question fewer than that many of its
//! respondents answered (the others skipped it, or left before it). Every group of every split
//! (all, event, area, topic) is then made of whole events' questions large enough to show, so
//! no figure less another gives a small one back.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use chrono::{DateTime, NaiveDate, Utc};
use hetki_protocol::csv::{Dialect, write_row};
use hetki_protocol::{AnswerValue, Language, Question, QuestionKind, Response, SurveyDefinition};

use crate::names::{Kind, Names};
use crate::period::Period;
use crate::storage::{Storage, StorageError};
use crate::words::Words;

/// What the results are split by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupBy {
    /// All responses together.
    All,
    /// The event: its name and place.
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
    /// Of `answered`, those per survey version (by hash): an option a version added is a
    /// share of those who were offered it.
    pub answered_by_version: HashMap<String, u64>,
}

/// A question as results count it: its id and, for faces, how many there were.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QuestionKey {
    pub id: String,
    pub faces: Option<usize>,
}

impl QuestionKey {
    fn of(question: &Question) -> QuestionKey {
        QuestionKey {
            id: question.id.clone(),
            faces: match &question.kind {
                QuestionKind::Faces { faces } => Some(faces.len()),
                QuestionKind::Choice { .. } => None,
            },
        }
    }
}

/// One group's responses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Group {
    pub respondents: u64,
    /// Of the respondents, those who left before the end (kept when partials are kept).
    pub incomplete: u64,
    pub questions: HashMap<QuestionKey, QuestionTally>,
    /// Each version (by hash) its respondents answered, and when last: its newest response
    /// as placed in time (when it was given, not when it arrived: a kiosk back online after
    /// days sends an old version's answers late).
    pub last_answered: HashMap<String, DateTime<Utc>>,
}

/// A survey's results, by group name (empty when not split).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Results {
    pub groups: BTreeMap<String, Group>,
    /// What groups are called in the language asked for, where that is not their name.
    pub group_labels: HashMap<String, String>,
    /// The events counted in no group.
    pub left_out: LeftOut,
}

/// What is left out of every figure for resting on fewer respondents than `smallest`: whole
/// events, and an event's answers to a question that few of its respondents answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LeftOut {
    pub events: usize,
    pub respondents: u64,
    /// Answers to a question within an event of enough respondents.
    pub answers: u64,
    pub smallest: u64,
}

impl LeftOut {
    /// What is said of them under the results, if anything was left out.
    pub fn note(&self, language: Language) -> Option<String> {
        let words = Words(language);
        let events = (self.events > 0)
            .then(|| words.not_shown(self.events, self.smallest, self.respondents));
        let answers =
            (self.answers > 0).then(|| words.answers_not_shown(self.answers, self.smallest));
        let note: Vec<String> = events.into_iter().chain(answers).collect();
        (!note.is_empty()).then(|| note.join(" "))
    }
}

impl Results {
    /// The versions answered, the one answered last at the end: the wording results show is
    /// the wording residents saw last, not that of a version merely sent and never used.
    /// All of them, as they came, when none was answered.
    pub fn versions_in_use(&self, versions: &[SurveyDefinition]) -> Vec<SurveyDefinition> {
        let mut last_answered = HashMap::new();
        for (hash, &at) in self.groups.values().flat_map(|g| &g.last_answered) {
            answered_at(&mut last_answered, hash, at);
        }
        in_use(&last_answered, versions)
    }
}

/// Of `versions`, those answered (as `last_answered` records), the one answered last at the
/// end; all of them when none was.
fn in_use(
    last_answered: &HashMap<String, DateTime<Utc>>,
    versions: &[SurveyDefinition],
) -> Vec<SurveyDefinition> {
    let mut used: Vec<(DateTime<Utc>, &SurveyDefinition)> = versions
        .iter()
        .filter_map(|v| Some((*last_answered.get(&v.content_hash())?, v)))
        .collect();
    if used.is_empty() {
        return versions.to_vec();
    }
    used.sort_by_key(|(last, _)| *last);
    used.into_iter().map(|(_, v)| v.clone()).collect()
}

/// Records that `hash` was answered at `given`, unless it was answered later already.
fn answered_at(
    last_answered: &mut HashMap<String, DateTime<Utc>>,
    hash: &str,
    given: DateTime<Utc>,
) {
    let last = last_answered.entry(hash.to_owned()).or_insert(given);
    *last = (*last).max(given);
}

impl Group {
    /// Counts `response`, given at `given`, whose survey version is `version` (if the
    /// collector has it).
    fn add(
        &mut self,
        response: &Response,
        version: Option<&SurveyDefinition>,
        given: DateTime<Utc>,
    ) {
        answered_at(&mut self.last_answered, &response.survey.hash, given);
        self.respondents += 1;
        self.incomplete += u64::from(!response.complete);
        for answer in &response.answers {
            let key = version
                .and_then(|v| v.question(&answer.question))
                .map_or_else(
                    || QuestionKey {
                        id: answer.question.clone(),
                        faces: None,
                    },
                    QuestionKey::of,
                );
            let tally = self.questions.entry(key).or_default();
            if !matches!(answer.value, AnswerValue::Skipped) {
                *tally
                    .answered_by_version
                    .entry(response.survey.hash.clone())
                    .or_default() += 1;
            }
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

    /// Counts `other`'s respondents in this group too.
    fn absorb(&mut self, other: Group) {
        self.respondents += other.respondents;
        self.incomplete += other.incomplete;
        for (key, tally) in other.questions {
            let into = self.questions.entry(key).or_default();
            into.answered += tally.answered;
            into.skipped += tally.skipped;
            for (value, n) in tally.counts {
                *into.counts.entry(value).or_default() += n;
            }
            for (hash, n) in tally.answered_by_version {
                *into.answered_by_version.entry(hash).or_default() += n;
            }
        }
        for (hash, at) in other.last_answered {
            answered_at(&mut self.last_answered, &hash, at);
        }
    }
}

/// An event as results tell events apart: by its Finnish name and place, its day, its area
/// and topic. Every group of every split is made of these.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct EventKey {
    name: String,
    place: String,
    date: Option<NaiveDate>,
    area: Option<String>,
    topic: Option<String>,
}

impl EventKey {
    fn of(response: &Response) -> EventKey {
        let event = &response.event;
        EventKey {
            name: event.name.get(Language::Fi).to_owned(),
            place: event.place.get(Language::Fi).to_owned(),
            date: event.date,
            area: event.area.clone(),
            topic: event.topic.clone(),
        }
    }
}

/// An event as staff read it: its name and place in `language`, and its day if it has one.
fn event_label(response: &Response, language: Language) -> String {
    let event = &response.event;
    let label = format!(
        "{} – {}",
        event.name.get(language),
        event.place.get(language)
    );
    match event.date_text(language) {
        Some(day) => format!("{label} ({day})"),
        None => label,
    }
}

/// The group a response falls in. Events are told apart by their Finnish name and place (and
/// day), so the groups are the same whatever language they are shown in.
fn group_of(response: &Response, by: GroupBy) -> String {
    // Blank is none: it must not look like the total.
    let or_none = |v: &Option<String>| {
        v.clone()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| "–".into())
    };
    match by {
        GroupBy::All => String::new(),
        // Two events of one name in different places, or on different days, are two events.
        GroupBy::Event => event_label(response, Language::Fi),
        GroupBy::Area => or_none(&response.event.area),
        GroupBy::Topic => or_none(&response.event.topic),
    }
}

/// The versions by their content hash, as responses name them.
fn by_hash(versions: &[SurveyDefinition]) -> HashMap<String, &SurveyDefinition> {
    versions.iter().map(|v| (v.content_hash(), v)).collect()
}

/// Each survey's id with its stored versions, oldest first, in the order the surveys came.
pub fn surveys_by_id(
    storage: &dyn Storage,
) -> Result<Vec<(String, Vec<SurveyDefinition>)>, StorageError> {
    let mut surveys: Vec<(String, Vec<SurveyDefinition>)> = Vec::new();
    for version in storage.surveys()? {
        match surveys.iter_mut().find(|(id, _)| *id == version.id) {
            Some((_, versions)) => versions.push(version),
            None => surveys.push((version.id.clone(), vec![version])),
        }
    }
    Ok(surveys)
}

/// How results are split and named.
#[derive(Clone, Copy)]
pub struct Split<'a> {
    pub by: GroupBy,
    /// Groups are named in this language: events by their own texts, areas and topics by
    /// `names`.
    pub language: Language,
    pub names: &'a Names,
    /// Events of fewer respondents are left out of every group.
    pub smallest: u64,
}

/// Counts the responses to `survey` given in `period`, test answers left out; `versions` are
/// its stored definitions. Each event is counted apart first, so that one too small to show
/// is left out of every group it would fall in.
pub fn tally(
    storage: &dyn Storage,
    survey: &str,
    versions: &[SurveyDefinition],
    period: Period,
    split: Split,
) -> Result<Results, StorageError> {
    let by_hash = by_hash(versions);
    // Each event: the group it falls in, what that group is called, and its count.
    let mut events: BTreeMap<EventKey, (String, Option<String>, Group)> = BTreeMap::new();
    storage.for_each_response(Some(survey), period, &mut |stored| {
        let response = &stored.response;
        if !response.test {
            let version = by_hash.get(&response.survey.hash).copied();
            let (_, _, event) = events.entry(EventKey::of(response)).or_insert_with(|| {
                let group = group_of(response, split.by);
                let label = group_label(response, &group, split);
                (group, label, Group::default())
            });
            event.add(response, version, stored.given_at());
        }
        Ok(())
    })?;
    Ok(gather(events.into_values(), split.smallest))
}

/// Each event's count (with the group it falls in and that group's label) into its group,
/// but for events of fewer than `smallest` respondents, and for the questions of an event
/// that fewer than `smallest` answered.
fn gather(
    events: impl IntoIterator<Item = (String, Option<String>, Group)>,
    smallest: u64,
) -> Results {
    let mut results = Results {
        left_out: LeftOut {
            smallest,
            ..LeftOut::default()
        },
        ..Results::default()
    };
    for (group, label, mut event) in events {
        if event.respondents < smallest {
            results.left_out.events += 1;
            results.left_out.respondents += event.respondents;
            continue;
        }
        // Its skips go too: they would give the number who answered.
        event.questions.retain(|_, tally| {
            let few = tally.answered > 0 && tally.answered < smallest;
            if few {
                results.left_out.answers += tally.answered;
            }
            !few
        });
        if let Some(label) = label {
            results.group_labels.entry(group.clone()).or_insert(label);
        }
        results.groups.entry(group).or_default().absorb(event);
    }
    results
}

/// What the group `group` that `response` falls in is called in the split's language, where
/// that is not its name.
fn group_label(response: &Response, group: &str, split: Split) -> Option<String> {
    match split.by {
        GroupBy::All => None,
        GroupBy::Event => Some(event_label(response, split.language)),
        GroupBy::Area => split
            .names
            .get(Kind::Area, group, split.language)
            .map(Into::into),
        GroupBy::Topic => split
            .names
            .get(Kind::Topic, group, split.language)
            .map(Into::into),
    }
}

/// One row of the results as staff read them.
struct Row<'a> {
    group: &'a str,
    respondents: u64,
    incomplete: u64,
    question_id: String,
    /// It takes several answers.
    multiple: bool,
    /// The question's text, with its number of faces where that changed between versions.
    question_text: String,
    /// The face score or option id; empty for the skips.
    answer: String,
    label: String,
    count: u64,
    /// Who answered the question and were offered this answer: the percentage's base.
    base: u64,
    /// Who answered the question, whatever they were offered.
    answered: u64,
    /// `count` of `base`; none for the skips.
    percent: Option<f64>,
    /// How many versions of the survey the group's respondents answered.
    versions: usize,
}

/// `count` of `base` in percent to a tenth, halves up as a spreadsheet rounds them
/// (formatting alone rounds 31.25 down).
fn percent(count: u64, base: u64) -> f64 {
    (count as f64 * 1000.0 / base as f64).round() / 10.0
}

/// A question as a group's versions show it: its text (with its number of faces where that
/// changed between versions) and its answers' labels.
struct ShownQuestion {
    key: QuestionKey,
    multiple: bool,
    text: String,
    labels: Vec<(String, String)>,
}

/// The questions of `versions` (oldest first) in the order the newest shows them, questions
/// only older versions had after those.
fn shown_questions(versions: &[SurveyDefinition], language: Language) -> Vec<ShownQuestion> {
    let mut questions: Vec<(&Question, QuestionKey)> = Vec::new();
    for version in versions.iter().rev() {
        for question in &version.questions {
            let key = QuestionKey::of(question);
            if !questions.iter().any(|(_, k)| *k == key) {
                questions.push((question, key));
            }
        }
    }
    // A scale that changed is told apart by its number of faces.
    let scales = |id: &str| questions.iter().filter(|(_, k)| k.id == id).count();
    questions
        .iter()
        .map(|(question, key)| {
            let mut text = question.text.get(language).to_owned();
            if let (Some(faces), 2..) = (key.faces, scales(&key.id)) {
                text.push_str(&format!(" ({})", Words(language).faces(faces)));
            }
            ShownQuestion {
                key: key.clone(),
                multiple: question.is_multiple(),
                text,
                labels: answer_labels(key, versions, language),
            }
        })
        .collect()
}

/// The rows of the groups of `results`. Each group's questions and answers are those of the
/// versions its respondents answered, in the order the newest of them shows them, answers
/// only older versions had after those.
fn rows<'a>(
    results: &'a Results,
    versions: &'a [SurveyDefinition],
    language: Language,
) -> Vec<Row<'a>> {
    let by_hash = by_hash(versions);
    // Who answered in versions that offered `value` (and in versions the collector lacks,
    // which cannot be told apart).
    let base = |tally: &QuestionTally, key: &QuestionKey, value: &str| -> u64 {
        let offered = |hash: &String| {
            by_hash.get(hash).is_none_or(|v| {
                v.question(&key.id).is_some_and(|q| {
                    QuestionKey::of(q) == *key
                        && q.answer_labels(language).iter().any(|(a, _)| a == value)
                })
            })
        };
        tally
            .answered_by_version
            .iter()
            .filter(|(hash, _)| offered(hash))
            .map(|(_, n)| n)
            .sum()
    };
    let mut rows = Vec::new();
    for (group_name, group) in &results.groups {
        let group_name = results.group_labels.get(group_name).unwrap_or(group_name);
        let group_versions = in_use(&group.last_answered, versions);
        for ShownQuestion {
            key,
            multiple,
            text: question_text,
            labels,
        } in shown_questions(&group_versions, language)
        {
            let Some(tally) = group.questions.get(&key) else {
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
                let base = base(tally, &key, value);
                rows.push(Row {
                    group: group_name,
                    respondents: group.respondents,
                    incomplete: group.incomplete,
                    question_id: key.id.clone(),
                    multiple,
                    question_text: question_text.clone(),
                    answer: value.clone(),
                    label,
                    count,
                    base,
                    answered: tally.answered,
                    percent: (base > 0).then(|| percent(count, base)),
                    versions: group_versions.len(),
                });
            }
            if tally.skipped > 0 {
                rows.push(Row {
                    group: group_name,
                    respondents: group.respondents,
                    incomplete: group.incomplete,
                    question_id: key.id.clone(),
                    multiple,
                    question_text: question_text.clone(),
                    answer: String::new(),
                    label: Words(language).skipped().into(),
                    count: tally.skipped,
                    base: tally.answered,
                    answered: tally.answered,
                    percent: None,
                    versions: group_versions.len(),
                });
            }
        }
    }
    rows
}

/// Each answer of the question `key` names with its label, in the newest version's screen
/// order; labels of answers only an older version offered come from that version.
fn answer_labels(
    key: &QuestionKey,
    versions: &[SurveyDefinition],
    language: Language,
) -> Vec<(String, String)> {
    let mut labels: Vec<(String, String)> = Vec::new();
    let same_question = versions
        .iter()
        .rev()
        .filter_map(|v| v.question(&key.id))
        .filter(|q| QuestionKey::of(q) == *key);
    for question in same_question {
        for (value, label) in question.answer_labels(language) {
            if !labels.iter().any(|(known, _)| *known == value) {
                labels.push((value, label));
            }
        }
    }
    labels
}

/// How results are shown.
#[derive(Clone, Debug)]
pub struct Shown {
    /// Of the question texts and answer labels.
    pub language: Language,
    /// Said under the title: the days counted, if not all were, or when the results were
    /// published.
    pub under_title: Option<String>,
}

/// Writes `survey`'s results; `versions` are its stored definitions, oldest first.
pub fn write(
    results: &Results,
    versions: &[SurveyDefinition],
    shown: &Shown,
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let language = shown.language;
    let rows = rows(results, versions, language);
    match format {
        Format::Text => {
            write_text(&rows, versions, shown, out)?;
            if let Some(note) = results.left_out.note(language) {
                writeln!(out, "\n{note}")?;
            }
            out.flush()
        }
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
                "incomplete",
                "question_id",
                "question",
                "answer",
                "label",
                "count",
                "answered",
                "percent",
            ];
            write_row(out, dialect, header.iter().map(|c| c.to_string()))?;
            for row in &rows {
                let percent = row.percent.map(|p| dialect.decimal(p)).unwrap_or_default();
                let cells = [
                    row.group.to_owned(),
                    row.respondents.to_string(),
                    row.incomplete.to_string(),
                    row.question_id.clone(),
                    row.question_text.clone(),
                    row.answer.clone(),
                    row.label.clone(),
                    row.count.to_string(),
                    row.base.to_string(),
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
    shown: &Shown,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let words = Words(shown.language);
    if let Some(newest) = versions.last() {
        writeln!(out, "{} ({})", newest.title.get(shown.language), newest.id)?;
    }
    if let Some(line) = &shown.under_title {
        writeln!(out, "{line}")?;
    }
    if rows.is_empty() {
        writeln!(out, "{}", words.no_answers())?;
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
                words.all_responses()
            } else {
                row.group
            };
            let incomplete = match row.incomplete {
                0 => String::new(),
                n => format!(" ({})", words.left_before_the_end(n)),
            };
            let respondents = words.respondents(row.respondents);
            writeln!(out, "\n{group}: {respondents}{incomplete}")?;
            if row.versions > 1 {
                let together = words.versions_counted_together(row.versions);
                writeln!(out, "  ({together})")?;
            }
        }
        if last != Some((row.group, &row.question_id)) {
            let several = if row.multiple {
                format!(" ({})", words.several_answers_allowed())
            } else {
                String::new()
            };
            writeln!(out, "  {}{several}", row.question_text)?;
        }
        let line = format!("    {:width$}  {:>6}", row.label, row.count);
        match row.percent {
            Some(p) if row.base != row.answered => writeln!(
                out,
                "{line}  {p:5.1} %  ({})",
                words.of_those_offered_it(row.base)
            )?,
            Some(p) => writeln!(out, "{line}  {p:5.1} %")?,
            None => writeln!(out, "{line}")?,
        }
        last = Some((row.group, &row.question_id));
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use hetki_protocol::Language;

    use super::{EventKey, Group, GroupBy, QuestionKey, event_label, gather, group_of};

    /// An event of `respondents` in `group`, all of whom gave the face 3.
    fn event(group: &str, respondents: u64) -> (String, Option<String>, Group) {
        let mut event = Group {
            respondents,
            ..Group::default()
        };
        let key = QuestionKey {
            id: "overall".into(),
            faces: Some(5),
        };
        let tally = event.questions.entry(key).or_default();
        tally.answered = respondents;
        tally.counts.insert("3".into(), respondents);
        (group.to_owned(), None, event)
    }

    #[test]
    fn a_small_event_is_left_out_of_its_area_and_the_total_as_well() {
        // Tapiola's small evening would be its area less its large one.
        let events = || {
            [
                event("Suur-Tapiola", 40),
                event("Suur-Tapiola", 2),
                event("Suur-Leppävaara", 100),
                event("Suur-Kivenlahti", 3),
            ]
        };
        let by_area = gather(events(), 5);
        let sizes: Vec<(&str, u64)> = by_area
            .groups
            .iter()
            .map(|(name, group)| (name.as_str(), group.respondents))
            .collect();
        assert_eq!(sizes, [("Suur-Leppävaara", 100), ("Suur-Tapiola", 40)]);
        let counted = &by_area.groups["Suur-Tapiola"].questions;
        assert_eq!(counted.values().next().unwrap().counts["3"], 40);
        assert_eq!(
            by_area.left_out.note(Language::En).unwrap(),
            "Not shown: 2 events of fewer than 5 respondents (5 in all), whose answers could be \
             told apart. They are left out of every figure, totals included, so that their \
             answers cannot be worked out from others; --smallest-group 1 shows them."
        );
        let total = gather(events().map(|(_, label, e)| (String::new(), label, e)), 5);
        assert_eq!(total.groups[""].respondents, 140);

        let everything = gather(events(), 1);
        assert_eq!(everything.groups["Suur-Tapiola"].respondents, 42);
        assert_eq!(everything.left_out.note(Language::Fi), None);
    }

    /// `event` with a second question, "again", that `answered` of them answered with "yes"
    /// and the rest skipped.
    fn with_second_question(
        (group, label, mut event): (String, Option<String>, Group),
        answered: u64,
    ) -> (String, Option<String>, Group) {
        let key = QuestionKey {
            id: "again".into(),
            faces: None,
        };
        let tally = event.questions.entry(key).or_default();
        tally.answered = answered;
        tally.skipped = event.respondents - answered;
        tally.counts.insert("yes".into(), answered);
        (group, label, event)
    }

    #[test]
    fn a_question_few_of_an_event_answered_is_left_out_of_every_figure() {
        // Five came to Tapiola's evening and one of them answered "again": the event shows,
        // and that answer would be one person's.
        let events = || {
            [
                with_second_question(event("Suur-Tapiola", 5), 1),
                with_second_question(event("Suur-Leppävaara", 30), 6),
            ]
        };
        let again = |group: &Group| {
            group
                .questions
                .iter()
                .find(|(key, _)| key.id == "again")
                .map(|(_, tally)| (tally.answered, tally.skipped, tally.counts["yes"]))
        };
        let by_area = gather(events(), 5);
        assert_eq!(by_area.groups["Suur-Tapiola"].respondents, 5);
        assert_eq!(again(&by_area.groups["Suur-Tapiola"]), None);
        assert_eq!(again(&by_area.groups["Suur-Leppävaara"]), Some((6, 24, 6)));
        // Nor is it in the total: the total less Leppävaara would give it back.
        let total = gather(events().map(|(_, label, e)| (String::new(), label, e)), 5);
        assert_eq!(again(&total.groups[""]), Some((6, 24, 6)));
        assert_eq!(total.groups[""].respondents, 35);
        assert_eq!(
            total.left_out.note(Language::En).unwrap(),
            "Not shown: 1 answer to questions that fewer than 5 of an event's respondents \
             answered, which could be told apart. It is left out of every figure, totals \
             included; --smallest-group 1 shows them."
        );
        assert_eq!(
            total.left_out.note(Language::Fi).unwrap(),
            "Ei näytetty: 1 vastaus kysymyksiin, joihin alle 5 tapahtuman vastaajaa vastasi, \
             koska vastaajat voisi tunnistaa. Se puuttuu kaikista luvuista, myös \
             kokonaismääristä; --smallest-group 1 näyttää ne."
        );
        // With a small event too, both are said.
        let both = gather(events().into_iter().chain([event("", 2)]), 5);
        let note = both.left_out.note(Language::Sv).unwrap();
        assert!(
            note.starts_with("Visas inte: 1 evenemang med färre än 5 svarande"),
            "{note}"
        );
        assert!(
            note.contains(" Visas inte: 1 svar på frågor som färre än 5"),
            "{note}"
        );
        assert_eq!(
            again(&gather(events(), 1).groups["Suur-Tapiola"]),
            Some((1, 4, 1))
        );
    }

    #[test]
    fn one_evening_held_on_two_days_is_two_events() {
        let on = |date: Option<&str>| -> hetki_protocol::Response {
            serde_json::from_value(serde_json::json!({
                "id": "01936a4e-0000-7000-8000-000000000001", "seq": 1,
                "survey": {"id": "event-feedback", "hash": "x"},
                "event": {"name": {"fi": "Asukasilta", "en": "Residents' evening"},
                          "place": "Sello", "date": date},
                "language": "fi", "complete": true,
                "recorded_at": "2027-03-12T17:00:00Z",
                "clock": {"boot_id": "b", "monotonic_ms": 1, "synchronized": true},
                "answers": []
            }))
            .unwrap()
        };
        let (spring, autumn, undated) = (on(Some("2027-03-12")), on(Some("2027-10-07")), on(None));
        assert_ne!(EventKey::of(&spring), EventKey::of(&autumn));
        assert_ne!(EventKey::of(&spring), EventKey::of(&undated));
        assert_eq!(
            group_of(&spring, GroupBy::Event),
            "Asukasilta – Sello (12.3.2027)"
        );
        assert_eq!(
            event_label(&autumn, Language::En),
            "Residents' evening – Sello (2027-10-07)"
        );
        assert_eq!(group_of(&undated, GroupBy::Event), "Asukasilta – Sello");
    }

    #[test]
    fn one_small_event_is_named_in_the_singular() {
        let results = gather([event("", 3)], 5);
        assert!(results.groups.is_empty());
        assert_eq!(
            results.left_out.note(Language::Fi).unwrap(),
            "Ei näytetty: 1 tapahtuma, jossa oli alle 5 vastaajaa (3 yhteensä), koska \
             vastaajat voisi tunnistaa. Se puuttuu kaikista luvuista, myös kokonaismääristä, \
             jottei sen vastauksia voi laskea muista; --smallest-group 1 näyttää ne."
        );
        assert_eq!(
            results.left_out.note(Language::Sv).unwrap(),
            "Visas inte: 1 evenemang med färre än 5 svarande (3 sammanlagt), eftersom de \
             svarande skulle kunna identifieras. Det ingår inte i någon siffra, inte heller i \
             totalerna, så att dess svar inte kan räknas fram ur andra; --smallest-group 1 \
             visar dem."
        );
    }

    #[test]
    fn a_share_is_rounded_to_a_tenth_halves_up() {
        assert_eq!(super::percent(10, 32), 31.3);
        assert_eq!(
            format!("{:.1}", 31.25),
            "31.2",
            "what formatting alone gives"
        );
        assert_eq!(super::percent(2, 3), 66.7);
        assert_eq!(super::percent(1, 3), 33.3);
    }
}
