//! The saved connections together with their keyring secrets, and the only
//! way to reach a secret. Every change that touches both runs under the
//! store's lock: a new secret is written under a new keyring account before
//! the file points at it, and the old entry is deleted after, so a failure
//! or a kill at any moment leaves each connection fully old or fully new,
//! and at worst a keyring entry that no connection owns. The first secret
//! write of a process (and `doctor --fix`) removes those.

mod changes;
mod orphans;
mod testing;

pub use orphans::KeyringCheck;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sha2::{Digest as _, Sha256};

use crate::files::{self, FileError};
use crate::model::{Connection, ConnectionDraft, ConnectionId, ConnectionName, SecretString};
use crate::paths::Paths;
use crate::secrets::{self, OsKeyring, SecretError, SecretStore};
use crate::store::{ConnectionStore, ConnectionsDocument, LockedStore, StoreError, TestResults};

/// A failure of a catalog operation.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The connections file refused the change.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The keyring refused the change.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// The connection exists but its secret is missing from the keyring.
    #[error(
        "the keyring has no secret for {0:?}; set it again with `odoo-connections edit {0} --secret-stdin` or in the window"
    )]
    SecretMissing(String),
    /// The stored record is no longer the one the editor started from.
    #[error(
        "{0:?} was changed elsewhere since you opened it; reload to see the other changes, or overwrite them with yours"
    )]
    ChangedElsewhere(String),
    /// This change and one made meanwhile elsewhere do not fit together.
    #[error(
        "your changes to {name:?} do not fit with changes made to it meanwhile elsewhere ({problems}); look at it again and retry"
    )]
    Conflict {
        /// The connection.
        name: String,
        /// What the combined record gets wrong.
        problems: String,
    },
}

/// Connections plus secrets.
#[derive(Debug, Clone)]
pub struct Catalog {
    store: ConnectionStore,
    paths: Paths,
    secrets: Arc<dyn SecretStore>,
    swept: Arc<AtomicBool>,
}

impl Catalog {
    /// The catalog stored under `paths`, with secrets in the OS keyring.
    pub fn new(paths: &Paths) -> Self {
        Self::with_secrets(paths, Arc::new(OsKeyring))
    }

    /// The catalog stored under `paths`, with secrets in `secrets` (tests
    /// pass a [`secrets::MemorySecrets`] to inject failures).
    pub fn with_secrets(paths: &Paths, secrets: Arc<dyn SecretStore>) -> Self {
        Self {
            store: ConnectionStore::new(paths),
            paths: paths.clone(),
            secrets,
            swept: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The connections file.
    pub fn store(&self) -> &ConnectionStore {
        &self.store
    }

    /// Every connection (no secrets).
    pub fn load(&self) -> Result<ConnectionsDocument, CatalogError> {
        Ok(self.store.load()?)
    }

    /// The keyring account that holds the secret of `connection`.
    pub fn keyring_account(connection: &Connection) -> String {
        connection
            .keyring_account
            .clone()
            .unwrap_or_else(|| connection.id.to_string())
    }

    /// What the keyring accounts of this config dir carry so that entries
    /// of other config dirs sharing the keyring are never taken for ours:
    /// the start of the SHA-256 of the config dir's canonical path.
    pub fn keyring_scope(&self) -> Result<String, CatalogError> {
        let dir = self.paths.config_dir();
        files::create_private_dir(dir).map_err(StoreError::File)?;
        let canonical = std::fs::canonicalize(dir)
            .map_err(|source| StoreError::File(FileError::io("could not resolve", dir, source)))?;
        let digest = Sha256::digest(canonical.as_os_str().as_encoded_bytes());
        Ok(digest
            .iter()
            .take(6)
            .map(|byte| format!("{byte:02x}"))
            .collect())
    }

    /// Saves a new connection and its secret; returns it as stored.
    pub fn add(
        &self,
        mut connection: Connection,
        secret: &SecretString,
    ) -> Result<Connection, CatalogError> {
        let scope = self.keyring_scope()?;
        let locked = self.store.lock()?;
        let mut document = locked.read()?;
        document.check_name_free(connection.name.as_str(), None)?;
        let account = self.save_new_secret(connection.id, &scope, secret)?;
        connection.keyring_account = Some(account.clone());
        document.insert(connection.clone())?;
        self.write_or_take_back(&locked, &document, Some(&account))?;
        self.tidy(&document, None);
        Ok(connection)
    }

    /// Applies what changed between `opened` (the record the caller read)
    /// and `edited` onto the record as stored now, and the secret when
    /// given, so a concurrent change of another field is kept. Returns the
    /// stored record.
    pub fn apply_changes(
        &self,
        opened: &Connection,
        edited: &Connection,
        secret: Option<&SecretString>,
    ) -> Result<Connection, CatalogError> {
        self.replace(opened, secret, |fresh| {
            let merged = changes::apply_changes(opened, edited, fresh);
            if changes::settings_differ(fresh, opened) {
                check_still_valid(&merged)?;
            }
            Ok(merged)
        })
    }

    /// Saves the window's `edited` record, refusing with
    /// [`CatalogError::ChangedElsewhere`] when the stored record is no longer
    /// `opened` (see [`Catalog::overwrite`] to save anyway).
    pub fn save_edit(
        &self,
        opened: &Connection,
        edited: Connection,
        secret: Option<&SecretString>,
    ) -> Result<Connection, CatalogError> {
        self.replace(opened, secret, |fresh| {
            let account_moved =
                opened.keyring_account.is_some() && opened.keyring_account != fresh.keyring_account;
            if changes::settings_differ(fresh, opened) || account_moved {
                return Err(CatalogError::ChangedElsewhere(fresh.name.to_string()));
            }
            Ok(edited)
        })
    }

    /// Replaces the stored record with `edited` (matched by id) whatever
    /// changed meanwhile, and the secret when given.
    pub fn overwrite(
        &self,
        edited: Connection,
        secret: Option<&SecretString>,
    ) -> Result<Connection, CatalogError> {
        let target = edited.clone();
        self.replace(&target, secret, |_| Ok(edited))
    }

    /// Under the lock: `decide` turns the stored record of `target.id` into
    /// the next one; a new secret goes under a new account first.
    fn replace(
        &self,
        target: &Connection,
        secret: Option<&SecretString>,
        decide: impl FnOnce(&Connection) -> Result<Connection, CatalogError>,
    ) -> Result<Connection, CatalogError> {
        let scope = secret.map(|_| self.keyring_scope()).transpose()?;
        let locked = self.store.lock()?;
        let mut document = locked.read()?;
        let fresh = document
            .by_id(target.id)
            .cloned()
            .ok_or_else(|| StoreError::NotFound(target.name.to_string()))?;
        let mut next = decide(&fresh)?;
        next.id = fresh.id;
        next.keyring_account.clone_from(&fresh.keyring_account);
        document.check_name_free(next.name.as_str(), Some(next.id))?;
        let new_account = match (secret, scope) {
            (Some(secret), Some(scope)) => {
                let account = self.save_new_secret(next.id, &scope, secret)?;
                next.keyring_account = Some(account.clone());
                Some(account)
            }
            _ => None,
        };
        document.replace(next.clone())?;
        self.write_or_take_back(&locked, &document, new_account.as_deref())?;
        if new_account.is_some() {
            self.tidy(&document, Some(&Self::keyring_account(&fresh)));
        }
        Ok(next)
    }

    /// Renames a connection; its secret stays where it is.
    pub fn rename(&self, old: &str, new: ConnectionName) -> Result<Connection, CatalogError> {
        Ok(self.store.update(|document| {
            let mut connection = document.get(old)?.clone();
            connection.name = new;
            document.replace(connection.clone())?;
            Ok(connection)
        })?)
    }

    /// Copies a connection under a new name, with a copy of its secret.
    pub fn duplicate(&self, name: &str, new: ConnectionName) -> Result<Connection, CatalogError> {
        let scope = self.keyring_scope()?;
        let locked = self.store.lock()?;
        let mut document = locked.read()?;
        let original = document.get(name)?.clone();
        let mut copy = original.clone();
        copy.id = ConnectionId::random();
        copy.name = new;
        document.check_name_free(copy.name.as_str(), None)?;
        let secret = self.secret(&original)?;
        let account = self.save_new_secret(copy.id, &scope, &secret)?;
        copy.keyring_account = Some(account.clone());
        document.insert(copy.clone())?;
        self.write_or_take_back(&locked, &document, Some(&account))?;
        self.tidy(&document, None);
        Ok(copy)
    }

    /// Deletes a connection, then its secret and its last test result. The
    /// keyring must answer first: when it cannot, nothing is changed.
    pub fn remove(&self, name: &str) -> Result<Connection, CatalogError> {
        let current = self.load()?.get(name)?.clone();
        self.secrets.load(&Self::keyring_account(&current))?;
        let locked = self.store.lock()?;
        let mut document = locked.read()?;
        let fresh_name = document
            .by_id(current.id)
            .map(|fresh| fresh.name.to_string())
            .ok_or_else(|| StoreError::NotFound(name.trim().to_owned()))?;
        let removed = document.remove(&fresh_name)?;
        locked.write(&document)?;
        self.tidy(&document, Some(&Self::keyring_account(&removed)));
        drop(locked);
        if let Err(err) = TestResults::forget(&self.paths, removed.id) {
            tracing::warn!(
                "the last test result of {} stays in the history: {err}",
                removed.name
            );
        }
        Ok(removed)
    }

    /// The secret of a saved connection.
    pub fn secret(&self, connection: &Connection) -> Result<SecretString, CatalogError> {
        self.find_secret(connection)?
            .ok_or_else(|| CatalogError::SecretMissing(connection.name.to_string()))
    }

    /// The secret of a saved connection, `None` when the keyring has none.
    pub fn find_secret(
        &self,
        connection: &Connection,
    ) -> Result<Option<SecretString>, CatalogError> {
        Ok(self.secrets.load(&Self::keyring_account(connection))?)
    }

    /// The secret of the connection stored with this id (`None` when there
    /// is no such connection or no secret), for callers that hold an edited
    /// copy of the record.
    pub fn stored_secret(&self, id: ConnectionId) -> Result<Option<SecretString>, CatalogError> {
        match self.load()?.by_id(id) {
            Some(connection) => self.find_secret(connection),
            None => Ok(None),
        }
    }

    fn save_new_secret(
        &self,
        id: ConnectionId,
        scope: &str,
        secret: &SecretString,
    ) -> Result<String, CatalogError> {
        let account = secrets::account_name(id, scope);
        self.secrets.save(&account, secret)?;
        Ok(account)
    }

    /// Writes the file; when that fails, the secret just written under
    /// `new_account` is deleted again, so the old state stays whole.
    fn write_or_take_back(
        &self,
        locked: &LockedStore<'_>,
        document: &ConnectionsDocument,
        new_account: Option<&str>,
    ) -> Result<(), CatalogError> {
        locked.write(document).inspect_err(|_| {
            if let Some(account) = new_account {
                self.secrets.delete(account).ok();
            }
        })?;
        Ok(())
    }

    /// After a write that changed secrets (lock held): deletes the entry
    /// the file no longer points at, and once per process every entry of
    /// this config dir that no connection owns. Failures only leave
    /// entries behind for later, so they are logged, not returned.
    fn tidy(&self, document: &ConnectionsDocument, replaced: Option<&str>) {
        if let Some(account) = replaced
            && let Err(err) = self.secrets.delete(account)
        {
            tracing::warn!(
                "the previous secret stays in the keyring until the next change or `odoo-connections doctor --fix`: {err}"
            );
        }
        if !self.swept.swap(true, Ordering::SeqCst)
            && let Err(err) = self.sweep(document)
        {
            tracing::warn!("keyring entries that no connection owns were not removed: {err}");
        }
    }
}

/// The combined record of two concurrent edits must still be a valid one.
fn check_still_valid(merged: &Connection) -> Result<(), CatalogError> {
    ConnectionDraft::from_connection(merged)
        .build(merged.id, merged.extra.clone())
        .map(drop)
        .map_err(|errors| CatalogError::Conflict {
            name: merged.name.to_string(),
            problems: errors.to_string().replace('\n', "; "),
        })
}
