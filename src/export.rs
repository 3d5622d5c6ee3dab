//! Stored responses out as CSV (one column per question) or JSON Lines (everything).

use std::io::Write;

use hetki_protocol::Language;

use crate::store::{Database, StoreError, StoredResponse};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Jsonl,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}")]
    Write(#[from] std::io::Error),
}

const FIXED_COLUMNS: [&str; 15] = [
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
];

/// Writes every stored response, oldest first; returns how many.
pub fn export(db: &Database, format: Format, out: &mut impl Write) -> Result<u64, ExportError> {
    let mut count = 0;
    match format {
        Format::Jsonl => db.for_each_response(|stored| {
            serde_json::to_writer(&mut *out, &stored).map_err(|e| io_error(e.into()))?;
            writeln!(out).map_err(io_error)?;
            count += 1;
            Ok(())
        })?,
        Format::Csv => {
            let questions = question_columns(db)?;
            let header = FIXED_COLUMNS
                .iter()
                .map(|c| c.to_string())
                .chain(questions.iter().cloned());
            write_row(out, ',', header)?;
            db.for_each_response(|stored| {
                write_row(out, ',', csv_cells(&stored, &questions).into_iter())
                    .map_err(io_error)?;
                count += 1;
                Ok(())
            })?;
        }
    }
    out.flush()?;
    Ok(count)
}

/// The question ids of every survey answered, in order of first appearance.
fn question_columns(db: &Database) -> Result<Vec<String>, StoreError> {
    let mut columns: Vec<String> = Vec::new();
    for survey in db.surveys()? {
        for question in survey.questions {
            if !columns.contains(&question.id) {
                columns.push(question.id);
            }
        }
    }
    Ok(columns)
}

fn csv_cells(stored: &StoredResponse, questions: &[String]) -> Vec<String> {
    let r = &stored.response;
    // Event names are the same for every respondent: the first language keeps columns stable.
    let fixed = [
        r.id.to_string(),
        r.seq.to_string(),
        stored.device_id.clone(),
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
    ];
    let answers = questions.iter().map(|q| {
        r.answers
            .iter()
            .find(|a| &a.question == q)
            .map(|a| a.value.as_cell().unwrap_or_else(|| "skipped".to_owned()))
            .unwrap_or_default()
    });
    fixed.into_iter().chain(answers).collect()
}

/// One CSV record (RFC 4180 quoting).
pub fn write_row(
    out: &mut impl Write,
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

fn io_error(e: std::io::Error) -> StoreError {
    StoreError::Export(e)
}
