//! The CSV form of responses, the same from the kiosk and from the collector: fixed columns,
//! then one column per question.

use std::io::Write;

use crate::{Language, Response, SurveyDefinition};

/// The columns every export starts with.
pub const RESPONSE_COLUMNS: [&str; 18] = [
    "id",
    "seq",
    "device_id",
    "survey_id",
    "survey_hash",
    "event_name",
    "event_place",
    "event_area",
    "event_topic",
    "language",
    "complete",
    "recorded_at",
    "boot_id",
    "monotonic_ms",
    "clock_synchronized",
    "display_theme",
    "large_text",
    "test",
];

/// The cells of `RESPONSE_COLUMNS` for one response.
pub fn response_cells(device_id: &str, r: &Response) -> Vec<String> {
    // Event names are the same for every respondent: the first language keeps columns stable.
    vec![
        r.id.to_string(),
        r.seq.to_string(),
        device_id.to_owned(),
        r.survey.id.clone(),
        r.survey.hash.clone(),
        r.event.name.get(Language::Fi).to_owned(),
        r.event.place.get(Language::Fi).to_owned(),
        r.event.area.clone().unwrap_or_default(),
        r.event.topic.clone().unwrap_or_default(),
        r.language.code().to_owned(),
        r.complete.to_string(),
        r.recorded_at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        r.clock.boot_id.clone(),
        r.clock.monotonic_ms.to_string(),
        r.clock.synchronized.to_string(),
        r.display.theme.code().to_owned(),
        r.display.large_text.to_string(),
        r.test.to_string(),
    ]
}

/// The question ids of `surveys`, in order of first appearance: the answer columns.
pub fn question_columns<'a>(
    surveys: impl IntoIterator<Item = &'a SurveyDefinition>,
) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for survey in surveys {
        for question in &survey.questions {
            if !columns.contains(&question.id) {
                columns.push(question.id.clone());
            }
        }
    }
    columns
}

/// One cell per question column: the face score or option id, "skipped", or empty when the
/// response's survey has no such question.
pub fn answer_cells<'a>(
    r: &'a Response,
    questions: &'a [String],
) -> impl Iterator<Item = String> + 'a {
    questions.iter().map(|q| {
        r.answers
            .iter()
            .find(|a| &a.question == q)
            .map(|a| a.value.as_cell().unwrap_or_else(|| "skipped".to_owned()))
            .unwrap_or_default()
    })
}

/// One CSV record (RFC 4180 quoting).
pub fn write_row(
    out: &mut (impl Write + ?Sized),
    separator: char,
    cells: impl Iterator<Item = String>,
) -> std::io::Result<()> {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            write!(out, "{separator}")?;
        }
        if cell.contains([separator, '"', '\n', '\r']) {
            write!(out, "\"{}\"", cell.replace('"', "\"\""))?;
        } else {
            out.write_all(cell.as_bytes())?;
        }
    }
    out.write_all(b"\r\n")
}
