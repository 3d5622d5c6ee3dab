//! Drain a full buffer to a collector on loopback: responses per second end to end, and the
//! kiosk's memory while it drains.
//!
//! `cargo build --release -p hetki-collector && cargo bench --bench drain [-- COUNT]`
//! (default 100,000). Files go to `target/bench-tmp`, or to `$HETKI_BENCH_DIR`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use hetki::clock::SystemClock;
use hetki::config::{KioskConfig, Token, UploadConfig};
use hetki::store::{Database, StoreOptions};
use hetki::upload::Uploader;
use hetki_protocol::{Answer, ClockFacts, Language, Response, SurveyRef};

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let count: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = std::env::var_os("HETKI_BENCH_DIR")
        .map(Into::into)
        .unwrap_or_else(|| root.join("target/bench-tmp"));
    std::fs::create_dir_all(&base).unwrap();
    let dir = tempfile::tempdir_in(base).unwrap();
    let collector_bin = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .with_file_name("hetki-collector");
    assert!(
        collector_bin.is_file(),
        "build the collector first: cargo build --release -p hetki-collector"
    );

    // The buffer, filled as a kiosk would after days offline.
    let config = KioskConfig::load(&root.join("config/kiosk.toml")).unwrap();
    let survey = config.survey.clone();
    let database = dir.path().join("responses.sqlite3");
    let mut db = Database::open(&database, &StoreOptions::default()).unwrap();
    let clock = ClockFacts {
        boot_id: "bench-boot".into(),
        monotonic_ms: 1000,
        synchronized: true,
    };
    let filled = Instant::now();
    for chunk in 0..count.div_ceil(10_000) {
        let n = (count - chunk * 10_000).min(10_000);
        let mut responses: Vec<Response> = (0..n)
            .map(|i| Response {
                id: uuid::Uuid::now_v7(),
                seq: 0,
                survey: SurveyRef {
                    id: survey.id.clone(),
                    hash: survey.content_hash(),
                },
                event: config.event.clone(),
                language: Language::Fi,
                complete: true,
                recorded_at: Utc::now(),
                clock: clock.clone(),
                display: Default::default(),
                answers: survey
                    .questions
                    .iter()
                    .map(|q| Answer {
                        question: q.id.clone(),
                        value: q.answer_at(i % q.option_count()).unwrap(),
                    })
                    .collect(),
            })
            .collect();
        db.record_all(&config.device_id, &survey, &mut responses)
            .unwrap();
    }
    drop(db);
    eprintln!("filled {count} responses in {:?}", filled.elapsed());

    // The collector, a separate process, on its own database.
    let collector_db = dir.path().join("collector.sqlite3");
    let cli = |args: &[&str]| {
        Command::new(&collector_bin)
            .arg("--db")
            .arg(&collector_db)
            .args(args)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let token = String::from_utf8(cli(&["device", "add", &config.device_id]).stdout).unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, token).unwrap();
    let mut server = Command::new(&collector_bin)
        .arg("--db")
        .arg(&collector_db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let endpoint = format!(
        "http://{}",
        line.trim().strip_prefix("listening on ").unwrap()
    );

    // Memory sampled while draining.
    let draining = Arc::new(AtomicBool::new(true));
    let sampler = {
        let draining = draining.clone();
        std::thread::spawn(move || {
            let mut samples = Vec::new();
            while draining.load(Ordering::Relaxed) {
                samples.push(rss_kib());
                std::thread::sleep(Duration::from_millis(20));
            }
            samples
        })
    };
    let rss_before = rss_kib();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut uploader = Uploader::new(
        database.clone(),
        &endpoint,
        &Token::read(&token_file, "bench").unwrap(),
        UploadConfig::default(),
        Box::new(SystemClock::new()),
    )
    .unwrap();
    let started = Instant::now();
    let progress = runtime
        .block_on(uploader.drain())
        .expect("the drain succeeds");
    let elapsed = started.elapsed();
    draining.store(false, Ordering::Relaxed);
    let samples = sampler.join().unwrap();
    let _ = server.kill();

    assert_eq!(progress.delivered as usize, count);
    let stored = String::from_utf8(cli(&["device", "list"]).stdout).unwrap();
    println!("collector: {}", stored.lines().next().unwrap_or_default());
    println!(
        "drained {count} responses in {:.2} s: {:.0} responses/s end to end (batches of {})",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64(),
        UploadConfig::default().batch_responses
    );
    let quarter = |q: usize| samples[(samples.len() - 1) * q / 4] / 1024;
    println!(
        "kiosk RSS: before {} MiB; during the drain at 0/25/50/75/100 %: {} / {} / {} / {} / {} MiB; max {} MiB",
        rss_before / 1024,
        quarter(0),
        quarter(1),
        quarter(2),
        quarter(3),
        quarter(4),
        samples.iter().max().unwrap() / 1024
    );
}
