//! The buffer seen from the uploader: what is pending, what the collector said of each
//! response, and pruning what it has long had.

use chrono::{DateTime, SecondsFormat, Utc};
use hetki_protocol::{SurveyDefinition, SurveyRef};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Database, StoreError};

/// A stored response waiting for the collector, as its JSON body (sent as it was stored).
#[derive(Clone, Debug)]
pub struct Pending {
    pub seq: u64,
    pub id: String,
    pub survey: SurveyRef,
    pub body: String,
}

/// What the collector said of one response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    Rejected(String),
}

/// The buffer's upload state, for `hetki status`, the health report and the staff panel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UploadStatus {
    /// Every response ever stored here, pruned ones included.
    pub stored: u64,
    pub pruned: u64,
    pub pending: u64,
    pub delivered: u64,
    pub rejected: u64,
    pub oldest_pending: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// What kind of trouble the last error was; `None` for one recorded before kinds were kept.
    pub last_error_trouble: Option<UploadTrouble>,
    pub last_error_at: Option<DateTime<Utc>>,
}

/// What kind of trouble stopped an upload, so the staff panel can say it in the staff's own
/// language (the error's text, for the log and `hetki status`, is English).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadTrouble {
    /// No answer from the collector: network down, name lookup, TLS, a timeout, a cut-off reply.
    Unreachable,
    /// The collector did not accept the device's token (401, 403).
    TokenRefused,
    /// The collector asked the kiosk to wait (429, 503).
    Busy,
    /// The collector failed (5xx) or replied with something the kiosk cannot use.
    CollectorFault,
    /// The collector refused what was sent (another 4xx).
    Refused,
    /// The kiosk's own buffer could not be read or written.
    Buffer,
    /// Anything else; the panel shows the error's text.
    Other,
}

impl UploadTrouble {
    const ALL: [UploadTrouble; 7] = [
        UploadTrouble::Unreachable,
        UploadTrouble::TokenRefused,
        UploadTrouble::Busy,
        UploadTrouble::CollectorFault,
        UploadTrouble::Refused,
        UploadTrouble::Buffer,
        UploadTrouble::Other,
    ];

    /// The name kept in the buffer's state table.
    fn code(self) -> &'static str {
        match self {
            UploadTrouble::Unreachable => "unreachable",
            UploadTrouble::TokenRefused => "token-refused",
            UploadTrouble::Busy => "busy",
            UploadTrouble::CollectorFault => "collector-fault",
            UploadTrouble::Refused => "refused",
            UploadTrouble::Buffer => "buffer",
            UploadTrouble::Other => "other",
        }
    }

    fn from_code(code: &str) -> Option<UploadTrouble> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// A response the collector refused, with its reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub id: String,
    pub reason: String,
}

const LAST_SUCCESS: &str = "last_success_at";
const LAST_ERROR: &str = "last_error";
const LAST_ERROR_AT: &str = "last_error_at";
const LAST_ERROR_TROUBLE: &str = "last_error_trouble";
const PRUNED: &str = "pruned_responses";
/// How many of the pruned responses were test answers, so totals can leave them out.
const PRUNED_TEST: &str = "pruned_test_responses";
/// Every response numbered up to this has an outcome (delivered or rejected): the search for
/// pending ones starts above it, instead of reading through every response kept.
const SETTLED_THROUGH: &str = "settled_through";

/// The last upload succeeded at `now`: no error stands.
fn record_success(tx: &rusqlite::Transaction, now: DateTime<Utc>) -> Result<(), StoreError> {
    set_state(tx, LAST_SUCCESS, &timestamp(now))?;
    tx.execute(
        "DELETE FROM upload_state WHERE key IN (?1, ?2, ?3)",
        [LAST_ERROR, LAST_ERROR_AT, LAST_ERROR_TROUBLE],
    )?;
    Ok(())
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}

impl Database {
    /// Pending responses numbered above `after`, oldest first: at most `max_count`, and no
    /// more than `max_bytes` of bodies (but always one, if there is one).
    pub fn pending_batch(
        &self,
        after: u64,
        max_count: usize,
        max_bytes: usize,
    ) -> Result<Vec<Pending>, StoreError> {
        let after = after.max(counter(&self.conn, SETTLED_THROUGH)?);
        let mut statement = self.conn.prepare_cached(
            "SELECT r.seq, r.id, r.survey_id, r.survey_hash, r.body FROM responses r
             WHERE r.seq > ?1
               AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.response_seq = r.seq)
             ORDER BY r.seq LIMIT ?2",
        )?;
        let mut rows = statement.query(params![after as i64, max_count as i64])?;
        let mut batch = Vec::new();
        let mut bytes = 0;
        while let Some(row) = rows.next()? {
            let body: String = row.get(4)?;
            bytes += body.len() + 1;
            if bytes > max_bytes && !batch.is_empty() {
                break;
            }
            batch.push(Pending {
                seq: row.get::<_, i64>(0)? as u64,
                id: row.get(1)?,
                survey: SurveyRef {
                    id: row.get(2)?,
                    hash: row.get(3)?,
                },
                body,
            });
        }
        Ok(batch)
    }

    /// The survey version's definition if the collector has not acknowledged it yet.
    pub fn unsent_survey(
        &self,
        survey: &SurveyRef,
    ) -> Result<Option<SurveyDefinition>, StoreError> {
        let definition: Option<String> = self
            .conn
            .query_row(
                "SELECT definition FROM surveys
                 WHERE survey_id = ?1 AND survey_hash = ?2 AND sent_at IS NULL",
                [&survey.id, &survey.hash],
                |row| row.get(0),
            )
            .optional()?;
        Ok(definition.map(|d| serde_json::from_str(&d)).transpose()?)
    }

    /// Notes that the collector has (`Some`) or lacks (`None`) a survey version's definition.
    pub fn set_survey_sent(
        &self,
        survey: &SurveyRef,
        at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE surveys SET sent_at = ?3 WHERE survey_id = ?1 AND survey_hash = ?2",
            params![survey.id, survey.hash, at.map(timestamp)],
        )?;
        Ok(())
    }

    /// Records what the collector said of a batch, and that an upload succeeded at `now`,
    /// in one transaction. Returns how many of them this marked delivered: a response another
    /// uploader (a `hetki sync` beside the kiosk's own) marked first keeps its time and is not
    /// counted twice.
    pub fn record_deliveries(
        &mut self,
        outcomes: &[(u64, Delivery)],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut newly_delivered = 0;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO deliveries (response_seq, delivered_at, rejected_reason)
                 VALUES (?1, ?2, ?3)
                 ON CONFLICT (response_seq) DO UPDATE
                 SET delivered_at = excluded.delivered_at,
                     rejected_reason = excluded.rejected_reason
                 WHERE deliveries.delivered_at IS NULL",
            )?;
            let now = timestamp(now);
            for (seq, delivery) in outcomes {
                let (delivered, rejected) = match delivery {
                    Delivery::Delivered => (Some(now.as_str()), None),
                    Delivery::Rejected(reason) => (None, Some(reason.as_str())),
                };
                let changed = insert.execute(params![*seq as i64, delivered, rejected])?;
                if delivered.is_some() {
                    newly_delivered += changed as u64;
                }
            }
        }
        // Past what now has an outcome: usually the batch just sent, a short read.
        let settled: i64 = tx.query_row(
            "SELECT COALESCE(
                 (SELECT r.seq - 1 FROM responses r
                  WHERE r.seq > ?1
                    AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.response_seq = r.seq)
                  ORDER BY r.seq LIMIT 1),
                 (SELECT MAX(seq) FROM responses),
                 ?1)",
            [counter(&tx, SETTLED_THROUGH)? as i64],
            |row| row.get(0),
        )?;
        set_state(&tx, SETTLED_THROUGH, &settled.to_string())?;
        record_success(&tx, now)?;
        tx.commit()?;
        Ok(newly_delivered)
    }

    /// Remembers that the collector answered at `now` though nothing was sent but the health
    /// report: the way to it works, and the last error is past.
    pub fn record_contact(&self, now: DateTime<Utc>) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        record_success(&tx, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Remembers why the last upload failed, for `hetki status` and the staff panel.
    pub fn record_upload_error(
        &self,
        error: &str,
        trouble: UploadTrouble,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        set_state(&tx, LAST_ERROR, error)?;
        set_state(&tx, LAST_ERROR_TROUBLE, trouble.code())?;
        set_state(&tx, LAST_ERROR_AT, &timestamp(now))?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes responses delivered before `cutoff`; the tallies keep counting them. Keeps
    /// the newest response, whose number the next one continues from. Returns how many.
    /// Deletes in small transactions, so the store thread never waits long for the lock
    /// even when a month's backlog comes due at once.
    pub fn prune_delivered(&mut self, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
        const CHUNK: u64 = 500;
        let doomed = format!(
            "SELECT response_seq FROM deliveries
             WHERE delivered_at IS NOT NULL AND delivered_at < ?1
               AND response_seq < (SELECT MAX(seq) FROM responses)
             ORDER BY response_seq LIMIT {CHUNK}"
        );
        let cutoff = timestamp(cutoff);
        let mut total = 0;
        loop {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let pruned_test = tx.query_row(
                &format!("SELECT COUNT(*) FROM responses WHERE test = 1 AND seq IN ({doomed})"),
                [&cutoff],
                |row| row.get::<_, i64>(0),
            )? as u64;
            let pruned = tx.execute(
                // Their deliveries go with them (ON DELETE CASCADE).
                &format!("DELETE FROM responses WHERE seq IN ({doomed})"),
                [&cutoff],
            )? as u64;
            add_to_state(&tx, PRUNED, pruned)?;
            add_to_state(&tx, PRUNED_TEST, pruned_test)?;
            tx.commit()?;
            total += pruned;
            if pruned < CHUNK {
                return Ok(total);
            }
        }
    }

    /// Puts the responses the collector rejected back in the queue, for when what it
    /// refused has been put right (say, an outdated collector updated). Safe to repeat: the
    /// collector keeps each response id once. Returns how many.
    pub fn retry_rejected(&mut self) -> Result<u64, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        const REJECTED: &str = "rejected_reason IS NOT NULL AND delivered_at IS NULL";
        let first: Option<i64> = tx.query_row(
            &format!("SELECT MIN(response_seq) FROM deliveries WHERE {REJECTED}"),
            [],
            |row| row.get(0),
        )?;
        let retried = tx.execute(&format!("DELETE FROM deliveries WHERE {REJECTED}"), [])?;
        if let Some(first) = first {
            // Pending again: the search for pending responses must reach them.
            let settled = (counter(&tx, SETTLED_THROUGH)? as i64).min(first - 1);
            set_state(&tx, SETTLED_THROUGH, &settled.to_string())?;
        }
        tx.commit()?;
        Ok(retried as u64)
    }

    pub fn upload_status(&self) -> Result<UploadStatus, StoreError> {
        let count = |sql: &str| -> Result<u64, StoreError> {
            Ok(self.conn.query_row(sql, [], |row| row.get::<_, i64>(0))? as u64)
        };
        let kept = count("SELECT COUNT(*) FROM responses")?;
        let delivered = count("SELECT COUNT(*) FROM deliveries WHERE delivered_at IS NOT NULL")?;
        let rejected = count("SELECT COUNT(*) FROM deliveries WHERE rejected_reason IS NOT NULL")?;
        let pruned = self.pruned_count()?;
        let pending = kept - delivered - rejected;
        Ok(UploadStatus {
            stored: kept + pruned,
            pruned,
            pending,
            delivered: delivered + pruned,
            rejected,
            // With nothing pending, looking for the oldest would read every response.
            oldest_pending: if pending > 0 {
                self.oldest_pending()?
            } else {
                None
            },
            last_success_at: parse_time(state(&self.conn, LAST_SUCCESS)?),
            last_error: state(&self.conn, LAST_ERROR)?,
            last_error_trouble: state(&self.conn, LAST_ERROR_TROUBLE)?
                .and_then(|code| UploadTrouble::from_code(&code)),
            last_error_at: parse_time(state(&self.conn, LAST_ERROR_AT)?),
        })
    }

    /// When the oldest pending response was recorded.
    pub fn oldest_pending(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let at: Option<String> = self
            .conn
            .query_row(
                "SELECT recorded_at FROM responses r
                 WHERE r.seq > ?1
                   AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.response_seq = r.seq)
                 ORDER BY seq LIMIT 1",
                [counter(&self.conn, SETTLED_THROUGH)? as i64],
                |row| row.get(0),
            )
            .optional()?;
        Ok(parse_time(at))
    }

    /// How many delivered responses pruning has deleted here.
    pub fn pruned_count(&self) -> Result<u64, StoreError> {
        counter(&self.conn, PRUNED)
    }

    /// How many answers this device has taken, test answers left out, pruned ones counted.
    pub fn answers_total(&self) -> Result<u64, StoreError> {
        let kept: i64 =
            self.conn
                .query_row("SELECT COUNT(*) FROM responses WHERE test = 0", [], |row| {
                    row.get(0)
                })?;
        let pruned = self.pruned_count()?;
        Ok((kept as u64 + pruned).saturating_sub(counter(&self.conn, PRUNED_TEST)?))
    }

    /// How many responses were recorded at or after `since`, test answers left out.
    pub fn count_since(&self, since: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM responses WHERE recorded_at >= ?1 AND test = 0",
            [timestamp(since)],
            |row| row.get::<_, i64>(0),
        )? as u64)
    }

    /// How many responses wait for the collector.
    pub fn pending_count(&self) -> Result<u64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT (SELECT COUNT(*) FROM responses) - (SELECT COUNT(*) FROM deliveries)",
            [],
            |row| row.get::<_, i64>(0),
        )? as u64)
    }

    /// The responses the collector refused, oldest first.
    pub fn rejections(&self) -> Result<Vec<Rejection>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT r.id, d.rejected_reason FROM deliveries d JOIN responses r ON r.seq = d.response_seq
             WHERE d.rejected_reason IS NOT NULL ORDER BY r.seq",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(Rejection {
                id: row.get(0)?,
                reason: row.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn state(conn: &rusqlite::Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT value FROM upload_state WHERE key = ?1",
            [key],
            |row| row.get(0),
        )
        .optional()?)
}

/// A count kept in the state table (0 until first set).
fn counter(conn: &rusqlite::Connection, key: &str) -> Result<u64, StoreError> {
    Ok(state(conn, key)?.and_then(|v| v.parse().ok()).unwrap_or(0))
}

fn add_to_state(conn: &rusqlite::Connection, key: &str, added: u64) -> Result<(), StoreError> {
    if added > 0 {
        let sum = counter(conn, key)? + added;
        set_state(conn, key, &sum.to_string())?;
    }
    Ok(())
}

fn set_state(conn: &rusqlite::Connection, key: &str, value: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT OR REPLACE INTO upload_state (key, value) VALUES (?1, ?2)",
        [key, value],
    )?;
    Ok(())
}
