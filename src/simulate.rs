//! `hetki simulate`: respondents played through the very flow → recorder → store path the
//! touch screen uses, without a window.

use std::io::Write;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::clock::SystemClock;
use crate::config::KioskConfig;
use crate::flow::{Screen, Tap};
use crate::kiosk::Kiosk;
use crate::store::{StoreEvent, StoreOptions};

/// How long to wait for the store to commit one response before giving up.
const COMMIT_TIMEOUT: Duration = Duration::from_secs(30);

/// Plays `count` respondents picking pseudo-random answers from `seed`, printing each
/// response id on its own line once it is committed. They vary as people do: each picks one
/// of the device's languages, skips a question that may be skipped now and then, and picks
/// one to three answers of a multiple choice. `test`: they are test answers.
pub fn simulate(
    config: &KioskConfig,
    count: u64,
    seed: u64,
    test: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut kiosk = Kiosk::start(
        config,
        Box::new(SystemClock::new()),
        StoreOptions::default(),
    );
    kiosk.set_test_answers(test);
    let mut random = SplitMix64(seed);
    let timing = config.timing;
    let mut now = Duration::ZERO;
    for _ in 0..count {
        // Each tap is followed by the moment in which the kiosk takes another for a bounce.
        let language = config.languages[(random.next() % config.languages.len() as u64) as usize];
        kiosk.tap(Tap::Language(language), now);
        now += timing.settle;
        kiosk.tap(Tap::Start, now);
        now += timing.settle;
        let mut submitted = None;
        while let Screen::Question(q) = kiosk.flow().screen() {
            let question = &kiosk.survey().questions[q];
            let (options, multiple) = (question.option_count() as u64, question.is_multiple());
            if question.skippable && random.next().is_multiple_of(8) {
                submitted = submitted.or(kiosk.tap(Tap::Skip, now));
                now += timing.settle;
                continue;
            }
            let picks = if multiple {
                1 + random.next() % 3.min(options)
            } else {
                1
            };
            let first = random.next() % options;
            for i in 0..picks {
                let pick = ((first + i) % options) as usize;
                submitted = submitted.or(kiosk.tap(Tap::Option(pick), now));
                now += timing.settle;
            }
            if multiple {
                submitted = submitted.or(kiosk.tap(Tap::Done, now));
                now += timing.settle;
                continue;
            }
            now += timing.highlight;
            submitted = submitted.or(kiosk.tick(now));
            // The next question takes a tap once the moment for a double tap has passed.
            now += timing.settle;
        }
        let Some(id) = submitted else {
            bail!("the flow ended without a response")
        };
        loop {
            match kiosk.wait_store(COMMIT_TIMEOUT) {
                Some(StoreEvent::Committed { id: committed, .. }) if committed == id => break,
                Some(
                    StoreEvent::Committed { .. }
                    | StoreEvent::Results { .. }
                    | StoreEvent::Warnings(_)
                    | StoreEvent::Recovered,
                ) => {}
                Some(StoreEvent::Unavailable { reason, .. }) => {
                    bail!("the store cannot write: {reason}")
                }
                None => bail!("no commit for {id} within {COMMIT_TIMEOUT:?}"),
            }
        }
        writeln!(out, "{id}")
            .and_then(|()| out.flush())
            .context("cannot print the response id")?;
        // On through the thank-you (or a poll's results) and the cooldown to a fresh start.
        while kiosk.flow().screen() != Screen::Attract {
            let Some(deadline) = kiosk.flow().next_deadline() else {
                bail!("the flow is stuck on {:?}", kiosk.flow().screen())
            };
            now = now.max(deadline);
            kiosk.tick(now);
        }
        now += timing.cooldown;
    }
    // Dropping the kiosk waits for the store to finish writing.
    drop(kiosk);
    Ok(())
}

/// A small, seedable generator: the answers only need to vary, not to be unpredictable.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}
