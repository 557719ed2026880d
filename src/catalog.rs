//! The saved connections together with their keyring secrets: every change
//! that touches both goes through here, in an order that never leaves a
//! secret without its connection for long, or a connection pointing at
//! another's secret.

use crate::model::{Connection, ConnectionId, ConnectionName, SecretString};
use crate::paths::Paths;
use crate::secrets::{self, SecretError};
use crate::store::{ConnectionStore, ConnectionsDocument, StoreError};

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
}

/// Connections plus secrets.
#[derive(Debug, Clone)]
pub struct Catalog {
    store: ConnectionStore,
}

impl Catalog {
    /// The catalog stored under `paths`.
    pub fn new(paths: &Paths) -> Self {
        Self {
            store: ConnectionStore::new(paths),
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

    /// Saves a new connection and its secret.
    pub fn add(&self, connection: Connection, secret: &SecretString) -> Result<(), CatalogError> {
        self.store
            .load()?
            .check_name_free(connection.name.as_str(), None)?;
        self.insert_with_secret(connection, secret)
    }

    /// Stores the secret, then inserts the connection (the name was checked
    /// free; the insert checks again under the lock and, if it fails, the
    /// secret is taken back).
    fn insert_with_secret(
        &self,
        connection: Connection,
        secret: &SecretString,
    ) -> Result<(), CatalogError> {
        secrets::save(connection.id, secret)?;
        let id = connection.id;
        self.store
            .update(|document| document.insert(connection))
            .inspect_err(|_| {
                secrets::delete(id).ok();
            })?;
        Ok(())
    }

    /// Replaces a saved connection (matched by id) and, when given, its secret.
    pub fn update(
        &self,
        connection: Connection,
        secret: Option<&SecretString>,
    ) -> Result<(), CatalogError> {
        let document = self.store.load()?;
        document.check_name_free(connection.name.as_str(), Some(connection.id))?;
        if document.by_id(connection.id).is_none() {
            return Err(StoreError::NotFound(connection.name.to_string()).into());
        }
        if let Some(secret) = secret {
            secrets::save(connection.id, secret)?;
        }
        self.store.update(|document| document.replace(connection))?;
        Ok(())
    }

    /// Renames a connection; its secret stays where it is (keyed by id).
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
        let document = self.store.load()?;
        let original = document.get(name)?;
        let mut copy = original.clone();
        copy.id = ConnectionId::random();
        copy.name = new;
        document.check_name_free(copy.name.as_str(), None)?;
        let secret = self.secret(original)?;
        self.insert_with_secret(copy.clone(), &secret)?;
        Ok(copy)
    }

    /// Deletes a connection and then its secret.
    pub fn remove(&self, name: &str) -> Result<Connection, CatalogError> {
        let removed = self.store.update(|document| document.remove(name))?;
        secrets::delete(removed.id)?;
        Ok(removed)
    }

    /// The secret of a saved connection.
    pub fn secret(&self, connection: &Connection) -> Result<SecretString, CatalogError> {
        secrets::load(connection.id)?
            .ok_or_else(|| CatalogError::SecretMissing(connection.name.to_string()))
    }
}
