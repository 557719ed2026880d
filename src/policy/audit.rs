//! The audit log: one JSON line per launcher decision in
//! `<state dir>/audit.jsonl`. It never holds a secret, only who asked for
//! which tool, what was decided and why.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::files::{self, FileError};
use crate::paths::Paths;

/// Who asked for a tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Caller {
    /// The command line (`odoo-connections open`).
    Cli,
    /// An MCP client through `odoo-connections mcp`.
    Mcp,
    /// The desktop menu entry.
    Menu,
    /// An MCP client through `odoo-connections gateway`.
    Gateway,
}

impl Caller {
    /// `cli`, `mcp`, `menu` or `gateway`, as written in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Caller::Cli => "cli",
            Caller::Mcp => "mcp",
            Caller::Menu => "menu",
            Caller::Gateway => "gateway",
        }
    }
}

/// What was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The tool ran.
    Allow,
    /// The tool was refused.
    Deny,
}

/// One audit line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When, in RFC 3339 UTC.
    #[serde(with = "time::serde::rfc3339")]
    pub time: time::OffsetDateTime,
    /// Tool name, e.g. `open_connection_manager`.
    pub tool: String,
    /// Who asked.
    pub caller: Caller,
    /// Allow or deny.
    pub decision: Decision,
    /// The rule that decided (e.g. `tools.open_connection_manager.limits[0]`).
    pub rule: Option<String>,
    /// Human reason, for denials and notable allows.
    pub reason: Option<String>,
    /// For rate-limit denials: seconds until a call would be allowed.
    pub retry_after_secs: Option<u64>,
}

/// The audit log file of `paths`.
pub fn audit_file(paths: &Paths) -> PathBuf {
    paths.state_dir().join("audit.jsonl")
}

/// Appends one entry (a single `write` of one line, so concurrent writers
/// never interleave within a line).
pub fn append(paths: &Paths, entry: &AuditEntry) -> Result<(), FileError> {
    let path = audit_file(paths);
    let mut line = serde_json::to_vec(entry).unwrap_or_default();
    line.push(b'\n');
    files::open_append_private(&path)?
        .write_all(&line)
        .map_err(|source| FileError::io("could not append to", &path, source))
}

/// The last `limit` entries, oldest first. Lines that do not parse (a
/// foreign or truncated line) are skipped.
pub fn read_recent(paths: &Paths, limit: usize) -> Result<Vec<AuditEntry>, FileError> {
    let path = audit_file(paths);
    let Some(file) = files::open_read_private(&path)? else {
        return Ok(Vec::new());
    };
    let mut entries = std::collections::VecDeque::with_capacity(limit);
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|source| FileError::io("could not read", &path, source))?;
        if let Ok(entry) = serde_json::from_str::<AuditEntry>(&line) {
            if entries.len() == limit {
                entries.pop_front();
            }
            entries.push_back(entry);
        }
    }
    Ok(entries.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appended_entries_read_back_newest_last_and_bad_lines_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path().join("c"), dir.path().join("s"));
        for index in 0..5 {
            let entry = AuditEntry {
                time: time::OffsetDateTime::UNIX_EPOCH,
                tool: format!("tool{index}"),
                caller: Caller::Mcp,
                decision: Decision::Deny,
                rule: Some("tools.x.limits[0]".into()),
                reason: None,
                retry_after_secs: Some(3),
            };
            append(&paths, &entry).unwrap();
        }
        std::fs::OpenOptions::new()
            .append(true)
            .open(audit_file(&paths))
            .unwrap()
            .write_all(b"{truncated\n")
            .unwrap();
        let recent = read_recent(&paths, 2).unwrap();
        let tools: Vec<&str> = recent.iter().map(|entry| entry.tool.as_str()).collect();
        assert_eq!(tools, ["tool3", "tool4"]);
        let line = std::fs::read_to_string(audit_file(&paths)).unwrap();
        assert!(line.starts_with("{\"time\":\"1970-01-01T00:00:00Z\",\"tool\":\"tool0\",\"caller\":\"mcp\",\"decision\":\"deny\""));
    }
}
