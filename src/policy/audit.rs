//! The audit log: one JSON line per launcher decision in
//! `<state dir>/audit.jsonl`. It never holds a secret or an argument's
//! value, only who asked for which tool (with the argument names and a
//! SHA-256 of the arguments), what was decided and why. A counted call's line also holds
//! its time and counters (see [`Counting`]), so the counters file can be
//! rebuilt from this log.

use std::io::{BufRead as _, BufReader, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::files::{self, FileError};
use crate::paths::Paths;

use super::arguments::ArgumentsDigest;

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
    /// The call's top-level argument names, sorted (never their values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args_keys: Option<Vec<String>>,
    /// SHA-256 (hex) of the call's arguments as canonical JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args_sha256: Option<String>,
}

impl AuditEntry {
    /// With the argument names and digest of `digest`, if any.
    pub fn with_arguments(mut self, digest: Option<&ArgumentsDigest>) -> Self {
        self.args_keys = digest.map(|digest| digest.keys.clone());
        self.args_sha256 = digest.map(|digest| digest.sha256.clone());
        self
    }
}

/// What a counted call adds to its audit line: the counters it uses, or,
/// with `released`, gives back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counting {
    /// The call's time on the counters' time line.
    pub stamp_ms: u64,
    /// The counter keys (`tool/counter`).
    pub counted: Vec<String>,
    /// The call did not run: its slot was given back.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub released: bool,
}

#[derive(Serialize)]
struct CountedLine<'a> {
    #[serde(flatten)]
    entry: &'a AuditEntry,
    #[serde(flatten)]
    counting: &'a Counting,
}

/// The counted and released calls found in the log from some offset on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountedScan {
    /// In log order.
    pub calls: Vec<Counting>,
    /// The offset just past the last whole line read.
    pub end: u64,
    /// The log was shorter than the offset asked for (it was cut or
    /// replaced), so it was read from the start.
    pub shrank: bool,
}

/// The audit log file of `paths`.
pub fn audit_file(paths: &Paths) -> PathBuf {
    paths.state_dir().join("audit.jsonl")
}

/// Appends one entry (a single `write` of one line, so concurrent writers
/// never interleave within a line).
pub fn append(paths: &Paths, entry: &AuditEntry) -> Result<(), FileError> {
    write_line(paths, serde_json::to_vec(entry).unwrap_or_default())
}

/// Appends one entry of a counted call, with its [`Counting`].
pub fn append_counted(
    paths: &Paths,
    entry: &AuditEntry,
    counting: &Counting,
) -> Result<(), FileError> {
    let line = CountedLine { entry, counting };
    write_line(paths, serde_json::to_vec(&line).unwrap_or_default())
}

/// The counted and released calls from byte `offset` on (from the start
/// when the log is shorter than that).
pub fn scan_counted(paths: &Paths, offset: u64) -> Result<CountedScan, FileError> {
    let path = audit_file(paths);
    let Some((mut file, length)) = open_for_reading(&path)? else {
        return Ok(CountedScan {
            shrank: offset > 0,
            ..CountedScan::default()
        });
    };
    let read_error = |source| FileError::io("could not read", &path, source);
    let shrank = length < offset;
    let start = if shrank { 0 } else { offset };
    file.seek(SeekFrom::Start(start)).map_err(read_error)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(read_error)?;
    let whole = bytes
        .iter()
        .rposition(|&byte| byte == b'\n')
        .map_or(0, |end| end + 1);
    let calls = bytes[..whole]
        .split(|&byte| byte == b'\n')
        .filter_map(|line| serde_json::from_slice::<Counting>(line).ok())
        .collect();
    Ok(CountedScan {
        calls,
        end: start + whole as u64,
        shrank,
    })
}

/// The log and its length; `None` when it does not exist. Anything but a
/// regular file (a device that never ends, a directory) is an error.
fn open_for_reading(path: &std::path::Path) -> Result<Option<(std::fs::File, u64)>, FileError> {
    let Some(file) = files::open_read_private(path)? else {
        return Ok(None);
    };
    let metadata = file
        .metadata()
        .map_err(|source| FileError::io("could not read", path, source))?;
    Ok(Some((file, metadata.len())))
}

/// Whether a line could be appended now (the log opens for appending;
/// nothing is written), for `policy check`.
pub fn check_writable(paths: &Paths) -> Result<(), FileError> {
    let path = audit_file(paths);
    files::open_append_private(&path).map(drop)
}

fn write_line(paths: &Paths, mut line: Vec<u8>) -> Result<(), FileError> {
    let path = audit_file(paths);
    line.push(b'\n');
    files::open_append_private(&path)?
        .write_all(&line)
        .map_err(|source| FileError::io("could not append to", &path, source))
}

/// The last `limit` entries, oldest first. Lines that do not parse (a
/// foreign or truncated line) are skipped.
pub fn read_recent(paths: &Paths, limit: usize) -> Result<Vec<AuditEntry>, FileError> {
    let path = audit_file(paths);
    let Some((file, _)) = open_for_reading(&path)? else {
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
                args_keys: None,
                args_sha256: None,
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
