//! The persisted counters: `counters.json` in the state dir, read, decided
//! and rewritten (temp + fsync + rename) while holding an exclusive lock on
//! the separate, never-replaced `counters.lock`, so concurrent launchers in
//! any number of processes never admit more than the limit.
//!
//! The file is a cache of the counted calls in the audit log: it records
//! how far into the log it is up to date (`audit_bytes`), and every
//! decision first reads the log from there on. A call counted there but
//! missing here (the file was deleted, damaged, or replaced by an empty or
//! older one) is put back, and the decision's audit line says so.

use std::path::PathBuf;

use crate::files::{self, FileError, LockFile};
use crate::paths::Paths;

use super::audit::{self, CountedScan};
use super::clock::Reading;
use super::rate_limit::{self, CounterState, Verdict};
use super::rules::Limit;

/// Counters could not be used; the call is refused.
#[derive(Debug, thiserror::Error)]
pub enum CounterError {
    /// Another process held the lock too long.
    #[error("the policy counters are busy ({0})")]
    Busy(FileError),
    /// Reading, writing or locking failed.
    #[error(
        "the policy counters cannot be used: {0}; make the state directory writable (or pass --state-dir)"
    )]
    Io(FileError),
}

impl From<FileError> for CounterError {
    fn from(error: FileError) -> Self {
        match error {
            FileError::LockTimeout { .. } => CounterError::Busy(error),
            FileError::Io { .. } => CounterError::Io(error),
        }
    }
}

/// The counters file, its lock, and the audit log it caches.
#[derive(Debug, Clone)]
pub struct Counters {
    paths: Paths,
    file: PathBuf,
    lock: PathBuf,
}

impl Counters {
    /// The counters of `paths`; the lock is awaited at most [`LockFile::DEFAULT_WAIT`].
    pub fn new(paths: &Paths) -> Self {
        Self {
            paths: paths.clone(),
            file: paths.counters_file(),
            lock: paths.counters_lock(),
        }
    }

    /// Decides a call at the clock `reading` and, when admitted, records
    /// it. The note says what was repaired from the audit log, if anything.
    pub fn reserve(
        &self,
        reading: &Reading,
        limits: &[Limit],
    ) -> Result<(Verdict, Option<String>), CounterError> {
        let _lock = LockFile::acquire(&self.lock, LockFile::DEFAULT_WAIT)?;
        let (state, repair) = self.load(true)?;
        let (verdict, next) = rate_limit::decide(&state, reading, limits);
        if repair.is_some() || (next != state && verdict.must_persist()) {
            self.write(&next)?;
        }
        Ok((verdict, repair))
    }

    /// Takes back the call recorded at `stamp_ms` (it never ran).
    pub fn release(&self, stamp_ms: u64, limits: &[Limit]) -> Result<(), CounterError> {
        let _lock = LockFile::acquire(&self.lock, LockFile::DEFAULT_WAIT)?;
        let (state, repair) = self.load(true)?;
        let next = rate_limit::release(&state, stamp_ms, limits);
        if repair.is_some() || next != state {
            self.write(&next)?;
        }
        Ok(())
    }

    /// What [`Counters::reserve`] would decide now, changing nothing.
    pub fn peek(&self, reading: &Reading, limits: &[Limit]) -> Result<Verdict, CounterError> {
        let (state, _) = self.load(false)?;
        Ok(rate_limit::decide(&state, reading, limits).0)
    }

    /// The counters, with every call the audit log counted since the file
    /// was last written put back; the note says what was repaired.
    fn load(
        &self,
        set_aside_damaged: bool,
    ) -> Result<(CounterState, Option<String>), CounterError> {
        let (mut state, problem) = match files::read_if_exists(&self.file)? {
            None => (CounterState::default(), Some("was missing".to_owned())),
            Some(bytes) => match serde_json::from_slice::<CounterState>(&bytes) {
                Ok(state) if state.schema == 1 => (state, None),
                Ok(state) => (
                    CounterState::default(),
                    Some(self.damaged(
                        &format!("unknown schema {}", state.schema),
                        set_aside_damaged,
                    )?),
                ),
                Err(error) => (
                    CounterState::default(),
                    Some(self.damaged(&error.to_string(), set_aside_damaged)?),
                ),
            },
        };
        let scan = audit::scan_counted(&self.paths, state.audit_bytes)?;
        let restored = restore(&mut state, &scan);
        state.audit_bytes = scan.end;
        let shrank = scan.shrank.then_some("the audit log is shorter than when the counters were last written (it was cut or replaced)");
        let note = match (problem, restored) {
            (Some(problem), restored) if restored > 0 || problem != "was missing" => Some(format!(
                "the counters file {problem}; rebuilt from the audit log ({restored} counted calls)"
            )),
            (_, 0) => None,
            (_, restored) => Some(format!(
                "the counters file lacked {restored} calls the audit log counted (it was replaced or reset); they were put back"
            )),
        };
        let note = match (note, shrank) {
            (Some(note), Some(shrank)) => Some(format!("{note}; {shrank}")),
            (note, shrank) => note.or(shrank.map(str::to_owned)),
        };
        Ok((state, note))
    }

    /// Keeps a damaged counters file aside (when allowed); says where.
    fn damaged(&self, problem: &str, set_aside: bool) -> Result<String, CounterError> {
        if !set_aside {
            return Ok(format!("{} is damaged ({problem})", self.file.display()));
        }
        let kept = files::set_aside(&self.file)?;
        Ok(format!(
            "{} was damaged ({problem}) and was kept as {}",
            self.file.display(),
            kept.display()
        ))
    }

    fn write(&self, state: &CounterState) -> Result<(), CounterError> {
        let mut bytes = serde_json::to_vec_pretty(state).unwrap_or_default();
        bytes.push(b'\n');
        files::write_atomic(&self.file, &bytes)?;
        Ok(())
    }
}

/// Puts back every call `scan` counted (net of releases) that `state`
/// lacks; returns how many. A release of a call counted before the scan
/// is left alone: the file already reflects it, erring toward denial.
fn restore(state: &mut CounterState, scan: &CountedScan) -> usize {
    let mut net: std::collections::BTreeMap<(&str, u64), i64> = std::collections::BTreeMap::new();
    for call in &scan.calls {
        for key in &call.counted {
            *net.entry((key.as_str(), call.stamp_ms)).or_default() +=
                if call.released { -1 } else { 1 };
        }
    }
    let mut restored = 0;
    for ((key, stamp), count) in net {
        let Ok(wanted) = usize::try_from(count) else {
            continue;
        };
        let stamps = state.counters.entry(key.to_owned()).or_default();
        let present = stamps.iter().filter(|&&have| have == stamp).count();
        for _ in present..wanted {
            stamps.push(stamp);
            restored += 1;
        }
    }
    state.counters.retain(|_, stamps| !stamps.is_empty());
    restored
}
