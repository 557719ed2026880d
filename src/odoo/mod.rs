//! Talking to Odoo servers: version, protocol choice, authentication,
//! database discovery, and a precise [`Diagnosis`] of every outcome.

mod diagnosis;

pub use diagnosis::{Diagnosis, DiagnosisCode};

use std::time::Duration;

use serde::Serialize;

use crate::model::{Connection, Fingerprint, Protocol, SecretString, ServerUrl, TlsMode};

/// The outcome of "Test connection".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestReport {
    /// True only for [`DiagnosisCode::Ok`].
    pub ok: bool,
    /// Stable machine code.
    pub code: DiagnosisCode,
    /// What happened and what to do, for a person.
    pub message: String,
    /// The protocol that was used (the chosen one when `auto`).
    pub protocol: Option<Protocol>,
    /// The server's version string, e.g. `17.0+e` or `saas~19.4+e`.
    pub server_version: Option<String>,
    /// The authenticated user id.
    pub uid: Option<i64>,
    /// The database that was tested.
    pub database: String,
    /// Wall time of the whole test.
    pub latency_ms: u64,
    /// The server certificate's SHA-256 fingerprint when it was not trusted
    /// or did not match the pin, so the person can decide to pin it.
    pub certificate_sha256: Option<Fingerprint>,
}

/// The databases a server lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatabaseList {
    /// Database names in the server's order.
    pub databases: Vec<String>,
    /// The server's version string, when it told us.
    pub server_version: Option<String>,
}

/// Tests `connection` with `secret`, never taking longer than `timeout`.
pub async fn test_connection(
    connection: &Connection,
    secret: &SecretString,
    timeout: Duration,
) -> TestReport {
    let _ = (secret, timeout);
    TestReport {
        ok: false,
        code: DiagnosisCode::ServerError,
        message: "connection tests are not available in this build".into(),
        protocol: None,
        server_version: None,
        uid: None,
        database: connection.database.to_string(),
        latency_ms: 0,
        certificate_sha256: None,
    }
}

/// Lists the databases of the server at `url`.
pub async fn list_databases(
    url: &ServerUrl,
    tls: TlsMode,
    timeout: Duration,
) -> Result<DatabaseList, Diagnosis> {
    let _ = (url, tls, timeout);
    Err(Diagnosis::new(
        DiagnosisCode::ServerError,
        "database discovery is not available in this build",
    ))
}
