//! Secrets in the OS keyring (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows), one entry per connection, and nowhere else.
//!
//! Entries use service `odoo-connections` and the connection id as account
//! (`username` attribute), so a rename never orphans a secret:
//! `secret-tool lookup service odoo-connections username <id>`.
//! There is no plaintext fallback: when no keyring is usable, the operation
//! fails with what to do.

use std::sync::mpsc;
use std::time::Duration;

use crate::model::{ConnectionId, SecretString};

/// The keyring service name of every entry.
pub const KEYRING_SERVICE: &str = "odoo-connections";

/// How long a keyring call may take before we give up (it may be waiting for
/// a person to unlock the keyring in a system prompt), unless
/// `ODOO_CONNECTIONS_KEYRING_TIMEOUT` (seconds) says otherwise.
const DEFAULT_KEYRING_WAIT: Duration = Duration::from_secs(120);

/// The environment variable that shortens or lengthens [`DEFAULT_KEYRING_WAIT`].
pub const KEYRING_TIMEOUT_VAR: &str = "ODOO_CONNECTIONS_KEYRING_TIMEOUT";

fn keyring_wait() -> Duration {
    crate::waits::from_env(KEYRING_TIMEOUT_VAR, DEFAULT_KEYRING_WAIT)
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

fn run_with_timeout<T: Send + 'static>(
    task: impl FnOnce() -> Result<T, keyring::Error> + Send + 'static,
) -> Result<T, SecretError> {
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            sender.send(task()).ok();
        })
        .map_err(|err| SecretError::Backend(err.to_string()))?;
    let wait = keyring_wait();
    match receiver.recv_timeout(wait) {
        Ok(result) => result.map_err(classify),
        Err(_) => Err(SecretError::TimedOut(wait)),
    }
}

fn classify(error: keyring::Error) -> SecretError {
    match error {
        keyring::Error::NoDefaultStore => {
            let reason = match keyring::Entry::store_status() {
                Err(status) => status.to_string(),
                Ok(()) => "no default credential store".to_owned(),
            };
            SecretError::Unavailable(reason)
        }
        keyring::Error::NoStorageAccess(inner) => {
            let text = inner.to_string();
            if text.contains("prompt") || text.to_lowercase().contains("locked") {
                SecretError::Locked
            } else {
                SecretError::Unavailable(text)
            }
        }
        other => SecretError::Backend(other.to_string()),
    }
}

fn entry(id: ConnectionId) -> Result<keyring::Entry, keyring::Error> {
    keyring::Entry::new(KEYRING_SERVICE, &id.to_string())
}

/// The secret of connection `id`, `None` when the keyring has no entry.
pub fn load(id: ConnectionId) -> Result<Option<SecretString>, SecretError> {
    run_with_timeout(move || match entry(id)?.get_password() {
        Ok(value) => Ok(Some(SecretString::new(value))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(other) => Err(other),
    })
}

/// Stores (or replaces) the secret of connection `id`.
pub fn save(id: ConnectionId, secret: &SecretString) -> Result<(), SecretError> {
    let value = secret.clone();
    run_with_timeout(move || entry(id)?.set_password(value.expose()))
}

/// Removes the secret of connection `id`; a missing entry is not an error.
pub fn delete(id: ConnectionId) -> Result<(), SecretError> {
    run_with_timeout(move || match entry(id)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(other) => Err(other),
    })
}
