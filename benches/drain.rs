//! Drain a full buffer to a collector on loopback: responses per second end to end, and the
//! kiosk's memory while it drains.
//!
//! `cargo build --release -p hetki-collector && cargo bench --bench drain [-- COUNT]`
//! (default 100,000). Files go to `target/bench-tmp`, or to `$HETKI_BENCH_DIR`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use collector_support::Collector;
use hetki::clock::SystemClock;
use hetki::config::{Token, UploadConfig};
use hetki::store::{Database, StoreOptions};
use hetki::upload::Uploader;

#[path = "../collector/tests/support/mod.rs"]
mod collector_support;
mod support;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let count = support::count_arg(100_000);
    let dir = support::bench_dir();
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
    let config = support::demo_config("kiosk.toml");
    let database = dir.path().join("responses.sqlite3");
    let mut db = Database::open(&database, &StoreOptions::default()).unwrap();
    let filled = Instant::now();
    support::fill(&mut db, &config, count, |i, _| i);
    drop(db);
    eprintln!("filled {count} responses in {:?}", filled.elapsed());

    // The collector, a separate process, on its own database.
    let mut collector = Collector::serve(
        &collector_bin,
        &dir.path().join("collector.sqlite3"),
        "127.0.0.1:0",
    );
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, collector.add_device(&config.device_id)).unwrap();
    let endpoint = collector.url();

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
        None,
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
    collector.kill();

    assert_eq!(progress.delivered as usize, count);
    let stored = String::from_utf8(collector.cli(&["device", "list"]).stdout).unwrap();
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
