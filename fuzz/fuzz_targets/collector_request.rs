//! Any request body to the collector's API gets a 2xx, or a 4xx with a JSON reason: never a
//! 5xx or a panic, and a refused batch stores nothing. Whatever it stores, every export and
//! every split of results can be written.
//!
//! The first byte picks the endpoint, the rest is the body. `"HASH"` in a body stands for the
//! registered survey's hash, which the fuzzer could not guess.

#![no_main]

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, header};
use hetki_collector::export::{self, Selection};
use hetki_collector::names::Names;
use hetki_collector::results::{self, GroupBy, Shown, Split};
use hetki_collector::{Period, SqliteStorage, Storage, api, token};
use hetki_protocol::{Language, RESPONSES_PATH, SURVEYS_PATH, SurveyDefinition};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

const TOKEN: &str = "fuzz-token";
const SURVEY: &str = include_str!("../seeds/survey.json");

struct Setup {
    runtime: tokio::runtime::Runtime,
    storage: Arc<SqliteStorage>,
    router: axum::Router,
    hash: String,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        // In memory if it can be: every stored batch is a synchronous commit.
        let base = ["/dev/shm", "/tmp"]
            .into_iter()
            .find(|d| std::path::Path::new(d).is_dir())
            .unwrap();
        let dir = std::path::Path::new(base).join(format!("hetki-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let storage = Arc::new(SqliteStorage::open(&dir.join("collector.sqlite3")).unwrap());
        let now = chrono::Utc::now();
        storage
            .add_device("kiosk-1", &token::hash(TOKEN), now)
            .unwrap();
        let survey: SurveyDefinition = serde_json::from_str(SURVEY).unwrap();
        storage.put_survey(&survey, now).unwrap();
        let router = api::router(storage.clone());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        Setup {
            runtime,
            storage,
            router,
            hash: survey.content_hash(),
        }
    })
}

fn stored(storage: &SqliteStorage) -> u64 {
    let far_ahead = "9999-12-31T00:00:00Z".parse().unwrap();
    storage.count_responses_before(far_ahead).unwrap()
}

/// Writes everything stored in every export format, and every survey's results in every
/// split and format, as staff would ask for them.
fn read_out(storage: &SqliteStorage) {
    let zone = chrono_tz::Europe::Helsinki;
    for format in [
        export::Format::Csv,
        export::Format::Spreadsheet,
        export::Format::Jsonl,
        export::Format::Staff,
    ] {
        let everything = Selection {
            include_test: true,
            ..Selection::default()
        };
        export::export(storage, everything, format, zone, &mut std::io::sink()).unwrap();
    }
    let surveys = storage.surveys().unwrap();
    let names = Names::default();
    let mut ids: Vec<&str> = surveys.iter().map(|s| s.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        let versions: Vec<SurveyDefinition> =
            surveys.iter().filter(|s| s.id == id).cloned().collect();
        for by in [GroupBy::All, GroupBy::Event, GroupBy::Area, GroupBy::Topic] {
            for language in Language::ALL {
                let split = Split {
                    by,
                    language,
                    names: &names,
                    smallest: 1,
                };
                let tallied =
                    results::tally(storage, id, &versions, Period::default(), split).unwrap();
                let shown = Shown {
                    language,
                    period: None,
                };
                let versions = tallied.versions_in_use(&versions);
                for format in [
                    results::Format::Text,
                    results::Format::Spreadsheet,
                    results::Format::Csv,
                ] {
                    results::write(&tallied, &versions, &shown, format, &mut std::io::sink())
                        .unwrap();
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&endpoint, body)) = data.split_first() else {
        return;
    };
    let setup = setup();
    let body = String::from_utf8_lossy(body).replace("HASH", &setup.hash);
    let (method, path) = match endpoint % 4 {
        0 => ("POST", RESPONSES_PATH),
        1 => ("POST", SURVEYS_PATH),
        2 => ("GET", RESPONSES_PATH),
        _ => ("POST", "/api/v1/nothing"),
    };
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.clone()))
        .unwrap();
    let before = stored(&setup.storage);
    let (status, reply) = setup.runtime.block_on(async {
        let reply = setup.router.clone().oneshot(request).await.unwrap();
        let status = reply.status();
        let bytes = reply.into_body().collect().await.unwrap().to_bytes();
        (status, bytes)
    });
    assert!(
        status.is_success() || status.is_client_error(),
        "{status} for {body:?}: {}",
        String::from_utf8_lossy(&reply)
    );
    let reply: serde_json::Value = serde_json::from_slice(&reply).expect("a JSON reply");
    let after = stored(&setup.storage);
    if status.is_client_error() {
        assert!(reply["error"].is_string(), "{status} without a reason: {reply}");
        assert_eq!(after, before, "{status}, yet stored: {body:?}");
    }
    if after > before {
        read_out(&setup.storage);
    }
});
