//! An editable, not-yet-valid connection (form fields or command-line flags)
//! and the per-field errors that keep it from becoming a [`Connection`].

use std::fmt;

use serde_json::Map;

use super::connection::{AuthKind, Connection, ConnectionId, Environment, Protocol, TlsMode};
use super::fields::{
    ConnectionName, DatabaseName, Fingerprint, Login, ServerUrl, Tag, TimeoutSecs, ValueError,
};

/// The TLS choice as a form shows it: a mode plus a fingerprint text box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsChoice {
    /// Trust the system CAs.
    #[default]
    System,
    /// Pin the fingerprint typed in [`ConnectionDraft::fingerprint`].
    Pinned,
    /// Accept any certificate.
    Insecure,
}

/// A connection being edited: free text where people type, closed choices
/// elsewhere. Comparing two drafts tells whether there are unsaved changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConnectionDraft {
    /// Name text.
    pub name: String,
    /// URL text.
    pub url: String,
    /// Database text.
    pub database: String,
    /// Login text.
    pub login: String,
    /// Secret kind.
    pub auth: AuthKind,
    /// Protocol choice.
    pub protocol: Protocol,
    /// TLS choice.
    pub tls: TlsChoice,
    /// Fingerprint text, used when `tls` is [`TlsChoice::Pinned`].
    pub fingerprint: String,
    /// Environment choice.
    pub environment: Environment,
    /// Comma-separated tags.
    pub tags: String,
    /// Notes.
    pub notes: String,
    /// Timeout text in seconds.
    pub timeout_secs: String,
}

/// A form field, for attaching an error to the right place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Name.
    Name,
    /// Server URL.
    Url,
    /// Database.
    Database,
    /// Login.
    Login,
    /// Certificate fingerprint.
    Fingerprint,
    /// Tags.
    Tags,
    /// Timeout.
    Timeout,
}

impl Field {
    /// The label of the field in the window and in messages.
    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::Url => "Server URL",
            Field::Database => "Database",
            Field::Login => "Login",
            Field::Fingerprint => "Certificate fingerprint",
            Field::Tags => "Tags",
            Field::Timeout => "Timeout",
        }
    }
}

/// One refused field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Which field.
    pub field: Field,
    /// What to change.
    pub message: String,
}

/// Every refused field of a draft, in form order.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// The message for `field`, if it was refused.
    pub fn get(&self, field: Field) -> Option<&str> {
        self.0
            .iter()
            .find(|error| error.field == field)
            .map(|error| error.message.as_str())
    }

    /// Records the error of a parsed `field`, if any.
    fn note<T>(&mut self, field: Field, parsed: &Result<T, ValueError>) {
        if let Err(error) = parsed {
            self.push(field, error.to_string());
        }
    }

    /// Adds an error for `field`.
    pub fn push(&mut self, field: Field, message: impl Into<String>) {
        self.0.push(FieldError {
            field,
            message: message.into(),
        });
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self
            .0
            .iter()
            .map(|error| format!("{}: {}", error.field.label(), error.message))
            .collect();
        f.write_str(&lines.join("\n"))
    }
}

impl ConnectionDraft {
    /// A draft for a new connection with the default choices filled in.
    pub fn new() -> Self {
        Self {
            timeout_secs: TimeoutSecs::DEFAULT.to_string(),
            ..Self::default()
        }
    }

    /// The draft that shows `connection` unchanged.
    pub fn from_connection(connection: &Connection) -> Self {
        let (tls, fingerprint) = match connection.tls {
            TlsMode::System => (TlsChoice::System, String::new()),
            TlsMode::Pinned { sha256 } => (TlsChoice::Pinned, sha256.to_string()),
            TlsMode::Insecure => (TlsChoice::Insecure, String::new()),
        };
        let tags: Vec<&str> = connection.tags.iter().map(Tag::as_str).collect();
        Self {
            name: connection.name.to_string(),
            url: connection.url.to_string(),
            database: connection.database.to_string(),
            login: connection.login.to_string(),
            auth: connection.auth,
            protocol: connection.protocol,
            tls,
            fingerprint,
            environment: connection.environment,
            tags: tags.join(", "),
            notes: connection.notes.clone(),
            timeout_secs: connection.timeout_secs.to_string(),
        }
    }

    /// Checks every field; returns all problems at once.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        self.build(ConnectionId::random(), Map::new()).map(drop)
    }

    /// Builds the connection with the given identity and preserved unknown keys.
    pub fn build(
        &self,
        id: ConnectionId,
        extra: Map<String, serde_json::Value>,
    ) -> Result<Connection, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = self.name.parse::<ConnectionName>();
        let url = self.url.parse::<ServerUrl>();
        let database = self.database.parse::<DatabaseName>();
        let login = self.login.parse::<Login>();
        let tls = match self.tls {
            TlsChoice::System => Ok(TlsMode::System),
            TlsChoice::Insecure => Ok(TlsMode::Insecure),
            TlsChoice::Pinned => self
                .fingerprint
                .parse::<Fingerprint>()
                .map(|sha256| TlsMode::Pinned { sha256 }),
        };
        let tags = Tag::parse_list(&self.tags);
        let timeout = self.timeout_secs.parse::<TimeoutSecs>();
        errors.note(Field::Name, &name);
        errors.note(Field::Url, &url);
        errors.note(Field::Database, &database);
        errors.note(Field::Login, &login);
        errors.note(Field::Fingerprint, &tls);
        errors.note(Field::Tags, &tags);
        errors.note(Field::Timeout, &timeout);
        let certificate_settings =
            self.tls == TlsChoice::Insecure || matches!(tls, Ok(TlsMode::Pinned { .. }));
        if certificate_settings
            && let Ok(url) = &url
            && !url.is_https()
        {
            errors.push(
                Field::Url,
                "certificate settings apply to https:// URLs only; use https:// or choose system CAs",
            );
        }
        match (name, url, database, login, tls, tags, timeout) {
            (Ok(name), Ok(url), Ok(database), Ok(login), Ok(tls), Ok(tags), Ok(timeout_secs))
                if errors.0.is_empty() =>
            {
                Ok(Connection {
                    id,
                    name,
                    url,
                    database,
                    login,
                    auth: self.auth,
                    protocol: self.protocol,
                    tls,
                    environment: self.environment,
                    tags,
                    notes: self.notes.trim().to_owned(),
                    timeout_secs,
                    keyring_account: None,
                    extra,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> ConnectionDraft {
        ConnectionDraft {
            name: "acme".into(),
            url: "https://erp.acme.example".into(),
            database: "acme".into(),
            login: "admin".into(),
            ..ConnectionDraft::new()
        }
    }

    #[test]
    fn a_filled_draft_builds_and_round_trips() {
        let connection = filled().build(ConnectionId::random(), Map::new()).unwrap();
        assert_eq!(ConnectionDraft::from_connection(&connection), filled());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let draft = ConnectionDraft {
            timeout_secs: "0".into(),
            tls: TlsChoice::Pinned,
            ..ConnectionDraft::new()
        };
        let errors = draft.validate().unwrap_err();
        for field in [
            Field::Name,
            Field::Url,
            Field::Database,
            Field::Login,
            Field::Fingerprint,
            Field::Timeout,
        ] {
            assert!(errors.get(field).is_some(), "{field:?} in {errors}");
        }
        assert!(
            errors
                .to_string()
                .contains("Server URL: a server URL is required")
        );
    }

    #[test]
    fn certificate_settings_need_https() {
        let draft = ConnectionDraft {
            url: "http://erp.acme.example".into(),
            tls: TlsChoice::Insecure,
            ..filled()
        };
        assert!(draft.validate().unwrap_err().get(Field::Url).is_some());
    }
}
