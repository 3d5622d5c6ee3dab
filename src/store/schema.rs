//! The buffer's schema, versioned with `PRAGMA user_version`: migration N takes version N to N+1.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

const MIGRATIONS: &[&str] = &[
    // 1: responses written once and never changed; answers beside them for indexed tallies.
    "
    CREATE TABLE surveys (
        survey_id   TEXT NOT NULL,
        survey_hash TEXT NOT NULL,
        definition  TEXT NOT NULL,   -- the SurveyDefinition as JSON
        PRIMARY KEY (survey_id, survey_hash)
    ) STRICT;
    CREATE TABLE responses (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,  -- the device's running number
        id          TEXT NOT NULL UNIQUE,               -- UUIDv7
        device_id   TEXT NOT NULL,
        survey_id   TEXT NOT NULL,
        survey_hash TEXT NOT NULL,
        complete    INTEGER NOT NULL,
        recorded_at TEXT NOT NULL,                      -- RFC 3339, UTC
        body        TEXT NOT NULL,                      -- the whole Response as JSON
        FOREIGN KEY (survey_id, survey_hash) REFERENCES surveys (survey_id, survey_hash)
    ) STRICT;
    CREATE TABLE answers (
        response_seq INTEGER NOT NULL REFERENCES responses (seq),
        survey_id    TEXT NOT NULL,
        question_id  TEXT NOT NULL,
        value        TEXT             -- face score or option id; NULL when skipped
    ) STRICT;
    CREATE INDEX answers_by_question ON answers (survey_id, question_id, value);
    ",
];

pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the schema up to date, one transaction a step, so a power cut mid-migration leaves
/// the previous version intact. Each step reads the version under the write lock: another
/// process (an `export` while the kiosk starts) may be migrating the same file.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    loop {
        if user_version(conn)? == VERSION {
            return Ok(());
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found = user_version(&tx)?;
        if found > VERSION {
            return Err(StoreError::TooNew {
                found,
                known: VERSION,
            });
        }
        if found < VERSION {
            tx.execute_batch(MIGRATIONS[found as usize])?;
            tx.pragma_update(None, "user_version", found + 1)?;
        }
        tx.commit()?;
    }
}

fn user_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |row| row.get(0))?)
}
