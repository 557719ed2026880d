//! The saved form of one Odoo connection and its closed choices.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::fields::{
    ConnectionName, DatabaseName, Fingerprint, Login, ServerUrl, Tag, TimeoutSecs, ValueError,
    contains_ignoring_case,
};

/// Stable identity of a connection. It never changes, even on rename, and
/// starts the keyring account name under which its secret is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConnectionId(uuid::Uuid);

impl ConnectionId {
    /// A fresh random id.
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4())
    }
}

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Implements `Display`/`FromStr` for a unit-only enum from a table of
/// `Variant => "text"` pairs (the same text serde uses).
macro_rules! keyword_enum {
    ($ty:ident { $($variant:ident => $text:literal),+ $(,)? }, $what:literal) => {
        impl $ty {
            /// Every choice, in display order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The keyword used in files and on the command line.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $ty {
            type Err = ValueError;
            fn from_str(text: &str) -> Result<Self, ValueError> {
                let wanted = text.trim().to_lowercase().replace('-', "_");
                $ty::ALL
                    .iter()
                    .copied()
                    .find(|choice| choice.as_str() == wanted)
                    .ok_or_else(|| {
                        let choices: Vec<&str> = $ty::ALL.iter().map(|c| c.as_str()).collect();
                        unknown_choice($what, text, &choices)
                    })
            }
        }
    };
}

fn unknown_choice(what: &str, text: &str, choices: &[&str]) -> ValueError {
    ValueError::new(format!(
        "{text:?} is not a known {what}; use one of: {}",
        choices.join(", ")
    ))
}

/// What the secret stored for a connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// The user's password (refused over RPC for users with two-factor login).
    Password,
    /// An Odoo API key (Preferences → Account Security → New API key).
    #[default]
    ApiKey,
}
keyword_enum!(AuthKind { Password => "password", ApiKey => "api_key" }, "authentication kind");

/// Which Odoo API the connection talks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// JSON-2 on Odoo 19+ with an API key, else JSON-RPC, else XML-RPC.
    #[default]
    Auto,
    /// `/xmlrpc/2/*` (Odoo 8 to 21).
    Xmlrpc,
    /// `/jsonrpc` (Odoo 8 to 21).
    Jsonrpc,
    /// `/json/2/<model>/<method>` with a bearer API key (Odoo 19+).
    Json2,
}
keyword_enum!(Protocol { Auto => "auto", Xmlrpc => "xmlrpc", Jsonrpc => "jsonrpc", Json2 => "json2" }, "protocol");

/// Which kind of server this is, so production stands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    /// Live data: shown in red. The default, because a mislabelled production
    /// server is worse than a mislabelled test server.
    #[default]
    Production,
    /// A pre-production copy.
    Staging,
    /// A developer or test instance.
    Development,
}
keyword_enum!(Environment { Production => "production", Staging => "staging", Development => "development" }, "environment");

/// How the server's TLS certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum TlsMode {
    /// Trust the operating system's certificate authorities.
    #[default]
    System,
    /// Accept exactly the certificate with this SHA-256 fingerprint
    /// (self-signed or private-CA servers).
    Pinned {
        /// Fingerprint of the server's end-entity certificate.
        sha256: Fingerprint,
    },
    /// Accept any certificate. Explicit, and always shown as a warning.
    Insecure,
}

impl fmt::Display for TlsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsMode::System => f.write_str("system CAs"),
            TlsMode::Pinned { sha256 } => write!(f, "pinned SHA-256 {sha256}"),
            TlsMode::Insecure => f.write_str("insecure (any certificate)"),
        }
    }
}

/// One saved Odoo connection. Its secret is not here: it lives in the OS
/// keyring under [`Connection::keyring_account`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    /// Stable identity; it never changes, even on rename.
    pub id: ConnectionId,
    /// Unique display name.
    pub name: ConnectionName,
    /// Server base URL.
    pub url: ServerUrl,
    /// Database name.
    pub database: DatabaseName,
    /// User login.
    pub login: Login,
    /// Whether the secret is a password or an API key.
    #[serde(default)]
    pub auth: AuthKind,
    /// API to use.
    #[serde(default)]
    pub protocol: Protocol,
    /// Certificate checking.
    #[serde(default)]
    pub tls: TlsMode,
    /// Environment label.
    #[serde(default)]
    pub environment: Environment,
    /// Free-form tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// Free-form notes (never a secret: they are stored in plain text).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// Test timeout.
    #[serde(default)]
    pub timeout_secs: TimeoutSecs,
    /// The keyring account holding the secret, managed by the catalog
    /// (each new secret gets a new account); `None` means the connection id
    /// (files written before accounts were versioned) or not saved yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyring_account: Option<String>,
    /// Keys this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Connection {
    /// True when `needle` (case-insensitive) occurs in the name, URL,
    /// database, login or a tag. An empty needle matches everything.
    pub fn matches(&self, needle: &str) -> bool {
        let needle = needle.trim();
        [
            self.name.as_str(),
            self.url.url().as_str(),
            self.database.as_str(),
            self.login.as_str(),
        ]
        .into_iter()
        .chain(self.tags.iter().map(Tag::as_str))
        .any(|text| contains_ignoring_case(text, needle))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Connection {
        serde_json::from_value(serde_json::json!({
            "id": "0b6a3c4e-95f4-4a8e-9d43-1b6f0c1f7a10",
            "name": "acme-prod",
            "url": "https://erp.acme.example",
            "database": "acme",
            "login": "bot@acme.example",
            "tags": ["eu"],
            "future_key": {"kept": true}
        }))
        .unwrap()
    }

    #[test]
    fn defaults_fill_missing_choices_and_unknown_keys_survive() {
        let connection = sample();
        assert_eq!(connection.auth, AuthKind::ApiKey);
        assert_eq!(connection.protocol, Protocol::Auto);
        assert_eq!(connection.tls, TlsMode::System);
        assert_eq!(connection.environment, Environment::Production);
        let back = serde_json::to_value(&connection).unwrap();
        assert_eq!(back["future_key"]["kept"], true);
        assert_eq!(back["tls"]["mode"], "system");
    }

    #[test]
    fn keywords_parse_with_dashes_and_explain_choices() {
        assert_eq!("api-key".parse::<AuthKind>().unwrap(), AuthKind::ApiKey);
        assert_eq!("JSON2".parse::<Protocol>().unwrap(), Protocol::Json2);
        let err = "prod".parse::<Environment>().unwrap_err().to_string();
        assert!(err.contains("production, staging, development"), "{err}");
    }

    #[test]
    fn search_looks_at_name_url_database_login_and_tags() {
        let connection = sample();
        for needle in ["ACME-P", "erp.acme", "acme", "bot@", "EU", ""] {
            assert!(connection.matches(needle), "{needle}");
        }
        assert!(!connection.matches("staging"));
    }
}
