//! Which confirmation window is which: each open approval window holds one
//! numbered slot (`approvals/<n>.lock` in the state dir, locked while it is
//! open), so two requests at once say "request 1" and "request 2", are
//! placed apart, and each tells how many others are waiting.

use std::path::{Path, PathBuf};

use crate::files::{FileError, LockFile};

/// How many approval windows can be told apart; more still ask, unnumbered.
pub const MAX_SLOTS: usize = 32;

/// The slot of one open approval window, given back when dropped.
#[derive(Debug)]
pub struct ApprovalSlot {
    number: usize,
    dir: PathBuf,
    _lock: LockFile,
}

impl ApprovalSlot {
    /// Takes the lowest free slot under `state_dir`; `None` when all
    /// [`MAX_SLOTS`] are taken.
    pub fn claim(state_dir: &Path) -> Result<Option<Self>, FileError> {
        let dir = state_dir.join("approvals");
        for number in 1..=MAX_SLOTS {
            if let Some(lock) = LockFile::try_acquire(&slot_file(&dir, number))? {
                return Ok(Some(Self {
                    number,
                    dir,
                    _lock: lock,
                }));
            }
        }
        Ok(None)
    }

    /// This window's number, from 1.
    pub fn number(&self) -> usize {
        self.number
    }

    /// How many other approval windows are open now.
    pub fn others_open(&self) -> usize {
        (1..=MAX_SLOTS)
            .filter(|&number| number != self.number)
            .filter(|&number| {
                // A slot nobody holds is taken for a moment and let go.
                matches!(
                    LockFile::try_acquire(&slot_file(&self.dir, number)),
                    Ok(None)
                )
            })
            .count()
    }
}

fn slot_file(dir: &Path, number: usize) -> PathBuf {
    dir.join(format!("{number}.lock"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_open_window_gets_the_lowest_free_number_and_counts_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let first = ApprovalSlot::claim(dir.path()).unwrap().unwrap();
        let second = ApprovalSlot::claim(dir.path()).unwrap().unwrap();
        let third = ApprovalSlot::claim(dir.path()).unwrap().unwrap();
        assert_eq!((first.number(), second.number(), third.number()), (1, 2, 3));
        assert_eq!(first.others_open(), 2);
        drop(second);
        assert_eq!(first.others_open(), 1, "a closed window is not counted");
        assert_eq!(third.others_open(), 1);
        let again = ApprovalSlot::claim(dir.path()).unwrap().unwrap();
        assert_eq!(again.number(), 2, "the freed number is used again");
    }
}
