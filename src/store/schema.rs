//! The buffer's schema, versioned with `PRAGMA user_version`: migration N takes version N to N+1.

use rusqlite::Connection;

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

/// Brings the schema up to date in one transaction each step, so a power cut mid-migration
/// leaves the previous version intact.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found > VERSION {
        return Err(StoreError::TooNew {
            found,
            known: VERSION,
        });
    }
    for (version, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
