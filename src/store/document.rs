//! The parsed connections file: schema version, connections in order, and
//! unknown top-level keys kept as they were. A key repeated in any object is
//! an error; a file from a newer schema is read as far as this version
//! understands it, and marked so that it is never written.

use std::collections::HashSet;
use std::fmt;

use serde_json::{Map, Value, error::Category};

use crate::model::{Connection, ConnectionId};
use crate::strict_json;

use super::StoreError;

/// The file format this version writes and reads.
pub const SCHEMA_VERSION: u64 = 1;

/// Every saved connection.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConnectionsDocument {
    connections: Vec<Connection>,
    extra: Map<String, Value>,
    /// The schema of a file written by a newer version (`None`: ours).
    newer_schema: Option<u64>,
}

/// Why a file is not a readable connections file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A key appears twice in one object (serde_json would keep the last).
    RepeatedKey {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Which key.
        detail: String,
    },
    /// Not JSON at all.
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        detail: String,
    },
    /// A newer odoo-connections wrote it, in a shape this one cannot read.
    NewerSchema {
        /// Its schema.
        schema: u64,
        /// What this version could not read.
        detail: String,
    },
    /// JSON, but not shaped like a connections file.
    Shape(String),
    /// The dict-of-connections format of the odoo-claude-mcp desktop tools,
    /// or the server's list format.
    ForeignFormat,
    /// One connection entry is invalid.
    Entry {
        /// 0-based position.
        index: usize,
        /// Its name, when readable.
        name: Option<String>,
        /// What is wrong.
        detail: String,
    },
    /// Two entries share a name or an id.
    Duplicate(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Syntax {
                line,
                column,
                detail,
            } => write!(f, "invalid JSON at line {line}, column {column}: {detail}"),
            Problem::RepeatedKey {
                line,
                column,
                detail,
            } => write!(f, "at line {line}, column {column}: {detail}"),
            Problem::NewerSchema { schema, detail } => write!(
                f,
                "it was written by a newer version of odoo-connections (schema {schema}; this version reads schema {SCHEMA_VERSION}), and this version cannot read it ({detail}); upgrade odoo-connections"
            ),
            Problem::Shape(detail) => write!(f, "{detail}"),
            Problem::ForeignFormat => {
                write!(f, "it is an odoo-claude-mcp connections file, not ours")
            }
            Problem::Entry {
                index,
                name: Some(name),
                detail,
            } => write!(f, "connection #{} ({name:?}): {detail}", index + 1),
            Problem::Entry {
                index,
                name: None,
                detail,
            } => write!(f, "connection #{}: {detail}", index + 1),
            Problem::Duplicate(what) => write!(f, "{what} appears twice"),
        }
    }
}

impl Problem {
    /// False for a file that a newer version wrote: it is not damaged, so
    /// it stays where it is (and unchanged) for that version.
    pub fn may_set_aside(&self) -> bool {
        !matches!(self, Problem::NewerSchema { .. })
    }

    /// Extra advice for problems that have an obvious next step.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Problem::ForeignFormat => Some(
                "Bring its connections in (secrets go to the keyring) with `odoo-connections import FILE`",
            ),
            _ => None,
        }
    }
}

impl ConnectionsDocument {
    /// Parses file contents.
    pub fn parse(bytes: &[u8]) -> Result<Self, Problem> {
        let value = strict_json::parse(bytes).map_err(|err| {
            let (line, column, detail) =
                (err.line(), err.column(), strip_position(&err.to_string()));
            match err.classify() {
                Category::Data => Problem::RepeatedKey {
                    line,
                    column,
                    detail,
                },
                _ => Problem::Syntax {
                    line,
                    column,
                    detail,
                },
            }
        })?;
        let mut top = match value {
            Value::Object(top) => top,
            Value::Array(_) => return Err(Problem::ForeignFormat),
            _ => return Err(Problem::Shape("the file must hold a JSON object".into())),
        };
        let schema = match top.remove("schema") {
            Some(Value::Number(number)) => number
                .as_u64()
                .ok_or_else(|| Problem::Shape("\"schema\" must be a whole number".into()))?,
            Some(_) => return Err(Problem::Shape("\"schema\" must be a whole number".into())),
            None if top.values().all(Value::is_object) && !top.is_empty() => {
                return Err(Problem::ForeignFormat);
            }
            None => return Err(Problem::Shape("the \"schema\" key is missing".into())),
        };
        if schema == 0 {
            return Err(Problem::Shape("\"schema\" must be at least 1".into()));
        }
        let newer_schema = (schema > SCHEMA_VERSION).then_some(schema);
        match Self::parse_body(top) {
            Ok(document) => Ok(Self {
                newer_schema,
                ..document
            }),
            Err(problem) => Err(match newer_schema {
                Some(schema) => Problem::NewerSchema {
                    schema,
                    detail: problem.to_string(),
                },
                None => problem,
            }),
        }
    }

    /// The connections and unknown keys, once `schema` was taken out.
    fn parse_body(mut top: Map<String, Value>) -> Result<Self, Problem> {
        let entries = match top.remove("connections") {
            Some(Value::Array(entries)) => entries,
            None => Vec::new(),
            Some(_) => {
                return Err(Problem::Shape("\"connections\" must be a list".into()));
            }
        };
        let mut document = Self {
            connections: Vec::with_capacity(entries.len()),
            extra: top,
            newer_schema: None,
        };
        let mut names = HashSet::with_capacity(entries.len());
        let mut ids = HashSet::with_capacity(entries.len());
        for (index, entry) in entries.into_iter().enumerate() {
            let name = entry.get("name").and_then(Value::as_str).map(str::to_owned);
            let connection: Connection =
                serde_json::from_value(entry).map_err(|err| Problem::Entry {
                    index,
                    name,
                    detail: err.to_string(),
                })?;
            if !names.insert(connection.name.as_str().to_lowercase()) {
                return Err(Problem::Duplicate(format!(
                    "the name {:?}",
                    connection.name.as_str()
                )));
            }
            if !ids.insert(connection.id) {
                return Err(Problem::Duplicate(format!("the id {}", connection.id)));
            }
            document.connections.push(connection);
        }
        Ok(document)
    }

    /// The schema of the file when a newer version of odoo-connections
    /// wrote it: then it must not be written by this one.
    pub fn newer_schema(&self) -> Option<u64> {
        self.newer_schema
    }

    /// The file contents for this document (pretty JSON, newline-terminated).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut top = Map::new();
        top.insert("schema".into(), SCHEMA_VERSION.into());
        let connections = serde_json::to_value(&self.connections).unwrap_or_default();
        top.insert("connections".into(), connections);
        for (key, value) in &self.extra {
            top.entry(key.clone()).or_insert_with(|| value.clone());
        }
        let mut bytes = serde_json::to_vec_pretty(&Value::Object(top)).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// Every connection, in saved order.
    pub fn connections(&self) -> &[Connection] {
        &self.connections
    }

    /// The connection named `name` (ignoring case).
    pub fn find(&self, name: &str) -> Option<&Connection> {
        self.connections
            .iter()
            .find(|connection| connection.name.same_as(name))
    }

    /// Like [`find`](Self::find), but a missing name is an error that says
    /// how to list the names.
    pub fn get(&self, name: &str) -> Result<&Connection, StoreError> {
        self.find(name)
            .ok_or_else(|| StoreError::NotFound(name.trim().to_owned()))
    }

    /// The connection with this id.
    pub fn by_id(&self, id: ConnectionId) -> Option<&Connection> {
        self.connections
            .iter()
            .find(|connection| connection.id == id)
    }

    /// Adds a connection whose name is not taken.
    pub fn insert(&mut self, connection: Connection) -> Result<(), StoreError> {
        self.check_name_free(connection.name.as_str(), None)?;
        self.connections.push(connection);
        Ok(())
    }

    /// Replaces the connection with the same id (its name may change, but
    /// not to one that another connection uses).
    pub fn replace(&mut self, connection: Connection) -> Result<(), StoreError> {
        self.check_name_free(connection.name.as_str(), Some(connection.id))?;
        let slot = self
            .connections
            .iter_mut()
            .find(|existing| existing.id == connection.id)
            .ok_or_else(|| StoreError::NotFound(connection.name.to_string()))?;
        *slot = connection;
        Ok(())
    }

    /// Removes and returns the connection named `name`.
    pub fn remove(&mut self, name: &str) -> Result<Connection, StoreError> {
        let index = self
            .connections
            .iter()
            .position(|connection| connection.name.same_as(name))
            .ok_or_else(|| StoreError::NotFound(name.trim().to_owned()))?;
        Ok(self.connections.remove(index))
    }

    /// Fails when `name` is used by a connection other than `except`.
    pub fn check_name_free(
        &self,
        name: &str,
        except: Option<ConnectionId>,
    ) -> Result<(), StoreError> {
        match self.find(name) {
            Some(other) if Some(other.id) != except => {
                Err(StoreError::NameTaken(other.name.to_string()))
            }
            _ => Ok(()),
        }
    }
}

/// serde_json appends " at line L column C"; we report those separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
      "schema": 1,
      "written_by_the_future": [1, 2],
      "connections": [
        {"id": "0b6a3c4e-95f4-4a8e-9d43-1b6f0c1f7a10", "name": "acme",
         "url": "https://erp.acme.example", "database": "acme", "login": "admin",
         "colour": "teal"}
      ]
    }"#;

    #[test]
    fn unknown_keys_survive_a_round_trip() {
        let document = ConnectionsDocument::parse(SAMPLE.as_bytes()).unwrap();
        let again = ConnectionsDocument::parse(&document.to_bytes()).unwrap();
        assert_eq!(again, document);
        let text = String::from_utf8(document.to_bytes()).unwrap();
        assert!(text.contains("written_by_the_future") && text.contains("\"colour\": \"teal\""));
    }

    #[test]
    fn unknown_numbers_keep_their_value_across_saves() {
        // Found by fuzz/store_parser: without exact float parsing this number
        // came back as a neighbouring float, so every save changed it.
        let text = r#"{"schema": 1, "n": 11111111111000000000000000000000000000000001267219384,
            "connections": [{"id": "0b6a3c4e-95f4-4a8e-9d43-1b6f0c1f7a10", "name": "acme",
            "url": "https://erp.acme.example", "database": "acme", "login": "admin", "x": 0.1e-300}]}"#;
        let document = ConnectionsDocument::parse(text.as_bytes()).unwrap();
        let saved = ConnectionsDocument::parse(&document.to_bytes()).unwrap();
        assert_eq!(saved, document);
        assert_eq!(saved.to_bytes(), document.to_bytes());
    }

    #[test]
    fn problems_are_named_precisely() {
        let cases: &[(&str, &str)] = &[
            (
                "{\n  \"schema\": 1,\n  oops",
                "invalid JSON at line 3, column 3",
            ),
            (
                r#"{"schema": 9, "connections": {"acme": {}}}"#,
                "written by a newer version of odoo-connections (schema 9",
            ),
            (
                "{\"schema\": 1,\n \"connections\": [{\"name\": \"a\", \"name\": \"b\"}]}",
                "at line 2, column 37: the key \"name\" appears twice",
            ),
            (
                "{\"schema\": 1, \"schema\": 2}",
                "at line 1, column 22: the key \"schema\" appears twice",
            ),
            (r#"{"acme": {"url": "x", "db": "d"}}"#, "odoo-claude-mcp"),
            (r#"[{"alias": "x"}]"#, "odoo-claude-mcp"),
            (r#"{"connections": []}"#, "\"schema\" key is missing"),
            (
                r#"{"schema": 1, "connections": [{"name": "n", "id": "0b6a3c4e-95f4-4a8e-9d43-1b6f0c1f7a10", "url": "ftp://x", "database": "d", "login": "l"}]}"#,
                "connection #1 (\"n\"): the URL must start with https://",
            ),
        ];
        for (text, expected) in cases {
            let problem = ConnectionsDocument::parse(text.as_bytes()).unwrap_err();
            assert!(
                problem.to_string().contains(expected),
                "{problem} ∌ {expected}"
            );
        }
    }

    #[test]
    fn a_newer_schema_is_read_as_far_as_understood_and_marked() {
        let newer = SAMPLE.replace("\"schema\": 1", "\"schema\": 2");
        let document = ConnectionsDocument::parse(newer.as_bytes()).unwrap();
        assert_eq!(document.newer_schema(), Some(2));
        assert_eq!(document.connections()[0].name.as_str(), "acme");
        let ours = ConnectionsDocument::parse(SAMPLE.as_bytes()).unwrap();
        assert_eq!(ours.newer_schema(), None);
    }

    #[test]
    fn names_stay_unique_ignoring_case() {
        let mut document = ConnectionsDocument::parse(SAMPLE.as_bytes()).unwrap();
        let mut copy = document.connections()[0].clone();
        copy.id = ConnectionId::random();
        copy.name = "ACME".parse().unwrap();
        assert!(matches!(
            document.insert(copy.clone()),
            Err(StoreError::NameTaken(_))
        ));
        copy.name = "acme-2".parse().unwrap();
        document.insert(copy).unwrap();
        let mut renamed = document.get("acme-2").unwrap().clone();
        renamed.name = "Acme".parse().unwrap();
        assert!(matches!(
            document.replace(renamed),
            Err(StoreError::NameTaken(_))
        ));
        assert!(matches!(
            document.remove("nope"),
            Err(StoreError::NotFound(_))
        ));
    }
}
