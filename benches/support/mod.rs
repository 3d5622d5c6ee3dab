//! Shared by the benchmarks: where their files go, the demo configs, and responses to fill a
//! buffer with.
#![allow(dead_code)]

use std::path::Path;

use chrono::Utc;
use hetki::config::KioskConfig;
use hetki::store::Database;
use hetki_protocol::{Answer, ClockFacts, Language, Response};

/// A fresh folder on the project's disk (`target/bench-tmp`; /tmp may be a RAM disk), or
/// under `$HETKI_BENCH_DIR`.
pub fn bench_dir() -> tempfile::TempDir {
    let base = std::env::var_os("HETKI_BENCH_DIR")
        .map(Into::into)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-tmp"));
    std::fs::create_dir_all(&base).unwrap();
    tempfile::tempdir_in(base).unwrap()
}

/// The first number among the benchmark's arguments (`cargo bench --bench NAME -- COUNT`),
/// or `default`; cargo adds arguments of its own, such as `--bench`.
pub fn count_arg(default: usize) -> usize {
    std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(default)
}

/// A device file of `config/`, e.g. "kiosk.toml".
pub fn demo_config(file: &str) -> KioskConfig {
    KioskConfig::load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("config")
            .join(file),
    )
    .unwrap()
}

/// Respondent `i`'s complete response to the config's survey: question `q` answered with
/// its option `pick(i, q)` (wrapped to the options it has).
pub fn response(config: &KioskConfig, i: usize, pick: impl Fn(usize, usize) -> usize) -> Response {
    let survey = config.survey();
    Response {
        id: uuid::Uuid::now_v7(),
        seq: 0,
        survey: survey.reference(),
        event: config.event().clone(),
        language: Language::Fi,
        complete: true,
        recorded_at: Utc::now(),
        clock: ClockFacts {
            boot_id: "bench".into(),
            monotonic_ms: i as u64,
            synchronized: true,
        },
        display: Default::default(),
        test: false,
        answers: survey
            .questions
            .iter()
            .enumerate()
            .map(|(q, question)| Answer {
                question: question.id.clone(),
                value: question
                    .answer_at(pick(i, q) % question.option_count())
                    .unwrap(),
            })
            .collect(),
    }
}

/// Records `count` responses (see [`response`]) in transactions of 10,000: a buffer that
/// has been offline a while, filled fast.
pub fn fill(
    db: &mut Database,
    config: &KioskConfig,
    count: usize,
    pick: impl Fn(usize, usize) -> usize,
) {
    for start in (0..count).step_by(10_000) {
        let mut responses: Vec<Response> = (start..count.min(start + 10_000))
            .map(|i| response(config, i, &pick))
            .collect();
        db.record_all(&config.device_id, config.survey(), &mut responses)
            .unwrap();
    }
}
