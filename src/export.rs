//! Stored responses out as CSV (one column per question) or JSON Lines (everything).

use std::io::Write;

use chrono_tz::Tz;
use hetki_protocol::csv::{
    Dialect, RESPONSE_COLUMNS, answer_cells, question_columns, response_cells, write_row,
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

/// CSV for a Finnish-locale spreadsheet: UTF-8 with a byte-order mark, `;` between cells.
pub fn export_spreadsheet(
    db: &Database,
    zone: Tz,
    out: &mut impl Write,
) -> Result<u64, ExportError> {
    write_csv(db, Dialect::Spreadsheet, zone, out)
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
