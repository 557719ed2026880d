//! Secrets behind one trait, [`SecretStore`]: the OS keyring ([`OsKeyring`],
//! Secret Service on Linux, Keychain on macOS, Credential Manager on Windows)
//! and an in-memory store for tests and fault injection ([`MemorySecrets`]).
//! Only [`crate::catalog::Catalog`] uses them.
//!
//! Every entry has service `odoo-connections`; its account (`username`
//! attribute) is named by [`account_name`] and recorded in the connection
//! (`keyring_account`), so `secret-tool search --all service odoo-connections`
//! lists them all. There is no plaintext fallback: when no keyring is usable,
//! the operation fails with what to do.

mod memory;
mod os;

pub use memory::MemorySecrets;
pub use os::{KEYRING_TIMEOUT_VAR, OsKeyring};

use std::time::Duration;

use crate::model::{ConnectionId, SecretString};

/// The keyring service name of every entry.
pub const KEYRING_SERVICE: &str = "odoo-connections";

/// Where secrets are kept. Implementations are cheap to share between
/// threads; every call may block (a keyring may wait for an unlock prompt).
pub trait SecretStore: Send + Sync + std::fmt::Debug {
    /// The secret stored under `account`, `None` when there is none.
    fn load(&self, account: &str) -> Result<Option<SecretString>, SecretError>;
    /// Stores (or replaces) the secret under `account`.
    fn save(&self, account: &str, secret: &SecretString) -> Result<(), SecretError>;
    /// Removes the secret under `account`; a missing entry is not an error.
    fn delete(&self, account: &str) -> Result<(), SecretError>;
    /// Every account stored under [`KEYRING_SERVICE`].
    fn accounts(&self) -> Result<Vec<String>, SecretError>;
}

/// The account of one version of a connection's secret:
/// `<connection id>:<scope>:<version>`. `scope` names the connections file
/// the entry belongs to (several config dirs can share one keyring), and
/// every new secret gets a fresh `version`, so the old one stays in force
/// until the file points at the new one.
pub fn account_name(id: ConnectionId, scope: &str) -> String {
    let version = uuid::Uuid::new_v4().simple().to_string();
    format!("{id}:{scope}:{}", &version[..12])
}

/// The scope part of an account made by [`account_name`], `None` for any
/// other account (such as the bare connection id of older versions).
pub fn scope_of(account: &str) -> Option<&str> {
    let mut parts = account.split(':');
    let (_id, scope, _version) = (parts.next()?, parts.next()?, parts.next()?);
    parts.next().is_none().then_some(scope)
}

/// A keyring failure, phrased with the next step.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// No keyring service could be reached.
    #[error(
        "no system keyring is reachable ({0}). Start a Secret Service provider such as gnome-keyring or KeePassXC in your desktop session and try again; odoo-connections never stores secrets in files"
    )]
    Unavailable(String),
    /// The keyring is locked and was not unlocked.
    #[error(
        "the system keyring is locked; unlock it (log in again, or open your keyring app such as Seahorse) and try again"
    )]
    Locked,
    /// The keyring did not answer in time.
    #[error(
        "the system keyring did not answer within {} s; it may be waiting for you to unlock it in a prompt. Unlock it and try again",
        .0.as_secs()
    )]
    TimedOut(Duration),
    /// Any other keyring error.
    #[error("the system keyring refused the request: {0}")]
    Backend(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_name_their_connection_scope_and_version() {
        let id = ConnectionId::random();
        let first = account_name(id, "0123456789ab");
        let second = account_name(id, "0123456789ab");
        assert_ne!(first, second);
        assert!(first.starts_with(&format!("{id}:0123456789ab:")), "{first}");
        assert_eq!(scope_of(&first), Some("0123456789ab"));
        assert_eq!(scope_of(&id.to_string()), None);
        assert_eq!(scope_of("a:b:c:d"), None);
    }
}
