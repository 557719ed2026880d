//! The rolling-window decision, pure and clock-injected: "at most `max`
//! calls in any `window`", kept as a log of the admitted calls' times.
//!
//! A call at `t` counts for every instant in `[t, t + window)`. Denied calls
//! are not recorded. The largest time ever seen (`high_water_ms`) protects
//! against the wall clock going backwards: a small skew is clamped, a large
//! step shifts every stored time back by the step, so quota is never freed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::rules::Limit;
use super::spec::Window;

/// Backward movements up to this size are clamped (NTP slew, skew between
/// processes); larger ones are treated as a clock step and rebased.
pub const CLOCK_SKEW_MS: u64 = 2_000;

/// The persisted counters: admitted call times per `tool/counter` key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterState {
    /// File format version (1).
    pub schema: u32,
    /// The largest "now" (Unix ms) any decision has seen.
    pub high_water_ms: u64,
    /// Admitted call times (Unix ms, ascending) per counter key.
    pub counters: BTreeMap<String, Vec<u64>>,
}

/// What the clock did since the last decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockNote {
    /// It moved forward (or not at all).
    Steady,
    /// It was slightly behind the high-water mark; "now" was clamped to it.
    SkewClamped,
    /// It stepped back by this many ms; stored times were shifted back too.
    SteppedBack {
        /// Size of the step.
        by_ms: u64,
    },
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
    /// that rebased the counted calls after the clock stepped back. Any other
    /// refusal only moves the high-water mark and prunes old calls; skipping
    /// that write (two fsyncs) can only make a later decision stricter.
    pub fn must_persist(&self) -> bool {
        matches!(
            self,
            Verdict::Admit { .. }
                | Verdict::Refuse {
                    clock: ClockNote::SteppedBack { .. },
                    ..
                }
        )
    }
}

/// Decides a call at `now_ms` against `limits`, returning the new state
/// (which records the call only when it is admitted).
pub fn decide(state: &CounterState, now_ms: u64, limits: &[Limit]) -> (Verdict, CounterState) {
    let (now_ms, clock, mut next) = normalize_clock(state, now_ms);
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

fn normalize_clock(state: &CounterState, now_ms: u64) -> (u64, ClockNote, CounterState) {
    let mut next = state.clone();
    next.schema = 1;
    let high_water = state.high_water_ms;
    if now_ms >= high_water {
        next.high_water_ms = now_ms;
        return (now_ms, ClockNote::Steady, next);
    }
    let behind = high_water - now_ms;
    if behind <= CLOCK_SKEW_MS {
        return (high_water, ClockNote::SkewClamped, next);
    }
    for stamps in next.counters.values_mut() {
        for stamp in stamps.iter_mut() {
            *stamp = stamp.saturating_sub(behind);
        }
    }
    next.high_water_ms = now_ms;
    (now_ms, ClockNote::SteppedBack { by_ms: behind }, next)
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
