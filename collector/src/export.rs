//! The collector's export: the kiosk's columns, then when each response arrived and when it
//! was given, then one column per question; or the form staff take away, as the kiosk's
//! panel writes it (no ids or clock readings, the hour it was given).

use std::io::Write;

use chrono_tz::Tz;
use hetki_protocol::csv::{
    Dialect, QuestionColumn, RESPONSE_COLUMNS, StaffRows, answer_cells, local_time,
    question_columns, response_cells, write_row,
};

use crate::period::Period;
use crate::storage::{Storage, StorageError, StoredResponse};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated, for programs.
    Csv,
    /// For a Finnish-locale spreadsheet: UTF-8 with a byte-order mark, `;` between cells.
    Spreadsheet,
    /// One JSON object per line, everything as received.
    Jsonl,
    /// What staff take away, for a spreadsheet: no ids, sequence numbers, devices or clock
    /// readings, the hour each response was given, and an hour's rows in an order that does
    /// not tell who answered first.
    Staff,
}

/// Which responses go out.
#[derive(Clone, Copy, Debug, Default)]
pub struct Selection<'a> {
    /// Only this survey's responses.
    pub survey: Option<&'a str>,
    /// Test-mode answers too: left out by default, as they never count in results.
    pub include_test: bool,
    /// Only those given in this period.
    pub period: Period,
}

const ARRIVAL_COLUMNS: [&str; 4] = ["received_at", "placed_at", "placed_local", "time_basis"];

/// Writes one response in the chosen format.
type WriteOne<'a> = Box<dyn FnMut(&StoredResponse) -> std::io::Result<()> + 'a>;

/// Writes the selected responses in the order received; returns how many. CSV gives the
/// times also as read in `zone`, where staff are.
pub fn export(
    storage: &dyn Storage,
    selection: Selection,
    format: Format,
    zone: Tz,
    out: &mut dyn Write,
) -> Result<u64, StorageError> {
    let mut write: WriteOne<'_> = match format {
        Format::Staff => return export_for_staff(storage, selection, zone, out),
        Format::Jsonl => Box::new(|stored| {
            serde_json::to_writer(&mut *out, stored)?;
            out.write_all(b"\n")
        }),
        Format::Csv | Format::Spreadsheet => {
            let dialect = if format == Format::Csv {
                Dialect::Plain
            } else {
                Dialect::Spreadsheet
            };
            dialect.start(out)?;
            let questions = questions(storage, selection)?;
            let header = RESPONSE_COLUMNS
                .iter()
                .chain(&ARRIVAL_COLUMNS)
                .map(|c| c.to_string())
                .chain(questions.iter().map(|c| c.header.clone()));
            write_row(out, dialect, header)?;
            let out = &mut *out;
            Box::new(move |stored| {
                let cells = response_cells(&stored.device_id, &stored.response, zone)
                    .into_iter()
                    .chain(arrival_cells(stored, zone))
                    .chain(answer_cells(&stored.response, &questions));
                write_row(out, dialect, cells)
            })
        }
    };
    let mut count = 0;
    storage.for_each_response(selection.survey, selection.period, &mut |stored| {
        if stored.response.test && !selection.include_test {
            return Ok(());
        }
        count += 1;
        write(&stored)
    })?;
    drop(write);
    out.flush()?;
    Ok(count)
}

/// The answer columns of the selected surveys.
fn questions(
    storage: &dyn Storage,
    selection: Selection,
) -> Result<Vec<QuestionColumn>, StorageError> {
    let surveys = storage.surveys()?;
    Ok(question_columns(
        surveys
            .iter()
            .filter(|s| selection.survey.is_none_or(|id| s.id == id)),
    ))
}

/// What staff take away (see [`Format::Staff`]); returns how many responses it holds.
fn export_for_staff(
    storage: &dyn Storage,
    selection: Selection,
    zone: Tz,
    out: &mut dyn Write,
) -> Result<u64, StorageError> {
    let questions = questions(storage, selection)?;
    let mut rows = StaffRows::start(out, Dialect::Spreadsheet, &questions)?;
    let mut count = 0;
    storage.for_each_response(selection.survey, selection.period, &mut |stored| {
        if stored.response.test && !selection.include_test {
            return Ok(());
        }
        count += 1;
        rows.push(out, (&stored.response, stored.given_at(), zone), &questions)
    })?;
    rows.finish(out)?;
    out.flush()?;
    Ok(count)
}

fn arrival_cells(stored: &StoredResponse, zone: Tz) -> [String; 4] {
    let placed = &stored.placement;
    [
        stored
            .received_at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        placed
            .placed_at
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            .unwrap_or_default(),
        placed
            .placed_at
            .map(|t| local_time(t, zone))
            .unwrap_or_default(),
        serde_json::to_value(placed.time_basis)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
    ]
}
