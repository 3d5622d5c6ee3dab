//! Collector ingest: 50 concurrent simulated kiosks sending batches of 100 over loopback to
//! a real collector process (SQLite, synchronous=FULL), on the same machine as this load
//! generator; beside it, a plain SQLite bulk insert of the same rows, batched the same way.
//!
//! `cargo bench -p hetki-collector --bench ingest [-- BATCHES_PER_KIOSK]` (default 40, so
//! 200,000 responses). Files go to `target/bench-tmp`, or to `$HETKI_BENCH_DIR`.

use std::path::Path;
use std::time::{Duration, Instant};

use support::Collector;

use hetki_collector::{SqliteStorage, Storage};
use hetki_protocol::{SurveyDefinition, UploadBatch};
use serde_json::json;

#[path = "../tests/support/mod.rs"]
mod support;

const KIOSKS: usize = 50;
const BATCH: usize = 100;

fn survey() -> SurveyDefinition {
    serde_json::from_value(json!({
        "id": "event-feedback", "kind": "feedback", "title": "Palaute", "languages": ["fi"],
        "questions": [
            {"id": "overall", "text": "Miten meni?", "skippable": false, "kind": {"type": "faces", "faces": [
                {"score": 1, "label": "1"}, {"score": 2, "label": "2"}, {"score": 3, "label": "3"},
                {"score": 4, "label": "4"}, {"score": 5, "label": "5"}]}},
            {"id": "heard", "text": "Tuliko kuulluksi?", "skippable": false, "kind": {"type": "choice", "options": [
                {"id": "yes", "label": "Kyllä"}, {"id": "partly", "label": "Osittain"}, {"id": "no", "label": "Ei"}]}},
            {"id": "again", "text": "Tulisitko uudelleen?", "skippable": true, "kind": {"type": "choice", "options": [
                {"id": "yes", "label": "Kyllä"}, {"id": "no", "label": "Ei"}]}}
        ]
    }))
    .unwrap()
}

fn batch(survey: &SurveyDefinition, kiosk: usize, number: usize) -> UploadBatch {
    let hash = survey.content_hash();
    let responses = (0..BATCH)
        .map(|i| {
            let seq = number * BATCH + i + 1;
            let heard = ["yes", "partly", "no"][seq % 3];
            serde_json::from_value(json!({
                "id": uuid::Uuid::now_v7(), "seq": seq,
                "survey": {"id": survey.id, "hash": hash},
                "event": {"name": "Asukasilta: Leppävaaran keskus", "place": "Sellon kirjasto, Lähde-sali",
                          "area": "Suur-Leppävaara", "topic": "Kaupunkisuunnittelu"},
                "language": "fi", "complete": true,
                "recorded_at": chrono::Utc::now(),
                "clock": {"boot_id": format!("boot-{kiosk}"), "monotonic_ms": seq * 1000, "synchronized": false},
                "answers": [
                    {"question": "overall", "value": {"kind": "face", "score": 1 + seq % 5}},
                    {"question": "heard", "value": {"kind": "choice", "option": heard}},
                    {"question": "again", "value": if seq.is_multiple_of(4) { json!({"kind": "skipped"}) } else { json!({"kind": "choice", "option": "yes"}) }}
                ]
            }))
            .unwrap()
        })
        .collect();
    serde_json::from_value(json!({
        "sent": {"wall": chrono::Utc::now(), "clock": {"boot_id": format!("boot-{kiosk}"), "monotonic_ms": 10_000_000, "synchronized": false}},
        "responses": []
    }))
    .map(|mut b: UploadBatch| {
        b.responses = responses;
        b
    })
    .unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let per_kiosk: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(40);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let base = std::env::var_os("HETKI_BENCH_DIR")
        .map(Into::into)
        .unwrap_or_else(|| root.join("target/bench-tmp"));
    std::fs::create_dir_all(&base).unwrap();
    let dir = tempfile::tempdir_in(base).unwrap();
    let db = dir.path().join("collector.sqlite3");
    let mut collector = Collector::serve(
        env!("CARGO_BIN_EXE_hetki-collector").as_ref(),
        &db,
        "127.0.0.1:0",
    );
    let tokens: Vec<String> = (0..KIOSKS)
        .map(|k| collector.add_device(&format!("kiosk-{k}")))
        .collect();
    let survey = survey();
    // Every body made before the clock starts: the load generator should cost little.
    let batches: Vec<Vec<UploadBatch>> = (0..KIOSKS)
        .map(|k| (0..per_kiosk).map(|n| batch(&survey, k, n)).collect())
        .collect();
    let bodies: Vec<Vec<Vec<u8>>> = batches
        .iter()
        .map(|kiosk| {
            kiosk
                .iter()
                .map(|b| serde_json::to_vec(b).unwrap())
                .collect()
        })
        .collect();
    let total = KIOSKS * per_kiosk * BATCH;

    let base_url = collector.url();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (elapsed, mut latencies) = runtime.block_on(async {
        let client = reqwest::Client::new();
        let reply = client
            .post(format!("{base_url}/api/v1/surveys"))
            .bearer_auth(&tokens[0])
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&survey).unwrap())
            .send()
            .await
            .unwrap();
        assert!(reply.status().is_success());
        let started = Instant::now();
        let kiosks: Vec<_> = bodies
            .into_iter()
            .zip(&tokens)
            .map(|(bodies, token)| {
                let client = client.clone();
                let url = format!("{base_url}/api/v1/responses");
                let token = token.clone();
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    for body in bodies {
                        let sent = Instant::now();
                        let reply = client
                            .post(&url)
                            .bearer_auth(&token)
                            .header("content-type", "application/json")
                            .body(body)
                            .send()
                            .await
                            .unwrap();
                        assert!(reply.status().is_success(), "{}", reply.status());
                        let receipts = reply.bytes().await.unwrap();
                        assert!(!receipts.windows(8).any(|w| w == b"rejected"));
                        latencies.push(sent.elapsed());
                    }
                    latencies
                })
            })
            .collect();
        let mut latencies = Vec::new();
        for kiosk in kiosks {
            latencies.extend(kiosk.await.unwrap());
        }
        (started.elapsed(), latencies)
    });
    collector.kill();
    latencies.sort();
    let storage = SqliteStorage::open(&db).unwrap();
    let stored = storage
        .devices()
        .unwrap()
        .iter()
        .map(|d| d.responses)
        .sum::<u64>();
    assert_eq!(stored as usize, total);
    // What staff wait for: every response counted, per area.
    let counting = Instant::now();
    let versions = [survey.clone()];
    let results = hetki_collector::results::tally(
        &storage,
        &survey.id,
        &versions,
        hetki_collector::Period::default(),
        hetki_collector::results::Split {
            by: hetki_collector::results::GroupBy::Area,
            language: hetki_protocol::Language::Fi,
            names: &Default::default(),
            smallest: 5,
        },
    )
    .unwrap();
    let counted: u64 = results.groups.values().map(|g| g.respondents).sum();
    assert_eq!(counted as usize, total);
    let counting = counting.elapsed();
    drop(storage);
    let rate = total as f64 / elapsed.as_secs_f64();
    println!(
        "collector: {total} responses from {KIOSKS} kiosks in batches of {BATCH}: {:.2} s, {rate:.0} responses/s; request latency p50 {:.1} ms, p99 {:.1} ms",
        elapsed.as_secs_f64(),
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
    );

    println!(
        "results per area over {total} responses: {:.2} s",
        counting.as_secs_f64()
    );

    // The same rows straight into SQLite: same schema, same durability, one transaction per
    // batch of 100, no HTTP, no JSON parsing, no validation.
    let plain = dir.path().join("plain.sqlite3");
    drop(SqliteStorage::open(&plain).unwrap());
    let mut conn = rusqlite::Connection::open(&plain).unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    // Per kiosk batch: the device id, and each response's id bytes and JSON.
    type Batch = (String, Vec<(Vec<u8>, String)>);
    let rows: Vec<Batch> = batches
        .iter()
        .enumerate()
        .flat_map(|(k, kiosk)| {
            kiosk.iter().map(move |b| {
                (
                    format!("kiosk-{k}"),
                    b.responses
                        .iter()
                        .map(|r| (r.id.as_bytes().to_vec(), serde_json::to_string(r).unwrap()))
                        .collect(),
                )
            })
        })
        .collect();
    conn.execute_batch(&format!(
        "INSERT INTO surveys VALUES ('{}', '{}', '{{}}', 'now');",
        survey.id,
        survey.content_hash()
    ))
    .unwrap();
    for k in 0..KIOSKS {
        conn.execute(
            "INSERT INTO devices (name, token_hash, added_at) VALUES (?1, ?1, 'now')",
            [format!("kiosk-{k}")],
        )
        .unwrap();
    }
    let hash = survey.content_hash();
    let started = Instant::now();
    for (device, responses) in &rows {
        let tx = conn.transaction().unwrap();
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO responses (id, device, survey_id, survey_hash, received_at, placed_at, time_basis, body)
                     VALUES (?1, ?2, ?3, ?4, '2026-11-23T10:00:00.000Z', '2026-11-23T10:00:00.000Z', 'same_boot_upload', ?5)",
                )
                .unwrap();
            for (id, body) in responses {
                insert
                    .execute(rusqlite::params![id, device, survey.id, hash, body])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let plain_elapsed = started.elapsed();
    let plain_rate = total as f64 / plain_elapsed.as_secs_f64();
    println!(
        "plain SQLite bulk insert of the same rows (a transaction per {BATCH}, synchronous=FULL): {:.2} s, {plain_rate:.0} rows/s",
        plain_elapsed.as_secs_f64()
    );
    println!("collector / plain insert: {:.2}", rate / plain_rate);
}
