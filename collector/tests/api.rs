//! The collector's API against a real process on loopback: what it stores, and every bad
//! input refused with the right status, a JSON reason, and nothing stored.

mod support;

use std::process::Command;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};
use support::Collector;

fn collector() -> Collector {
    Collector::start(env!("CARGO_BIN_EXE_hetki-collector").as_ref())
}

fn survey() -> Value {
    json!({
        "id": "event-feedback",
        "kind": "feedback",
        "title": "Palaute",
        "languages": ["fi", "en"],
        "questions": [
            {"id": "overall", "text": "Miten meni?", "skippable": false,
             "kind": {"type": "faces", "faces": [
                {"score": 1, "label": "Huonosti"}, {"score": 2, "label": "Niin ja näin"},
                {"score": 3, "label": "Hyvin"}]}},
            {"id": "heard", "text": "Tuliko kuulluksi?", "skippable": true,
             "kind": {"type": "choice", "options": [
                {"id": "yes", "label": "Kyllä"}, {"id": "no", "label": "Ei"}]}}
        ]
    })
}

struct Api {
    collector: Collector,
    client: Client,
    token: String,
    hash: String,
}

impl Api {
    /// A collector with device `kiosk-1` and the test survey registered.
    fn new() -> Api {
        let collector = collector();
        let token = collector.add_device("kiosk-1");
        let mut api = Api {
            collector,
            client: Client::new(),
            token,
            hash: String::new(),
        };
        let reply = api.post("/api/v1/surveys", &survey());
        assert_eq!(reply.status(), StatusCode::OK);
        let receipt: Value = reply.json().unwrap();
        assert_eq!(receipt["status"], "stored");
        api.hash = receipt["hash"].as_str().unwrap().to_owned();
        api
    }

    /// Sends a survey version's definition; returns its hash, for responses to refer to it.
    fn post_version(&self, survey: &Value) -> Value {
        let reply = self.post("/api/v1/surveys", survey);
        reply.json::<Value>().unwrap()["hash"].clone()
    }

    /// Sends a batch of one response, which must be stored.
    fn store_one(&self, response: Value) {
        self.store_all(vec![response]);
    }

    /// Sends a batch of responses, each of which must be stored.
    fn store_all(&self, responses: Vec<Value>) {
        let receipts: Value = self
            .post("/api/v1/responses", &Api::batch(responses))
            .json()
            .unwrap();
        assert!(
            receipts["receipts"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["status"] == "stored"),
            "{receipts}"
        );
    }

    fn post(&self, path: &str, body: &Value) -> Response {
        self.post_raw(path, &self.token, body.to_string())
    }

    fn post_raw(
        &self,
        path: &str,
        token: &str,
        body: impl Into<reqwest::blocking::Body>,
    ) -> Response {
        self.client
            .post(format!("{}{path}", self.collector.url()))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .unwrap()
    }

    fn response(&self, id: &str, answers: Value) -> Value {
        json!({
            "id": id, "seq": 1,
            "survey": {"id": "event-feedback", "hash": self.hash},
            "event": {"name": "Asukasilta", "place": "Sello", "area": "Suur-Leppävaara"},
            "language": "fi", "complete": true,
            "recorded_at": "2026-11-23T10:00:00Z",
            "clock": {"boot_id": "boot-a", "monotonic_ms": 1000, "synchronized": false},
            "answers": answers
        })
    }

    fn good(&self, id: &str) -> Value {
        self.response(
            id,
            json!([
                {"question": "overall", "value": {"kind": "face", "score": 3}},
                {"question": "heard", "value": {"kind": "skipped"}}
            ]),
        )
    }

    fn batch(responses: Vec<Value>) -> Value {
        json!({
            "sent": {"wall": "2026-11-23T10:01:00Z",
                     "clock": {"boot_id": "boot-a", "monotonic_ms": 61000, "synchronized": false}},
            "responses": responses
        })
    }

    fn stored(&self) -> usize {
        self.collector.export().len()
    }
}

const ID1: &str = "019a0000-0000-7000-8000-000000000001";
const ID2: &str = "019a0000-0000-7000-8000-000000000002";
const ID3: &str = "019a0000-0000-7000-8000-000000000003";

/// The reply's status, and that its body is a JSON reason.
fn refusal(reply: Response) -> (StatusCode, String) {
    let status = reply.status();
    let body: Value = reply.json().expect("a JSON body");
    let reason = body["error"].as_str().expect("an error reason").to_owned();
    assert!(!reason.is_empty());
    (status, reason)
}

#[test]
fn a_batch_gets_a_receipt_per_response_and_the_good_ones_are_stored() {
    let api = Api::new();
    let bad = api.response(
        ID2,
        json!([{"question": "overall", "value": {"kind": "face", "score": 9}}]),
    );
    let reply = api.post(
        "/api/v1/responses",
        &Api::batch(vec![api.good(ID1), bad, api.good(ID3)]),
    );
    assert_eq!(reply.status(), StatusCode::OK);
    let receipts: Value = reply.json().unwrap();
    let receipts = receipts["receipts"].as_array().unwrap();
    assert_eq!(receipts.len(), 3);
    assert_eq!(receipts[0], json!({"id": ID1, "status": "stored"}));
    assert_eq!(receipts[1]["id"], ID2);
    assert_eq!(receipts[1]["status"], "rejected");
    assert!(
        receipts[1]["reason"].as_str().unwrap().contains("overall"),
        "{}",
        receipts[1]
    );
    assert_eq!(receipts[2]["status"], "stored");
    assert_eq!(api.collector.exported_ids(), [ID1, ID3]);
}

#[test]
fn a_response_seen_before_is_not_stored_twice_whatever_batch_it_comes_in() {
    let api = Api::new();
    let first = api.post("/api/v1/responses", &Api::batch(vec![api.good(ID1)]));
    assert_eq!(first.status(), StatusCode::OK);
    let again: Value = api
        .post(
            "/api/v1/responses",
            &Api::batch(vec![api.good(ID2), api.good(ID1)]),
        )
        .json()
        .unwrap();
    assert_eq!(again["receipts"][0]["status"], "stored");
    assert_eq!(again["receipts"][1]["status"], "already_had");
    // The same id twice in one batch is stored once too.
    let twice: Value = api
        .post(
            "/api/v1/responses",
            &Api::batch(vec![api.good(ID3), api.good(ID3)]),
        )
        .json()
        .unwrap();
    assert_eq!(twice["receipts"][0]["status"], "stored");
    assert_eq!(twice["receipts"][1]["status"], "already_had");
    assert_eq!(api.collector.exported_ids(), [ID1, ID2, ID3]);

    // Another device cannot claim the id.
    let other = api.collector.add_device("kiosk-2");
    let stolen: Value = api
        .post_raw(
            "/api/v1/responses",
            &other,
            Api::batch(vec![api.good(ID1)]).to_string(),
        )
        .json()
        .unwrap();
    assert_eq!(stolen["receipts"][0]["status"], "rejected");
    let export = api.collector.export();
    assert_eq!(export.len(), 3);
    assert!(
        export.iter().all(|r| r["device_id"] == "kiosk-1"),
        "the token decides the device"
    );
}

#[test]
fn responses_to_a_survey_version_it_does_not_have_are_sent_back_not_stored() {
    let api = Api::new();
    let mut response = api.good(ID1);
    response["survey"]["hash"] = json!("0000000000000000");
    let reply: Value = api
        .post("/api/v1/responses", &Api::batch(vec![response]))
        .json()
        .unwrap();
    assert_eq!(
        reply["receipts"][0],
        json!({"id": ID1, "status": "unknown_survey"})
    );
    assert_eq!(api.stored(), 0);

    // Sending a definition again is harmless.
    let again: Value = api.post("/api/v1/surveys", &survey()).json().unwrap();
    assert_eq!(again["status"], "already_had");
    assert_eq!(again["hash"], api.hash.as_str());
}

#[test]
fn the_time_of_a_response_is_placed_when_it_can_be_and_flagged_when_not() {
    let api = Api::new();
    let same_boot = api.good(ID1);
    let mut other_boot = api.good(ID2);
    other_boot["clock"]["boot_id"] = json!("boot-b");
    let mut synced = api.good(ID3);
    synced["clock"] = json!({"boot_id": "boot-b", "monotonic_ms": 5, "synchronized": true});
    let before = chrono::Utc::now();
    api.post(
        "/api/v1/responses",
        &Api::batch(vec![same_boot, other_boot, synced]),
    );
    let after = chrono::Utc::now();
    let export = api.collector.export();
    let placed = |i: usize| {
        export[i]["placed_at"]
            .as_str()
            .map(|t| t.parse::<chrono::DateTime<chrono::Utc>>().unwrap())
    };

    assert_eq!(export[0]["time_basis"], "same_boot_upload");
    // Recorded 60 s of device uptime before the batch was sent.
    let at = placed(0).unwrap();
    assert!(
        at >= before - chrono::TimeDelta::seconds(61)
            && at <= after - chrono::TimeDelta::seconds(59),
        "{at}"
    );
    assert_eq!(export[1]["time_basis"], "unplaced");
    assert_eq!(export[1]["placed_at"], Value::Null);
    assert_eq!(export[2]["time_basis"], "device_clock");
    assert_eq!(placed(2).unwrap().to_rfc3339(), "2026-11-23T10:00:00+00:00");
    for r in &export {
        let received: chrono::DateTime<chrono::Utc> =
            r["received_at"].as_str().unwrap().parse().unwrap();
        assert!(received >= before - chrono::TimeDelta::milliseconds(1) && received <= after);
    }
}

#[test]
fn the_last_health_report_is_kept_per_device() {
    let api = Api::new();
    let mut batch = Api::batch(vec![]);
    batch["health"] = json!({"app_version": "9.9.9", "pending": 12, "rejected": 1,
        "oldest_pending": "2026-11-20T08:00:00Z", "clock_synchronized": false,
        "free_disk_bytes": 734003200u64});
    assert_eq!(
        api.post("/api/v1/responses", &batch).status(),
        StatusCode::OK
    );
    let list = api.collector.cli(&["device", "list"]);
    let text = String::from_utf8(list.stdout).unwrap();
    assert!(text.contains("kiosk-1\tactive"), "{text}");
    assert!(text.contains("version 9.9.9, pending 12 (oldest 2026-11-20T08:00:00Z), rejected 1, clock NOT synchronised, 700 MiB free"), "{text}");
}

#[test]
fn tokens_are_checked_and_only_their_hash_is_stored() {
    let api = Api::new();
    // Nor is the database for every user of the server to read.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&api.collector.db)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let body = Api::batch(vec![api.good(ID1)]).to_string();
    let url = format!("{}/api/v1/responses", api.collector.url());

    let none = api
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .unwrap();
    assert_eq!(none.headers()["www-authenticate"], "Bearer");
    assert_eq!(refusal(none).0, StatusCode::UNAUTHORIZED);
    let basic = api
        .client
        .post(&url)
        .basic_auth("kiosk-1", Some(&api.token))
        .body(body.clone())
        .send()
        .unwrap();
    assert_eq!(refusal(basic).0, StatusCode::UNAUTHORIZED);
    let wrong = api.post_raw("/api/v1/responses", &"0".repeat(64), body.clone());
    assert_eq!(
        refusal(wrong),
        (StatusCode::UNAUTHORIZED, "unknown token".into())
    );

    // The scheme's name is case-insensitive.
    let lowercase = api
        .client
        .post(format!("{}/api/v1/surveys", api.collector.url()))
        .header("authorization", format!("bearer {}", api.token))
        .header("content-type", "application/json")
        .body(survey().to_string())
        .send()
        .unwrap();
    assert_eq!(lowercase.status(), StatusCode::OK);

    // A batch may say which device it comes from: only the token's own name is taken, so a
    // token copied to another kiosk does not file its answers under this one.
    let mut claimed = Api::batch(vec![api.good(ID1)]);
    claimed["device_id"] = json!("kiosk-2");
    let (status, reason) = refusal(api.post("/api/v1/responses", &claimed));
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        reason.contains("issued for device kiosk-1, but the kiosk's device_id is kiosk-2"),
        "{reason}"
    );
    assert_eq!(api.stored(), 0);
    claimed["device_id"] = json!("kiosk-1");
    assert_eq!(
        api.post("/api/v1/responses", &claimed).status(),
        StatusCode::OK
    );
    assert_eq!(api.stored(), 1);

    let revoke = api.collector.cli(&["device", "revoke", "kiosk-1"]);
    assert!(revoke.status.success());
    let revoked = api.post_raw("/api/v1/responses", &api.token, body.clone());
    let (status, reason) = refusal(revoked);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(reason.contains("revoked"), "{reason}");
    let survey = api.post_raw("/api/v1/surveys", &api.token, survey().to_string());
    assert_eq!(refusal(survey).0, StatusCode::UNAUTHORIZED);
    assert_eq!(api.stored(), 1, "nothing more after the revocation");

    let db = rusqlite::Connection::open(&api.collector.db).unwrap();
    let hash: String = db
        .query_row("SELECT token_hash FROM devices", [], |r| r.get(0))
        .unwrap();
    assert_eq!(hash.len(), 64);
    assert_ne!(hash, api.token);
    let dump: Vec<String> = db
        .prepare("SELECT name || token_hash || added_at FROM devices")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        dump.iter().all(|row| !row.contains(&api.token)),
        "the token itself is never stored"
    );
}

#[test]
fn a_body_that_is_not_a_well_formed_batch_is_refused_whole() {
    let api = Api::new();
    let cases: Vec<(&str, String, StatusCode)> = vec![
        (
            "malformed JSON",
            "{\"sent\": ".into(),
            StatusCode::BAD_REQUEST,
        ),
        ("not JSON at all", "hello".into(), StatusCode::BAD_REQUEST),
        (
            "a wrong type",
            json!({"sent": 5, "responses": []}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "no responses field",
            json!({"sent": Api::batch(vec![])["sent"]}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "an unknown field",
            {
                let mut b = Api::batch(vec![api.good(ID1)]);
                b["device"] = json!("kiosk-9");
                b.to_string()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "a response with a bad id",
            {
                let mut r = api.good(ID1);
                r["id"] = json!("not-a-uuid");
                Api::batch(vec![api.good(ID2), r]).to_string()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "a negative seq",
            {
                let mut r = api.good(ID1);
                r["seq"] = json!(-1);
                Api::batch(vec![r]).to_string()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "too many responses",
            Api::batch(
                (0..1001)
                    .map(|i| api.good(&format!("019a0000-0000-7000-8000-{i:012}")))
                    .collect(),
            )
            .to_string(),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (what, body, expected) in cases {
        let (status, reason) = refusal(api.post_raw("/api/v1/responses", &api.token, body));
        assert_eq!(status, expected, "{what}: {reason}");
    }
    // Over the body limit: refused without reading it all.
    let big = format!("{{\"sent\": \"{}\"}}", "x".repeat(5 * 1024 * 1024));
    let (status, _) = refusal(api.post_raw("/api/v1/responses", &api.token, big));
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    let plain = api
        .client
        .post(format!("{}/api/v1/responses", api.collector.url()))
        .bearer_auth(&api.token)
        .body(Api::batch(vec![api.good(ID1)]).to_string())
        .send()
        .unwrap();
    assert_eq!(refusal(plain).0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(api.stored(), 0, "nothing of a refused batch is stored");
}

#[test]
fn a_survey_definition_that_is_not_valid_is_refused() {
    let api = Api::new();
    let mut five = survey();
    let question = five["questions"][0].clone();
    for i in 0..4 {
        let mut q = question.clone();
        q["id"] = json!(format!("q{i}"));
        five["questions"].as_array_mut().unwrap().push(q);
    }
    let mut unknown_kind = survey();
    unknown_kind["questions"][0]["kind"] = json!({"type": "slider"});
    let mut missing_text = survey();
    missing_text["title"] = json!({"fi": "Palaute"});
    for (what, body, expected) in [
        ("five questions", five, StatusCode::UNPROCESSABLE_ENTITY),
        (
            "an unknown question kind",
            unknown_kind,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "a missing language",
            missing_text,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (status, reason) = refusal(api.post("/api/v1/surveys", &body));
        assert_eq!(status, expected, "{what}: {reason}");
    }
    let db = rusqlite::Connection::open(&api.collector.db).unwrap();
    let surveys: i64 = db
        .query_row("SELECT COUNT(*) FROM surveys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(surveys, 1, "only the valid survey of the setup");
}

#[test]
fn health_is_ok_only_while_responses_could_be_stored() {
    let api = Api::new();
    let health = || {
        Client::new()
            .get(format!("{}/healthz", api.collector.url()))
            .send()
            .unwrap()
    };
    assert_eq!(health().status(), StatusCode::OK);
    // Another process holds the write lock (a backup, a stuck tool) past the wait for it.
    let db = rusqlite::Connection::open(&api.collector.db).unwrap();
    db.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let locked = health();
    assert!(locked.headers().contains_key("retry-after"));
    assert_eq!(refusal(locked).0, StatusCode::SERVICE_UNAVAILABLE);
    db.execute_batch("ROLLBACK").unwrap();
    assert_eq!(health().status(), StatusCode::OK);
}

#[test]
fn unknown_paths_and_methods_get_json_reasons() {
    let api = Api::new();
    let client = Client::new();
    let health: Value = client
        .get(format!("{}/healthz", api.collector.url()))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(health["status"], "ok");
    let missing = client
        .get(format!("{}/api/v2/responses", api.collector.url()))
        .send()
        .unwrap();
    assert_eq!(refusal(missing).0, StatusCode::NOT_FOUND);
    let get = client
        .get(format!("{}/api/v1/responses", api.collector.url()))
        .send()
        .unwrap();
    assert_eq!(refusal(get).0, StatusCode::METHOD_NOT_ALLOWED);
}

#[test]
fn a_token_file_is_readable_by_its_owner_alone_and_never_written_over() {
    use std::os::unix::fs::PermissionsExt;
    let api = Api::new();
    let path = api.collector.db.with_file_name("kiosk-2.token");
    let file = path.to_str().unwrap();
    let added = api
        .collector
        .cli(&["device", "add", "kiosk-2", "--token-file", file]);
    assert!(added.status.success(), "{added:?}");
    assert!(added.stdout.is_empty(), "not printed as well");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let token = std::fs::read_to_string(&path).unwrap();
    let reply = api.post_raw("/api/v1/surveys", token.trim(), survey().to_string());
    assert_eq!(
        reply.status(),
        StatusCode::OK,
        "the token in the file is the device's"
    );

    // Another kiosk's token is not written over this one's, and that kiosk is not added.
    let over = api
        .collector
        .cli(&["device", "add", "kiosk-3", "--token-file", file]);
    assert!(!over.status.success());
    let said = String::from_utf8_lossy(&over.stderr);
    assert!(said.contains("kiosk-2.token is already there"), "{said}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), token);
    let list = api.cli_out(&["device", "list"]);
    assert!(!list.contains("kiosk-3"), "{list}");
    // A name already taken leaves no empty token file behind.
    let unused = api.collector.db.with_file_name("unused.token");
    let twice = api.collector.cli(&[
        "device",
        "add",
        "kiosk-2",
        "--token-file",
        unused.to_str().unwrap(),
    ]);
    assert!(!twice.status.success());
    assert!(!unused.exists());
}

#[test]
fn the_server_listens_on_a_host_name_too() {
    let bin = env!("CARGO_BIN_EXE_hetki-collector");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("collector.sqlite3");
    let collector = Collector::serve(bin.as_ref(), &db, "localhost:0");
    std::net::TcpStream::connect(&collector.address).expect("it accepts connections");
    let bad = Command::new(bin)
        .arg("--db")
        .arg(&db)
        .args(["serve", "--listen", "localhost:99999"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(said.contains("cannot listen on localhost:99999"), "{said}");
}

#[test]
fn a_client_that_stalls_is_cut_off_and_does_not_hold_up_a_stop() {
    use std::io::{Read, Write};
    let bin = env!("CARGO_BIN_EXE_hetki-collector");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("collector.sqlite3");
    let serve = |timeout: &str| {
        let args = ["--listen", "127.0.0.1:0", "--header-timeout", timeout];
        Collector::serve_with(bin.as_ref(), &db, &args)
    };
    let half_a_request = |collector: &Collector| {
        let mut stream = std::net::TcpStream::connect(&collector.address).unwrap();
        stream
            .write_all(b"POST /api/v1/responses HTTP/1.1\r\nHost: kiosk\r\n")
            .unwrap();
        stream
    };

    let collector = serve("1");
    let mut stalled = half_a_request(&collector);
    stalled
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let start = std::time::Instant::now();
    let mut answer = Vec::new();
    let _ = stalled.read_to_end(&mut answer);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "the connection was left open: {:?}",
        start.elapsed()
    );

    // systemd stopping the server: it does not wait on the stalled client.
    let mut collector = serve("1");
    let _stalled = half_a_request(&collector);
    let killed = Command::new("kill")
        .args(["-TERM", &collector.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(
        collector.exits_within(Duration::from_secs(5)),
        "still running 5 s after SIGTERM"
    );
}

#[test]
fn device_commands_report_mistakes() {
    let collector = collector();
    collector.add_device("kiosk-1");
    let twice = collector.cli(&["device", "add", "kiosk-1"]);
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already a device named \"kiosk-1\""));
    assert!(twice.stdout.is_empty(), "no token printed");
    // The same rule as a kiosk's device_id.
    for bad in ["kiosk 1", "Kiosk-1", ""] {
        let bad = collector.cli(&["device", "add", bad]);
        assert!(!bad.status.success());
        assert!(String::from_utf8_lossy(&bad.stderr).contains("lowercase letters a-z"));
    }
    let missing = collector.cli(&["device", "revoke", "kiosk-9"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no device named"));
    // A revoked device can be given a new token.
    assert!(
        collector
            .cli(&["device", "revoke", "kiosk-1"])
            .status
            .success()
    );
    let again = collector.cli(&["device", "add", "kiosk-1"]);
    assert!(again.status.success());
    // A token that cannot be written out is no one's: the device is not left active.
    let full = Command::new(env!("CARGO_BIN_EXE_hetki-collector"))
        .arg("--db")
        .arg(&collector.db)
        .args(["device", "add", "kiosk-2"])
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_eq!(full.status.code(), Some(1), "{full:?}");
    assert!(
        String::from_utf8_lossy(&full.stderr).contains("so device kiosk-2 is revoked again"),
        "{full:?}"
    );
    let list = String::from_utf8(collector.cli(&["device", "list"]).stdout).unwrap();
    assert!(list.contains("kiosk-2\trevoked"), "{list}");

    // Reading from a database that is not there does not start an empty one to read.
    let elsewhere = collector.db.with_file_name("elsewhere.sqlite3");
    for args in [
        &["export"][..],
        &["results", "--survey", "event-feedback"],
        &["device", "list"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_hetki-collector"))
            .arg("--db")
            .arg(&elsewhere)
            .args(args)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("no collector database at"),
            "{args:?}: {output:?}"
        );
        assert!(!elsewhere.exists(), "{args:?} created a database");
    }
}

#[test]
fn export_can_be_limited_to_one_survey_and_written_as_csv() {
    let api = Api::new();
    api.post(
        "/api/v1/responses",
        &Api::batch(vec![api.good(ID1), api.good(ID2)]),
    );
    let csv = api.collector.cli(&["export", "--survey", "event-feedback"]);
    let text = String::from_utf8(csv.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("id,seq,device_id,survey_id,survey_hash,"));
    assert!(
        lines[0].ends_with(",received_at,placed_at,placed_local,time_basis,overall,heard"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(ID1) && lines[1].ends_with(",same_boot_upload,3,skipped"),
        "{}",
        lines[1]
    );
    // A misspelt survey is said to be one, not written as a file with only a header.
    let misspelt = api.collector.cli(&["export", "--survey", "event-feedbak"]);
    assert!(!misspelt.status.success());
    assert!(misspelt.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&misspelt.stderr).contains(
            "no survey \"event-feedbak\" has reached this collector (it has: event-feedback)"
        ),
        "{misspelt:?}"
    );
    // Staff read the time on their own clock: Helsinki unless told otherwise.
    let recorded_local = |args: &[&str]| {
        let output = api.collector.cli(args);
        assert!(output.status.success(), "{output:?}");
        let text = String::from_utf8(output.stdout).unwrap();
        let header: Vec<String> = text
            .lines()
            .next()
            .unwrap()
            .split(',')
            .map(String::from)
            .collect();
        let column = header.iter().position(|h| h == "recorded_local").unwrap();
        text.lines()
            .nth(1)
            .unwrap()
            .split(',')
            .nth(column)
            .unwrap()
            .to_owned()
    };
    assert_eq!(recorded_local(&["export"]), "2026-11-23 12:00:00 +02:00");
    assert_eq!(
        recorded_local(&["export", "--time-zone", "Europe/Stockholm"]),
        "2026-11-23 11:00:00 +01:00"
    );
    let unknown = api.collector.cli(&["export", "--time-zone", "Helsinki"]);
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.contains("such as Europe/Helsinki"), "{stderr}");
}

/// Staff open the export in a spreadsheet: test answers stay out unless asked for, the
/// spreadsheet form opens right in a Finnish locale, and no cell runs as a formula.
#[test]
fn exports_leave_test_answers_out_and_open_safely_in_a_spreadsheet() {
    let api = Api::new();
    let mut test = api.good(ID2);
    test["test"] = json!(true);
    let mut tricky = api.good(ID3);
    tricky["event"]["area"] = json!("=HYPERLINK(\"http://x\";\"Tapiola\")");
    let reply = api.post(
        "/api/v1/responses",
        &Api::batch(vec![api.good(ID1), test, tricky]),
    );
    assert_eq!(reply.status(), StatusCode::OK);
    assert_eq!(api.collector.exported_ids(), [ID1, ID2, ID3], "all stored");

    let ids = |args: &[&str]| -> Vec<String> {
        let output = api.collector.cli(args);
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["response"]["id"].to_string())
            .collect()
    };
    let quoted = |id: &str| format!("\"{id}\"");
    assert_eq!(
        ids(&["export", "--format", "jsonl"]),
        [quoted(ID1), quoted(ID3)]
    );
    assert_eq!(
        ids(&["export", "--format", "jsonl", "--include-test"]),
        [quoted(ID1), quoted(ID2), quoted(ID3)]
    );

    let sheet = api.collector.cli(&["export", "--format", "spreadsheet"]);
    let text = String::from_utf8(sheet.stdout).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("id;seq;device_id;"), "{}", lines[0]);
    assert!(
        lines[2].contains(";\"'=HYPERLINK(\"\"http://x\"\";\"\"Tapiola\"\")\";"),
        "{}",
        lines[2]
    );

    // What staff take away: no ids, devices or clock readings, the hour it was given.
    let staff = api.cli_out(&["export", "--format", "staff"]);
    let lines: Vec<&str> = staff.lines().collect();
    assert_eq!(lines.len(), 3, "{staff}");
    assert!(
        lines[0].starts_with(
            "\u{feff}survey_id;event_name;event_place;event_area;event_topic;event_date;hour_local;"
        ),
        "{}",
        lines[0]
    );
    let row = lines
        .iter()
        .find(|l| l.contains(";Suur-Leppävaara;"))
        .unwrap();
    assert!(
        row.starts_with("event-feedback;Asukasilta;Sello;Suur-Leppävaara;;"),
        "{row}"
    );
    // Placed by the kiosk's uptime: given a minute before it arrived, on this machine's clock.
    let hour = row.split(';').nth(6).unwrap();
    assert_eq!(&hour[13..19], ":00 +0", "{hour}");
    for reading in [ID1, ID3, "kiosk-1", "boot-a"] {
        assert!(!staff.contains(reading), "{reading} in {staff}");
    }
}

/// A face question whose number of faces changed between versions counts each scale apart:
/// a 3 of three faces ("Hyvin") is not a 3 of five ("Niin ja näin").
#[test]
fn results_count_a_changed_face_scale_apart() {
    let api = Api::new();
    let mut five = survey();
    five["questions"][0]["kind"]["faces"] = json!([
        {"score": 1, "label": "Tosi huonosti"}, {"score": 2, "label": "Huonosti"},
        {"score": 3, "label": "Niin ja näin"}, {"score": 4, "label": "Hyvin"},
        {"score": 5, "label": "Tosi hyvin"}]);
    let five_hash = api.post_version(&five);
    let mut on_five = api.good(ID2);
    on_five["survey"]["hash"] = five_hash;
    let reply = api.post(
        "/api/v1/responses",
        &Api::batch(vec![api.good(ID1), on_five]),
    );
    assert_eq!(reply.status(), StatusCode::OK);

    let output = api.collector.cli(&[
        "results",
        "--survey",
        "event-feedback",
        "--format",
        "csv",
        // Each scale has one answer: by default it would not show.
        "--smallest-group",
        "1",
    ]);
    assert!(output.status.success(), "{output:?}");
    let csv = String::from_utf8(output.stdout).unwrap();
    for expected in [
        ",2,0,overall,Miten meni? (5 kasvoa),3,Niin ja näin,1,1,100.0",
        ",2,0,overall,Miten meni? (5 kasvoa),5,Tosi hyvin,0,1,0.0",
        ",2,0,overall,Miten meni? (3 kasvoa),3,Hyvin,1,1,100.0",
    ] {
        assert!(csv.contains(expected), "no {expected:?} in\n{csv}");
    }
    assert!(
        !csv.contains(",overall,Miten meni?,"),
        "no scale without its size\n{csv}"
    );
}

/// What staff read: each answer's count and share per area, the survey's versions counted
/// together, a multiple choice counting each pick, test answers left out.
#[test]
fn results_count_each_answer_per_area_across_versions_without_test_answers() {
    let api = Api::new();
    let mut newer = survey();
    newer["questions"].as_array_mut().unwrap().push(json!(
        {"id": "liked", "text": "Mikä oli parasta?", "skippable": true,
         "kind": {"type": "choice", "multiple": true, "options": [
            {"id": "talks", "label": "Puheet"}, {"id": "coffee", "label": "Kahvi"}]}}
    ));
    let newer_hash = api.post_version(&newer);
    let response = |id: &str, area: &str, answers: Value, test: bool| {
        let mut r = api.response(id, answers);
        r["event"]["area"] = json!(area);
        r["event"]["name"] =
            json!({"fi": "Asukasilta", "sv": "Invånarkväll", "en": "Residents' evening"});
        r["test"] = json!(test);
        // An incomplete response counts with the answers it has, and is told.
        r["complete"] = json!(id != ID1);
        if r["answers"].as_array().unwrap().len() > 2 {
            r["survey"]["hash"] = newer_hash.clone();
        }
        r
    };
    let face =
        |score: u8| json!({"question": "overall", "value": {"kind": "face", "score": score}});
    let heard =
        |option: &str| json!({"question": "heard", "value": {"kind": "choice", "option": option}});
    let liked = |options: &[&str]| json!({"question": "liked", "value": {"kind": "choices", "options": options}});
    let skipped = json!({"question": "heard", "value": {"kind": "skipped"}});
    let batch = vec![
        response(ID1, "Suur-Leppävaara", json!([face(3), skipped]), false),
        response(
            ID2,
            "Suur-Tapiola",
            json!([face(1), heard("yes"), liked(&["talks", "coffee"])]),
            false,
        ),
        response(
            ID3,
            "Suur-Tapiola",
            json!([face(3), heard("no"), liked(&["coffee"])]),
            false,
        ),
        response(
            "019a0000-0000-7000-8000-000000000004",
            "Suur-Tapiola",
            json!([face(2), heard("yes"), liked(&["talks"])]),
            true,
        ),
    ];
    api.store_all(batch);
    // The device list counts residents' responses, the test answers apart.
    let list = api.cli_out(&["device", "list"]);
    assert!(list.contains("\tresponses 3 (+1 test)\t"), "{list}");

    // A version sent but never answered does not name the questions.
    let mut unused = newer.clone();
    unused["questions"][0]["text"] = json!("Never asked");
    assert_eq!(
        api.post("/api/v1/surveys", &unused).status(),
        StatusCode::OK
    );

    // Groups this small are shown only when asked for: one person's answers stand out.
    let by_area = api
        .collector
        .cli(&["results", "--survey", "event-feedback", "--by", "area"]);
    let text = String::from_utf8(by_area.stdout).unwrap();
    assert!(!text.contains("Suur-Tapiola:"), "{text}");
    assert!(
        text.contains("Ei näytetty: 2 tapahtumaa, joissa oli alle 5 vastaajaa (3 yhteensä)"),
        "{text}"
    );
    let as_csv = api.collector.cli(&[
        "results",
        "--survey",
        "event-feedback",
        "--by",
        "area",
        "--format",
        "csv",
    ]);
    assert_eq!(String::from_utf8(as_csv.stdout).unwrap().lines().count(), 1);
    assert!(String::from_utf8_lossy(&as_csv.stderr).contains("--smallest-group 1 näyttää ne"));
    let results = |args: &[&str]| {
        let mut all = vec![
            "results",
            "--survey",
            "event-feedback",
            "--smallest-group",
            "1",
        ];
        all.extend(args);
        api.cli_out(&all)
    };
    let csv = results(&["--by", "area", "--format", "csv"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "group,respondents,incomplete,question_id,question,answer,label,count,answered,percent"
    );
    for expected in [
        "Suur-Leppävaara,1,1,overall,Miten meni?,3,Hyvin,1,1,100.0",
        "Suur-Leppävaara,1,1,heard,Tuliko kuulluksi?,yes,Kyllä,0,0,",
        "Suur-Leppävaara,1,1,heard,Tuliko kuulluksi?,,(ohitettu),1,0,",
        "Suur-Tapiola,2,0,overall,Miten meni?,1,Huonosti,1,2,50.0",
        "Suur-Tapiola,2,0,overall,Miten meni?,2,Niin ja näin,0,2,0.0",
        "Suur-Tapiola,2,0,heard,Tuliko kuulluksi?,yes,Kyllä,1,2,50.0",
        "Suur-Tapiola,2,0,liked,Mikä oli parasta?,talks,Puheet,1,2,50.0",
        "Suur-Tapiola,2,0,liked,Mikä oli parasta?,coffee,Kahvi,2,2,100.0",
    ] {
        assert!(lines.contains(&expected), "no {expected:?} in\n{csv}");
    }
    assert!(
        !lines
            .iter()
            .any(|l| l.starts_with("Suur-Leppävaara") && l.contains(",liked,")),
        "no one there was asked the newer question\n{csv}"
    );

    let sheet = results(&["--format", "spreadsheet"]);
    assert!(sheet.starts_with("\u{feff}group;respondents;"));
    assert!(
        sheet.contains(";3;1;overall;Miten meni?;3;Hyvin;2;3;66,7\r\n"),
        "{sheet}"
    );
    let text = results(&["--by", "area", "--lang", "en"]);
    assert!(text.contains("Suur-Tapiola: 2 respondents\n"), "{text}");
    assert!(
        text.contains("Suur-Leppävaara: 1 respondent (1 left before the end)"),
        "{text}"
    );
    let by_event = results(&["--by", "event", "--format", "csv"]);
    assert!(
        by_event.contains("\nAsukasilta – Sello,3,1,overall,"),
        "an event is its name and place\n{by_event}"
    );
    let in_english = results(&["--by", "event", "--lang", "en", "--format", "csv"]);
    assert!(
        in_english.contains("\nResidents' evening – Sello,3,1,overall,"),
        "{in_english}"
    );
    // Areas keep the name kiosks send as their key; staff read them in their language.
    let names = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        names.path(),
        "[areas]\n\"Suur-Tapiola\" = { sv = \"Stor-Hagalund\", en = \"Greater Tapiola\" }\n",
    )
    .unwrap();
    let names_path = names.path().to_str().unwrap();
    let in_swedish = results(&["--by", "area", "--lang", "sv", "--names", names_path]);
    assert!(
        in_swedish.contains("Stor-Hagalund: 2 svarande\n"),
        "{in_swedish}"
    );
    assert!(
        in_swedish.contains("Suur-Leppävaara: 1 svarande"),
        "a name not given stays as sent: {in_swedish}"
    );
    let in_finnish = results(&["--by", "area", "--names", names_path]);
    assert!(
        in_finnish.contains("Suur-Tapiola: 2 vastaajaa\n"),
        "{in_finnish}"
    );
    std::fs::write(
        names.path(),
        "[areas]\n\"Suur-Tapiola\" = { se = \"Stor-Hagalund\" }\n",
    )
    .unwrap();
    let refused = api.collector.cli(&[
        "results",
        "--survey",
        "event-feedback",
        "--by",
        "area",
        "--names",
        names_path,
    ]);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains(names_path) && said.contains("unknown field `se`"),
        "{said}"
    );
    assert!(
        refused.stdout.is_empty(),
        "no results from a half-read file"
    );
    assert!(!csv.contains("Never asked"), "{csv}");

    // An option a later version adds is a share of those who were offered it.
    let mut third = newer.clone();
    third["questions"][1]["kind"]["options"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "dunno", "label": "En osaa sanoa"}));
    let third_hash = api.post_version(&third);
    let mut unsure = response(
        "019a0000-0000-7000-8000-000000000005",
        "Suur-Tapiola",
        json!([face(3), heard("dunno"), liked(&["talks"])]),
        false,
    );
    unsure["survey"]["hash"] = third_hash;
    api.store_one(unsure);
    let text = results(&[]);
    assert!(
        text.contains("En osaa sanoa       1  100.0 %  (1 vastaajasta, joille se näytettiin)"),
        "{text}"
    );
    assert!(text.contains("Kyllä               1   33.3 %\n"), "{text}");
    assert!(
        text.contains(
            "(3 kyselyn versiota laskettu yhteen; sanamuodot viimeksi vastatusta versiosta)"
        ),
        "{text}"
    );
    // A group answered only the first version: it is shown with that version's answers.
    let csv = results(&["--by", "area", "--format", "csv"]);
    assert!(
        csv.lines()
            .any(|l| l.starts_with("Suur-Tapiola,") && l.contains(",dunno,")),
        "{csv}"
    );
    assert!(
        !csv.lines()
            .any(|l| l.starts_with("Suur-Leppävaara,") && l.contains(",dunno,")),
        "an answer never offered there\n{csv}"
    );

    // A version's answers that arrive late (a kiosk back online after days) do not make its
    // wording the one shown: answered last means given last.
    let mut reworded = third.clone();
    reworded["questions"][0]["text"] = json!("Miten meni silloin?");
    let reworded_hash = api.post_version(&reworded);
    let mut late = response(
        "019a0000-0000-7000-8000-000000000006",
        "Suur-Tapiola",
        json!([face(3), heard("yes"), liked(&["talks"])]),
        false,
    );
    late["survey"]["hash"] = reworded_hash;
    late["recorded_at"] = json!("2026-11-01T10:00:00Z");
    late["clock"]["synchronized"] = json!(true);
    api.store_one(late);
    let text = results(&[]);
    assert!(!text.contains("Miten meni silloin?"), "{text}");

    let unknown = api.collector.cli(&["results", "--survey", "library-poll"]);
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains(
            "no survey \"library-poll\" has reached this collector (it has: event-feedback)"
        ),
        "{unknown:?}"
    );
}

/// A kiosk without a clock of its own had its response placed by its uptime; the receipt was
/// lost, and after a restart it sends it again. Its time can no longer be told, so it would
/// count as given today, after any purge's cutoff: it is refused all the same.
#[test]
fn a_purged_response_sent_again_after_its_kiosk_restarted_is_not_stored_again() {
    let api = Api::new();
    let given = chrono::DateTime::parse_from_rfc3339("2025-05-20T15:00:00Z").unwrap();
    let uptime_then = 1000;
    let age = (chrono::Utc::now() - given.to_utc()).num_milliseconds();
    let mut batch = Api::batch(vec![api.good(ID1)]);
    batch["sent"]["clock"]["monotonic_ms"] = json!(uptime_then + age);
    let receipts: Value = api.post("/api/v1/responses", &batch).json().unwrap();
    assert_eq!(receipts["receipts"][0]["status"], "stored", "{receipts}");
    assert_eq!(
        api.cli_out(&["purge", "--before", "2026-01-01", "--yes"]),
        "deleted 1 response given before 2026-01-01 (Europe/Helsinki)\n",
        "placed in May 2025 by the kiosk's uptime"
    );

    let mut again = Api::batch(vec![api.good(ID1)]);
    again["sent"]["clock"]["boot_id"] = json!("boot-b");
    let receipts: Value = api.post("/api/v1/responses", &again).json().unwrap();
    assert_eq!(receipts["receipts"][0]["status"], "rejected", "{receipts}");
    let reason = receipts["receipts"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("no longer kept"), "{reason}");
    assert_eq!(api.collector.exported_ids(), Vec::<String>::new());
    // A response never purged, sent the same way, is stored.
    let mut other = Api::batch(vec![api.good(ID2)]);
    other["sent"]["clock"]["boot_id"] = json!("boot-b");
    let receipts: Value = api.post("/api/v1/responses", &other).json().unwrap();
    assert_eq!(receipts["receipts"][0]["status"], "stored", "{receipts}");
}

impl Api {
    /// A good response given at `recorded_at` by a kiosk whose clock was right.
    fn given_at(&self, id: &str, recorded_at: &str) -> Value {
        let mut response = self.good(id);
        response["recorded_at"] = json!(recorded_at);
        response["clock"]["synchronized"] = json!(true);
        response
    }

    /// Runs the command line, which must succeed; its standard output.
    fn cli_out(&self, args: &[&str]) -> String {
        let output = self.collector.cli(args);
        assert!(output.status.success(), "{args:?}: {output:?}");
        String::from_utf8(output.stdout).unwrap()
    }

    /// The ids `export` writes, with `args` after `--format jsonl`.
    fn ids_exported(&self, args: &[&str]) -> Vec<String> {
        let args: Vec<&str> = ["export", "--format", "jsonl"]
            .iter()
            .chain(args)
            .copied()
            .collect();
        self.cli_out(&args)
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["response"]["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }
}

/// Staff ask for a term's results: whole days on their own clock, the first and the last
/// included, whenever the answers arrived.
/// An area's large evening and a small one: published by event and by area, the area less
/// the event would give the small evening's answers, so it counts in neither, nor the total.
#[test]
fn a_small_event_counts_in_no_split_so_none_can_be_taken_from_another() {
    let api = Api::new();
    let evening = |n: u32, name: &str, score: u8| {
        let mut r = api.response(
            &format!("019a0000-0000-7000-8000-0000000001{n:02}"),
            json!([
                {"question": "overall", "value": {"kind": "face", "score": score}},
                {"question": "heard", "value": {"kind": "skipped"}}
            ]),
        );
        r["event"]["name"] = json!(name);
        r["event"]["area"] = json!("Suur-Tapiola");
        r
    };
    let mut batch: Vec<Value> = (0..6).map(|n| evening(n, "Asukasilta", 3)).collect();
    batch.extend((6..8).map(|n| evening(n, "Pieni ilta", 1)));
    api.store_all(batch);
    let results = |by: &str| {
        api.cli_out(&[
            "results",
            "--survey",
            "event-feedback",
            "--by",
            by,
            "--format",
            "csv",
        ])
    };
    for (by, group) in [
        ("event", "Asukasilta – Sello"),
        ("area", "Suur-Tapiola"),
        ("all", ""),
    ] {
        let csv = results(by);
        let lines: Vec<&str> = csv.lines().collect();
        for expected in [
            format!("{group},6,0,overall,Miten meni?,3,Hyvin,6,6,100.0"),
            format!("{group},6,0,overall,Miten meni?,1,Huonosti,0,6,0.0"),
        ] {
            assert!(lines.contains(&expected.as_str()), "--by {by}:\n{csv}");
        }
        assert_eq!(
            lines.iter().filter(|l| l.contains(",overall,")).count(),
            3,
            "one group, three faces: --by {by}:\n{csv}"
        );
    }
    let by_area = api
        .collector
        .cli(&["results", "--survey", "event-feedback", "--by", "area"]);
    let text = String::from_utf8(by_area.stdout).unwrap();
    assert!(
        text.contains("Ei näytetty: 1 tapahtuma, jossa oli alle 5 vastaajaa (2 yhteensä)"),
        "{text}"
    );
}

#[test]
fn results_and_exports_can_be_limited_to_days_on_the_staff_clock() {
    let api = Api::new();
    // 23.59.59 on 30 September in Helsinki (summer time, UTC+3), then midnight.
    api.store_one(api.given_at(ID1, "2026-09-30T20:59:59Z"));
    api.store_one(api.given_at(ID2, "2026-09-30T21:00:00Z"));
    api.store_one(api.given_at(ID3, "2026-11-23T10:00:00Z"));

    assert_eq!(api.ids_exported(&["--from", "2026-10-01"]), [ID2, ID3]);
    assert_eq!(api.ids_exported(&["--to", "2026-09-30"]), [ID1]);
    assert_eq!(
        api.ids_exported(&["--from", "2026-10-01", "--to", "2026-10-31"]),
        [ID2]
    );
    // On Stockholm's clock (UTC+2) the second was given at 23.00 on 30 September.
    assert_eq!(
        api.ids_exported(&["--to", "2026-09-30", "--time-zone", "Europe/Stockholm"]),
        [ID1, ID2]
    );

    // Said in the staff's language, whichever it is.
    for (lang, period, total) in [
        (
            "fi",
            "Vastaukset annettu 2026-10-01 tai myöhemmin (Europe/Helsinki)\n",
            "Kaikki vastaukset: 2 vastaajaa",
        ),
        (
            "sv",
            "Svar som getts 2026-10-01 eller senare",
            "Alla svar: 2 svarande",
        ),
        (
            "en",
            "Responses given on or after 2026-10-01",
            "All responses: 2 respondents",
        ),
    ] {
        let text = api.cli_out(&[
            "results",
            "--survey",
            "event-feedback",
            "--from",
            "2026-10-01",
            "--smallest-group",
            "1",
            "--lang",
            lang,
        ]);
        assert!(text.contains(period) && text.contains(total), "{text}");
    }

    let reversed = api.collector.cli(&[
        "results",
        "--survey",
        "event-feedback",
        "--from",
        "2026-11-01",
        "--to",
        "2026-10-01",
    ]);
    assert!(!reversed.status.success());
    assert!(reversed.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&reversed.stderr);
    assert!(
        stderr.contains("--from 2026-11-01 is after --to 2026-10-01"),
        "{stderr}"
    );
    let misspelt = api.collector.cli(&["export", "--from", "1.10.2026"]);
    assert_eq!(misspelt.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&misspelt.stderr);
    assert!(
        stderr.contains("not a day written as YYYY-MM-DD"),
        "{stderr}"
    );
    let no_such_day = api.collector.cli(&["export", "--to", "2026-02-30"]);
    let stderr = String::from_utf8_lossy(&no_such_day.stderr);
    assert!(
        stderr.contains("2026-02-30 is not a day of the calendar"),
        "{stderr}"
    );
}

/// When the city's rules say answers are kept no longer: a purge first says what it would
/// delete, then deletes it while the server runs, and nothing of it stays in the files.
#[test]
fn a_purge_deletes_responses_given_before_a_day_and_leaves_nothing_of_them_in_the_files() {
    let api = Api::new();
    let mut old = api.given_at(ID1, "2025-05-20T15:00:00Z");
    old["event"]["name"] = json!("Kevään kävelykatuilta");
    api.store_one(old);
    // Since 2026 began, and before today: the clock of the test's machine decides today.
    let yesterday = chrono::Utc::now() - chrono::TimeDelta::days(1);
    api.store_one(api.given_at(ID2, &yesterday.to_rfc3339()));
    let files_hold = |text: &str| {
        ["", "-wal"].iter().any(|suffix| {
            let path = format!("{}{suffix}", api.collector.db.display());
            std::fs::read(path)
                .is_ok_and(|bytes| bytes.windows(text.len()).any(|w| w == text.as_bytes()))
        })
    };
    assert!(
        files_hold("Kevään kävelykatuilta"),
        "what the test looks for"
    );

    assert_eq!(
        api.cli_out(&["purge", "--before", "2026-01-01"]),
        "1 response given before 2026-01-01 (Europe/Helsinki); run again with --yes to delete them\n"
    );
    assert_eq!(
        api.collector.exported_ids(),
        [ID1, ID2],
        "nothing deleted yet"
    );
    // A mistyped year must not empty the database.
    let future = api
        .collector
        .cli(&["purge", "--before", "2062-01-01", "--yes"]);
    assert!(!future.status.success());
    let stderr = String::from_utf8_lossy(&future.stderr);
    assert!(
        stderr.contains("--before 2062-01-01 is after today"),
        "{stderr}"
    );
    assert_eq!(api.collector.exported_ids(), [ID1, ID2]);

    assert_eq!(
        api.cli_out(&["purge", "--before", "2026-01-01", "--yes"]),
        "deleted 1 response given before 2026-01-01 (Europe/Helsinki)\n"
    );
    assert_eq!(api.collector.exported_ids(), [ID2]);
    assert!(!files_hold("Kevään kävelykatuilta"));
    assert!(!files_hold(ID1));
    // Sent once more (a kiosk whose receipt was lost): refused for good, not stored again.
    let receipts: Value = api
        .post(
            "/api/v1/responses",
            &Api::batch(vec![api.given_at(ID1, "2025-05-20T15:00:00Z")]),
        )
        .json()
        .unwrap();
    assert_eq!(receipts["receipts"][0]["status"], "rejected", "{receipts}");
    let reason = receipts["receipts"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("no longer kept"), "{reason}");
    assert_eq!(api.collector.exported_ids(), [ID2]);

    // A timer keeps the last days: today's answer stays, and the server goes on storing.
    assert_eq!(
        api.cli_out(&["purge", "--keep-days", "1", "--yes"]),
        format!(
            "deleted 1 response given before {} (Europe/Helsinki)\n",
            chrono::Utc::now()
                .with_timezone(&chrono_tz::Europe::Helsinki)
                .date_naive()
        )
    );
    api.store_one(api.given_at(ID3, &chrono::Utc::now().to_rfc3339()));
    assert_eq!(api.collector.exported_ids(), [ID3]);
}

/// Staff open the results on a share a timer refreshes: each survey's, for all events and per
/// event, area and topic, as a spreadsheet and as text, in each language asked for.
#[test]
fn publish_puts_each_surveys_results_where_staff_open_them_and_replaces_them_whole() {
    let api = Api::new();
    let in_area = |n: u8, area: &str| {
        let id = format!("019a0000-0000-7000-8000-0000000001{n:02}");
        let mut r = api.given_at(&id, "2026-11-23T10:00:00Z");
        r["event"]["area"] = json!(area);
        r
    };
    // Given on 23 November 2026, and one today, which is not counted until tomorrow.
    let mut today = in_area(4, "Suur-Tapiola");
    today["recorded_at"] = json!(chrono::Utc::now().to_rfc3339());
    api.store_all(vec![
        in_area(1, "Suur-Tapiola"),
        in_area(2, "Suur-Tapiola"),
        in_area(3, "Vanha-Espoo"),
        today,
    ]);
    let yesterday = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Helsinki)
        .date_naive()
        .pred_opt()
        .unwrap()
        .to_string();
    let share = tempfile::tempdir().unwrap();
    let published = |args: &[&str]| {
        let dir = share.path().to_str().unwrap();
        let mut all = vec!["publish", "--dir", dir];
        all.extend(args);
        api.cli_out(&all);
        let folder = share.path().join("event-feedback");
        let mut files: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|f| f.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        let read = move |name: &str| std::fs::read_to_string(folder.join(name)).unwrap();
        (files, read)
    };

    // A share that is not mounted: an error, not a new local folder in its place.
    let unmounted = share.path().join("tulokset");
    let output = api
        .collector
        .cli(&["publish", "--dir", unmounted.to_str().unwrap()]);
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("no folder at"), "{error}");
    assert!(!unmounted.exists());

    let (files, read) = published(&["--lang", "fi,sv", "--smallest-group", "1"]);
    assert_eq!(
        files,
        [
            "alla.csv",
            "alla.txt",
            "alueittain.csv",
            "alueittain.txt",
            "kaikki.csv",
            "kaikki.txt",
            "per evenemang.csv",
            "per evenemang.txt",
            "per område.csv",
            "per område.txt",
            "per tema.csv",
            "per tema.txt",
            "tapahtumittain.csv",
            "tapahtumittain.txt",
            "teemoittain.csv",
            "teemoittain.txt",
        ],
        "no half-written file is left beside them"
    );
    // The spreadsheet is the one `results` gives for the days up to yesterday.
    let results = |by: &str, lang: &str| {
        api.cli_out(&[
            "results",
            "--survey",
            "event-feedback",
            "--by",
            by,
            "--lang",
            lang,
            "--format",
            "spreadsheet",
            "--smallest-group",
            "1",
            "--to",
            &yesterday,
        ])
    };
    assert_eq!(read("alueittain.csv"), results("area", "fi"));
    assert_eq!(read("per evenemang.csv"), results("event", "sv"));
    let text = read("alueittain.txt");
    assert!(text.contains("Suur-Tapiola: 2 vastaajaa\n"), "{text}");
    assert!(text.contains("\nPäivitetty "), "{text}");
    assert!(read("per område.txt").contains("Suur-Tapiola: 2 svarande\n"));
    assert!(
        text.contains(&format!("Vastaukset annettu {yesterday} tai aiemmin")),
        "{text}"
    );

    // A file held open on the share cannot be replaced: it is named, the others are written.
    let folder = share.path().join("event-feedback");
    std::fs::remove_file(folder.join("kaikki.txt")).unwrap();
    std::fs::create_dir(folder.join("kaikki.txt")).unwrap();
    std::fs::remove_file(folder.join("alueittain.csv")).unwrap();
    let dir = share.path().to_str().unwrap();
    let output = api.collector.cli(&["publish", "--dir", dir]);
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("could not write (the rest was written): "),
        "{error}"
    );
    assert!(error.contains("kaikki.txt"), "{error}");
    assert!(
        folder.join("alueittain.csv").exists(),
        "written all the same"
    );
    std::fs::remove_dir(folder.join("kaikki.txt")).unwrap();

    // With the usual smallest group, these small events are left out, and the text says so.
    // Swedish is no longer published: its files, with older figures, go.
    let (files, read) = published(&[]);
    assert_eq!(files.len(), 8, "{files:?}");
    assert!(
        files
            .iter()
            .all(|f| !f.starts_with("per ") && !f.starts_with("alla")),
        "{files:?}"
    );
    assert_eq!(read("alueittain.csv").lines().count(), 1, "only the header");
    let text = read("alueittain.txt");
    assert!(!text.contains("Suur-Tapiola:"), "{text}");
    assert!(
        text.contains("Ei näytetty: 2 tapahtumaa, joissa oli alle 5 vastaajaa (3 yhteensä)"),
        "{text}"
    );
}
