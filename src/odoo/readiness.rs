//! After a successful login: what will stop working soon. The XML-RPC and
//! JSON-RPC endpoints go in Odoo 20, and API keys can expire (Odoo 18+).

use serde_json::{Value, json};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use crate::model::{AuthKind, Connection, Protocol, SecretString};

use super::http::Http;
use super::json2;
use super::messages::protocol_name;
use super::rpc::Rpc;
use super::version::ServerVersion;

/// How early an expiring API key is announced.
const EXPIRY_NOTICE: Duration = Duration::days(14);

/// Odoo's datetime format in RPC answers (UTC).
const ODOO_DATETIME: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

/// What a successful test adds: warnings, and the API key's expiry.
#[derive(Debug, Default)]
pub(crate) struct Readiness {
    /// Sentences about what will stop working.
    pub warnings: Vec<String>,
    /// When the stored API key expires, when the server tells.
    pub api_key_expires: Option<OffsetDateTime>,
}

/// The logged-in session whose future is checked.
pub(crate) struct Session<'a> {
    pub http: &'a Http,
    pub connection: &'a Connection,
    pub secret: &'a SecretString,
    pub version: &'a ServerVersion,
    pub protocol: Protocol,
    pub uid: i64,
}

impl Session<'_> {
    /// The warnings of this session, reading the key's expiry where the
    /// server lets the user read its own API keys.
    pub async fn readiness(&self) -> Readiness {
        let mut readiness = Readiness::default();
        let major = self.version.major.unwrap_or_default();
        if major >= 19 && matches!(self.protocol, Protocol::Xmlrpc | Protocol::Jsonrpc) {
            readiness.warnings.push(format!(
                "Odoo {} still answers {}, but it is removed in Odoo 20; use an API key with JSON-2 (protocol auto or json2).",
                self.version.text,
                protocol_name(self.protocol)
            ));
        }
        if major >= 18 && self.connection.auth == AuthKind::ApiKey {
            self.note_key_expiry(&mut readiness).await;
        }
        readiness
    }

    async fn note_key_expiry(&self, readiness: &mut Readiness) {
        let Some(keys) = self.own_api_keys().await else {
            return;
        };
        let expiries: Vec<OffsetDateTime> = keys
            .iter()
            .filter_map(|key| key["expiration_date"].as_str())
            .filter_map(|text| PrimitiveDateTime::parse(text, ODOO_DATETIME).ok())
            .map(PrimitiveDateTime::assume_utc)
            .collect();
        let Some(soonest) = expiries.iter().min().copied() else {
            return;
        };
        let only_key = keys.len() == 1;
        if only_key {
            readiness.api_key_expires = Some(soonest);
        }
        let left = soonest - OffsetDateTime::now_utc();
        if left > EXPIRY_NOTICE {
            return;
        }
        let login = &self.connection.login;
        let when = format!("{} (in {} days)", soonest.date(), left.whole_days().max(0));
        readiness.warnings.push(if only_key {
            format!(
                "The API key of \"{login}\" expires on {when}; create a new one in Odoo and store it in this connection before then."
            )
        } else {
            format!(
                "One of the {} API keys of \"{login}\" expires on {when}; if it is the one stored here, create a new one in Odoo and store it before then.",
                keys.len()
            )
        });
    }

    /// `res.users.apikeys.search_read` of the user's own keys, or `None`
    /// when the server does not let the user read them.
    async fn own_api_keys(&self) -> Option<Vec<Value>> {
        let domain = json!([["user_id", "=", self.uid]]);
        let fields = json!(["name", "expiration_date"]);
        let answer = match self.protocol {
            Protocol::Json2 => json2::call(
                self.http,
                self.connection,
                self.secret,
                "res.users.apikeys/search_read",
                json!({"domain": domain, "fields": fields}),
            )
            .await
            .ok()?,
            Protocol::Xmlrpc | Protocol::Jsonrpc | Protocol::Auto => {
                let rpc = if self.protocol == Protocol::Xmlrpc {
                    Rpc::Xml
                } else {
                    Rpc::Json
                };
                let args = [
                    json!(self.connection.database.as_str()),
                    json!(self.uid),
                    json!(self.secret.expose()),
                    json!("res.users.apikeys"),
                    json!("search_read"),
                    json!([domain]),
                    json!({"fields": fields}),
                ];
                rpc.call(self.http, "object", "execute_kw", &args)
                    .await
                    .ok()?
            }
        };
        answer.as_array().cloned()
    }
}
