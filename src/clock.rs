//! The clock facts a response carries. A Raspberry Pi has no real-time clock: until network
//! time arrives its wall clock can be years off, so each response also records the boot it
//! was taken in and a monotonic reading, from which a later trusted time can place it.

use chrono::{DateTime, Utc};
use hetki_protocol::ClockFacts;

/// Where the recorder gets the time; tests pass their own.
pub trait ClockSource: Send {
    fn wall(&self) -> DateTime<Utc>;
    fn facts(&self) -> ClockFacts;
}

/// The system's clocks.
pub struct SystemClock {
    boot_id: String,
}

impl SystemClock {
    pub fn new() -> SystemClock {
        let boot_id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
            .map(|id| id.trim().to_owned())
            .ok()
            .filter(|id| !id.is_empty())
            // Without a boot id, this process's own start stands in for the boot.
            .unwrap_or_else(|| format!("process-{}", uuid::Uuid::now_v7()));
        SystemClock { boot_id }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl ClockSource for SystemClock {
    fn wall(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn facts(&self) -> ClockFacts {
        ClockFacts {
            boot_id: self.boot_id.clone(),
            monotonic_ms: since_boot_ms(),
            synchronized: clock_synchronized(),
        }
    }
}

/// Milliseconds since boot, counting time suspended (CLOCK_BOOTTIME).
#[cfg(target_os = "linux")]
fn since_boot_ms() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for clock_gettime to write into.
    if unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut ts) } != 0 {
        return 0;
    }
    ts.tv_sec as u64 * 1000 + ts.tv_nsec as u64 / 1_000_000
}

#[cfg(not(target_os = "linux"))]
fn since_boot_ms() -> u64 {
    0
}

/// Whether the kernel considers the system clock synchronised (by NTP or the like).
#[cfg(target_os = "linux")]
pub fn clock_synchronized() -> bool {
    // SAFETY: a zeroed timex with modes 0 only reads the kernel's clock state.
    let mut timex: libc::timex = unsafe { std::mem::zeroed() };
    let state = unsafe { libc::adjtimex(&mut timex) };
    state >= 0 && state != libc::TIME_ERROR
}

#[cfg(not(target_os = "linux"))]
pub fn clock_synchronized() -> bool {
    false
}
