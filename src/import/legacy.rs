//! Parsing the odoo-claude-mcp connection files: the desktop dict keyed by
//! name (`user`/`api_key`, optional `web` or legacy `web_session`), and the
//! server list (`alias`/`username`, bare or under `"connections"`).
//! A key repeated in any object refuses the whole file (line and column);
//! entries that share a name are all skipped, never guessed between.

use std::collections::HashMap;

use serde_json::{Map, Value, error::Category};

use crate::model::{AuthKind, ConnectionDraft, Protocol, SecretString, TlsChoice};

/// Which file shape was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportSource {
    /// `{"name": {"url", "db", "user", "api_key", …}}` (Qt/GTK/CLI tools).
    DesktopDict,
    /// `[{"alias", "url", "db", "username", …}]` (the MCP server).
    ServerList,
}

/// One entry of the file: ready to import (settings + secret) or the reason
/// it cannot be, plus warnings worth telling.
#[derive(Debug)]
pub struct ImportItem {
    /// The entry's name, or its position when it has none.
    pub label: String,
    /// Settings and secret, or why the entry is skipped.
    pub entry: Result<(ConnectionDraft, SecretString), String>,
    /// Notes for the person (insecure TLS, dropped secret fields…).
    pub warnings: Vec<String>,
}

/// Why a whole file cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// Not JSON.
    #[error("the file is not JSON (line {line}, column {column}): {detail}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Parser message.
        detail: String,
    },
    /// A key appears twice in one object, so one of its values would be lost.
    #[error(
        "the file repeats a key (line {line}, column {column}): {detail}; remove or rename one of them and import again (nothing was imported)"
    )]
    RepeatedKey {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Which key.
        detail: String,
    },
    /// JSON, but neither known shape.
    #[error(
        "the file is not an odoo-claude-mcp connections file (expected an object of connections keyed by name, or a list of connections with \"alias\")"
    )]
    UnknownShape,
}

/// Parses a file's bytes into import items.
pub fn parse(bytes: &[u8]) -> Result<(ImportSource, Vec<ImportItem>), ParseError> {
    let value = crate::strict_json::parse(bytes).map_err(|err| {
        let (line, column, detail) = (err.line(), err.column(), err.to_string());
        match err.classify() {
            Category::Data => ParseError::RepeatedKey {
                line,
                column,
                detail: detail
                    .split(" at line ")
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            },
            _ => ParseError::Syntax {
                line,
                column,
                detail,
            },
        }
    })?;
    let (source, items) = shaped_items(value)?;
    Ok((source, skip_shared_names(items)))
}

fn shaped_items(value: Value) -> Result<(ImportSource, Vec<ImportItem>), ParseError> {
    match value {
        Value::Array(list) => Ok((ImportSource::ServerList, server_items(list))),
        Value::Object(mut top) => match top.remove("connections") {
            Some(Value::Array(list)) => Ok((ImportSource::ServerList, server_items(list))),
            Some(_) => Err(ParseError::UnknownShape),
            None if !top.is_empty() && top.values().all(Value::is_object) => {
                let items = top
                    .into_iter()
                    .flat_map(|(name, entry)| desktop_items(name, entry))
                    .collect();
                Ok((ImportSource::DesktopDict, items))
            }
            None => Err(ParseError::UnknownShape),
        },
        _ => Err(ParseError::UnknownShape),
    }
}

/// Entries whose names match (ignoring case) are all skipped: which one
/// is meant cannot be told, so none is imported over the others.
fn skip_shared_names(mut items: Vec<ImportItem>) -> Vec<ImportItem> {
    let key = |item: &ImportItem| {
        item.entry
            .as_ref()
            .ok()
            .map(|(draft, _)| draft.name.trim().to_lowercase())
    };
    let mut uses: HashMap<String, usize> = HashMap::new();
    for name in items.iter().filter_map(key) {
        *uses.entry(name).or_default() += 1;
    }
    for item in &mut items {
        if let Some(count) = key(item).and_then(|name| uses.get(&name).copied())
            && count > 1
        {
            item.entry = Err(format!(
                "{count} entries of this file are named {:?} (ignoring case); none of them was imported — give each its own name and import again",
                item.label
            ));
        }
    }
    items
}

fn text(entry: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter()
        .filter_map(|key| entry.get(*key).and_then(Value::as_str))
        .map(str::trim)
        .find(|value| !value.is_empty())
        .map(str::to_owned)
}

fn server_items(list: Vec<Value>) -> Vec<ImportItem> {
    list.into_iter()
        .enumerate()
        .map(|(index, entry)| match entry {
            Value::Object(entry) => {
                let name = text(&entry, &["alias", "name"]);
                let label = name
                    .clone()
                    .unwrap_or_else(|| format!("entry #{}", index + 1));
                main_item(label, name, &entry)
            }
            _ => ImportItem {
                label: format!("entry #{}", index + 1),
                entry: Err("not a JSON object".into()),
                warnings: Vec::new(),
            },
        })
        .collect()
}

/// A desktop entry gives its main connection and, when its web-session
/// section has a password of its own, a second `<name>-web` connection.
fn desktop_items(name: String, entry: Value) -> Vec<ImportItem> {
    let Value::Object(entry) = entry else {
        return Vec::new();
    };
    let mut items = vec![main_item(name.clone(), Some(name.clone()), &entry)];
    let web = ["web", "web_session"]
        .iter()
        .find_map(|key| entry.get(*key).and_then(Value::as_object));
    if let Some(web) = web
        && let Some(password) = text(web, &["password"])
    {
        let main_has_secret = text(&entry, &["api_key", "apikey", "password"]).is_some();
        if main_has_secret {
            let web_name = format!("{name}-web");
            let mut draft = base_draft(&web_name, &entry);
            draft.url = text(web, &["url"])
                .filter(|url| url.trim_end_matches(':') != "https")
                .unwrap_or(draft.url);
            draft.database = text(web, &["db"]).unwrap_or(draft.database);
            draft.login = text(web, &["login"]).unwrap_or(draft.login);
            draft.auth = AuthKind::Password;
            items.push(ImportItem {
                label: web_name,
                entry: Ok((draft, SecretString::new(password))),
                warnings: Vec::new(),
            });
        }
    }
    items
}

fn base_draft(name: &str, entry: &Map<String, Value>) -> ConnectionDraft {
    let mut draft = ConnectionDraft::new();
    draft.name = name.to_owned();
    draft.url = text(entry, &["url"]).unwrap_or_default();
    draft.database = text(entry, &["db", "database"]).unwrap_or_default();
    draft.login = text(entry, &["user", "username", "login"]).unwrap_or_default();
    draft.protocol = match text(entry, &["protocol"]).as_deref() {
        Some("jsonrpc") => Protocol::Jsonrpc,
        Some("xmlrpc") => Protocol::Xmlrpc,
        Some("json2") => Protocol::Json2,
        _ => Protocol::Auto,
    };
    if entry.get("verify_ssl") == Some(&Value::Bool(false)) {
        draft.tls = TlsChoice::Insecure;
    }
    draft
}

fn main_item(label: String, name: Option<String>, entry: &Map<String, Value>) -> ImportItem {
    let mut warnings = dropped_secret_fields(&label, entry);
    let Some(name) = name else {
        return ImportItem {
            label,
            entry: Err("it has no name (\"alias\")".into()),
            warnings,
        };
    };
    let mut draft = base_draft(&name, entry);
    let web = ["web", "web_session"]
        .iter()
        .find_map(|key| entry.get(*key).and_then(Value::as_object));
    let secret = if let Some(key) = text(entry, &["api_key", "apikey"]) {
        draft.auth = AuthKind::ApiKey;
        Some(key)
    } else if let Some(password) = text(entry, &["password"]) {
        draft.auth = AuthKind::Password;
        Some(password)
    } else if let Some(web) = web
        && let Some(password) = text(web, &["password"])
    {
        draft.auth = AuthKind::Password;
        draft.login = text(web, &["login"]).unwrap_or(draft.login);
        Some(password)
    } else {
        None
    };
    if draft.tls == TlsChoice::Insecure {
        warnings.push(format!(
            "{name}: certificate checks were off (verify_ssl false); it is imported as insecure — pin its certificate instead"
        ));
    }
    let entry = match secret {
        Some(secret) => Ok((draft, SecretString::new(secret))),
        None => Err("it has no api_key or password to put in the keyring".into()),
    };
    ImportItem {
        label,
        entry,
        warnings,
    }
}

/// Secrets of sections odoo-connections does not manage (Portainer token,
/// SSH password, MCP sync token) are not imported anywhere: say so.
fn dropped_secret_fields(label: &str, entry: &Map<String, Value>) -> Vec<String> {
    let mut dropped = Vec::new();
    for (section, value) in entry {
        if let Value::Object(fields) = value
            && !matches!(section.as_str(), "web" | "web_session")
        {
            for key in fields.keys() {
                if ["password", "token", "secret", "api_key"]
                    .iter()
                    .any(|marker| key.to_lowercase().contains(marker))
                {
                    dropped.push(format!("{section}.{key}"));
                }
            }
        }
    }
    if dropped.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "{label}: not imported (odoo-connections keeps Odoo secrets only): {}",
            dropped.join(", ")
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desktop_dict_with_web_session_gives_two_connections() {
        let file = br#"{"acme": {"url": "https://erp.acme.example/", "db": "acme", "user": "bot",
            "api_key": "k-1", "verify_ssl": false,
            "web_session": {"url": "https:", "db": "acme", "login": "bot@acme", "password": "pw"},
            "portainer": {"url": "http://p", "token": "ptr_x"}}}"#;
        let (source, items) = parse(file).unwrap();
        assert_eq!(source, ImportSource::DesktopDict);
        assert_eq!(items.len(), 2);
        let (main, key) = items[0].entry.as_ref().unwrap();
        assert_eq!(
            (main.login.as_str(), main.auth, key.expose()),
            ("bot", AuthKind::ApiKey, "k-1")
        );
        assert_eq!(main.tls, TlsChoice::Insecure);
        let warnings = items[0].warnings.join("\n");
        assert!(
            warnings.contains("portainer.token") && warnings.contains("insecure"),
            "{warnings}"
        );
        let (web, password) = items[1].entry.as_ref().unwrap();
        assert_eq!(web.name, "acme-web");
        assert_eq!(
            web.url, "https://erp.acme.example/",
            "the broken \"https:\" default falls back"
        );
        assert_eq!(
            (web.login.as_str(), web.auth, password.expose()),
            ("bot@acme", AuthKind::Password, "pw")
        );
    }

    #[test]
    fn server_list_uses_alias_and_username_and_skips_entries_without_secret() {
        let file = br#"{"connections": [
            {"alias": "prod", "url": "https://x", "db": "d", "username": "admin", "protocol": "jsonrpc", "password": "p"},
            {"alias": "nosecret", "url": "https://y", "db": "d", "username": "admin"},
            {"url": "https://z"}]}"#;
        let (source, items) = parse(file).unwrap();
        assert_eq!(source, ImportSource::ServerList);
        let (prod, _) = items[0].entry.as_ref().unwrap();
        assert_eq!(
            (prod.protocol, prod.auth),
            (Protocol::Jsonrpc, AuthKind::Password)
        );
        assert!(
            items[1]
                .entry
                .as_ref()
                .unwrap_err()
                .contains("no api_key or password")
        );
        assert_eq!(items[2].label, "entry #3");
    }

    #[test]
    fn a_repeated_key_refuses_the_file_and_shared_names_skip_every_entry() {
        let repeated =
            b"{\"acme\": {\"url\": \"https://a\"},\n \"acme\": {\"url\": \"https://b\"}}";
        let error = parse(repeated).unwrap_err();
        assert!(
            matches!(error, ParseError::RepeatedKey { line: 2, .. }),
            "{error}"
        );
        assert!(
            error.to_string().contains("\"acme\" appears twice"),
            "{error}"
        );
        let shared = br#"[{"alias": "prod", "url": "https://a", "db": "d", "username": "u", "password": "p"},
            {"alias": "other", "url": "https://b", "db": "d", "username": "u", "password": "p"},
            {"alias": "PROD", "url": "https://c", "db": "d", "username": "u", "password": "p"}]"#;
        let (_, items) = parse(shared).unwrap();
        let reasons: Vec<_> = items.iter().map(|item| item.entry.as_ref().err()).collect();
        assert!(
            reasons[0]
                .unwrap()
                .contains("2 entries of this file are named \"prod\"")
        );
        assert!(reasons[1].is_none());
        assert!(reasons[2].unwrap().contains("named \"PROD\""));
    }

    #[test]
    fn other_shapes_are_refused_with_a_reason() {
        assert!(matches!(
            parse(b"{oops"),
            Err(ParseError::Syntax { line: 1, .. })
        ));
        assert!(matches!(
            parse(b"{\"schema\": 1}"),
            Err(ParseError::UnknownShape)
        ));
        assert!(matches!(parse(b"3"), Err(ParseError::UnknownShape)));
    }
}
