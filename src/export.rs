//! Stored responses out as CSV (one column per question) or JSON Lines (everything), or in
//! the form staff take away (no ids or clock readings, times to the hour).

use std::io::Write;

use chrono_tz::Tz;
use hetki_protocol::csv::{
    Dialect, RESPONSE_COLUMNS, StaffRows, answer_cells, question_columns, response_cells, write_row,
};

use crate::store::{Database, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated, for programs.
    Csv,
    /// For a Finnish-locale spreadsheet: UTF-8 with a byte-order mark, `;` between cells.
    Spreadsheet,
    /// One JSON object per line, everything as stored.
    Jsonl,
    /// What staff take away, for a spreadsheet: no ids, sequence numbers or clock readings,
    /// each response's time to the hour, and an hour's rows in an order that does not tell
    /// who answered first. Answers given in test mode are left out: they count nowhere.
    Staff,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}")]
    Write(#[from] std::io::Error),
}

/// Writes every stored response, oldest first; returns how many. CSV gives the time also as
/// read in `zone`, the device's time zone.
pub fn export(
    db: &Database,
    format: Format,
    zone: Tz,
    out: &mut impl Write,
) -> Result<u64, ExportError> {
    match format {
        Format::Csv => write_csv(db, Dialect::Plain, zone, out),
        Format::Spreadsheet => write_csv(db, Dialect::Spreadsheet, zone, out),
        Format::Staff => export_for_staff(db, zone, out),
        Format::Jsonl => {
            let mut count = 0;
            db.for_each_response(|stored| {
                serde_json::to_writer(&mut *out, &stored).map_err(|e| io_error(e.into()))?;
                writeln!(out).map_err(io_error)?;
                count += 1;
                Ok(())
            })?;
            out.flush()?;
            Ok(count)
        }
    }
}

/// What staff take away (see [`Format::Staff`]), for a Finnish-locale spreadsheet; returns
/// how many responses it holds.
pub fn export_for_staff(db: &Database, zone: Tz, out: &mut impl Write) -> Result<u64, ExportError> {
    let questions = question_columns(&db.surveys()?);
    let mut rows = StaffRows::start(out, Dialect::Spreadsheet, &questions)?;
    let mut count = 0;
    db.for_each_response(|stored| {
        let response = &stored.response;
        // A host totalling a column would count them.
        if response.test {
            return Ok(());
        }
        rows.push(out, (response, response.recorded_at, zone), &questions)
            .map_err(io_error)?;
        count += 1;
        Ok(())
    })?;
    rows.finish(out)?;
    out.flush()?;
    Ok(count)
}

fn write_csv(
    db: &Database,
    dialect: Dialect,
    zone: Tz,
    out: &mut impl Write,
) -> Result<u64, ExportError> {
    dialect.start(out)?;
    let questions = question_columns(&db.surveys()?);
    let header = RESPONSE_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain(questions.iter().map(|c| c.header.clone()));
    write_row(out, dialect, header)?;
    let mut count = 0;
    db.for_each_response(|stored| {
        let cells = response_cells(&stored.device_id, &stored.response, zone)
            .into_iter()
            .chain(answer_cells(&stored.response, &questions));
        write_row(out, dialect, cells).map_err(io_error)?;
        count += 1;
        Ok(())
    })?;
    out.flush()?;
    Ok(count)
}

fn io_error(e: std::io::Error) -> StoreError {
    StoreError::Export(e)
}
