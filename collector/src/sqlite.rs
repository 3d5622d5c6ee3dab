//! The SQLite back-end: one file, WAL, `synchronous=FULL` (an acknowledged response is on
//! disk), schema versioned with `PRAGMA user_version`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use hetki_protocol::{Outcome, Receipt, SurveyDefinition, SurveyStatus, UploadBatch};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::ingest::{self, Placement, TimeBasis};
use crate::period::Period;
use crate::storage::{DeviceRecord, Storage, StorageError, StoredResponse, TokenOwner};

const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE devices (
        name         TEXT PRIMARY KEY,
        token_hash   TEXT NOT NULL UNIQUE,   -- SHA-256 of the token, hex
        added_at     TEXT NOT NULL,
        revoked_at   TEXT,
        last_seen_at TEXT,
        health       TEXT                    -- the last HealthReport, JSON
    ) STRICT;
    CREATE TABLE surveys (
        survey_id   TEXT NOT NULL,
        survey_hash TEXT NOT NULL,
        definition  TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (survey_id, survey_hash)
    ) STRICT;
    -- In the order received. The response id is unique: a response is never stored twice.
    CREATE TABLE responses (
        received    INTEGER PRIMARY KEY,
        id          BLOB NOT NULL UNIQUE,   -- the UUID's 16 bytes
        device      TEXT NOT NULL REFERENCES devices (name),
        survey_id   TEXT NOT NULL,
        survey_hash TEXT NOT NULL,
        received_at TEXT NOT NULL,
        placed_at   TEXT,                   -- NULL when the time cannot be told
        time_basis  TEXT NOT NULL,
        body        TEXT NOT NULL,          -- the Response as JSON
        FOREIGN KEY (survey_id, survey_hash) REFERENCES surveys (survey_id, survey_hash)
    ) STRICT;
    CREATE INDEX responses_by_survey ON responses (survey_id, received);
    CREATE TABLE answers (
        survey_id   TEXT NOT NULL,
        question_id TEXT NOT NULL,
        value       TEXT NOT NULL,
        response    INTEGER NOT NULL,
        PRIMARY KEY (survey_id, question_id, value, response)
    ) STRICT, WITHOUT ROWID;
",
    "
    -- Nothing read this index of answers, and it was unfit for results: it held test
    -- answers and a multiple choice as one joined value. Results (`hetki-collector results`)
    -- are counted from the stored responses, which hold everything.
    DROP TABLE answers;
",
    "
    -- Periods (`--from`, `--to`) and purges pick responses by when they were given.
    CREATE INDEX responses_by_given ON responses (coalesce(placed_at, received_at));
",
    "
    -- Each purge: what it deleted, and so what is never stored again. A kiosk that sends a
    -- purged response once more (its receipt was lost) must not bring it back.
    CREATE TABLE purges (
        cutoff    TEXT NOT NULL,    -- responses given before this were deleted
        purged_at TEXT NOT NULL,
        deleted   INTEGER           -- NULL while the purge runs
    ) STRICT;
",
    "
    -- What purges delete, by a hash of each id and nothing else (not even the time a UUIDv7
    -- holds). A response whose time was told by its kiosk's uptime is sent again after a
    -- restart without one, so it counts as given when it arrives again: after the cutoff.
    -- Only this list keeps it from coming back. Purges before this list began left none.
    CREATE TABLE purged (id_hash BLOB PRIMARY KEY) STRICT, WITHOUT ROWID;
",
];

/// What the `purged` table keeps of a response's id: the first 16 bytes of its SHA-256.
fn purged_hash(id: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(id)[..16].to_vec()
}

/// When a response was given, as `Placement::given_at` tells it; written as the index
/// on it is, so that queries use the index.
const GIVEN_AT: &str = "coalesce(placed_at, received_at)";

/// Responses deleted per transaction by a purge: the server's uploads wait for each.
const PURGE_CHUNK: usize = 2000;

pub struct SqliteStorage {
    conn: Mutex<Connection>,
    /// Survey versions never change once stored, so they are read once.
    surveys: Mutex<HashMap<(String, String), Arc<SurveyDefinition>>>,
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn basis_name(basis: TimeBasis) -> &'static str {
    match basis {
        TimeBasis::DeviceClock => "device_clock",
        TimeBasis::SameBootUpload => "same_boot_upload",
        TimeBasis::Unplaced => "unplaced",
    }
}

fn basis_from_name(name: &str) -> TimeBasis {
    match name {
        "device_clock" => TimeBasis::DeviceClock,
        "same_boot_upload" => TimeBasis::SameBootUpload,
        _ => TimeBasis::Unplaced,
    }
}

impl SqliteStorage {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteStorage, StorageError> {
        let open_error = |source| StorageError::Open {
            path: path.display().to_string(),
            source,
        };
        hetki_protocol::files::create_private(path).map_err(|source| StorageError::Create {
            path: path.display().to_string(),
            source,
        })?;
        let mut conn = Connection::open(path).map_err(open_error)?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(open_error)?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |row| {
            row.get::<_, String>(0)
        })
        .map_err(open_error)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_error)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_error)?;
        // A purged response is overwritten, not left in the file's free pages.
        conn.pragma_update(None, "secure_delete", "ON")
            .map_err(open_error)?;
        migrate(&mut conn)?;
        Ok(SqliteStorage {
            conn: Mutex::new(conn),
            surveys: Mutex::new(HashMap::new()),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic elsewhere cannot leave a half-done transaction: rusqlite rolls back on drop.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn survey(
        &self,
        conn: &Connection,
        id: &str,
        hash: &str,
    ) -> Result<Option<Arc<SurveyDefinition>>, StorageError> {
        let key = (id.to_owned(), hash.to_owned());
        let mut cache = self.surveys.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(survey) = cache.get(&key) {
            return Ok(Some(survey.clone()));
        }
        let definition: Option<String> = conn
            .query_row(
                "SELECT definition FROM surveys WHERE survey_id = ?1 AND survey_hash = ?2",
                [id, hash],
                |row| row.get(0),
            )
            .optional()?;
        let Some(definition) = definition else {
            return Ok(None);
        };
        let survey = Arc::new(serde_json::from_str::<SurveyDefinition>(&definition)?);
        cache.insert(key, survey.clone());
        Ok(Some(survey))
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StorageError> {
    let known = MIGRATIONS.len() as i64;
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if found > known {
            // A kiosk's buffer (given by mistake) has a schema of its own, with no devices.
            let has_devices: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'devices')",
                [],
                |row| row.get(0),
            )?;
            if !has_devices {
                return Err(StorageError::NotACollectors);
            }
            return Err(StorageError::TooNew { found, known });
        }
        if found == known {
            return Ok(());
        }
        tx.execute_batch(MIGRATIONS[found as usize])?;
        tx.pragma_update(None, "user_version", found + 1)?;
        tx.commit()?;
    }
}

impl Storage for SqliteStorage {
    fn can_write(&self) -> Result<(), StorageError> {
        // Takes the write lock (waiting as an upload would) and lets it go, writing nothing.
        self.conn().execute_batch("BEGIN IMMEDIATE; ROLLBACK;")?;
        Ok(())
    }

    fn token_owner(&self, token_hash: &str) -> Result<Option<TokenOwner>, StorageError> {
        let row: Option<(String, Option<String>)> = self
            .conn()
            .prepare_cached("SELECT name, revoked_at FROM devices WHERE token_hash = ?1")?
            .query_row([token_hash], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        Ok(row.map(|(name, revoked)| match revoked {
            None => TokenOwner::Active(name),
            Some(_) => TokenOwner::Revoked(name),
        }))
    }

    fn put_survey(
        &self,
        survey: &SurveyDefinition,
        received_at: DateTime<Utc>,
    ) -> Result<SurveyStatus, StorageError> {
        let inserted = self.conn().execute(
            "INSERT INTO surveys (survey_id, survey_hash, definition, received_at)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![
                survey.id,
                survey.content_hash(),
                serde_json::to_string(survey)?,
                timestamp(received_at)
            ],
        )?;
        Ok(if inserted == 1 {
            SurveyStatus::Stored
        } else {
            SurveyStatus::AlreadyHad
        })
    }

    fn ingest(
        &self,
        device: &str,
        batch: &UploadBatch,
        received_at: DateTime<Utc>,
    ) -> Result<Vec<Receipt>, StorageError> {
        let received_text = timestamp(received_at);
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut receipts = Vec::with_capacity(batch.responses.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO responses (id, device, survey_id, survey_hash, received_at, placed_at, time_basis, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING",
            )?;
            let mut owner = tx.prepare_cached("SELECT device FROM responses WHERE id = ?1")?;
            let mut was_purged = tx.prepare_cached("SELECT 1 FROM purged WHERE id_hash = ?1")?;
            let purged_before: Option<String> =
                tx.query_row("SELECT max(cutoff) FROM purges", [], |row| row.get(0))?;
            let purged_before = parse_time(purged_before);
            for response in &batch.responses {
                let survey = self.survey(&tx, &response.survey.id, &response.survey.hash)?;
                if let Err(outcome) = ingest::judge(response, survey.as_deref()) {
                    receipts.push(Receipt {
                        id: response.id,
                        outcome,
                    });
                    continue;
                }
                let placement = ingest::place(response, &batch.sent, received_at);
                if let Some(cutoff) = purged_before
                    && (placement.given_at(received_at) < cutoff
                        || was_purged.exists([purged_hash(response.id.as_bytes())])?)
                {
                    receipts.push(Receipt {
                        id: response.id,
                        outcome: Outcome::Rejected {
                            reason: format!(
                                "given before {}, and responses that old are no longer kept",
                                timestamp(cutoff)
                            ),
                        },
                    });
                    continue;
                }
                let inserted = insert.execute(params![
                    response.id.as_bytes(),
                    device,
                    response.survey.id,
                    response.survey.hash,
                    received_text,
                    placement.placed_at.map(timestamp),
                    basis_name(placement.time_basis),
                    serde_json::to_string(response)?,
                ])?;
                let outcome = if inserted == 1 {
                    Outcome::Stored
                } else {
                    let stored_by: String =
                        owner.query_row([response.id.as_bytes()], |row| row.get(0))?;
                    if stored_by == device {
                        Outcome::AlreadyHad
                    } else {
                        Outcome::Rejected {
                            reason: "another device already sent a response with this id".into(),
                        }
                    }
                };
                receipts.push(Receipt {
                    id: response.id,
                    outcome,
                });
            }
        }
        let health = batch
            .health
            .as_ref()
            .map(serde_json::to_string)
            .transpose()?;
        tx.execute(
            "UPDATE devices SET last_seen_at = ?2, health = COALESCE(?3, health) WHERE name = ?1",
            params![device, received_text, health],
        )?;
        tx.commit()?;
        Ok(receipts)
    }

    fn add_device(
        &self,
        name: &str,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let conn = self.conn();
        let revoked: Option<Option<String>> = conn
            .query_row(
                "SELECT revoked_at FROM devices WHERE name = ?1",
                [name],
                |row| row.get(0),
            )
            .optional()?;
        match revoked {
            Some(None) => Err(StorageError::DeviceExists(name.to_owned())),
            // A revoked device comes back with a new token; its responses stay its own.
            Some(Some(_)) => {
                conn.execute(
                    "UPDATE devices SET token_hash = ?2, revoked_at = NULL, added_at = ?3 WHERE name = ?1",
                    params![name, token_hash, timestamp(now)],
                )?;
                Ok(())
            }
            None => {
                conn.execute(
                    "INSERT INTO devices (name, token_hash, added_at) VALUES (?1, ?2, ?3)",
                    params![name, token_hash, timestamp(now)],
                )?;
                Ok(())
            }
        }
    }

    fn revoke_device(&self, name: &str, now: DateTime<Utc>) -> Result<(), StorageError> {
        let changed = self.conn().execute(
            "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?2) WHERE name = ?1",
            params![name, timestamp(now)],
        )?;
        if changed == 0 {
            return Err(StorageError::NoSuchDevice(name.to_owned()));
        }
        Ok(())
    }

    fn devices(&self) -> Result<Vec<DeviceRecord>, StorageError> {
        let conn = self.conn();
        let mut statement = conn.prepare(
            "SELECT name, added_at, revoked_at, last_seen_at, health,
                    (SELECT COUNT(*) FROM responses WHERE device = devices.name
                        AND coalesce(json_extract(body, '$.test'), 0) = 0),
                    (SELECT COUNT(*) FROM responses WHERE device = devices.name
                        AND coalesce(json_extract(body, '$.test'), 0) != 0)
             FROM devices ORDER BY name",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, i64>(5)?,
                row.get::<_, i64>(6)?,
            ))
        })?;
        let mut devices = Vec::new();
        for row in rows {
            let (name, added, revoked, seen, health, responses, tests) = row?;
            devices.push(DeviceRecord {
                name,
                added_at: parse_time(Some(added)).unwrap_or(DateTime::UNIX_EPOCH),
                revoked_at: parse_time(revoked),
                last_seen_at: parse_time(seen),
                responses: responses as u64,
                test_responses: tests as u64,
                health: health.map(|h| serde_json::from_str(&h)).transpose()?,
            });
        }
        Ok(devices)
    }

    fn surveys(&self) -> Result<Vec<SurveyDefinition>, StorageError> {
        let conn = self.conn();
        let mut statement = conn.prepare("SELECT definition FROM surveys ORDER BY rowid")?;
        let definitions = statement
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(definitions
            .iter()
            .map(|d| serde_json::from_str(d))
            .collect::<Result<_, _>>()?)
    }

    fn for_each_response(
        &self,
        survey: Option<&str>,
        period: Period,
        each: &mut dyn FnMut(StoredResponse) -> std::io::Result<()>,
    ) -> Result<u64, StorageError> {
        let conn = self.conn();
        let mut statement = conn.prepare(&format!(
            "SELECT device, received_at, placed_at, time_basis, body FROM responses
             WHERE (?1 IS NULL OR survey_id = ?1)
               AND (?2 IS NULL OR {GIVEN_AT} >= ?2) AND (?3 IS NULL OR {GIVEN_AT} < ?3)
             ORDER BY received"
        ))?;
        let mut rows = statement.query(params![
            survey,
            period.from.map(timestamp),
            period.until.map(timestamp)
        ])?;
        let mut count = 0;
        while let Some(row) = rows.next()? {
            each(StoredResponse {
                device_id: row.get(0)?,
                received_at: parse_time(row.get(1)?).unwrap_or(DateTime::UNIX_EPOCH),
                placement: Placement {
                    placed_at: parse_time(row.get(2)?),
                    time_basis: basis_from_name(&row.get::<_, String>(3)?),
                },
                response: serde_json::from_str(&row.get::<_, String>(4)?)?,
            })?;
            count += 1;
        }
        Ok(count)
    }

    fn count_responses_before(&self, cutoff: DateTime<Utc>) -> Result<u64, StorageError> {
        let count: i64 = self.conn().query_row(
            &format!("SELECT COUNT(*) FROM responses WHERE {GIVEN_AT} < ?1"),
            [timestamp(cutoff)],
            |row| row.get(0),
        )?;
        Ok(count as u64)
    }

    fn delete_responses_before(&self, cutoff: DateTime<Utc>) -> Result<u64, StorageError> {
        // Said before anything is deleted: from now on, nothing that old is stored again.
        let purge = {
            let conn = self.conn();
            conn.execute(
                "INSERT INTO purges (cutoff, purged_at) VALUES (?1, ?2)",
                params![timestamp(cutoff), timestamp(Utc::now())],
            )?;
            conn.last_insert_rowid()
        };
        let chunk =
            format!("SELECT received, id FROM responses WHERE {GIVEN_AT} < ?1 LIMIT {PURGE_CHUNK}");
        let mut deleted = 0;
        loop {
            // A chunk at a time, the lock let go between them, so uploads keep being stored.
            let mut conn = self.conn();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let count = {
                let mut delete = tx.prepare_cached("DELETE FROM responses WHERE received = ?1")?;
                let mut remember =
                    tx.prepare_cached("INSERT OR IGNORE INTO purged (id_hash) VALUES (?1)")?;
                let rows = tx
                    .prepare(&chunk)?
                    .query_map([timestamp(cutoff)], |row| {
                        Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                for (received, id) in &rows {
                    remember.execute([purged_hash(id)])?;
                    delete.execute([received])?;
                }
                rows.len()
            };
            tx.commit()?;
            deleted += count as u64;
            if count < PURGE_CHUNK {
                break;
            }
        }
        self.conn().execute(
            "UPDATE purges SET deleted = ?2 WHERE rowid = ?1",
            params![purge, deleted as i64],
        )?;
        // The log may still hold the pages as they were before: empty it into the file.
        let busy: i64 = self
            .conn()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))?;
        if busy != 0 {
            tracing::warn!(
                "another connection was reading: the deleted responses' old pages leave the \
                 write-ahead log at its next checkpoint"
            );
        }
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_version_database_keeps_its_responses_and_loses_the_unused_answers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("collector.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch(
                "PRAGMA user_version = 1;
                 INSERT INTO devices (name, token_hash, added_at) VALUES ('k', 'h', 'now');
                 INSERT INTO surveys VALUES ('s', 'x', '{}', 'now');
                 INSERT INTO responses (id, device, survey_id, survey_hash, received_at, time_basis, body)
                 VALUES (x'00', 'k', 's', 'x', 'now', 'unplaced', '{}');
                 INSERT INTO answers VALUES ('s', 'q', 'a|b', 1);",
            )
            .unwrap();
        }
        drop(SqliteStorage::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        let count = |sql: &str| conn.query_row(sql, [], |row| row.get::<_, i64>(0)).unwrap();
        assert_eq!(count("PRAGMA user_version"), MIGRATIONS.len() as i64);
        assert_eq!(count("SELECT COUNT(*) FROM responses"), 1);
        assert_eq!(
            count("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'answers'"),
            0
        );
    }
}
