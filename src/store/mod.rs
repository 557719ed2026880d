//! The connections file (`connections.json` in the config dir): versioned,
//! tolerant of keys from newer versions, written atomically under a lock.
//! It never holds a secret.

mod document;
mod error;
mod notices;
mod test_results;

pub use document::{ConnectionsDocument, SCHEMA_VERSION};
pub use error::StoreError;
pub use test_results::{LastTest, TestResults};

use std::path::PathBuf;

use crate::files::{self, LockFile};
use crate::paths::Paths;

/// Reads and changes `connections.json`.
#[derive(Debug, Clone)]
pub struct ConnectionStore {
    file: PathBuf,
    lock: PathBuf,
}

impl ConnectionStore {
    /// The store in `paths`' config directory.
    pub fn new(paths: &Paths) -> Self {
        Self {
            file: paths.connections_file(),
            lock: paths.connections_lock(),
        }
    }

    /// The file this store reads and writes.
    pub fn file(&self) -> &std::path::Path {
        &self.file
    }

    /// Reads every connection. A missing file is an empty list; a damaged
    /// one is moved aside (see [`StoreError::Corrupt`]) and reported. A
    /// newer set-aside copy, or a file from a newer version, is warned about.
    pub fn load(&self) -> Result<ConnectionsDocument, StoreError> {
        let document = match self.read() {
            Err(StoreError::Corrupt { .. }) => {
                let _guard = LockFile::acquire(&self.lock, LockFile::DEFAULT_WAIT)?;
                self.read_or_set_aside()
            }
            other => other,
        }?;
        notices::warn(&self.file, &document);
        Ok(document)
    }

    /// Applies `change` to the current document and saves it, holding the
    /// lock for the whole read-change-write so concurrent writers never lose
    /// each other's updates. Nothing is written when `change` fails, nor
    /// to a file that a newer version wrote.
    pub fn update<T>(
        &self,
        change: impl FnOnce(&mut ConnectionsDocument) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let locked = self.lock()?;
        let mut document = locked.read()?;
        let outcome = change(&mut document)?;
        locked.write(&document)?;
        Ok(outcome)
    }

    /// Takes the lock for a read-change-write that does more than change
    /// the document (the catalog writes keyring entries under it).
    pub fn lock(&self) -> Result<LockedStore<'_>, StoreError> {
        Ok(LockedStore {
            store: self,
            _guard: LockFile::acquire(&self.lock, LockFile::DEFAULT_WAIT)?,
        })
    }

    /// Reads every connection without moving a damaged file aside (for
    /// checks that must change nothing, such as `doctor`).
    pub fn inspect(&self) -> Result<ConnectionsDocument, StoreError> {
        self.read()
    }

    fn read(&self) -> Result<ConnectionsDocument, StoreError> {
        match files::read_if_exists(&self.file)? {
            None => Ok(ConnectionsDocument::default()),
            Some(bytes) => {
                ConnectionsDocument::parse(&bytes).map_err(|problem| StoreError::Corrupt {
                    path: self.file.clone(),
                    set_aside_as: None,
                    problem,
                })
            }
        }
    }

    /// Caller holds the lock.
    fn read_or_set_aside(&self) -> Result<ConnectionsDocument, StoreError> {
        match self.read() {
            Err(StoreError::Corrupt {
                path,
                problem,
                set_aside_as: None,
            }) if problem.may_set_aside() => {
                let aside = files::set_aside(&path)?;
                Err(StoreError::Corrupt {
                    path,
                    problem,
                    set_aside_as: Some(aside),
                })
            }
            other => other,
        }
    }
}

/// The store with its lock held: no other writer reads or writes the file
/// until this is dropped.
#[derive(Debug)]
pub struct LockedStore<'a> {
    store: &'a ConnectionStore,
    _guard: LockFile,
}

impl LockedStore<'_> {
    /// The current document, to be changed: a damaged file is set aside
    /// and reported, and a file that a newer version wrote is refused.
    pub fn read(&self) -> Result<ConnectionsDocument, StoreError> {
        let document = self.store.read_or_set_aside()?;
        notices::warn(&self.store.file, &document);
        notices::refuse_newer(&self.store.file, &document)?;
        Ok(document)
    }

    /// Replaces the file with `document`.
    pub fn write(&self, document: &ConnectionsDocument) -> Result<(), StoreError> {
        Ok(files::write_atomic(&self.store.file, &document.to_bytes())?)
    }
}
