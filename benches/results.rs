//! A poll's results screen with 100,000 stored answers: the time from the buffer to the bars.
//!
//! `cargo bench --bench results [-- COUNT]`. Files go to `target/bench-tmp`, or to
//! `$HETKI_BENCH_DIR`.

use std::time::{Duration, Instant};

use hetki::results::results_view;
use hetki::store::{Database, StoreOptions};
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
    let mut times: Vec<Duration> = (0..200)
        .map(|_| {
            let started = Instant::now();
            let results = db.published_results(&survey.id).unwrap();
            let view = results_view(&survey, &results, Language::Fi, &[question.answer_at(1)]);
            assert!(view[0].bars.is_some());
            started.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "results for {count} stored answers: median {:.3} ms, max {:.3} ms (target ≤ 20 ms)",
        ms(times[times.len() / 2]),
        ms(*times.last().unwrap())
    );
}
