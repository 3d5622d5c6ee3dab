//! The collector's export: the kiosk's columns, then when each response arrived and when it
//! was given, then one column per question.

use std::io::Write;

use hetki_protocol::csv::{
    RESPONSE_COLUMNS, answer_cells, question_columns, response_cells, write_row,
};

use crate::storage::{Storage, StorageError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Jsonl,
}

const ARRIVAL_COLUMNS: [&str; 3] = ["received_at", "placed_at", "time_basis"];

/// Writes the responses (of one survey, if given) in the order received; returns how many.
pub fn export(
    storage: &dyn Storage,
    survey: Option<&str>,
    format: Format,
    out: &mut dyn Write,
) -> Result<u64, StorageError> {
    let count = match format {
        Format::Jsonl => storage.for_each_response(survey, &mut |stored| {
            serde_json::to_writer(&mut *out, &stored)?;
            out.write_all(b"\n")
        })?,
        Format::Csv => {
            let surveys = storage.surveys()?;
            let questions = question_columns(
                surveys
                    .iter()
                    .filter(|s| survey.is_none_or(|id| s.id == id)),
            );
            let header = RESPONSE_COLUMNS
                .iter()
                .chain(&ARRIVAL_COLUMNS)
                .map(|c| c.to_string())
                .chain(questions.iter().cloned());
            write_row(out, ',', header)?;
            storage.for_each_response(survey, &mut |stored| {
                let placed = &stored.placement;
                let arrival = [
                    stored
                        .received_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    placed
                        .placed_at
                        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
                        .unwrap_or_default(),
                    serde_json::to_value(placed.time_basis)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                ];
                let cells = response_cells(&stored.device_id, &stored.response)
                    .into_iter()
                    .chain(arrival)
                    .chain(answer_cells(&stored.response, &questions));
                write_row(out, ',', cells)
            })?
        }
    };
    out.flush()?;
    Ok(count)
}
