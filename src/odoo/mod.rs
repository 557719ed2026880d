//! Talking to Odoo servers: version, protocol choice, authentication,
//! database discovery, and a precise [`Diagnosis`] of every outcome.

mod certificate;
mod databases;
mod diagnosis;
mod fault;
mod frontend;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod http;
mod json2;
mod messages;
mod probe;
mod readiness;
mod reply;
mod rpc;
mod scheme;
mod tls;
mod version;
mod xmlrpc;

pub use certificate::CertificateDetails;
pub use diagnosis::{Diagnosis, DiagnosisCode};

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::model::{Connection, Fingerprint, Protocol, SecretString, ServerUrl, TlsMode};
use crate::redact::Redactor;

use self::http::Http;
use self::probe::Probe;

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
    /// The server certificate's SHA-256 fingerprint when it was not trusted,
    /// did not match the pin, or was not checked (insecure mode), so the
    /// person can decide to pin it.
    pub certificate_sha256: Option<Fingerprint>,
    /// The same certificate's subject, issuer, validity dates, host names
    /// and fingerprint, for a trust prompt.
    pub certificate: Option<Box<CertificateDetails>>,
    /// Things that work today but will not for long: XML-RPC and JSON-RPC on
    /// Odoo 19+ (removed in Odoo 20), an API key expiring within 14 days.
    pub warnings: Vec<String>,
    /// When the stored API key expires, where the server lets the user read
    /// its own API keys (Odoo 18+).
    #[serde(with = "time::serde::rfc3339::option")]
    pub api_key_expires: Option<time::OffsetDateTime>,
}

impl TestReport {
    /// The report of a connection that could not be tested (its secret is
    /// missing, the keyring refused), so that every connection has one.
    pub fn not_tested(connection: &Connection, reason: Diagnosis) -> Self {
        report(connection, reason, None, None, Instant::now())
    }
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
/// Every text in the report that a server could have written is scrubbed
/// of the secret, so the report can go anywhere (terminal, files, MCP).
pub async fn test_connection(
    connection: &Connection,
    secret: &SecretString,
    timeout: Duration,
) -> TestReport {
    let report = run_test(connection, secret, timeout).await;
    without_secret(
        report,
        &Redactor::with_login(connection.login.as_str(), secret),
    )
}

/// `report` with the secret removed from its texts. The destructuring is
/// exhaustive on purpose: a new field must be judged here.
fn without_secret(report: TestReport, redactor: &Redactor) -> TestReport {
    let TestReport {
        ok,
        code,
        message,
        protocol,
        server_version,
        uid,
        database,
        latency_ms,
        certificate_sha256,
        certificate,
        warnings,
        api_key_expires,
    } = report;
    TestReport {
        message: redactor.scrub(&message),
        server_version: server_version.map(|text| redactor.scrub(&text)),
        warnings: warnings.iter().map(|text| redactor.scrub(text)).collect(),
        ok,
        code,
        protocol,
        uid,
        database,
        latency_ms,
        // Read from the certificate the server presented before any
        // request carried the secret.
        certificate_sha256,
        certificate,
        api_key_expires,
    }
}

async fn run_test(connection: &Connection, secret: &SecretString, timeout: Duration) -> TestReport {
    let started = Instant::now();
    let http = match Http::new(&connection.url, connection.tls, timeout) {
        Ok(http) => http,
        Err(diagnosis) => return report(connection, diagnosis, None, None, started),
    };
    let mut probe = Probe::new(&http, connection, secret);
    let outcome = tokio::time::timeout(timeout, probe.run())
        .await
        .unwrap_or_else(|_| Err(frontend::timed_out(&connection.url, timeout)));
    let unchecked = http
        .certificate()
        .filter(|_| connection.tls == TlsMode::Insecure);
    let (diagnosis, uid) = match outcome {
        Ok(uid) => {
            let version = probe
                .version
                .clone()
                .unwrap_or_else(|| version::ServerVersion {
                    text: "?".to_owned(),
                    major: None,
                });
            let protocol = probe.protocol.unwrap_or_default();
            let message =
                messages::connected(connection, &version, protocol, uid, &probe.readiness);
            (Diagnosis::new(DiagnosisCode::Ok, message), Some(uid))
        }
        Err(diagnosis) => (diagnosis, None),
    };
    let mut report = report(
        connection,
        diagnosis,
        probe.version.map(|version| version.text),
        probe.protocol,
        started,
    );
    if let Some(seen) = unchecked.filter(|_| report.certificate_sha256.is_none()) {
        report.certificate_sha256 = Some(seen.fingerprint);
        report.certificate = seen.details.map(Box::new);
    }
    report.uid = uid;
    report.warnings = probe.readiness.warnings;
    report.api_key_expires = probe.readiness.api_key_expires;
    report
}

fn report(
    connection: &Connection,
    diagnosis: Diagnosis,
    server_version: Option<String>,
    protocol: Option<Protocol>,
    started: Instant,
) -> TestReport {
    TestReport {
        ok: diagnosis.code == DiagnosisCode::Ok,
        code: diagnosis.code,
        message: diagnosis.message,
        protocol,
        server_version,
        uid: None,
        database: connection.database.to_string(),
        latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        certificate_sha256: diagnosis.certificate_sha256,
        certificate: diagnosis.certificate,
        warnings: Vec::new(),
        api_key_expires: None,
    }
}

/// Lists the databases of the server at `url`, never taking longer than `timeout`.
pub async fn list_databases(
    url: &ServerUrl,
    tls: TlsMode,
    timeout: Duration,
) -> Result<DatabaseList, Diagnosis> {
    let http = Http::new(url, tls, timeout)?;
    let discover = async {
        let read = match version::from_web_client(&http).await {
            Err(rpc::CallError::Unreadable { .. }) => {
                version::from_service(&http, rpc::Rpc::Xml).await
            }
            other => other,
        };
        let server_version = match read {
            Ok(version) => Some(version.text),
            Err(rpc::CallError::Transport(diagnosis)) => return Err(diagnosis),
            Err(_) => None,
        };
        let databases = databases::names(&http).await?;
        Ok(DatabaseList {
            databases,
            server_version,
        })
    };
    tokio::time::timeout(timeout, discover)
        .await
        .unwrap_or_else(|_| Err(frontend::timed_out(url, timeout)))
}
