//! The clocks the counters read, behind a trait so tests can set them: the
//! wall clock (it may be stepped by NTP, a person or an attacker) and, on
//! Linux, the boot clock (`CLOCK_BOOTTIME`: real time elapsed since boot,
//! suspend included, which nobody can step) with the id of that boot.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// One reading of the clocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The wall clock, in Unix milliseconds.
    pub wall_ms: u64,
    /// The boot clock, where the system has one.
    pub boot: Option<BootTime>,
}

/// Time elapsed since this boot, and which boot it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootTime {
    /// `/proc/sys/kernel/random/boot_id`: new at every boot.
    pub boot_id: String,
    /// `CLOCK_BOOTTIME` in milliseconds.
    pub elapsed_ms: u64,
}

/// A source of clock readings.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The clocks now.
    fn now(&self) -> Reading;
}

/// The system's clocks.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Reading {
        let wall_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0);
        Reading {
            wall_ms,
            boot: boot_time(),
        }
    }
}

/// The boot clock and boot id, read straight from the kernel (rustix
/// calls the vDSO, so a preloaded time-faking library cannot touch it).
#[cfg(target_os = "linux")]
fn boot_time() -> Option<BootTime> {
    let boot_id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let boot_id = boot_id.trim();
    if boot_id.is_empty() {
        return None;
    }
    let now = rustix::time::clock_gettime(rustix::time::ClockId::Boottime);
    let secs = u64::try_from(now.tv_sec).ok()?;
    let millis = u64::try_from(now.tv_nsec / 1_000_000).ok()?;
    Some(BootTime {
        boot_id: boot_id.to_owned(),
        elapsed_ms: secs.saturating_mul(1000).saturating_add(millis),
    })
}

#[cfg(not(target_os = "linux"))]
fn boot_time() -> Option<BootTime> {
    None
}
