//! The sentences of the login-level diagnoses, shared by every protocol, so
//! the same situation reads the same whichever API found it.

use crate::model::{Connection, Protocol, TlsMode};

use super::diagnosis::{Diagnosis, DiagnosisCode};
use super::readiness::Readiness;
use super::version::ServerVersion;

/// Where a person creates an API key in Odoo.
const CREATE_KEY: &str =
    "create one in Odoo (your avatar → My Preferences → Account Security → New API Key)";

/// The test succeeded.
pub(crate) fn connected(
    connection: &Connection,
    version: &ServerVersion,
    protocol: Protocol,
    uid: i64,
    readiness: &Readiness,
) -> String {
    let mut message = format!(
        "Connected to Odoo {} at {} as \"{}\" (uid {uid}) on database \"{}\", using {}.",
        version.text,
        connection.url,
        connection.login,
        connection.database,
        protocol_name(protocol)
    );
    if connection.tls == TlsMode::Insecure && connection.url.is_https() {
        message.push_str(
            " Warning: the certificate was not checked (TLS mode insecure), so anyone between you and the server could read this traffic; pin the certificate's fingerprint instead.",
        );
    }
    if let Some(expires) = readiness.api_key_expires {
        message.push_str(&format!(" The API key expires on {}.", expires.date()));
    }
    for warning in &readiness.warnings {
        message.push_str(&format!(" Warning: {warning}"));
    }
    message
}

/// How a protocol is named in sentences.
pub(crate) fn protocol_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Auto => "the automatic choice",
        Protocol::Xmlrpc => "XML-RPC",
        Protocol::Jsonrpc => "JSON-RPC",
        Protocol::Json2 => "JSON-2",
    }
}

/// Login or password refused.
pub(crate) fn bad_credentials(connection: &Connection) -> Diagnosis {
    Diagnosis::new(
        DiagnosisCode::BadCredentials,
        format!(
            "Odoo at {} refused login \"{}\" with this password on database \"{}\". Check the login (often an e-mail address) and the password; after several failures Odoo also refuses logins from this computer for a minute.",
            connection.url, connection.login, connection.database
        ),
    )
}

/// The API key was refused.
pub(crate) fn api_key_invalid(connection: &Connection) -> Diagnosis {
    Diagnosis::new(
        DiagnosisCode::ApiKeyInvalid,
        format!(
            "Odoo at {} refused the API key for login \"{}\" on database \"{}\". The key may be mistyped, expired or revoked, or belong to another user: {CREATE_KEY} and save it in this connection.",
            connection.url, connection.login, connection.database
        ),
    )
}

/// The API key works, but belongs to another user than the connection's login.
pub(crate) fn login_mismatch(connection: &Connection, owner: &str) -> Diagnosis {
    Diagnosis::new(
        DiagnosisCode::LoginMismatch,
        format!(
            "Odoo at {} accepted the API key on database \"{}\", but this API key belongs to \"{owner}\", not to \"{}\". Change the connection's login to \"{owner}\", or store the API key of \"{}\"; tools that log in with the login would be refused.",
            connection.url, connection.database, connection.login, connection.login
        ),
    )
}

/// Why an API key is needed instead of the stored password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyReason {
    /// The web login answered "second factor pending".
    TwoFactor,
    /// The web login accepts the password, the API does not.
    PasswordRefusedOverApi,
    /// Odoo Online, where account passwords are not database passwords.
    OdooOnline,
    /// JSON-2 takes only API keys.
    Json2,
}

/// The user must use an API key.
pub(crate) fn api_key_required(connection: &Connection, reason: KeyReason) -> Diagnosis {
    let login = &connection.login;
    let why = match reason {
        KeyReason::TwoFactor => format!(
            "User \"{login}\" has two-step verification, so Odoo accepts only an API key for API access, not the password."
        ),
        KeyReason::PasswordRefusedOverApi => format!(
            "The password of \"{login}\" is right, but Odoo refuses passwords over its API for this user (two-step verification is required)."
        ),
        KeyReason::OdooOnline => format!(
            "Odoo Online at {} refused the password for \"{login}\". On *.odoo.com your odoo.com account password is usually not valid for the API.",
            connection.url
        ),
        KeyReason::Json2 => {
            "JSON-2 accepts only API keys, and this connection stores a password (or choose the jsonrpc or xmlrpc protocol)."
                .to_owned()
        }
    };
    Diagnosis::new(
        DiagnosisCode::ApiKeyRequired,
        format!(
            "{why} To fix it, {CREATE_KEY}, store it in this connection and set its authentication to API key."
        ),
    )
}

/// The database does not exist (`hint` names the ones that do).
pub(crate) fn database_not_found(connection: &Connection, hint: &str) -> Diagnosis {
    Diagnosis::new(
        DiagnosisCode::DatabaseNotFound,
        format!(
            "The server at {} answered, but database \"{}\" does not exist. {hint}",
            connection.url, connection.database
        ),
    )
}

/// JSON-2 could not resolve the database (missing, or hidden by dbfilter).
pub(crate) fn database_not_resolved(connection: &Connection, hint: &str) -> Diagnosis {
    Diagnosis::new(
        DiagnosisCode::DatabaseNotFound,
        format!(
            "The server at {} answered, but cannot open database \"{}\": it does not exist, or the server's database filter hides it from this address. {hint}",
            connection.url, connection.database
        ),
    )
}

/// The database exists (JSON-RPC sees it), but JSON-2 cannot open it: the
/// server's dbfilter hides it from this host name.
pub(crate) fn database_hidden(connection: &Connection) -> Diagnosis {
    Diagnosis::new(
        DiagnosisCode::DatabaseHidden,
        format!(
            "Database \"{}\" on {} is reachable over JSON-RPC, but hidden from JSON-2 by the server's dbfilter (which picks the databases a host name may use). Set the connection's protocol to jsonrpc, or ask the administrator to fix dbfilter so that it lets \"{}\" through for {}.",
            connection.database,
            connection.url,
            connection.database,
            connection.url.host()
        ),
    )
}

/// The database exists but holds no Odoo.
pub(crate) fn database_not_initialized(connection: &Connection) -> Diagnosis {
    Diagnosis::new(
        DiagnosisCode::DatabaseNotInitialized,
        format!(
            "Database \"{}\" exists on {}, but Odoo is not set up in it (it has no users). Choose another database, or finish creating this one in Odoo's database manager.",
            connection.database, connection.url
        ),
    )
}

/// Odoo reported an error the test cannot explain further.
pub(crate) fn server_error(connection: &Connection, during: &str, detail: &str) -> Diagnosis {
    Diagnosis::new(
        DiagnosisCode::ServerError,
        format!(
            "Odoo at {} failed while {during} ({detail}). Try again later; if it persists, ask the server's administrator to look at the Odoo log.",
            connection.url
        ),
    )
}
