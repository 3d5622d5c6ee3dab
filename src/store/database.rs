use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use hetki_protocol::{AnswerValue, Response, SurveyDefinition};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

use super::{StoreError, StoreOptions, schema};
use crate::results::{PollResults, RESPONDENTS};

/// Switches the file to WAL. Only a new file needs it, and the switch wants the file to
/// itself; SQLite does not wait for that on its own, so this retries while another process
/// (opening the same new file) holds it, up to `patience`.
fn enable_wal(conn: &Connection, patience: Duration) -> rusqlite::Result<()> {
    let started = Instant::now();
    loop {
        let result = conn.query_row("PRAGMA journal_mode = WAL", [], |row| {
            row.get::<_, String>(0)
        });
        match result {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy && started.elapsed() < patience =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            other => return other.map(|_| ()),
        }
    }
}

/// One question's answers counted by value; skips ('') come first, as `None`.
pub const TALLY_SQL: &str = "SELECT NULLIF(value, ''), count FROM tallies
     WHERE survey_id = ?1 AND question_id = ?2 ORDER BY value";

/// A response as the kiosk keeps it: with the device that took it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResponse {
    pub device_id: String,
    #[serde(flatten)]
    pub response: Response,
}

/// How many answers chose one value of one question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    /// The face score or option id; `None` for skips.
    pub value: Option<String>,
    pub count: u64,
}

pub struct Database {
    pub(super) conn: Connection,
    /// Survey versions already in the `surveys` table, so a record does not write them again.
    known_surveys: HashSet<(String, String)>,
}

impl Database {
    /// Opens (creating if needed) the buffer at `path`, durable against power cuts: WAL with
    /// `synchronous=FULL` makes a commit reach the disk before it returns.
    pub fn open(path: &Path, options: &StoreOptions) -> Result<Database, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                path: dir.display().to_string(),
                source,
            })?;
        }
        hetki_protocol::files::create_private(path).map_err(|source| StoreError::Create {
            path: path.display().to_string(),
            source,
        })?;
        Database::connect(path, options, OpenFlags::default())
    }

    /// Opens a buffer that must already exist, to write to it: for reopening after a failure,
    /// when a missing file means the card is gone, not that a new buffer should start on
    /// whatever disk is mounted there now, and for the uploader.
    pub fn open_existing(path: &Path, options: &StoreOptions) -> Result<Database, StoreError> {
        require_file(path)?;
        Database::connect(
            path,
            options,
            OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE,
        )
    }

    /// Opens an existing buffer only to read it (exports, status), so that what is stored can
    /// still be read out when the card has turned read-only, a common end for an SD card.
    /// A buffer closed cleanly is then one file, read as it stands (`immutable`); one with
    /// answers still in its write-ahead log is read with it, as long as the log's index file
    /// is there too.
    pub fn open_for_reading(path: &Path, options: &StoreOptions) -> Result<Database, StoreError> {
        require_file(path)?;
        let open_error = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        // Opening is lazy: reading the schema version is what finds out whether it can be read.
        let read_only = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let open = |target: &Path, flags: OpenFlags| {
            let conn = Connection::open_with_flags(target, flags)?;
            conn.busy_timeout(options.busy_timeout)?;
            let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
            Ok::<_, rusqlite::Error>((conn, version))
        };
        let (conn, found) = match open(path, read_only) {
            Ok(opened) => opened,
            Err(error) if !has_write_ahead_log(path) => {
                let uri = format!("file:{}?immutable=1", uri_path(path));
                open(Path::new(&uri), read_only | OpenFlags::SQLITE_OPEN_URI)
                    .map_err(|_| open_error(error))?
            }
            Err(error) => return Err(open_error(error)),
        };
        if found != schema::VERSION {
            return Err(if found > schema::VERSION {
                StoreError::TooNew {
                    found,
                    known: schema::VERSION,
                }
            } else {
                StoreError::TooOld {
                    path: path.display().to_string(),
                    found,
                    known: schema::VERSION,
                }
            });
        }
        Ok(Database {
            conn,
            known_surveys: HashSet::new(),
        })
    }

    fn connect(
        path: &Path,
        options: &StoreOptions,
        flags: OpenFlags,
    ) -> Result<Database, StoreError> {
        let open_error = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        let mut conn = Connection::open_with_flags(path, flags).map_err(open_error)?;
        conn.busy_timeout(options.busy_timeout)
            .map_err(open_error)?;
        // Before WAL is switched on: a new file's page size cannot change after.
        conn.pragma_update(None, "page_size", schema::PAGE_SIZE)
            .map_err(open_error)?;
        enable_wal(&conn, options.busy_timeout).map_err(open_error)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_error)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_error)?;
        // Pruned answers are overwritten, not left readable in free pages of the card.
        conn.pragma_update(None, "secure_delete", "ON")
            .map_err(open_error)?;
        schema::migrate(&mut conn)?;
        Ok(Database {
            conn,
            known_surveys: HashSet::new(),
        })
    }

    /// Commits one response and returns its sequence number, which it also sets in `response`.
    /// Recording an id that is already stored changes nothing and returns its number, so a
    /// retry after an unclear failure can never store a response twice.
    pub fn record(
        &mut self,
        device_id: &str,
        survey: &SurveyDefinition,
        response: &mut Response,
    ) -> Result<u64, StoreError> {
        self.record_all(device_id, survey, std::slice::from_mut(response))
    }

    /// Commits several responses to one survey in one transaction (an import, a benchmark's
    /// fill); returns the last sequence number.
    pub fn record_all(
        &mut self,
        device_id: &str,
        survey: &SurveyDefinition,
        responses: &mut [Response],
    ) -> Result<u64, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut last = 0;
        let mut new_surveys = Vec::new();
        for response in responses {
            let survey_key = (response.survey.id.clone(), response.survey.hash.clone());
            if !self.known_surveys.contains(&survey_key) {
                tx.execute(
                    "INSERT OR IGNORE INTO surveys (survey_id, survey_hash, definition) VALUES (?1, ?2, ?3)",
                    params![survey_key.0, survey_key.1, serde_json::to_string(survey)?],
                )?;
                new_surveys.push(survey_key);
            }
            last = insert_response(&tx, device_id, survey.results_step(), response)?;
        }
        tx.commit()?;
        self.known_surveys.extend(new_surveys);
        Ok(last)
    }

    /// Every stored response, oldest first, one at a time so memory stays flat.
    pub fn for_each_response(
        &self,
        mut each: impl FnMut(StoredResponse) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT device_id, body FROM responses ORDER BY seq")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let device_id: String = row.get(0)?;
            let body: String = row.get(1)?;
            each(StoredResponse {
                device_id,
                response: serde_json::from_str(&body)?,
            })?;
        }
        Ok(())
    }

    /// The survey definitions responses were given to, oldest first.
    pub fn surveys(&self) -> Result<Vec<SurveyDefinition>, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT definition FROM surveys ORDER BY rowid")?;
        let definitions = statement
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(definitions
            .iter()
            .map(|d| serde_json::from_str(d))
            .collect::<Result<_, _>>()?)
    }

    pub fn count(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM responses", [], |row| {
                row.get::<_, i64>(0)
            })? as u64)
    }

    /// How often each value was given to one question, across the survey's versions: an
    /// index-only query, however many responses there are. Skips come first.
    pub fn tally(&self, survey_id: &str, question_id: &str) -> Result<Vec<Tally>, StoreError> {
        let mut statement = self.conn.prepare_cached(TALLY_SQL)?;
        let tallies = statement
            .query_map([survey_id, question_id], |row| {
                Ok(Tally {
                    value: row.get(0)?,
                    count: row.get::<_, i64>(1)? as u64,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(tallies)
    }

    /// A poll's published results: per question, the count of each value given (skips left
    /// out), as of the last time the question's answers reached a step.
    pub fn published_results(&self, survey_id: &str) -> Result<PollResults, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT question_id, value, count FROM published_tallies WHERE survey_id = ?1",
        )?;
        let mut results = PollResults::default();
        let rows = statement.query_map([survey_id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })?;
        for row in rows {
            let (question, value, count) = row?;
            results.add(&question, &value, count as u64);
        }
        Ok(results)
    }

    /// The connection's `synchronous` setting (2 = FULL: every commit waits for the disk).
    pub fn synchronous(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA synchronous", [], |row| row.get(0))?)
    }

    /// SQLite's own check of the file: "ok" when it is sound.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))?)
    }
}

/// Inserts one response (unless its id is already stored) within `tx`; returns its number.
fn insert_response(
    tx: &rusqlite::Transaction<'_>,
    device_id: &str,
    results_step: Option<u32>,
    response: &mut Response,
) -> Result<u64, StoreError> {
    let id = response.id.to_string();
    if let Some(seq) = tx
        .prepare_cached("SELECT seq FROM responses WHERE id = ?1")?
        .query_row([&id], |row| row.get::<_, i64>(0))
        .optional()?
    {
        response.seq = seq as u64;
        return Ok(seq as u64);
    }
    // Within this write transaction nobody else can take the next number.
    let seq: i64 = tx
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) + 1 FROM responses")?
        .query_row([], |row| row.get(0))?;
    response.seq = seq as u64;
    tx.prepare_cached(
        "INSERT INTO responses (seq, id, device_id, survey_id, survey_hash, complete, recorded_at, body, test)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        seq,
        id,
        device_id,
        response.survey.id,
        response.survey.hash,
        response.complete,
        response
            .recorded_at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        serde_json::to_string(&*response)?,
        response.test,
    ])?;
    // A test answer is kept but never counted.
    if response.test {
        return Ok(seq as u64);
    }
    let mut count = tx.prepare_cached(
        "INSERT INTO tallies (survey_id, question_id, value, count) VALUES (?1, ?2, ?3, 1)
         ON CONFLICT DO UPDATE SET count = count + 1",
    )?;
    for answer in &response.answers {
        // A skip is counted as '' (no face score or option id is empty); a multiple choice
        // counts each option picked and, under RESPONDENTS, the respondent.
        let cell = answer.value.as_cell();
        let values: Vec<&str> = match &answer.value {
            AnswerValue::Choices { options } => options
                .iter()
                .map(String::as_str)
                .chain([RESPONDENTS])
                .collect(),
            _ => vec![cell.as_deref().unwrap_or_default()],
        };
        for value in &values {
            count.execute(params![response.survey.id, answer.question, value])?;
        }
        if let (Some(step), false) = (results_step, answer.value == AnswerValue::Skipped) {
            publish_on_step(tx, &response.survey.id, &answer.question, step)?;
        }
    }
    Ok(seq as u64)
}

/// When a poll question has `step` more answers than at its last publication, its tallies
/// as they are now become the published results; in between, they stay as they were. (Not
/// "at each multiple of `step`": a new survey version may change the step, and a vote must
/// never show on its own even then.)
fn publish_on_step(
    tx: &rusqlite::Transaction<'_>,
    survey_id: &str,
    question_id: &str,
    step: u32,
) -> Result<(), StoreError> {
    // Respondents: a multiple-choice question counts them apart from its picks.
    let respondents = |table: &str| -> Result<i64, StoreError> {
        Ok(tx
            .prepare_cached(&format!(
                "SELECT COALESCE(MAX(CASE WHEN value = ?3 THEN count END), SUM(count), 0)
                 FROM {table} WHERE survey_id = ?1 AND question_id = ?2 AND value != ''"
            ))?
            .query_row([survey_id, question_id, RESPONDENTS], |row| row.get(0))?)
    };
    if respondents("tallies")? < respondents("published_tallies")? + i64::from(step.max(1)) {
        return Ok(());
    }
    tx.prepare_cached("DELETE FROM published_tallies WHERE survey_id = ?1 AND question_id = ?2")?
        .execute([survey_id, question_id])?;
    tx.prepare_cached(
        "INSERT INTO published_tallies (survey_id, question_id, value, count)
         SELECT survey_id, question_id, value, count FROM tallies
         WHERE survey_id = ?1 AND question_id = ?2 AND value != ''",
    )?
    .execute([survey_id, question_id])?;
    Ok(())
}

/// A buffer that is not there is an error, never a reason to make a new one.
fn require_file(path: &Path) -> Result<(), StoreError> {
    if path.is_file() {
        Ok(())
    } else {
        Err(StoreError::Missing {
            path: path.display().to_string(),
        })
    }
}

/// Whether answers may be waiting in the buffer's write-ahead log, not yet in the file itself.
fn has_write_ahead_log(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).is_ok_and(|m| m.len() > 0)
}

/// `path` for an SQLite `file:` URI: absolute, with the characters a URI gives meaning to,
/// and all but ASCII, percent-encoded.
fn uri_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::new();
    for byte in absolute.as_os_str().as_encoded_bytes() {
        match byte {
            b'%' | b'?' | b'#' | 0x80.. => uri.push_str(&format!("%{byte:02X}")),
            _ => uri.push(*byte as char),
        }
    }
    uri
}
