//! The "Test connection" procedure: read the version, pick the protocol,
//! authenticate, and explain a refusal as precisely as the server allows.

use serde_json::{Value, json};

use crate::model::{AuthKind, Connection, Protocol, SecretString};

use super::diagnosis::{Diagnosis, DiagnosisCode};
use super::fault::ServerFault;
use super::http::Http;
use super::messages::{self, KeyReason};
use super::readiness::{Readiness, Session};
use super::rpc::{self, CallError, Rpc};
use super::version::{self, ServerVersion};
use super::{databases, json2};

/// One test run; what it learnt stays readable even when it fails or is cut
/// short by the timeout.
pub(crate) struct Probe<'a> {
    http: &'a Http,
    connection: &'a Connection,
    secret: &'a SecretString,
    /// The server's version, once read.
    pub version: Option<ServerVersion>,
    /// The protocol used to log in, once chosen.
    pub protocol: Option<Protocol>,
    /// After a successful login: warnings and the API key's expiry.
    pub readiness: Readiness,
}

impl<'a> Probe<'a> {
    pub fn new(http: &'a Http, connection: &'a Connection, secret: &'a SecretString) -> Self {
        Self {
            http,
            connection,
            secret,
            version: None,
            protocol: None,
            readiness: Readiness::default(),
        }
    }

    /// Runs the test; the uid on success.
    pub async fn run(&mut self) -> Result<i64, Diagnosis> {
        let (version, only_xmlrpc) = self.read_version().await?;
        let protocol = match self.connection.protocol {
            Protocol::Auto if only_xmlrpc => Protocol::Xmlrpc,
            Protocol::Auto if version.has_json2() && self.connection.auth == AuthKind::ApiKey => {
                Protocol::Json2
            }
            Protocol::Auto => Protocol::Jsonrpc,
            explicit => explicit,
        };
        self.version = Some(version.clone());
        self.protocol = Some(protocol);
        let uid = match protocol {
            Protocol::Json2 if self.connection.auth == AuthKind::Password => Err(
                messages::api_key_required(self.connection, KeyReason::Json2),
            ),
            Protocol::Json2 => json2::authenticate(self.http, self.connection, self.secret).await,
            Protocol::Xmlrpc => self.authenticate(Rpc::Xml).await,
            Protocol::Jsonrpc | Protocol::Auto => self.authenticate(Rpc::Json).await,
        }?;
        let session = Session {
            http: self.http,
            connection: self.connection,
            secret: self.secret,
            version: &version,
            protocol,
            uid,
        };
        self.readiness = session.readiness().await;
        Ok(uid)
    }

    /// The version, and whether only XML-RPC answered (auto mode).
    async fn read_version(&mut self) -> Result<(ServerVersion, bool), Diagnosis> {
        let http = self.http;
        let read = match self.connection.protocol {
            Protocol::Auto => match version::from_web_client(http).await {
                Err(CallError::Unreadable { .. }) => version::from_service(http, Rpc::Xml)
                    .await
                    .map(|version| (version, true)),
                other => other.map(|version| (version, false)),
            },
            Protocol::Xmlrpc => version::from_service(http, Rpc::Xml)
                .await
                .map(|v| (v, false)),
            Protocol::Jsonrpc => version::from_service(http, Rpc::Json)
                .await
                .map(|v| (v, false)),
            Protocol::Json2 => match version::from_web_version(http).await {
                Err(CallError::Unreadable { what }) => {
                    return Err(self.json2_unavailable(what).await);
                }
                other => other.map(|version| (version, false)),
            },
        };
        read.map_err(|error| version::not_read(http, error))
    }

    /// JSON-2 was asked for, but `GET /web/version` is missing.
    async fn json2_unavailable(&mut self, what: String) -> Diagnosis {
        match version::from_web_client(self.http).await {
            Ok(older) if !older.has_json2() => {
                let diagnosis = Diagnosis::new(
                    DiagnosisCode::ProtocolUnsupported,
                    format!(
                        "The server at {} runs Odoo {}, and JSON-2 needs Odoo 19 or later. Set the connection's protocol to auto, jsonrpc or xmlrpc.",
                        self.connection.url, older.text
                    ),
                );
                self.version = Some(older);
                self.protocol = Some(Protocol::Json2);
                diagnosis
            }
            Ok(_) | Err(CallError::Unreadable { .. }) => {
                version::not_read(self.http, CallError::Unreadable { what })
            }
            Err(error) => version::not_read(self.http, error),
        }
    }

    /// `common.authenticate(db, login, secret, {})` over XML-RPC or JSON-RPC.
    async fn authenticate(&self, rpc: Rpc) -> Result<i64, Diagnosis> {
        let connection = self.connection;
        let args = [
            json!(connection.database.as_str()),
            json!(connection.login.as_str()),
            json!(self.secret.expose()),
            json!({}),
        ];
        match rpc.call(self.http, "common", "authenticate", &args).await {
            Ok(Value::Number(uid)) if uid.is_i64() => Ok(uid.as_i64().unwrap_or_default()),
            Ok(Value::Bool(false)) => Err(self.refused().await),
            Ok(other) => Err(messages::server_error(
                connection,
                "logging in",
                &format!("unexpected answer {other}"),
            )),
            Err(CallError::Fault(fault)) => Err(self.fault(&fault).await),
            Err(CallError::Transport(diagnosis)) => Err(diagnosis),
            Err(CallError::Unreadable { what } | CallError::Crashed { what }) => {
                Err(messages::server_error(connection, "logging in", &what))
            }
        }
    }

    async fn fault(&self, fault: &ServerFault) -> Diagnosis {
        if fault.is_missing_database() {
            let hint = databases::hint(self.http).await;
            messages::database_not_found(self.connection, &hint)
        } else if fault.is_uninitialized_database() {
            messages::database_not_initialized(self.connection)
        } else {
            messages::server_error(self.connection, "logging in", &fault.summary())
        }
    }

    /// `authenticate` answered False: tell a wrong secret from a user who
    /// must use an API key.
    async fn refused(&self) -> Diagnosis {
        let connection = self.connection;
        if connection.auth == AuthKind::ApiKey {
            return messages::api_key_invalid(connection);
        }
        let params = json!({
            "db": connection.database.as_str(),
            "login": connection.login.as_str(),
            "password": self.secret.expose(),
        });
        let web_login = rpc::json_route(self.http, "/web/session/authenticate", params).await;
        let web_uid = web_login
            .ok()
            .and_then(|session| session.as_object()?.get("uid").cloned());
        match web_uid {
            Some(Value::Null) => messages::api_key_required(connection, KeyReason::TwoFactor),
            Some(Value::Number(_)) => {
                messages::api_key_required(connection, KeyReason::PasswordRefusedOverApi)
            }
            _ if is_odoo_online(connection.url.host()) => {
                messages::api_key_required(connection, KeyReason::OdooOnline)
            }
            _ => messages::bad_credentials(connection),
        }
    }
}

/// Odoo Online (`*.odoo.com`), where API passwords are rarely set.
fn is_odoo_online(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host.ends_with(".odoo.com")
}

#[cfg(test)]
mod tests {
    #[test]
    fn odoo_online_hosts_are_recognised() {
        assert!(super::is_odoo_online("acme.odoo.com"));
        assert!(super::is_odoo_online("ACME.Odoo.com."));
        assert!(!super::is_odoo_online("odoo.com.example.org"));
        assert!(!super::is_odoo_online("notodoo.com"));
    }
}
