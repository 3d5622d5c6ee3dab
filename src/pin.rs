//! The staff PIN: the device file keeps only a salted, slow hash of it (a PIN has few digits,
//! so a fast hash would fall to trying them all), and three wrong PINs lock the pad for a minute;
//! each lock after that without the right PIN lasts twice as long, up to an hour, and
//! restarting the kiosk does not lift it.

use std::fmt::Write;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::flow::Now;

const ITERATIONS: u32 = 200_000;
/// Fewer would make a PIN quick to find from a copied device file.
const LEAST_ITERATIONS: u32 = 10_000;
/// Staff wait at the pad while the kiosk checks a PIN: ten times the default is the most, as
/// a hash made with billions of rounds would leave the pad frozen for hours.
const MOST_ITERATIONS: u32 = 2_000_000;
const PREFIX: &str = "pbkdf2-sha256";
/// Wrong PINs in a row before the pad locks.
pub const ATTEMPTS: u32 = 3;
/// The first lock. Each next one in a row doubles, up to [`LONGEST_LOCKOUT`]: trying every
/// 4-digit PIN then takes months instead of two days.
pub const LOCKOUT: Duration = Duration::from_secs(60);
pub const LONGEST_LOCKOUT: Duration = Duration::from_secs(60 * 60);

/// Hashes `pin` with a fresh random salt, in the form the device file takes.
pub fn hash_pin(pin: &str) -> Result<String, getrandom::Error> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)?;
    Ok(hash_with(pin, &salt, ITERATIONS))
}

pub(crate) fn hash_with(pin: &str, salt: &[u8], iterations: u32) -> String {
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(pin.as_bytes(), salt, iterations, &mut key);
    format!("{PREFIX}${iterations}${}${}", hex(salt), hex(&key))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    text.len()
        .is_multiple_of(2)
        .then(|| {
            (0..text.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
                .collect()
        })
        .flatten()
}

/// The demo device files' hash, of the PIN the README gives to all (2468).
const DEMO_HASH: &str = "pbkdf2-sha256$200000$18433a9711fd0489995e1dc73ffb3a49$dfd3c04f85ab050c544a75210b620c6ce00029fac4ea9997795f20c2985b2f75";

/// A PIN hash as stored: checked for form when the config loads.
#[derive(Clone, PartialEq, Eq)]
pub struct PinHash {
    iterations: u32,
    salt: Vec<u8>,
    key: Vec<u8>,
}

impl std::fmt::Debug for PinHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PinHash(..)")
    }
}

impl std::str::FromStr for PinHash {
    type Err = String;

    fn from_str(text: &str) -> Result<PinHash, String> {
        let bad = || "not a PIN hash: make one with `hetki pin-hash`".to_owned();
        let mut parts = text.split('$');
        if parts.next() != Some(PREFIX) {
            return Err(bad());
        }
        let iterations = parts.next().and_then(|n| n.parse().ok()).ok_or_else(bad)?;
        let salt = parts.next().and_then(unhex).ok_or_else(bad)?;
        let key = parts.next().and_then(unhex).ok_or_else(bad)?;
        if parts.next().is_some() || key.len() != 32 || salt.len() < 8 {
            return Err(bad());
        }
        if !(LEAST_ITERATIONS..=MOST_ITERATIONS).contains(&iterations) {
            return Err(format!(
                "{iterations} rounds is out of range: use {LEAST_ITERATIONS} to \
                 {MOST_ITERATIONS}, or make a new hash with `hetki pin-hash`"
            ));
        }
        Ok(PinHash {
            iterations,
            salt,
            key,
        })
    }
}

impl PinHash {
    /// Whether this is the demos' hash, whose PIN anyone can read in the README.
    pub fn is_the_demos(&self) -> bool {
        DEMO_HASH.parse().is_ok_and(|demo: PinHash| demo == *self)
    }

    pub fn matches(&self, pin: &str) -> bool {
        let mut key = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(pin.as_bytes(), &self.salt, self.iterations, &mut key);
        // Compared in full whatever differs first.
        key.iter().zip(&self.key).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0
    }
}

/// What became of a PIN typed on the pad.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinResult {
    Open,
    /// Wrong; this many tries are left before the lock.
    Wrong {
        left: u32,
    },
    /// Locked until then (a wrong third try locks it; tries while locked are not checked).
    Locked {
        until: Now,
    },
}

/// The pad's memory of wrong tries.
#[derive(Clone, Debug, Default)]
pub struct PinGate {
    wrong: u32,
    /// Locks in a row since the right PIN was last typed.
    locks: u32,
    locked_until: Option<Now>,
}

/// What a restart must not forget of the wrong tries: kept in the data directory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrongTries {
    /// Wrong PINs since the last lock or the right PIN.
    pub wrong: u32,
    /// Locks in a row since the right PIN was last typed.
    pub locks: u32,
    /// The last lock has run out: a restart must not lock the pad again. (Absent in files
    /// from before it was kept: such a lock is then served again in full.)
    #[serde(default)]
    pub lock_served: bool,
}

impl WrongTries {
    /// Whether these were kept while the pad was locked.
    pub fn locked(&self) -> bool {
        self.locks > 0 && self.wrong == 0 && !self.lock_served
    }
}

/// How long the `locks`th lock in a row lasts.
fn lockout(locks: u32) -> Duration {
    LOCKOUT
        .saturating_mul(1 << locks.saturating_sub(1).min(16))
        .min(LONGEST_LOCKOUT)
}

impl PinGate {
    /// The pad after a restart at `now`: with the wrong tries it remembered, locked again
    /// (for the whole lock) if it was locked when it stopped, since a restart must not lift a
    /// lock. A lock that ran out before is not served again.
    pub fn resume(kept: WrongTries, now: Now) -> PinGate {
        PinGate {
            wrong: kept.wrong.min(ATTEMPTS - 1),
            locks: kept.locks,
            locked_until: kept.locked().then(|| now + lockout(kept.locks)),
        }
    }

    /// What to keep across a restart, as of `now`.
    pub fn wrong_tries(&self, now: Now) -> WrongTries {
        WrongTries {
            wrong: self.wrong,
            locks: self.locks,
            lock_served: self.locks > 0 && self.wrong == 0 && self.locked_until(now).is_none(),
        }
    }

    pub fn locked_until(&self, now: Now) -> Option<Now> {
        self.locked_until.filter(|&until| now < until)
    }

    /// When the last lock ends (or ended): a deadline for the pad to open again.
    pub fn lock_ends(&self) -> Option<Now> {
        self.locked_until
    }

    /// Counts a PIN typed at `now`, which `matched` the hash or not ([`PinHash::matches`],
    /// checked off the UI thread). A try while locked is not counted.
    pub fn record(&mut self, matched: bool, now: Now) -> PinResult {
        if let Some(until) = self.locked_until(now) {
            return PinResult::Locked { until };
        }
        if matched {
            *self = PinGate::default();
            return PinResult::Open;
        }
        self.wrong += 1;
        if self.wrong >= ATTEMPTS {
            self.wrong = 0;
            self.locks = self.locks.saturating_add(1);
            let until = now + lockout(self.locks);
            self.locked_until = Some(until);
            return PinResult::Locked { until };
        }
        PinResult::Wrong {
            left: ATTEMPTS - self.wrong,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick(pin: &str) -> PinHash {
        hash_with(pin, b"0123456789abcdef", 10_000).parse().unwrap()
    }

    #[test]
    fn a_hash_matches_its_pin_only_and_hides_it() {
        let text = hash_pin("2468").unwrap();
        assert!(text.starts_with("pbkdf2-sha256$200000$"));
        assert!(!text.contains("2468"));
        assert_ne!(text, hash_pin("2468").unwrap(), "salted");
        let hash: PinHash = text.parse().unwrap();
        assert!(hash.matches("2468"));
        assert!(!hash.matches("2469") && !hash.matches(""));
        assert_eq!(format!("{hash:?}"), "PinHash(..)");
        for bad in ["", "2468", "pbkdf2-sha256$200000$zz$00", "md5$1$00$00"] {
            assert!(bad.parse::<PinHash>().is_err(), "{bad}");
        }
        let salt = b"0123456789abcdef";
        for rounds in [9_999, 2_000_001, u32::MAX] {
            let error = hash_with("2468", salt, 1).replacen("$1$", &format!("${rounds}$"), 1);
            assert_eq!(
                error.parse::<PinHash>().unwrap_err(),
                format!(
                    "{rounds} rounds is out of range: use 10000 to 2000000, or make a new hash \
                     with `hetki pin-hash`"
                )
            );
        }
    }

    #[test]
    fn three_wrong_pins_lock_the_pad_for_a_minute() {
        let hash = quick("1234");
        let mut gate = PinGate::default();
        let s = Duration::from_secs;
        assert_eq!(
            gate.record(hash.matches("0000"), s(0)),
            PinResult::Wrong { left: 2 }
        );
        assert_eq!(
            gate.record(hash.matches("1111"), s(1)),
            PinResult::Wrong { left: 1 }
        );
        assert_eq!(
            gate.record(hash.matches("2222"), s(2)),
            PinResult::Locked { until: s(62) }
        );
        // Even the right PIN waits out the lock.
        assert_eq!(
            gate.record(hash.matches("1234"), s(30)),
            PinResult::Locked { until: s(62) }
        );
        assert_eq!(gate.record(hash.matches("1234"), s(62)), PinResult::Open);
        // A success forgets earlier wrong tries.
        assert_eq!(
            gate.record(hash.matches("0000"), s(63)),
            PinResult::Wrong { left: 2 }
        );
        assert_eq!(gate.record(hash.matches("1234"), s(64)), PinResult::Open);
        assert_eq!(
            gate.record(hash.matches("0000"), s(65)),
            PinResult::Wrong { left: 2 }
        );
    }

    /// Three wrong PINs at `at`, `at` + 1 s and `at` + 2 s.
    fn three_wrong(gate: &mut PinGate, hash: &PinHash, at: u64) -> PinResult {
        let s = Duration::from_secs;
        gate.record(hash.matches("0000"), s(at));
        gate.record(hash.matches("1111"), s(at + 1));
        gate.record(hash.matches("2222"), s(at + 2))
    }

    #[test]
    fn each_lock_in_a_row_doubles_up_to_an_hour_until_the_right_pin() {
        let hash = quick("1234");
        let mut gate = PinGate::default();
        let mut at = 0;
        let mut lengths = Vec::new();
        for _ in 0..9 {
            let PinResult::Locked { until } = three_wrong(&mut gate, &hash, at) else {
                panic!("not locked");
            };
            lengths.push((until.as_secs() - (at + 2)) / 60);
            at = until.as_secs();
        }
        assert_eq!(lengths, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(
            gate.record(hash.matches("1234"), Duration::from_secs(at)),
            PinResult::Open
        );
        assert_eq!(
            three_wrong(&mut gate, &hash, at),
            PinResult::Locked {
                until: Duration::from_secs(at + 2 + 60)
            },
            "the right PIN starts again from a minute"
        );
    }

    #[test]
    fn a_restart_keeps_the_wrong_tries_and_does_not_lift_a_lock() {
        let hash = quick("1234");
        let s = Duration::from_secs;
        let mut gate = PinGate::default();
        three_wrong(&mut gate, &hash, 0);
        three_wrong(&mut gate, &hash, 62);
        let locked = WrongTries {
            wrong: 0,
            locks: 2,
            lock_served: false,
        };
        assert_eq!(gate.wrong_tries(s(70)), locked);
        // Restarted (its clock from zero) in the middle of the two-minute lock: two minutes
        // again, then the third lock is four.
        let mut restarted = PinGate::resume(gate.wrong_tries(s(70)), s(0));
        assert_eq!(restarted.locked_until(s(0)), Some(s(120)));
        assert_eq!(
            restarted.record(hash.matches("1234"), s(119)),
            PinResult::Locked { until: s(120) }
        );
        assert_eq!(
            three_wrong(&mut restarted, &hash, 120),
            PinResult::Locked {
                until: s(122 + 240)
            }
        );

        // Restarted after the lock ran out: the pad is open, and the next lock is longer.
        let served = gate.wrong_tries(s(184));
        assert_eq!(
            served,
            WrongTries {
                lock_served: true,
                ..locked
            }
        );
        let mut restarted = PinGate::resume(served, s(0));
        assert_eq!(restarted.locked_until(s(0)), None);
        assert_eq!(
            three_wrong(&mut restarted, &hash, 0),
            PinResult::Locked { until: s(2 + 240) }
        );
        // A file from before `lock_served` was kept: the lock is served again.
        let old: WrongTries = serde_json::from_str(r#"{"wrong":0,"locks":1}"#).unwrap();
        assert_eq!(PinGate::resume(old, s(0)).locked_until(s(0)), Some(s(60)));

        // Restarted after a wrong try that followed a lock: no lock, and the try counts.
        let kept = WrongTries {
            wrong: 1,
            locks: 1,
            lock_served: false,
        };
        let mut restarted = PinGate::resume(kept, s(0));
        assert_eq!(restarted.locked_until(s(0)), None);
        assert_eq!(
            restarted.record(hash.matches("0000"), s(1)),
            PinResult::Wrong { left: 1 }
        );
        // A kept count beyond the rules (an edited file) locks at the next wrong try.
        let mut odd = PinGate::resume(
            WrongTries {
                wrong: 9,
                ..WrongTries::default()
            },
            s(0),
        );
        assert_eq!(
            odd.record(hash.matches("0000"), s(1)),
            PinResult::Locked { until: s(61) }
        );
    }
}
