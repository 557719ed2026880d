//! Exit codes (documented in the README) and the error every command returns.

use std::fmt;

use crate::catalog::CatalogError;
use crate::secrets::SecretError;
use crate::store::StoreError;

/// The process exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// An unexpected failure (I/O, damaged files).
    Failure = 1,
    /// Bad command-line usage.
    Usage = 2,
    /// A value was refused (bad URL, name, fingerprint…).
    InvalidInput = 3,
    /// No connection has that name.
    NotFound = 4,
    /// The system keyring is unreachable, locked or refused the request.
    KeyringUnavailable = 5,
    /// A connection test did not succeed.
    TestFailed = 6,
    /// The policy denied the request.
    PolicyDenied = 7,
    /// The name is taken.
    Conflict = 8,
    /// `doctor` found problems it did not repair.
    DoctorFound = 9,
}

impl Exit {
    /// The numeric code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// A failed command: which exit code, and what to tell the person.
#[derive(Debug)]
pub struct CliError {
    /// Exit code.
    pub exit: Exit,
    /// Message for stderr.
    pub message: String,
}

impl CliError {
    /// An error with its exit code.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<StoreError> for CliError {
    fn from(error: StoreError) -> Self {
        let exit = match &error {
            StoreError::NotFound(_) => Exit::NotFound,
            StoreError::NameTaken(_) => Exit::Conflict,
            StoreError::File(_) | StoreError::Corrupt { .. } | StoreError::NewerSchema { .. } => {
                Exit::Failure
            }
        };
        CliError::new(exit, error.to_string())
    }
}

impl From<SecretError> for CliError {
    fn from(error: SecretError) -> Self {
        CliError::new(Exit::KeyringUnavailable, error.to_string())
    }
}

impl From<CatalogError> for CliError {
    fn from(error: CatalogError) -> Self {
        match error {
            CatalogError::Store(inner) => inner.into(),
            CatalogError::Secret(inner) => inner.into(),
            CatalogError::SecretMissing(_) => {
                CliError::new(Exit::KeyringUnavailable, error.to_string())
            }
            CatalogError::ChangedElsewhere(_) => CliError::new(Exit::Conflict, error.to_string()),
            CatalogError::Conflict { .. } => CliError::new(Exit::InvalidInput, error.to_string()),
        }
    }
}
