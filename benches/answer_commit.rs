//! Response → committed, beside a raw 4 KiB write + fsync on the same disk in the same run,
//! and a raw write + fdatasync, which is how SQLite syncs here (see `.cargo/config.toml`).
//!
//! `cargo bench --bench answer_commit [-- COUNT]`. The files go to `target/bench-tmp` (the
//! project's disk; /tmp may be a RAM disk), or to `$HETKI_BENCH_DIR`.

use std::io::{Seek, SeekFrom, Write};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use hetki::store::{self, StoreEvent, StoreOptions};

/// Responses recorded before measuring: enough for the WAL file to reach its working size
/// (1000 pages), as on a kiosk that has run a while. Until then each commit also grows the file.
const WARM_UP: usize = 400;

mod support;

fn main() {
    let count = support::count_arg(1000);
    let dir = support::bench_dir();
    let config = support::demo_config("kiosk.toml");
    let survey = Arc::clone(config.survey());

    // Interleave the two so both see the same disk conditions.
    let (events, reports) = mpsc::channel();
    let (handle, thread) = store::spawn(
        dir.path().join("responses.sqlite3"),
        StoreOptions::default(),
        "bench".into(),
        false,
        events,
    );
    let mut direct_db =
        hetki::store::Database::open(&dir.path().join("direct.sqlite3"), &StoreOptions::default())
            .unwrap();
    let mut direct_times = Vec::with_capacity(count);
    let mut raw = std::fs::File::create(dir.path().join("raw.bin")).unwrap();
    let block = [0x5a_u8; 4096];
    let mut commit_times = Vec::with_capacity(count);
    let mut raw_times = Vec::with_capacity(count);
    let mut raw_data_times = Vec::with_capacity(count);
    for i in 0..count + WARM_UP {
        // overall: every face in turn; heard: yes; again: maybe.
        let response = support::response(&config, i, |i, q| [i % 5, 0, 1][q]);
        let mut copy = response.clone();
        let started = Instant::now();
        direct_db.record("bench", &survey, &mut copy).unwrap();
        let direct = started.elapsed();

        let started = Instant::now();
        handle.record(survey.clone(), response);
        // The staff warnings come at start and when they change; only commits are timed.
        loop {
            match reports.recv().unwrap() {
                StoreEvent::Committed { .. } => break,
                StoreEvent::Warnings(_) => {}
                other => panic!("{other:?}"),
            }
        }
        let commit = started.elapsed();

        let started = Instant::now();
        raw.seek(SeekFrom::Start((i % 256) as u64 * 4096)).unwrap();
        raw.write_all(&block).unwrap();
        raw.sync_all().unwrap();
        let raw_write = started.elapsed();

        let started = Instant::now();
        raw.seek(SeekFrom::Start((256 + i % 256) as u64 * 4096))
            .unwrap();
        raw.write_all(&block).unwrap();
        raw.sync_data().unwrap();
        let raw_data_write = started.elapsed();
        if i >= WARM_UP {
            commit_times.push(commit);
            direct_times.push(direct);
            raw_times.push(raw_write);
            raw_data_times.push(raw_data_write);
        }
    }
    drop(handle);
    thread.join().unwrap();

    let (commit_median, commit_p99) = percentiles(&mut commit_times);
    let (raw_median, raw_p99) = percentiles(&mut raw_times);
    let (direct_median, direct_p99) = percentiles(&mut direct_times);
    let (raw_data_median, raw_data_p99) = percentiles(&mut raw_data_times);
    println!(
        "response → committed ({count} responses, through the store thread): median {:.3} ms, p99 {:.3} ms",
        ms(commit_median),
        ms(commit_p99)
    );
    println!(
        "  of which the SQLite transaction alone (no thread):          median {:.3} ms, p99 {:.3} ms",
        ms(direct_median),
        ms(direct_p99)
    );
    println!(
        "raw 4 KiB write + fsync, same disk:                        median {:.3} ms, p99 {:.3} ms",
        ms(raw_median),
        ms(raw_p99)
    );
    println!(
        "raw 4 KiB write + fdatasync, same disk:                    median {:.3} ms, p99 {:.3} ms",
        ms(raw_data_median),
        ms(raw_data_p99)
    );
    println!(
        "ratio of medians: {:.2} to the fsync (target ≤ 1.5), {:.2} to the fdatasync",
        ms(commit_median) / ms(raw_median),
        ms(commit_median) / ms(raw_data_median)
    );
}

fn percentiles(times: &mut [Duration]) -> (Duration, Duration) {
    times.sort();
    (
        times[times.len() / 2],
        times[(times.len() * 99 / 100).min(times.len() - 1)],
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
