//! The rolling-window decision, pure and clock-injected: "at most `max`
//! calls in any `window`", kept as a log of the admitted calls' times.
//!
//! A call at `t` counts for every instant in `[t, t + window)`. Denied calls
//! are not recorded. Times are on the counters' own time line, which never
//! goes back and which no wall-clock step moves:
//! - within one boot it advances by the boot clock (`CLOCK_BOOTTIME`, real
//!   elapsed time), whatever the wall clock does;
//! - after a reboot (or where there is no boot clock) it follows the wall
//!   clock, but never goes below the largest time already seen
//!   (`high_water_ms`): a clock that is behind is clamped, so nothing is freed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::clock::{BootTime, Reading};
use super::rules::Limit;
use super::spec::Window;

/// Clock differences up to this size are skew (NTP slew, rounding), not
/// worth a note; larger ones are reported as a clock step.
pub const CLOCK_SKEW_MS: u64 = 2_000;

/// The persisted counters: admitted call times per `tool/counter` key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterState {
    /// File format version (1).
    pub schema: u32,
    /// The counters' time (Unix-like ms) of the last saved decision: the
    /// largest time ever seen.
    pub high_water_ms: u64,
    /// The boot clock and wall clock at that decision (absent before the
    /// first decision, or where the system has no boot clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot: Option<BootMark>,
    /// How far into the audit log (bytes) this file is up to date.
    #[serde(default)]
    pub audit_bytes: u64,
    /// Admitted call times (Unix ms, ascending) per counter key.
    pub counters: BTreeMap<String, Vec<u64>>,
}

/// Where the boot clock stood at the last saved decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootMark {
    /// The boot.
    pub boot_id: String,
    /// `CLOCK_BOOTTIME` then, in ms.
    pub boot_ms: u64,
    /// The wall clock then, in Unix ms (to notice wall-clock steps).
    pub wall_ms: u64,
}

/// What the clocks did since the last decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockNote {
    /// Nothing worth a note.
    Steady,
    /// After a reboot the wall clock was slightly behind the high-water
    /// mark; "now" was clamped to it.
    SkewClamped,
    /// After a reboot (or without a boot clock) the wall clock was this far
    /// behind the high-water mark; "now" was clamped to the mark.
    SteppedBack {
        /// How far behind.
        by_ms: u64,
    },
    /// Within one boot the wall clock moved this much more (or, negative,
    /// less) than real time; the boot clock was used, so it changed nothing.
    WallStepped {
        /// The step, in ms.
        by_ms: i64,
    },
}

impl ClockNote {
    /// True for a clock step worth an audit note.
    pub fn is_step(self) -> bool {
        matches!(
            self,
            ClockNote::SteppedBack { .. } | ClockNote::WallStepped { .. }
        )
    }
}

/// The outcome of one decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every limit had room; the call is recorded at `stamp_ms`.
    Admit {
        /// The recorded time (needed to roll the reservation back).
        stamp_ms: u64,
        /// Calls already counted per limit before this one (same order).
        used: Vec<u32>,
        /// What the clock did.
        clock: ClockNote,
    },
    /// A limit is full.
    Refuse {
        /// The limit that is full (the one that frees up last).
        limit: Limit,
        /// Milliseconds until a call would be admitted.
        retry_after_ms: u64,
        /// Calls counted per limit now (same order as the limits).
        used: Vec<u32>,
        /// What the clock did.
        clock: ClockNote,
    },
}

impl Verdict {
    /// True when the new state must be saved: an admitted call, or a refusal
    /// that saw a clock step (so the step is noted once). Any other refusal
    /// only moves the high-water mark and prunes old calls; skipping that
    /// write (two fsyncs) changes no later decision.
    pub fn must_persist(&self) -> bool {
        match self {
            Verdict::Admit { .. } => true,
            Verdict::Refuse { clock, .. } => clock.is_step(),
        }
    }
}

/// Decides a call at the clock `reading` against `limits`, returning the
/// new state (which records the call only when it is admitted).
pub fn decide(
    state: &CounterState,
    reading: &Reading,
    limits: &[Limit],
) -> (Verdict, CounterState) {
    let (now_ms, clock, mut next) = advance_clock(state, reading);
    prune(&mut next, now_ms, limits);
    let mut used = Vec::with_capacity(limits.len());
    let mut worst: Option<(&Limit, u64)> = None;
    for limit in limits {
        let stamps = next
            .counters
            .get(&limit.key)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        used.push(u32::try_from(stamps.len()).unwrap_or(u32::MAX));
        if let Some(wait) = wait_for_room(stamps, now_ms, limit)
            && worst.is_none_or(|(_, longest)| wait > longest)
        {
            worst = Some((limit, wait));
        }
    }
    if let Some((limit, retry_after_ms)) = worst {
        let verdict = Verdict::Refuse {
            limit: limit.clone(),
            retry_after_ms,
            used,
            clock,
        };
        return (verdict, next);
    }
    for limit in limits {
        next.counters
            .entry(limit.key.clone())
            .or_default()
            .push(now_ms);
    }
    let verdict = Verdict::Admit {
        stamp_ms: now_ms,
        used,
        clock,
    };
    (verdict, next)
}

/// Removes the call recorded at `stamp_ms` from every counter of `limits`
/// (a reservation whose window never opened). A stamp that is no longer
/// there (shifted by a clock step) is left alone, erring toward denial.
pub fn release(state: &CounterState, stamp_ms: u64, limits: &[Limit]) -> CounterState {
    let mut next = state.clone();
    for limit in limits {
        if let Some(stamps) = next.counters.get_mut(&limit.key)
            && let Some(position) = stamps.iter().rposition(|&stamp| stamp == stamp_ms)
        {
            stamps.remove(position);
        }
    }
    next.counters.retain(|_, stamps| !stamps.is_empty());
    next
}

/// The counters' "now" for `reading`, what the clocks did, and the state
/// with the new high-water mark and boot mark.
fn advance_clock(state: &CounterState, reading: &Reading) -> (u64, ClockNote, CounterState) {
    let mut next = state.clone();
    next.schema = 1;
    next.boot = reading
        .boot
        .as_ref()
        .map(|boot| mark(boot, reading.wall_ms));
    let high_water = state.high_water_ms;
    if let (Some(last), Some(boot)) = (&state.boot, &reading.boot)
        && last.boot_id == boot.boot_id
        && boot.elapsed_ms >= last.boot_ms
    {
        let elapsed = boot.elapsed_ms - last.boot_ms;
        let now_ms = high_water.saturating_add(elapsed);
        next.high_water_ms = now_ms;
        let wall_moved = i128::from(reading.wall_ms) - i128::from(last.wall_ms);
        let step = wall_moved - i128::from(elapsed);
        let clock = if step.unsigned_abs() > u128::from(CLOCK_SKEW_MS) {
            ClockNote::WallStepped {
                by_ms: i64::try_from(step).unwrap_or(i64::MAX),
            }
        } else {
            ClockNote::Steady
        };
        return (now_ms, clock, next);
    }
    let now_ms = reading.wall_ms;
    if now_ms >= high_water {
        next.high_water_ms = now_ms;
        return (now_ms, ClockNote::Steady, next);
    }
    let behind = high_water - now_ms;
    let clock = if behind <= CLOCK_SKEW_MS {
        ClockNote::SkewClamped
    } else {
        ClockNote::SteppedBack { by_ms: behind }
    };
    (high_water, clock, next)
}

fn mark(boot: &BootTime, wall_ms: u64) -> BootMark {
    BootMark {
        boot_id: boot.boot_id.clone(),
        boot_ms: boot.elapsed_ms,
        wall_ms,
    }
}

/// Drops times that no window can count any more: per limit, those at
/// least one window old; for counters no longer in the policy, those
/// older than the longest window.
fn prune(state: &mut CounterState, now_ms: u64, limits: &[Limit]) {
    for (key, stamps) in state.counters.iter_mut() {
        stamps.sort_unstable();
        let window = limits
            .iter()
            .find(|limit| &limit.key == key)
            .map_or(Window::Day, |limit| limit.window);
        stamps.retain(|&stamp| stamp.saturating_add(window.millis()) > now_ms);
    }
    state.counters.retain(|_, stamps| !stamps.is_empty());
}

/// How long until `stamps` (ascending, all inside the window) leave room for
/// one more call; `None` when there is room now.
fn wait_for_room(stamps: &[u64], now_ms: u64, limit: &Limit) -> Option<u64> {
    let max = usize::try_from(limit.max).unwrap_or(usize::MAX);
    if stamps.len() < max {
        return None;
    }
    let must_expire = stamps[stamps.len() - max];
    Some(
        (must_expire + limit.window.millis())
            .saturating_sub(now_ms)
            .max(1),
    )
}
