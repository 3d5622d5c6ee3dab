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
        -- The device's running number. Not AUTOINCREMENT: its sqlite_sequence row would be
        -- one more page to write and sync per commit. Numbers must never be reused, so
        -- whatever deletes rows (pruning) keeps the newest one.
        seq         INTEGER PRIMARY KEY,
        id          TEXT NOT NULL UNIQUE,               -- UUIDv7
        device_id   TEXT NOT NULL,
        survey_id   TEXT NOT NULL,
        survey_hash TEXT NOT NULL,
        complete    INTEGER NOT NULL,
        recorded_at TEXT NOT NULL,                      -- RFC 3339, UTC
        body        TEXT NOT NULL,                      -- the whole Response as JSON
        FOREIGN KEY (survey_id, survey_hash) REFERENCES surveys (survey_id, survey_hash)
    ) STRICT;
    -- Clustered by what a tally asks for: counting one question's answers reads one range.
    CREATE TABLE answers (
        survey_id    TEXT NOT NULL,
        question_id  TEXT NOT NULL,
        value        TEXT NOT NULL,   -- face score or option id; '' when skipped
        response_seq INTEGER NOT NULL REFERENCES responses (seq),
        PRIMARY KEY (survey_id, question_id, value, response_seq)
    ) STRICT, WITHOUT ROWID;
    ",
    // 2: running tallies in place of per-answer rows (a commit touches one tally page, not a
    // leaf per answer); what the collector said of each response; the uploader's state.
    "
    -- How often each value was given to each question: a tally is one range of one page or
    -- two, and pruning responses never changes it.
    CREATE TABLE tallies (
        survey_id   TEXT NOT NULL,
        question_id TEXT NOT NULL,
        value       TEXT NOT NULL,   -- face score or option id; '' when skipped
        count       INTEGER NOT NULL,
        PRIMARY KEY (survey_id, question_id, value)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO tallies (survey_id, question_id, value, count)
        SELECT survey_id, question_id, value, COUNT(*) FROM answers
        GROUP BY survey_id, question_id, value;
    DROP TABLE answers;
    -- One row per response the collector has answered for; a response without one is pending.
    CREATE TABLE deliveries (
        response_seq    INTEGER PRIMARY KEY REFERENCES responses (seq) ON DELETE CASCADE,
        delivered_at    TEXT,   -- the collector has it (stored now or before)
        rejected_reason TEXT    -- the collector refused it for good; kept, never resent
    ) STRICT;
    -- When the collector acknowledged a survey version's definition; NULL: send it first.
    ALTER TABLE surveys ADD COLUMN sent_at TEXT;
    -- The uploader's small state: last success, last error, responses pruned.
    CREATE TABLE upload_state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;
    ",
    // 3: a poll's results as last published: they move only in steps, so no one vote shows.
    "
    CREATE TABLE published_tallies (
        survey_id   TEXT NOT NULL,
        question_id TEXT NOT NULL,
        value       TEXT NOT NULL,
        count       INTEGER NOT NULL,
        PRIMARY KEY (survey_id, question_id, value)
    ) STRICT, WITHOUT ROWID;
    ",
    // 4: answers given in the panel's test mode: kept, flagged, never counted.
    "
    ALTER TABLE responses ADD COLUMN test INTEGER NOT NULL DEFAULT 0;
    ",
    // 5: the staff panel's counts (today, in total) read a small index instead of every
    // stored response with its body.
    "
    CREATE INDEX responses_counted ON responses (recorded_at) WHERE test = 0;
    ",
];

/// Small pages: a commit writes each page it touches to the WAL and waits for the disk, so
/// 1 KiB pages make a response's commit close to a single 4 KiB write + fsync (see the
/// answer_commit benchmark). Takes effect only when the file is created.
pub const PAGE_SIZE: u32 = 1024;

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
