//! The response buffer on a real SQLite file: what is stored, how it is numbered, exported
//! and tallied, and how the store thread rides out a disk it cannot write.

mod util;

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use chrono::Utc;
use hetki::export::{Format, export};
use hetki::store::{
    self, Database, Delivery, FailureCause, StoreError, StoreEvent, StoreOptions, Tally,
};
use hetki_protocol::{
    Answer, AnswerValue, ClockFacts, EventInfo, Language, Response, SurveyDefinition,
};
use util::{Setup, stored_rows};

fn response(survey: &SurveyDefinition, overall: u8, heard: &str, complete: bool) -> Response {
    let mut answers = vec![Answer {
        question: "overall".into(),
        value: AnswerValue::Face { score: overall },
    }];
    if complete {
        answers.push(Answer {
            question: "heard".into(),
            value: AnswerValue::Choice {
                option: heard.into(),
            },
        });
        answers.push(Answer {
            question: "again".into(),
            value: AnswerValue::Skipped,
        });
    }
    Response {
        id: uuid::Uuid::now_v7(),
        seq: 0,
        survey: survey.reference(),
        event: EventInfo {
            name: "Asukasilta, \"Keskus\"".into(),
            place: "Sali".into(),
            area: Some("Suur-Tapiola".into()),
            topic: None,
            date: chrono::NaiveDate::from_ymd_opt(2026, 11, 24),
        },
        language: Language::Sv,
        complete,
        recorded_at: Utc::now(),
        clock: ClockFacts {
            boot_id: "boot-1".into(),
            monotonic_ms: 1234,
            synchronized: false,
        },
        display: Default::default(),
        test: false,
        answers,
    }
}

fn options() -> StoreOptions {
    StoreOptions {
        busy_timeout: Duration::from_millis(20),
        retry_interval: Duration::from_millis(20),
    }
}

#[test]
fn responses_are_numbered_in_order_and_come_back_exactly() {
    let setup = Setup::demo();
    let survey = setup.config().survey().clone();
    let mut db = Database::open(&setup.database(), &options()).unwrap();
    let mut first = response(&survey, 5, "yes", true);
    let mut second = response(&survey, 2, "no", false);
    assert_eq!(db.record("kiosk-a", &survey, &mut first).unwrap(), 1);
    assert_eq!(db.record("kiosk-a", &survey, &mut second).unwrap(), 2);
    let back = stored_rows(&db);
    assert_eq!(back.len(), 2);
    assert_eq!(back[0].device_id, "kiosk-a");
    assert_eq!(back[0].response, first, "stored exactly, seq included");
    assert_eq!(back[1].response.seq, 2);
    assert_eq!(
        db.surveys().unwrap(),
        vec![(*survey).clone()],
        "the definition is kept once"
    );
    // Answers with their times are for the kiosk's own user, whatever the umask.
    use std::os::unix::fs::PermissionsExt;
    for file in [
        setup.database(),
        setup.database().with_extension("sqlite3-wal"),
    ] {
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", file.display());
    }
}

#[test]
fn recording_the_same_id_again_stores_it_once() {
    let setup = Setup::demo();
    let survey = setup.config().survey().clone();
    let mut db = Database::open(&setup.database(), &options()).unwrap();
    let mut r = response(&survey, 4, "yes", true);
    let seq = db.record("kiosk-a", &survey, &mut r).unwrap();
    let mut again = r.clone();
    assert_eq!(db.record("kiosk-a", &survey, &mut again).unwrap(), seq);
    assert_eq!(db.count().unwrap(), 1);
    assert_eq!(
        db.tally(&survey.id, "overall").unwrap(),
        vec![Tally {
            value: Some("4".into()),
            count: 1
        }]
    );
}

#[test]
fn tallies_count_each_value_from_the_index() {
    let setup = Setup::demo();
    let survey = setup.config().survey().clone();
    let mut db = Database::open(&setup.database(), &options()).unwrap();
    for (score, heard) in [(5, "yes"), (5, "no"), (3, "yes"), (1, "yes")] {
        db.record("k", &survey, &mut response(&survey, score, heard, true))
            .unwrap();
    }
    db.record("k", &survey, &mut response(&survey, 5, "", false))
        .unwrap();
    let tally = |q| db.tally(&survey.id, q).unwrap();
    let t = |v: Option<&str>, count| Tally {
        value: v.map(str::to_owned),
        count,
    };
    assert_eq!(
        tally("overall"),
        vec![t(Some("1"), 1), t(Some("3"), 1), t(Some("5"), 3)]
    );
    assert_eq!(tally("heard"), vec![t(Some("no"), 1), t(Some("yes"), 3)]);
    assert_eq!(
        tally("again"),
        vec![t(None, 4)],
        "skips are counted as skips"
    );

    let conn = rusqlite::Connection::open(setup.database()).unwrap();
    let plan: Vec<String> = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {}", hetki::store::TALLY_SQL))
        .unwrap()
        .query_map(["x", "y"], |row| row.get(3))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let plan = plan.join("\n");
    assert!(
        plan.contains("SEARCH tallies USING PRIMARY KEY (survey_id=? AND question_id=?)")
            && !plan.contains("SCAN"),
        "{plan}"
    );
}

/// The panel's "today" and "in total" leave test answers out, pruned ones too.
#[test]
fn answer_counts_leave_test_answers_out_after_pruning_too() {
    let setup = Setup::demo();
    let survey = setup.config().survey().clone();
    let mut db = Database::open(&setup.database(), &options()).unwrap();
    let mut seqs = Vec::new();
    let mut ids = Vec::new();
    for test in [false, true, false, true, false] {
        let mut r = response(&survey, 4, "yes", true);
        r.test = test;
        seqs.push(db.record("k", &survey, &mut r).unwrap());
        ids.push(r.id);
    }
    // Everything into the database file, and the WAL emptied.
    let checkpoint = || {
        rusqlite::Connection::open(setup.database())
            .unwrap()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap()
    };
    checkpoint();
    let start_of_day = Utc::now() - chrono::TimeDelta::hours(1);
    assert_eq!(db.count_since(start_of_day).unwrap(), 3);
    assert_eq!(db.answers_total().unwrap(), 3);

    let delivered: Vec<_> = seqs.iter().map(|&s| (s, Delivery::Delivered)).collect();
    db.record_deliveries(&delivered, Utc::now()).unwrap();
    let pruned = db
        .prune_delivered(Utc::now() + chrono::TimeDelta::seconds(1))
        .unwrap();
    assert_eq!(pruned, 4, "all but the newest");
    assert_eq!(db.count().unwrap(), 1);
    // A pruned answer is gone from the card, not left in the file's free pages.
    checkpoint();
    let bytes = std::fs::read(setup.database()).unwrap();
    let holds = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(
        holds(ids[4].to_string().as_bytes()),
        "the kept one is there"
    );
    for id in &ids[..4] {
        assert!(
            !holds(id.to_string().as_bytes()) && !holds(id.as_bytes()),
            "pruned {id} is still in the file"
        );
    }
    assert_eq!(
        db.answers_total().unwrap(),
        3,
        "two test answers were pruned"
    );
    assert_eq!(
        db.upload_status().unwrap().stored,
        5,
        "`hetki status` counts all"
    );
}

/// The search for what is pending starts above the responses that have an outcome; a
/// rejected response put back in the queue is found again below that.
#[test]
fn pending_responses_are_found_above_those_settled_and_retried_ones_below() {
    let setup = Setup::demo();
    let survey = setup.config().survey().clone();
    let mut db = Database::open(&setup.database(), &options()).unwrap();
    let record = |db: &mut Database| {
        let mut r = response(&survey, 4, "yes", true);
        let seq = db.record("k", &survey, &mut r).unwrap();
        // Kept to the millisecond.
        (seq, r.recorded_at.timestamp_millis())
    };
    let oldest = |db: &Database| db.oldest_pending().unwrap().map(|t| t.timestamp_millis());
    let recorded: Vec<_> = (0..6).map(|_| record(&mut db)).collect();
    let pending = |db: &Database| -> Vec<u64> {
        db.pending_batch(0, 100, 1 << 20)
            .unwrap()
            .iter()
            .map(|p| p.seq)
            .collect()
    };
    let outcomes = |seqs: &[usize], delivery: Delivery| -> Vec<_> {
        seqs.iter()
            .map(|&i| (recorded[i].0, delivery.clone()))
            .collect()
    };
    let first = Utc::now();
    let newly = db.record_deliveries(&outcomes(&[0, 1, 3], Delivery::Delivered), first);
    assert_eq!(newly.unwrap(), 3);
    db.record_deliveries(
        &outcomes(&[2], Delivery::Rejected("refused".into())),
        Utc::now(),
    )
    .unwrap();
    // A `hetki sync` beside the kiosk's uploader sent two of them again: the collector had
    // them, and they are not counted as delivered twice.
    let again = db.record_deliveries(
        &outcomes(&[0, 1], Delivery::Delivered),
        first + chrono::TimeDelta::seconds(5),
    );
    assert_eq!(again.unwrap(), 0);
    assert_eq!(db.upload_status().unwrap().delivered, 3);
    assert_eq!(pending(&db), [recorded[4].0, recorded[5].0]);
    assert_eq!(oldest(&db), Some(recorded[4].1));

    db.record_deliveries(&outcomes(&[4, 5], Delivery::Delivered), Utc::now())
        .unwrap();
    assert_eq!(pending(&db), Vec::<u64>::new());
    assert_eq!(oldest(&db), None);

    assert_eq!(db.retry_rejected().unwrap(), 1);
    let (newest, _) = record(&mut db);
    assert_eq!(pending(&db), [recorded[2].0, newest]);
    assert_eq!(oldest(&db), Some(recorded[2].1));
    assert_eq!(db.upload_status().unwrap().pending, 2);
}

/// A poll's published totals move only after `results_minimum` more answers, even when a
/// new version of the poll lowers that minimum.
#[test]
fn published_results_move_in_whole_steps_across_poll_versions() {
    let setup = Setup::demo();
    let mut poll = setup.config().survey().as_ref().clone();
    poll.kind = hetki_protocol::SurveyKind::Poll;
    poll.results_minimum = Some(5);
    let mut db = Database::open(&setup.database(), &options()).unwrap();
    let mut record = |survey: &SurveyDefinition, count: usize| -> u64 {
        for _ in 0..count {
            db.record("k", survey, &mut response(survey, 4, "yes", true))
                .unwrap();
        }
        db.published_results(&survey.id).unwrap().total("overall")
    };
    assert_eq!(record(&poll, 4), 0, "nothing shows before the minimum");
    assert_eq!(record(&poll, 1), 5);

    // The next version shows results in steps of 3. At 6 answers (a multiple of 3) the one
    // vote since 5 would show; the totals wait for 3 more than were shown.
    poll.results_minimum = Some(3);
    assert_eq!(record(&poll, 1), 5, "one new vote never shows on its own");
    assert_eq!(record(&poll, 1), 5);
    assert_eq!(record(&poll, 1), 8);
}

#[test]
fn the_buffer_is_a_wal_file() {
    let setup = Setup::demo();
    Database::open(&setup.database(), &options()).unwrap();
    let conn = rusqlite::Connection::open(setup.database()).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_buffer_from_a_newer_hetki_is_refused_untouched() {
    let setup = Setup::demo();
    Database::open(&setup.database(), &options()).unwrap();
    rusqlite::Connection::open(setup.database())
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let before = std::fs::read(setup.database()).unwrap();
    assert!(matches!(
        Database::open(&setup.database(), &options()),
        Err(StoreError::TooNew { found: 99, .. })
    ));
    assert!(
        std::fs::read(setup.database()).unwrap() == before,
        "refusing changed the buffer"
    );
    let log = setup.database().with_extension("sqlite3-wal");
    assert!(
        std::fs::metadata(&log).map_or(true, |m| m.len() == 0),
        "refusing wrote to the log"
    );
}

#[test]
fn exports_hold_every_response_in_both_formats() {
    let setup = Setup::demo();
    let survey = setup.config().survey().clone();
    let mut db = Database::open(&setup.database(), &options()).unwrap();
    let mut ids = Vec::new();
    let mut recorded = Vec::new();
    for score in 1..=3 {
        let mut r = response(&survey, score, "partly", score != 2);
        db.record("kiosk-a", &survey, &mut r).unwrap();
        ids.push(r.id.to_string());
        recorded.push(r.recorded_at);
    }
    let zone = chrono_tz::Europe::Helsinki;
    let mut jsonl = Vec::new();
    assert_eq!(export(&db, Format::Jsonl, zone, &mut jsonl).unwrap(), 3);
    let lines: Vec<serde_json::Value> = String::from_utf8(jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines
            .iter()
            .map(|l| l["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ids
    );
    assert_eq!(lines[0]["device_id"], "kiosk-a");
    assert_eq!(lines[1]["complete"], false);

    let mut csv = Vec::new();
    export(&db, Format::Csv, zone, &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let rows: Vec<&str> = csv.split("\r\n").filter(|r| !r.is_empty()).collect();
    assert_eq!(rows.len(), 4);
    assert!(
        rows[0].ends_with("clock_synchronized,display_theme,large_text,test,overall,heard,again"),
        "{}",
        rows[0]
    );
    assert!(rows[1].starts_with(&format!("{},1,kiosk-a,event-feedback,", ids[0])));
    assert!(rows[0].contains(",recorded_at,recorded_local,boot_id,"));
    // The time as staff read it, beside the UTC one.
    let utc = recorded[0].to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let local = hetki_protocol::csv::local_time(recorded[0], zone);
    assert!(rows[1].contains(&format!(",{utc},{local},")), "{}", rows[1]);
    assert!(
        rows[1].contains(",\"Asukasilta, \"\"Keskus\"\"\",Sali,Suur-Tapiola,,2026-11-24,sv,true,"),
        "{}",
        rows[1]
    );
    assert!(
        rows[1].ends_with(",default,false,false,1,partly,skipped"),
        "{}",
        rows[1]
    );
    assert!(
        rows[2].ends_with(",2,,"),
        "a partial answer leaves the unanswered empty: {}",
        rows[2]
    );

    let mut sheet = Vec::new();
    export(&db, Format::Spreadsheet, zone, &mut sheet).unwrap();
    let sheet = String::from_utf8(sheet).unwrap();
    assert!(sheet.starts_with("\u{feff}id;seq;device_id;"), "{sheet}");
    assert!(
        sheet.contains(
            ";\"Asukasilta, \"\"Keskus\"\"\";Sali;Suur-Tapiola;;\"=\"\"2026-11-24\"\"\";sv;true;"
        ),
        "{sheet}"
    );
}

#[test]
fn the_staff_export_leaves_test_answers_out_and_the_full_one_flags_them() {
    let setup = Setup::demo();
    let survey = setup.config().survey().clone();
    let mut db = Database::open(&setup.database(), &options()).unwrap();
    for test in [false, true, false] {
        let mut r = response(&survey, 4, "yes", true);
        r.test = test;
        db.record("kiosk-a", &survey, &mut r).unwrap();
    }
    let zone = chrono_tz::Europe::Helsinki;
    let mut staff = Vec::new();
    assert_eq!(export(&db, Format::Staff, zone, &mut staff).unwrap(), 2);
    let staff = String::from_utf8(staff).unwrap();
    let rows: Vec<&str> = staff.split("\r\n").filter(|r| !r.is_empty()).collect();
    assert_eq!(
        rows.len(),
        3,
        "a header and the two counted answers: {staff}"
    );
    assert!(
        rows[1..].iter().all(|row| row.contains(";false;4;yes;")),
        "{staff}"
    );
    let mut full = Vec::new();
    assert_eq!(
        export(&db, Format::Spreadsheet, zone, &mut full).unwrap(),
        3
    );
    let full = String::from_utf8(full).unwrap();
    assert_eq!(full.matches(";true;4;yes;").count(), 1, "{full}");
}

#[test]
fn the_store_thread_holds_answers_while_it_cannot_write_and_recovers_by_itself() {
    let setup = Setup::demo();
    let config = setup.config();
    let survey = Arc::clone(config.survey());
    // The schema exists before the lock is taken.
    Database::open(&config.database_path(), &options()).unwrap();
    let (events, reports) = mpsc::channel();
    let (handle, thread) = store::spawn(
        config.database_path(),
        options(),
        "kiosk-a".into(),
        false,
        events,
    );
    // The reports this test is about: not the warnings for staff.
    let next = || loop {
        match reports.recv_timeout(Duration::from_secs(10)).unwrap() {
            StoreEvent::Warnings(_) => continue,
            report => return report,
        }
    };
    let nothing_more = || {
        reports
            .try_iter()
            .all(|report| matches!(report, StoreEvent::Warnings(_)))
    };

    // Another process holds the write lock: every write the store tries fails.
    let blocker = rusqlite::Connection::open(config.database_path()).unwrap();
    blocker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let first = response(&survey, 5, "yes", true);
    let second = response(&survey, 4, "no", true);
    assert!(handle.record(survey.clone(), first.clone()));
    let report = next();
    assert!(
        matches!(report, StoreEvent::Unavailable { ref reason, cause: FailureCause::Locked } if reason.contains("locked")),
        "{report:?}"
    );
    assert!(handle.record(survey.clone(), second.clone()));
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        nothing_more(),
        "nothing committed, and the failure is reported once"
    );

    blocker.execute_batch("ROLLBACK").unwrap();
    let mut rest: Vec<_> = (0..3).map(|_| next()).collect();
    assert_eq!(rest.pop(), Some(StoreEvent::Recovered));
    assert_eq!(
        rest,
        vec![
            StoreEvent::Committed {
                id: first.id,
                seq: 1,
                results: None
            },
            StoreEvent::Committed {
                id: second.id,
                seq: 2,
                results: None
            }
        ]
    );
    drop(handle);
    thread.join().unwrap();
    assert_eq!(
        Database::open(&config.database_path(), &options())
            .unwrap()
            .count()
            .unwrap(),
        2
    );
}

#[test]
fn simulate_then_export_gives_back_exactly_the_printed_ids() {
    // The poll too: its respondents pass through the results screen, not the thank-you.
    for setup in [Setup::demo(), Setup::library_poll()] {
        simulate_then_export(&setup);
    }
}

fn simulate_then_export(setup: &Setup) {
    let simulated = setup.hetki(&["simulate", "--count", "5"]);
    assert!(
        simulated.status.success(),
        "{}",
        String::from_utf8_lossy(&simulated.stderr)
    );
    let printed: Vec<String> = String::from_utf8(simulated.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(printed.len(), 5);
    let exported = setup.hetki(&["export", "--format", "jsonl"]);
    assert!(exported.status.success());
    let exported = String::from_utf8(exported.stdout).unwrap();
    let ids: Vec<String> = exported
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids, printed);
    // A trial on a kiosk in service counts nowhere: test answers, unless --real, and test
    // mode is not left on for the residents who come after.
    assert!(
        exported.lines().all(|l| l.contains("\"test\":true")),
        "{exported}"
    );
    assert!(
        !setup
            .config()
            .data_dir
            .join("panel-overrides.json")
            .exists()
    );
    let csv = setup.hetki(&["export"]);
    assert_eq!(
        String::from_utf8(csv.stdout).unwrap().lines().count(),
        6,
        "a header and five rows"
    );
}

#[test]
fn connections_opening_a_new_buffer_at_once_do_not_race_on_the_schema() {
    let setup = Setup::demo();
    let path = setup.database();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let barrier = Arc::new(std::sync::Barrier::new(8));
    let openers: Vec<_> = (0..8)
        .map(|_| {
            let (path, barrier) = (path.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                Database::open(&path, &StoreOptions::default()).map(|_| ())
            })
        })
        .collect();
    for opener in openers {
        opener.join().unwrap().expect("every opener succeeds");
    }
}

#[test]
fn a_new_buffer_uses_small_pages_so_a_commit_writes_little() {
    let setup = Setup::demo();
    Database::open(&setup.database(), &options()).unwrap();
    let conn = rusqlite::Connection::open(setup.database()).unwrap();
    let page_size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    assert_eq!(page_size, 1024);
}

#[test]
fn the_buffer_syncs_every_commit() {
    let setup = Setup::demo();
    Database::open(&setup.database(), &options()).unwrap();
    // synchronous is per connection: read what Database set on its own.
    let db = Database::open(&setup.database(), &options()).unwrap();
    assert_eq!(db.synchronous().unwrap(), 2, "FULL");
}

#[test]
fn a_kiosk_dropped_right_after_a_submit_still_commits_it() {
    use hetki::flow::Tap;
    let setup = Setup::demo();
    let config = setup.config();
    let mut kiosk = hetki::kiosk::Kiosk::start(
        &config,
        Box::new(hetki::clock::SystemClock::new()),
        options(),
    );
    let mut now = Duration::ZERO;
    kiosk.tap(Tap::Start, now);
    now += config.timing.settle;
    let mut submitted = None;
    for _ in 0..3 {
        // The last answer submits at its tap; the next question takes taps once settled.
        submitted = submitted.or(kiosk.tap(Tap::Option(0), now));
        now += config.timing.highlight;
        submitted = submitted.or(kiosk.tick(now));
        now += config.timing.settle;
    }
    let id = submitted.expect("three answers submit");
    drop(kiosk);
    let db = Database::open_existing(&config.database_path(), &options()).unwrap();
    let ids: Vec<_> = stored_rows(&db)
        .into_iter()
        .map(|r| r.response.id)
        .collect();
    assert_eq!(ids, vec![id]);
}

fn count_stored(db: &Database) -> usize {
    stored_rows(db).len()
}

// A card that has turned read-only (a common end for an SD card) cannot be tested here
// without mounting one (it was checked by hand on a read-only tmpfs, with and without a
// write-ahead log); what lets a reader work there is that it writes nothing to the buffer.
#[test]
fn reading_a_buffer_out_writes_nothing_and_sees_answers_still_in_its_log() {
    let setup = Setup::demo();
    let survey = setup.config().survey().clone();
    let mut writer = Database::open(&setup.database(), &options()).unwrap();
    for overall in 1..=3 {
        writer
            .record(
                "kiosk-a",
                &survey,
                &mut response(&survey, overall, "yes", true),
            )
            .unwrap();
    }
    let reader = Database::open_for_reading(&setup.database(), &options()).unwrap();
    assert_eq!(
        count_stored(&reader),
        3,
        "the answers in the write-ahead log"
    );
    drop(reader);
    drop(writer);

    // On a writable disk SQLite may leave an empty log and its index behind; the buffer
    // itself stays byte for byte as it was.
    let stored = || std::fs::read(setup.database()).unwrap();
    let log = setup.database().with_extension("sqlite3-wal");
    let log_is_empty = || std::fs::metadata(&log).map_or(true, |m| m.len() == 0);
    let before = stored();
    let reader = Database::open_for_reading(&setup.database(), &options()).unwrap();
    assert_eq!(count_stored(&reader), 3);
    assert_eq!(reader.upload_status().unwrap().pending, 3);
    drop(reader);
    assert!(stored() == before, "reading changed the buffer");
    assert!(log_is_empty(), "reading wrote to the log");

    // A buffer from an older Hetki is not brought up to date by a reader.
    rusqlite::Connection::open(setup.database())
        .unwrap()
        .pragma_update(None, "user_version", 1)
        .unwrap();
    let before = stored();
    let refused = Database::open_for_reading(&setup.database(), &options());
    assert!(
        matches!(refused, Err(StoreError::TooOld { found: 1, .. })),
        "{:?}",
        refused.err()
    );
    assert!(stored() == before);
}

#[test]
fn export_refuses_a_buffer_that_is_not_there_instead_of_making_one() {
    let setup = Setup::demo();
    let output = setup.hetki(&["--data", setup.path("nowhere").to_str().unwrap(), "export"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("there is no response buffer"));
    assert!(!setup.path("nowhere").exists());
}

#[test]
fn a_first_version_buffer_keeps_its_answers_as_tallies() {
    let setup = Setup::demo();
    let path = setup.database();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    {
        // The schema as the first release wrote it: one row per answer.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE surveys (survey_id TEXT NOT NULL, survey_hash TEXT NOT NULL,
                 definition TEXT NOT NULL, PRIMARY KEY (survey_id, survey_hash)) STRICT;
             CREATE TABLE responses (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
                 device_id TEXT NOT NULL, survey_id TEXT NOT NULL, survey_hash TEXT NOT NULL,
                 complete INTEGER NOT NULL, recorded_at TEXT NOT NULL, body TEXT NOT NULL) STRICT;
             CREATE TABLE answers (survey_id TEXT NOT NULL, question_id TEXT NOT NULL,
                 value TEXT NOT NULL, response_seq INTEGER NOT NULL,
                 PRIMARY KEY (survey_id, question_id, value, response_seq)) STRICT, WITHOUT ROWID;
             INSERT INTO answers VALUES ('s', 'q', '1', 1), ('s', 'q', '1', 2), ('s', 'q', '', 3),
                                        ('s', 'r', 'yes', 1);
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let db = Database::open(&path, &options()).unwrap();
    let t = |v: Option<&str>, count| Tally {
        value: v.map(str::to_owned),
        count,
    };
    assert_eq!(
        db.tally("s", "q").unwrap(),
        vec![t(None, 1), t(Some("1"), 2)]
    );
    assert_eq!(db.tally("s", "r").unwrap(), vec![t(Some("yes"), 1)]);
    assert_eq!(db.upload_status().unwrap().pending, 0);
}

/// `hetki export | head`: the reader leaving early is no failure, and nothing is printed.
#[test]
fn an_export_whose_reader_leaves_early_ends_quietly() {
    use std::io::{BufRead, BufReader};
    let setup = Setup::demo();
    // More than a pipe holds: the export is still writing when the reader goes.
    assert!(
        setup
            .hetki(&["simulate", "--count", "600"])
            .status
            .success()
    );
    let mut export = util::hetki_command(&setup.config_path(), &["export"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut header = String::new();
    BufReader::new(export.stdout.take().unwrap())
        .read_line(&mut header)
        .unwrap();
    assert!(header.contains("id,"), "{header}");
    let output = export.wait_with_output().unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}
