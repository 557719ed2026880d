//! The OS keyring behind [`SecretStore`](super::SecretStore), each call on
//! its own thread with a time limit (a locked keyring may wait for a person
//! to answer an unlock prompt).

use std::collections::HashMap;
use std::sync::mpsc;
use std::time::Duration;

use crate::model::SecretString;

use super::{KEYRING_SERVICE, SecretError, SecretStore};

/// How long a keyring call may take before we give up, unless
/// `ODOO_CONNECTIONS_KEYRING_TIMEOUT` (seconds) says otherwise.
const DEFAULT_KEYRING_WAIT: Duration = Duration::from_secs(120);

/// The environment variable that shortens or lengthens the keyring wait.
pub const KEYRING_TIMEOUT_VAR: &str = "ODOO_CONNECTIONS_KEYRING_TIMEOUT";

fn keyring_wait() -> Duration {
    crate::waits::from_env(KEYRING_TIMEOUT_VAR, DEFAULT_KEYRING_WAIT)
}

/// The system keyring.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsKeyring;

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

fn entry(account: &str) -> Result<keyring::Entry, keyring::Error> {
    keyring::Entry::new(KEYRING_SERVICE, account)
}

impl SecretStore for OsKeyring {
    fn load(&self, account: &str) -> Result<Option<SecretString>, SecretError> {
        let account = account.to_owned();
        run_with_timeout(move || match entry(&account)?.get_password() {
            Ok(value) => Ok(Some(SecretString::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(other) => Err(other),
        })
    }

    fn save(&self, account: &str, secret: &SecretString) -> Result<(), SecretError> {
        let (account, value) = (account.to_owned(), secret.clone());
        run_with_timeout(move || entry(&account)?.set_password(value.expose()))
    }

    fn delete(&self, account: &str) -> Result<(), SecretError> {
        let account = account.to_owned();
        run_with_timeout(move || match entry(&account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(other) => Err(other),
        })
    }

    /// Searches the keyring for the service's entries (keyring-core's
    /// `Entry::search`; the Secret Service matches the `service` attribute).
    fn accounts(&self) -> Result<Vec<String>, SecretError> {
        run_with_timeout(|| {
            keyring::Entry::store_status()
                .as_ref()
                .map_err(|_| keyring::Error::NoDefaultStore)?;
            let spec = HashMap::from([("service", KEYRING_SERVICE)]);
            let found = keyring_core::Entry::search(&spec)?;
            // An entry whose attributes cannot be read is locked: a listing
            // without it would call present secrets missing.
            let specifiers: Option<Vec<(String, String)>> = found
                .iter()
                .map(keyring_core::Entry::get_specifiers)
                .collect();
            let specifiers = specifiers
                .ok_or_else(|| keyring::Error::NoStorageAccess("some entries are locked".into()))?;
            Ok(specifiers
                .into_iter()
                .filter(|(service, _)| service == KEYRING_SERVICE)
                .map(|(_, account)| account)
                .collect())
        })
    }
}
