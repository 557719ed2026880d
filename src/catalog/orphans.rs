//! Keyring entries that no connection owns (left by a kill or a failed
//! delete), and connections whose entry is missing: found, and removed.

use std::collections::HashSet;

use crate::secrets;
use crate::store::ConnectionsDocument;

use super::{Catalog, CatalogError};

/// What the keyring holds compared with the connections file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyringCheck {
    /// Accounts of this config dir that no connection points at.
    pub orphans: Vec<String>,
    /// Names of connections whose keyring entry is missing.
    pub missing: Vec<String>,
}

impl Catalog {
    /// Compares the keyring with the connections file; changes nothing.
    pub fn check_keyring(&self) -> Result<KeyringCheck, CatalogError> {
        let document = self.store.inspect()?;
        let accounts = self.secrets.accounts()?;
        let present: HashSet<&str> = accounts.iter().map(String::as_str).collect();
        let missing = document
            .connections()
            .iter()
            .filter(|connection| !present.contains(Self::keyring_account(connection).as_str()))
            .map(|connection| connection.name.to_string())
            .collect();
        Ok(KeyringCheck {
            orphans: self.orphans(&document, &accounts)?,
            missing,
        })
    }

    /// Deletes every keyring entry of this config dir that no connection
    /// owns; returns their accounts.
    pub fn remove_orphans(&self) -> Result<Vec<String>, CatalogError> {
        let locked = self.store.lock()?;
        let document = locked.read()?;
        self.sweep(&document)
    }

    /// Caller holds the store lock, so no entry is half-way between its
    /// keyring write and its file write (every secret write holds it).
    pub(super) fn sweep(
        &self,
        document: &ConnectionsDocument,
    ) -> Result<Vec<String>, CatalogError> {
        let accounts = self.secrets.accounts()?;
        let orphans = self.orphans(document, &accounts)?;
        for account in &orphans {
            self.secrets.delete(account)?;
        }
        Ok(orphans)
    }

    /// Entries of this config dir (by scope) that no connection points at,
    /// and old-style entries (the bare id) of connections that moved on to
    /// a versioned account.
    fn orphans(
        &self,
        document: &ConnectionsDocument,
        accounts: &[String],
    ) -> Result<Vec<String>, CatalogError> {
        let scope = self.keyring_scope()?;
        let owned: HashSet<String> = document
            .connections()
            .iter()
            .map(Self::keyring_account)
            .collect();
        let superseded: HashSet<String> = document
            .connections()
            .iter()
            .filter(|connection| connection.keyring_account.is_some())
            .map(|connection| connection.id.to_string())
            .collect();
        Ok(accounts
            .iter()
            .filter(|account| !owned.contains(*account))
            .filter(|account| {
                secrets::scope_of(account) == Some(scope.as_str()) || superseded.contains(*account)
            })
            .cloned()
            .collect())
    }
}
