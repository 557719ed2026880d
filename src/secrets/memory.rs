//! An in-memory [`SecretStore`](super::SecretStore) for tests and fault
//! injection: it can be told to fail one chosen call, so a test can break
//! an operation at every step and check what is left.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::model::SecretString;

use super::{SecretError, SecretStore};

/// Secrets kept in memory; never use it for real secrets (nothing is saved).
#[derive(Debug, Default)]
pub struct MemorySecrets {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    entries: BTreeMap<String, SecretString>,
    calls: u64,
    fail_at: Option<u64>,
}

impl MemorySecrets {
    /// An empty store that never fails.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes call number `call` (0-based, counting every call from now on)
    /// fail with [`SecretError::Backend`]; `None` stops failing.
    pub fn fail_at(&self, call: Option<u64>) {
        let mut state = self.lock();
        state.fail_at = call.map(|call| state.calls + call);
    }

    /// How many calls were made so far.
    pub fn calls(&self) -> u64 {
        self.lock().calls
    }

    /// Every stored account with its secret.
    pub fn entries(&self) -> BTreeMap<String, SecretString> {
        self.lock().entries.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn call<T>(&self, work: impl FnOnce(&mut State) -> T) -> Result<T, SecretError> {
        let mut state = self.lock();
        let number = state.calls;
        state.calls += 1;
        if state.fail_at == Some(number) {
            return Err(SecretError::Backend(format!(
                "injected failure of call {number}"
            )));
        }
        Ok(work(&mut state))
    }
}

impl SecretStore for MemorySecrets {
    fn load(&self, account: &str) -> Result<Option<SecretString>, SecretError> {
        self.call(|state| state.entries.get(account).cloned())
    }

    fn save(&self, account: &str, secret: &SecretString) -> Result<(), SecretError> {
        self.call(|state| {
            state.entries.insert(account.to_owned(), secret.clone());
        })
    }

    fn delete(&self, account: &str) -> Result<(), SecretError> {
        self.call(|state| {
            state.entries.remove(account);
        })
    }

    fn accounts(&self) -> Result<Vec<String>, SecretError> {
        self.call(|state| state.entries.keys().cloned().collect())
    }
}
