//! A poll's results screen with 100,000 stored answers: the time from the buffer to the bars;
//! the staff panel's facts (answers today and in total, pending upload), read from the same
//! buffer before and after all but ten are uploaded; and the uploader's next batch then.
//!
//! `cargo bench --bench results [-- COUNT]`. Files go to `target/bench-tmp`, or to
//! `$HETKI_BENCH_DIR`.

use std::time::{Duration, Instant};

use hetki::panel::PanelPlace;
use hetki::results::results_view;
use hetki::store::{Database, Delivery, StoreOptions};
use hetki_protocol::Language;

mod support;

fn main() {
    let count = support::count_arg(100_000);
    let dir = support::bench_dir();
    let config = support::demo_config("library-poll.toml");
    let survey = config.survey().clone();
    let mut db = Database::open(
        &dir.path().join("responses.sqlite3"),
        &StoreOptions::default(),
    )
    .unwrap();
    let question = &survey.questions[0];
    support::fill(&mut db, &config, count, |i, _| i * 7 + i / 3);
    let results = timed(200, || {
        let results = db.published_results(&survey.id).unwrap();
        let view = results_view(&survey, &results, Language::Fi, &[question.answer_at(1)]);
        assert!(view[0].bars.is_some());
    });
    println!("results for {count} stored answers: {results} (target ≤ 20 ms)");

    let place = PanelPlace {
        device_id: config.device_id.clone(),
        database: dir.path().join("responses.sqlite3"),
        export_dir: None,
        uploads: false,
        time_zone: chrono_tz::Europe::Helsinki,
        config_file_name: "kiosk.toml".into(),
    };
    let now = chrono::Utc::now();
    let panel = || {
        timed(50, || {
            let status = place.status(now);
            assert_eq!(status.upload.last_error, None);
            assert_eq!(status.total, count as u64);
        })
    };
    println!(
        "staff panel's facts for {count} stored answers, none uploaded: {}",
        panel()
    );

    // As on a kiosk that uploads: all but the newest few delivered, and the search for the
    // oldest pending must not read through them.
    let delivered: Vec<_> = (1..=count.saturating_sub(10) as u64)
        .map(|seq| (seq, Delivery::Delivered))
        .collect();
    db.record_deliveries(&delivered, now).unwrap();
    println!(
        "staff panel's facts for {count} stored answers, all but 10 uploaded: {}",
        panel()
    );
    let pending = timed(50, || {
        assert_eq!(db.pending_batch(0, 25, 1 << 20).unwrap().len(), 10);
    });
    println!("the uploader's next batch among them: {pending}");
}

/// Runs `work` `runs` times: "median …, max …".
fn timed(runs: usize, mut work: impl FnMut()) -> String {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "median {:.3} ms, max {:.3} ms",
        ms(times[runs / 2]),
        ms(*times.last().unwrap())
    )
}
