//! A poll's results screen with 100,000 stored answers: the time from the buffer to the bars.
//!
//! `cargo bench --bench results [-- COUNT]`. Files go to `target/bench-tmp`, or to
//! `$HETKI_BENCH_DIR`.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use hetki::config::KioskConfig;
use hetki::results::results_view;
use hetki::store::{Database, StoreOptions};
use hetki_protocol::{Answer, ClockFacts, Language, Response, SurveyRef};

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
    let config = KioskConfig::load(&root.join("config/library-poll.toml")).unwrap();
    let survey = config.survey.clone();
    let mut db = Database::open(
        &dir.path().join("responses.sqlite3"),
        &StoreOptions::default(),
    )
    .unwrap();
    let question = &survey.questions[0];
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
                clock: ClockFacts {
                    boot_id: "bench".into(),
                    monotonic_ms: 0,
                    synchronized: true,
                },
                display: Default::default(),
                answers: vec![Answer {
                    question: question.id.clone(),
                    value: question
                        .answer_at((i * 7 + i / 3) % question.option_count())
                        .unwrap(),
                }],
            })
            .collect();
        db.record_all(&config.device_id, &survey, &mut responses)
            .unwrap();
    }
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
