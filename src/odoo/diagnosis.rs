//! The closed set of connection-test outcomes, each with a stable code.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::Fingerprint;

use super::certificate::CertificateDetails;

/// Stable machine code of a test outcome (used in JSON, exit codes, MCP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosisCode {
    /// Authenticated.
    Ok,
    /// The host name does not resolve.
    DnsFailed,
    /// Nothing listens on that port.
    ConnectionRefused,
    /// No answer in time.
    Timeout,
    /// The port speaks the other scheme (plain HTTP for an `https://` URL,
    /// TLS for an `http://` one).
    WrongScheme,
    /// The certificate is not trusted by the system.
    TlsUntrusted,
    /// The certificate does not match the pinned fingerprint.
    TlsFingerprintMismatch,
    /// The server redirects elsewhere (e.g. http → https).
    Redirect,
    /// The server answers, but is not Odoo.
    NotOdoo,
    /// A proxy in front of Odoo reports an error (502/503/504).
    ProxyError,
    /// HTTP authentication in front of Odoo.
    HttpAuthRequired,
    /// The database does not exist.
    DatabaseNotFound,
    /// The database exists but Odoo is not installed in it.
    DatabaseNotInitialized,
    /// The database exists, but the server's dbfilter hides it from JSON-2.
    DatabaseHidden,
    /// Login or password is wrong.
    BadCredentials,
    /// The user must use an API key (two-factor login, or Odoo Online).
    ApiKeyRequired,
    /// The API key is wrong, expired or revoked.
    ApiKeyInvalid,
    /// The API key belongs to another user than the connection's login.
    LoginMismatch,
    /// The server does not list its databases.
    DatabaseListDisabled,
    /// The server's Odoo release does not offer the chosen protocol
    /// (JSON-2 before Odoo 19).
    ProtocolUnsupported,
    /// Any other server-side error.
    ServerError,
    /// Not tested: the keyring has no secret for the connection.
    SecretMissing,
    /// Not tested: the keyring is unreachable, locked or refused.
    KeyringUnavailable,
}

impl DiagnosisCode {
    /// The code as written in JSON (`tls_untrusted`).
    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosisCode::Ok => "ok",
            DiagnosisCode::DnsFailed => "dns_failed",
            DiagnosisCode::ConnectionRefused => "connection_refused",
            DiagnosisCode::Timeout => "timeout",
            DiagnosisCode::WrongScheme => "wrong_scheme",
            DiagnosisCode::TlsUntrusted => "tls_untrusted",
            DiagnosisCode::TlsFingerprintMismatch => "tls_fingerprint_mismatch",
            DiagnosisCode::Redirect => "redirect",
            DiagnosisCode::NotOdoo => "not_odoo",
            DiagnosisCode::ProxyError => "proxy_error",
            DiagnosisCode::HttpAuthRequired => "http_auth_required",
            DiagnosisCode::DatabaseNotFound => "database_not_found",
            DiagnosisCode::DatabaseNotInitialized => "database_not_initialized",
            DiagnosisCode::DatabaseHidden => "database_hidden",
            DiagnosisCode::BadCredentials => "bad_credentials",
            DiagnosisCode::ApiKeyRequired => "api_key_required",
            DiagnosisCode::ApiKeyInvalid => "api_key_invalid",
            DiagnosisCode::LoginMismatch => "login_mismatch",
            DiagnosisCode::DatabaseListDisabled => "database_list_disabled",
            DiagnosisCode::ProtocolUnsupported => "protocol_unsupported",
            DiagnosisCode::ServerError => "server_error",
            DiagnosisCode::SecretMissing => "secret_missing",
            DiagnosisCode::KeyringUnavailable => "keyring_unavailable",
        }
    }
}

impl fmt::Display for DiagnosisCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A code with the sentence a person reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct Diagnosis {
    /// Stable code.
    pub code: DiagnosisCode,
    /// What happened and what to do.
    pub message: String,
    /// For `tls_untrusted` and `tls_fingerprint_mismatch`: the SHA-256
    /// fingerprint of the certificate the server presented, to offer pinning.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_sha256: Option<Fingerprint>,
    /// For the same diagnoses: the certificate's subject, issuer, validity
    /// and names, for a trust prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Box<CertificateDetails>>,
}

impl Diagnosis {
    /// A diagnosis with its message.
    pub fn new(code: DiagnosisCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            certificate_sha256: None,
            certificate: None,
        }
    }

    /// The same diagnosis, naming the server's certificate.
    pub(crate) fn with_certificate(
        mut self,
        fingerprint: Fingerprint,
        details: Option<CertificateDetails>,
    ) -> Self {
        self.certificate_sha256 = Some(fingerprint);
        self.certificate = details.map(Box::new);
        self
    }
}
