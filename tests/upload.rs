//! The kiosk's uploader against a real collector process on loopback, through a proxy that
//! injects faults: every stored response reaches the collector exactly once.

#[path = "../collector/tests/support/mod.rs"]
mod collector_support;
mod util;

use std::time::{Duration, Instant};

use collector_support::Collector;
use hetki::clock::SystemClock;
use hetki::config::{Token, UploadConfig};
use hetki::store::{Database, StoreOptions, UploadStatus, UploadTrouble};
use util::proxy::{Fault, Proxy};
use util::{Setup, collector_bin, stored_rows, wait_until};

/// A kiosk (the demo config in a temporary folder) registered with a fresh collector.
struct Fleet {
    setup: Setup,
    collector: Collector,
    token: String,
}

impl Fleet {
    fn new() -> Fleet {
        let setup = Setup::demo();
        let collector = Collector::start(&collector_bin());
        let token = collector.add_device("demo-kiosk-1");
        setup.write("kiosk.token", &format!("{token}\n"));
        Fleet {
            setup,
            collector,
            token,
        }
    }

    /// `hetki simulate --count N`: the ids it printed as committed.
    fn simulate(&self, count: u32) -> Vec<String> {
        let output = self
            .setup
            .hetki(&["simulate", "--real", "--count", &count.to_string()]);
        assert!(output.status.success(), "{output:?}");
        let ids: Vec<String> = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        assert_eq!(ids.len(), count as usize);
        ids
    }

    fn sync(&self, endpoint: &str) -> std::process::Output {
        self.sync_with(endpoint, &[])
    }

    /// `hetki sync --once` to `endpoint`, with more flags.
    fn sync_with(&self, endpoint: &str, flags: &[&str]) -> std::process::Output {
        let token = self.setup.path("kiosk.token");
        let mut args = vec![
            "sync",
            "--once",
            "--endpoint",
            endpoint,
            "--token-file",
            token.to_str().unwrap(),
        ];
        args.extend_from_slice(flags);
        let mut command = util::hetki_command(&self.setup.config_path(), &args);
        command.env("RUST_LOG", "debug").output().unwrap()
    }

    fn status(&self) -> UploadStatus {
        Database::open_existing(&self.setup.database(), &StoreOptions::default())
            .unwrap()
            .upload_status()
            .unwrap()
    }

    fn settings(&self) -> UploadConfig {
        UploadConfig {
            batch_responses: 25,
            retry_base: Duration::from_millis(20),
            retry_cap: Duration::from_millis(300),
            ..UploadConfig::default()
        }
    }

    fn spawn_uploader(
        &self,
        endpoint: &str,
        settings: UploadConfig,
    ) -> hetki::upload::UploaderHandle {
        let token = Token::read(&self.setup.path("kiosk.token"), "test").unwrap();
        hetki::upload::spawn(
            self.setup.database(),
            endpoint.to_owned(),
            token,
            Some(self.setup.config().device_id),
            settings,
            Box::new(SystemClock::new()),
        )
        .unwrap()
    }
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[test]
fn simulated_respondents_reach_the_collector_exactly_once() {
    let fleet = Fleet::new();
    let ids = fleet.simulate(60);
    let sync = fleet.sync(&fleet.collector.url());
    let stderr = String::from_utf8_lossy(&sync.stderr);
    assert!(sync.status.success(), "{stderr}");
    assert!(!stderr.contains(&fleet.token), "the token is never logged");
    assert!(
        stderr.contains("nothing pending (60 delivered now)"),
        "{stderr}"
    );
    assert_eq!(sorted(fleet.collector.exported_ids()), sorted(ids.clone()));

    let status = fleet.status();
    assert_eq!(
        (
            status.stored,
            status.pending,
            status.delivered,
            status.rejected
        ),
        (60, 0, 60, 0)
    );
    assert!(status.last_success_at.is_some());
    // The kiosk's health as the collector shows it is sent once the queue is empty: the
    // report that went with the batch counted it as pending.
    let list = String::from_utf8(fleet.collector.cli(&["device", "list"]).stdout).unwrap();
    assert!(list.contains(", pending 0 ("), "{list}");

    // Again: nothing to send, nothing stored twice; new responses go too.
    let more = fleet.simulate(5);
    assert!(fleet.sync(&fleet.collector.url()).status.success());
    assert!(fleet.sync(&fleet.collector.url()).status.success());
    let exported = fleet.collector.exported_ids();
    assert_eq!(sorted(exported), sorted([ids, more].concat()));

    // `hetki status` says the same to a person.
    let shown = fleet.setup.hetki(&["status"]);
    let text = String::from_utf8(shown.stdout).unwrap();
    assert!(
        text.contains("stored:          65\npending:         0\ndelivered:       65"),
        "{text}"
    );
    // The collector kept the kiosk's health report.
    let list = String::from_utf8(fleet.collector.cli(&["device", "list"]).stdout).unwrap();
    assert!(
        list.contains("demo-kiosk-1\tactive\tresponses 65"),
        "{list}"
    );

    assert!(
        list.contains(&format!("version {}", env!("CARGO_PKG_VERSION"))),
        "{list}"
    );
}

#[test]
fn sync_says_why_it_could_not_upload_and_keeps_everything() {
    let fleet = Fleet::new();
    fleet.simulate(3);
    let down = fleet.sync("http://127.0.0.1:9");
    assert!(!down.status.success());
    let stderr = String::from_utf8_lossy(&down.stderr);
    assert!(stderr.contains("cannot reach the collector"), "{stderr}");
    // The panel says this in the staff's language by its kind.
    assert_eq!(
        fleet.status().last_error_trouble,
        Some(UploadTrouble::Unreachable)
    );

    // Another kiosk's token (here: this one's, with the device renamed) files nothing.
    fleet
        .setup
        .edit("kiosk.toml", "\"demo-kiosk-1\"", "\"demo-kiosk-2\"");
    let mismatched = fleet.sync(&fleet.collector.url());
    assert!(!mismatched.status.success());
    let stderr = String::from_utf8_lossy(&mismatched.stderr);
    assert!(
        stderr
            .contains("issued for device demo-kiosk-1, but the kiosk's device_id is demo-kiosk-2"),
        "{stderr}"
    );
    assert_eq!(
        fleet.status().last_error_trouble,
        Some(UploadTrouble::TokenRefused)
    );
    assert!(fleet.collector.exported_ids().is_empty());
    fleet
        .setup
        .edit("kiosk.toml", "\"demo-kiosk-2\"", "\"demo-kiosk-1\"");

    let revoked = fleet.collector.cli(&["device", "revoke", "demo-kiosk-1"]);
    assert!(revoked.status.success());
    let refused = fleet.sync(&fleet.collector.url());
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("revoked"));

    let status = fleet.status();
    assert_eq!((status.pending, status.delivered), (3, 0));
    assert!(status.last_error.unwrap().contains("revoked"));
    assert_eq!(status.last_error_trouble, Some(UploadTrouble::TokenRefused));
    let shown = String::from_utf8(fleet.setup.hetki(&["status"]).stdout).unwrap();
    assert!(shown.contains("pending:         3"), "{shown}");
    // In the device's time zone, as staff read clocks.
    let oldest =
        hetki::sync::local_time(status.oldest_pending.unwrap(), chrono_tz::Europe::Helsinki);
    assert!(
        oldest.ends_with("EET") || oldest.ends_with("EEST"),
        "{oldest}"
    );
    assert!(
        shown.contains(&format!("oldest pending:  {oldest}")),
        "{shown}"
    );
    assert!(
        shown.contains("last error:") && shown.contains("revoked"),
        "{shown}"
    );
    assert!(fleet.collector.exported_ids().is_empty());
}

#[test]
fn sync_without_a_collector_configured_names_the_setting() {
    let fleet = Fleet::new();
    let output = fleet.setup.hetki(&["sync", "--once"]);
    assert_eq!(output.status.code(), Some(78));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("kiosk.toml: upload.endpoint: no collector is configured"),
        "{stderr}"
    );
}

#[test]
fn a_response_the_collector_rejects_is_kept_aside_with_its_reason_and_not_resent() {
    let fleet = Fleet::new();
    let good = fleet.simulate(4);
    // A response that does not fit its survey (a face the question does not have), written
    // straight into the buffer as a buggy kiosk might have.
    let config = fleet.setup.config();
    let mut db =
        Database::open_existing(&config.database_path(), &StoreOptions::default()).unwrap();
    let mut bad: hetki_protocol::Response = serde_json::from_value(serde_json::json!({
        "id": uuid::Uuid::now_v7(), "seq": 0,
        "survey": {"id": config.survey().id, "hash": config.survey().content_hash()},
        "event": config.event(), "language": "fi", "complete": false,
        "recorded_at": chrono::Utc::now(),
        "clock": {"boot_id": "b", "monotonic_ms": 1, "synchronized": true},
        "answers": [{"question": "overall", "value": {"kind": "face", "score": 9}}]
    }))
    .unwrap();
    db.record(&config.device_id, config.survey(), &mut bad)
        .unwrap();
    let after = fleet.simulate(2);

    let proxy = Proxy::start(&fleet.collector.address);
    let rejected = fleet.sync(&proxy.url());
    assert_eq!(rejected.status.code(), Some(1), "a rejection is no success");
    assert!(
        String::from_utf8_lossy(&rejected.stderr)
            .contains("the collector rejected 1 responses (6 delivered, nothing left pending)"),
        "{rejected:?}"
    );
    let status = fleet.status();
    assert_eq!(
        (status.pending, status.delivered, status.rejected),
        (0, 6, 1)
    );
    assert_eq!(
        sorted(fleet.collector.exported_ids()),
        sorted([good, after].concat())
    );
    let rejections = db.rejections().unwrap();
    assert_eq!(rejections.len(), 1);
    assert_eq!(rejections[0].id, bad.id.to_string());
    assert!(
        rejections[0].reason.contains("overall"),
        "{}",
        rejections[0].reason
    );
    let shown = String::from_utf8(fleet.setup.hetki(&["status"]).stdout).unwrap();
    assert!(shown.contains(&format!("rejected {}: ", bad.id)), "{shown}");

    let uploads_before = proxy.seen().len();
    assert!(fleet.sync(&proxy.url()).status.success());
    let again: usize = proxy.seen()[uploads_before..]
        .iter()
        .map(|s| s.responses)
        .sum();
    assert_eq!(again, 0, "a rejected response is not retried");

    // A retry whose settings do not hold touches nothing: the rejection and its reason stay.
    let mistyped = fleet.sync_with("http://collector.example.fi", &["--retry-rejected"]);
    assert!(!mistyped.status.success());
    assert_eq!(fleet.status().rejected, 1, "{mistyped:?}");

    // Unless staff ask: it goes once more (and, still not fitting, is rejected again).
    let uploads_before = proxy.seen().len();
    let retried = fleet.sync_with(&proxy.url(), &["--retry-rejected"]);
    assert_eq!(retried.status.code(), Some(1), "{retried:?}");
    assert!(
        String::from_utf8_lossy(&retried.stderr).contains("1 rejected responses are pending again")
    );
    let again: usize = proxy.seen()[uploads_before..]
        .iter()
        .map(|s| s.responses)
        .sum();
    assert_eq!(again, 1, "only the rejected response goes again");
    let status = fleet.status();
    assert_eq!(
        (status.pending, status.delivered, status.rejected),
        (0, 6, 1)
    );
}

/// A collector that cannot be the one meant (a wrong path, a proxy's refusal) or that reads
/// the survey differently (an older version) makes uploads wait, never rejects responses.
#[test]
fn refusals_that_are_not_about_the_responses_reject_nothing() {
    let fleet = Fleet::new();
    let ids = fleet.simulate(3);
    let wrong_path = fleet.sync(&format!("{}/wrong", fleet.collector.url()));
    assert!(!wrong_path.status.success());
    let stderr = String::from_utf8_lossy(&wrong_path.stderr);
    assert!(stderr.contains("404"), "{stderr}");
    let status = fleet.status();
    assert_eq!((status.pending, status.rejected), (3, 0));
    assert_eq!(status.last_error_trouble, Some(UploadTrouble::Refused));

    // The kiosk's copy of the survey now hashes differently from the version its responses
    // name, as when a collector drops fields it does not know.
    let config = fleet.setup.config();
    let sql = rusqlite::Connection::open(config.database_path()).unwrap();
    let edited = sql
        .execute(
            "UPDATE surveys SET definition = replace(definition, 'Millainen', 'Minkälainen')",
            [],
        )
        .unwrap();
    assert_eq!(edited, 1);
    let skewed = fleet.sync(&fleet.collector.url());
    assert!(!skewed.status.success());
    let stderr = String::from_utf8_lossy(&skewed.stderr);
    assert!(
        stderr.contains(&format!(
            "the collector files survey event-feedback {} as version",
            config.survey().content_hash()
        )),
        "{stderr}"
    );
    let status = fleet.status();
    assert_eq!((status.pending, status.rejected), (3, 0));
    assert_eq!(
        status.last_error_trouble,
        Some(UploadTrouble::CollectorFault)
    );
    assert!(fleet.collector.exported_ids().is_empty());

    sql.execute(
        "UPDATE surveys SET definition = replace(definition, 'Minkälainen', 'Millainen')",
        [],
    )
    .unwrap();
    assert!(fleet.sync(&fleet.collector.url()).status.success());
    assert_eq!(sorted(fleet.collector.exported_ids()), sorted(ids));
    let status = fleet.status();
    assert_eq!((status.last_error, status.last_error_trouble), (None, None));
}

/// Refused batches are halved; they grow back once batches go through, but never again past
/// a size refused as too large.
#[test]
fn batches_shrink_when_refused_and_grow_back_to_what_fits() {
    let fleet = Fleet::new();
    let proxy = Proxy::start(&fleet.collector.address);
    let sizes_after = |fault: &Fault| -> Vec<usize> {
        let uploads: Vec<_> = proxy
            .seen()
            .into_iter()
            .filter(|s| s.responses > 0)
            .collect();
        let last = uploads
            .iter()
            .rposition(|s| s.fault.as_ref() == Some(fault))
            .unwrap();
        uploads[last + 1..].iter().map(|s| s.responses).collect()
    };
    let drain = |count: u32, faults: Vec<Fault>| {
        fleet.simulate(count);
        proxy.inject(faults);
        let _uploader = fleet.spawn_uploader(&proxy.url(), fleet.settings());
        wait_until("everything is delivered", || fleet.status().pending == 0);
    };

    // Refused twice (25 → 12 → 6), then taken: back up to the configured 25.
    drain(
        150,
        vec![Fault::Status(400, None), Fault::Status(400, None)],
    );
    let sizes = sizes_after(&Fault::Status(400, None));
    assert_eq!(sizes[..4], [6, 12, 24, 25], "{sizes:?}");

    // Too large at 25: 12 is the most from then on.
    drain(100, vec![Fault::Status(413, None)]);
    let sizes = sizes_after(&Fault::Status(413, None));
    assert_eq!(sizes.iter().max(), Some(&12), "{sizes:?}");
    assert_eq!(fleet.status().delivered, 250);
}

/// A mistyped `--endpoint` is the command line's mistake, not the device file's: exit 1
/// naming the flag (78 would send whoever runs it to the file).
#[test]
fn a_bad_endpoint_on_the_command_line_names_the_flag() {
    let fleet = Fleet::new();
    let output = fleet.sync("http://collector.example.fi");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "--endpoint: \"http://collector.example.fi\" would send the device token in clear"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("kiosk.toml"), "{stderr}");
}

/// A lone response is blamed only for a refusal of what was sent (400, 413, 422). A proxy's
/// 408 or 409 on the way makes it wait; it is not rejected for good.
#[test]
fn a_lone_response_is_not_rejected_for_a_refusal_on_the_way() {
    let fleet = Fleet::new();
    let proxy = Proxy::start(&fleet.collector.address);
    for (delivered, status) in [(1, 408), (2, 409)] {
        fleet.simulate(1);
        proxy.inject([Fault::Status(status, None)]);
        let _uploader = fleet.spawn_uploader(&proxy.url(), fleet.settings());
        wait_until(&format!("delivered after a {status}"), || {
            fleet.status().delivered == delivered
        });
        assert_eq!(proxy.faults_left(), 0, "the {status} was met");
        assert_eq!(fleet.status().rejected, 0, "after a {status}");
    }
}

/// `Retry-After: 0` (or a date already past by the kiosk's clock) still waits the first
/// retry's time: otherwise the uploader would ask, and note the error, in a tight loop.
#[test]
fn a_retry_after_of_zero_still_waits() {
    let fleet = Fleet::new();
    fleet.simulate(1);
    let proxy = Proxy::start(&fleet.collector.address);
    proxy.inject([Fault::Status(503, Some(0))]);
    let settings = UploadConfig {
        retry_base: Duration::from_secs(1),
        retry_cap: Duration::from_secs(1),
        ..fleet.settings()
    };
    let _uploader = fleet.spawn_uploader(&proxy.url(), settings);
    wait_until("delivered", || fleet.status().pending == 0);
    let uploads: Vec<_> = proxy
        .seen()
        .into_iter()
        .filter(|s| s.path == hetki_protocol::RESPONSES_PATH)
        .collect();
    let waited = uploads[1].at - uploads[0].at;
    assert!(waited >= Duration::from_millis(950), "waited {waited:?}");
}

#[test]
fn every_response_arrives_exactly_once_through_a_storm_of_faults() {
    let fleet = Fleet::new();
    let ids = fleet.simulate(300);
    let mut collector = Collector::serve(&collector_bin(), &fleet.collector.db, "127.0.0.1:0");
    let proxy = Proxy::start(&collector.address);
    proxy.inject([
        Fault::DropBefore,
        Fault::DropAfter,
        Fault::Status(503, Some(1)),
        Fault::DropAfter,
        Fault::Status(413, None),
        Fault::Delay(Duration::from_millis(1500)),
        Fault::Status(429, Some(1)),
        Fault::Status(502, None),
        Fault::DropAfter,
    ]);
    let uploader = fleet.spawn_uploader(&proxy.url(), fleet.settings());

    // Kill the collector with SIGKILL in the middle of the upload, and bring it back.
    wait_until("the collector has some of the responses", || {
        collector.exported_ids().len() >= 100
    });
    collector.kill();
    assert!(
        fleet.status().pending > 0,
        "the collector was killed mid-upload"
    );
    std::thread::sleep(Duration::from_millis(300));
    let collector = Collector::serve(&collector_bin(), &fleet.collector.db, "127.0.0.1:0");
    proxy.set_upstream(&collector.address);

    let deadline = Instant::now() + Duration::from_secs(60);
    while fleet.status().pending > 0 {
        assert!(
            Instant::now() < deadline,
            "still pending: {:?}",
            fleet.status()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(uploader);
    assert_eq!(proxy.faults_left(), 0, "every fault was met");
    // The collector keeps a response's id unique, so a count would not show a duplicate:
    // that a response sent again was recognised shows in the kiosk's delivered count below.
    assert_eq!(
        sorted(collector.exported_ids()),
        sorted(ids),
        "every response stored"
    );
    let status = fleet.status();
    assert_eq!(
        (status.pending, status.delivered, status.rejected),
        (0, 300, 0)
    );

    let uploads: Vec<_> = proxy
        .seen()
        .into_iter()
        .filter(|s| s.path == hetki_protocol::RESPONSES_PATH)
        .collect();
    let after = |fault: &Fault| {
        let i = uploads
            .iter()
            .position(|s| s.fault.as_ref() == Some(fault))
            .unwrap();
        (&uploads[i], &uploads[i + 1])
    };
    let (dropped, next) = after(&Fault::DropBefore);
    assert!(
        next.responses <= dropped.responses / 2,
        "a batch that did not get through is halved: {} then {}",
        dropped.responses,
        next.responses
    );
    let (too_large, next) = after(&Fault::Status(413, None));
    assert!(
        next.responses <= too_large.responses / 2,
        "{} then {}",
        too_large.responses,
        next.responses
    );
    for fault in [Fault::Status(503, Some(1)), Fault::Status(429, Some(1))] {
        let (refused, next) = after(&fault);
        assert!(
            next.at - refused.at >= Duration::from_millis(950),
            "Retry-After honoured after {fault:?}: {:?}",
            next.at - refused.at
        );
    }
}

#[test]
fn a_new_response_cuts_a_long_retry_wait() {
    let fleet = Fleet::new();
    fleet.simulate(2);
    let proxy = Proxy::start(&fleet.collector.address);
    proxy.inject([Fault::Status(502, None)]);
    let settings = UploadConfig {
        // After the failure the uploader would wait up to an hour...
        retry_base: Duration::from_secs(3600),
        retry_cap: Duration::from_secs(3600),
        ..fleet.settings()
    };
    let uploader = fleet.spawn_uploader(&proxy.url(), settings);
    wait_until("the first upload failed", || {
        proxy.faults_left() == 0 && !proxy.seen().is_empty()
    });
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(fleet.status().pending, 2);
    // ...but a new response cuts the wait to at most 10 s.
    let nudged = Instant::now();
    uploader.nudge();
    let deadline = nudged + Duration::from_secs(15);
    while fleet.status().pending > 0 {
        assert!(
            Instant::now() < deadline,
            "not uploaded within 10 s of the nudge"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(fleet.collector.exported_ids().len(), 2);

    // Once idle, a nudge sends at once.
    fleet.simulate(1);
    let nudged = Instant::now();
    uploader.nudge();
    wait_until("the new response is delivered", || {
        fleet.status().pending == 0
    });
    assert!(nudged.elapsed() < Duration::from_secs(5));
}

/// A collector's `Retry-After` holds off new responses, but not staff who press
/// "Upload now" (having, say, fixed the proxy that answered it).
#[test]
fn staff_asking_for_an_upload_cut_even_a_wait_the_collector_asked_for() {
    let fleet = Fleet::new();
    fleet.simulate(2);
    let proxy = Proxy::start(&fleet.collector.address);
    proxy.inject([Fault::Status(503, Some(3600))]);
    let uploader = fleet.spawn_uploader(&proxy.url(), fleet.settings());
    wait_until("the first upload was refused", || {
        proxy.faults_left() == 0 && !proxy.seen().is_empty()
    });
    uploader.nudge();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(fleet.status().pending, 2, "a new response waits as asked");
    let asked = Instant::now();
    uploader.upload_now();
    wait_until("uploaded when staff asked", || fleet.status().pending == 0);
    assert!(asked.elapsed() < Duration::from_secs(5));
}

/// The panel tells staff how their upload went by what the buffer records after they
/// asked: the moment `upload_now` returns is read before the uploader hears of it, so even a
/// failure recorded at once (nobody listening) comes after it.
#[test]
fn what_the_buffer_records_after_staff_asked_answers_them() {
    let fleet = Fleet::new();
    fleet.simulate(1);
    // Tries again only when asked, so each failure below answers one request.
    let hour = Duration::from_secs(3600);
    let settings = UploadConfig {
        retry_base: hour,
        retry_cap: hour,
        ..fleet.settings()
    };
    let uploader = fleet.spawn_uploader("http://127.0.0.1:9", settings);
    wait_until("the first upload failed", || {
        fleet.status().last_error_at.is_some()
    });
    for _ in 0..20 {
        let asked = uploader.upload_now();
        // The buffer keeps times to the millisecond.
        let truncated = asked - chrono::TimeDelta::milliseconds(1);
        wait_until("a failure after staff asked is recorded", || {
            fleet
                .status()
                .last_error_at
                .is_some_and(|at| at > truncated)
        });
    }
}

#[test]
fn pruning_keeps_the_tallies() {
    let fleet = Fleet::new();
    fleet.simulate(30);
    let config = fleet.setup.config();
    let mut db =
        Database::open_existing(&config.database_path(), &StoreOptions::default()).unwrap();
    let tallies = |db: &Database| -> Vec<_> {
        config
            .survey()
            .questions
            .iter()
            .map(|q| db.tally(&config.survey().id, &q.id).unwrap())
            .collect()
    };
    let before = tallies(&db);
    assert_eq!(
        db.prune_delivered(chrono::Utc::now()).unwrap(),
        0,
        "nothing delivered yet"
    );
    assert!(fleet.sync(&fleet.collector.url()).status.success());
    let pruned = db
        .prune_delivered(chrono::Utc::now() + chrono::TimeDelta::seconds(1))
        .unwrap();
    assert_eq!(
        pruned, 29,
        "the newest is kept: the next number continues from it"
    );
    assert_eq!(tallies(&db), before);
    let status = db.upload_status().unwrap();
    assert_eq!(
        (
            status.stored,
            status.delivered,
            status.pruned,
            status.pending
        ),
        (30, 30, 29, 0)
    );

    // Numbering continues, and the new ones upload.
    fleet.simulate(2);
    let seqs: Vec<u64> = stored_rows(&db).iter().map(|r| r.response.seq).collect();
    assert_eq!(seqs, [30, 31, 32]);
    assert!(fleet.sync(&fleet.collector.url()).status.success());
    assert_eq!(fleet.collector.exported_ids().len(), 32);
}
