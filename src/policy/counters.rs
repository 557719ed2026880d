//! The persisted counters: `counters.json` in the state dir, read, decided
//! and rewritten (temp + fsync + rename) while holding an exclusive lock on
//! the separate, never-replaced `counters.lock`, so concurrent launchers in
//! any number of processes never admit more than the limit.

use std::path::PathBuf;

use crate::files::{self, FileError, LockFile};
use crate::paths::Paths;

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
    /// The counters file is damaged; it was moved aside.
    #[error("the policy counters file {file} is damaged ({problem}); {what_now}")]
    Corrupt {
        /// The counters file.
        file: PathBuf,
        /// The parse error.
        problem: String,
        /// Where the damaged bytes went and what happens next.
        what_now: String,
    },
}

impl From<FileError> for CounterError {
    fn from(error: FileError) -> Self {
        match error {
            FileError::LockTimeout { .. } => CounterError::Busy(error),
            _ => CounterError::Io(error),
        }
    }
}

/// The counters file and its lock.
#[derive(Debug, Clone)]
pub struct Counters {
    file: PathBuf,
    lock: PathBuf,
}

impl Counters {
    /// The counters of `paths`; the lock is awaited at most [`LockFile::DEFAULT_WAIT`].
    pub fn new(paths: &Paths) -> Self {
        Self {
            file: paths.counters_file(),
            lock: paths.counters_lock(),
        }
    }

    /// Decides a call at the clock `reading` and, when admitted, records it.
    pub fn reserve(&self, reading: &Reading, limits: &[Limit]) -> Result<Verdict, CounterError> {
        let _lock = LockFile::acquire(&self.lock, LockFile::DEFAULT_WAIT)?;
        let state = self.read(true)?;
        let (verdict, next) = rate_limit::decide(&state, reading, limits);
        if next != state && verdict.must_persist() {
            self.write(&next)?;
        }
        Ok(verdict)
    }

    /// Takes back the call recorded at `stamp_ms` (its window never opened).
    pub fn release(&self, stamp_ms: u64, limits: &[Limit]) -> Result<(), CounterError> {
        let _lock = LockFile::acquire(&self.lock, LockFile::DEFAULT_WAIT)?;
        let state = self.read(true)?;
        let next = rate_limit::release(&state, stamp_ms, limits);
        if next != state {
            self.write(&next)?;
        }
        Ok(())
    }

    /// What [`Counters::reserve`] would decide now, changing nothing.
    pub fn peek(&self, reading: &Reading, limits: &[Limit]) -> Result<Verdict, CounterError> {
        let state = self.read(false)?;
        Ok(rate_limit::decide(&state, reading, limits).0)
    }

    fn read(&self, set_aside_if_corrupt: bool) -> Result<CounterState, CounterError> {
        let Some(bytes) = files::read_if_exists(&self.file)? else {
            return Ok(CounterState::default());
        };
        let problem = match serde_json::from_slice::<CounterState>(&bytes) {
            Ok(state) if state.schema == 1 => return Ok(state),
            Ok(state) => format!("unknown schema {}", state.schema),
            Err(error) => error.to_string(),
        };
        let what_now = if set_aside_if_corrupt {
            let kept = files::set_aside(&self.file)?;
            format!(
                "it was kept as {} and counting starts afresh with the next call",
                kept.display()
            )
        } else {
            "the next call will keep it aside and start counting afresh".to_owned()
        };
        Err(CounterError::Corrupt {
            file: self.file.clone(),
            problem,
            what_now,
        })
    }

    fn write(&self, state: &CounterState) -> Result<(), CounterError> {
        let mut bytes = serde_json::to_vec_pretty(state).unwrap_or_default();
        bytes.push(b'\n');
        files::write_atomic(&self.file, &bytes)?;
        Ok(())
    }
}
