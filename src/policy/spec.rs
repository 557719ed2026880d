//! The policy file format (PolicyLayer's JSON shape plus documented
//! extensions), parsed strictly: anything but an object, a repeated key,
//! unknown keys, an unknown version, a tool name that no MCP server could
//! offer, a glob as specific as another it overlaps, a bad argument
//! condition, `max` below 1 or a repeated counter are errors with line and
//! column.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, de::Error as _};

use crate::model::Environment;

use super::condition::Condition;
use super::pattern::ToolPattern;

/// This program's own MCP tools. The policy may name any other tool too
/// (the tools of a server behind `gateway`).
pub const BUILT_IN_TOOLS: [&str; 3] = [
    "open_connection_manager",
    "list_connections",
    "test_connection",
];

/// A whole policy file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// Schema version; only `"1"` exists.
    pub version: Version,
    /// What happens to a tool that is not listed under `tools`.
    pub default: DefaultAction,
    /// Per-tool rules, by tool name or glob.
    #[serde(default)]
    pub tools: ToolRules,
    /// Tools left out of the gateway's `tools/list` and refused when called,
    /// whatever `tools` says; globs allowed, `"*"` hides every tool.
    #[serde(default)]
    pub hide: Vec<ToolPattern>,
    /// Rules for every call of every tool (only `limits`).
    #[serde(default)]
    pub all_tools: AllTools,
}

/// `all_tools`: limits every allowed call counts against, whatever tool.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllTools {
    /// Rolling-window limits over all tools together.
    #[serde(default)]
    pub limits: Limits,
}

/// The `tools` entries, most specific first: exact names, then globs by
/// falling number of literal characters. Two globs with as many literal
/// characters that could match the same name are refused, so the order is
/// never a matter of chance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ToolRules(pub Vec<(ToolPattern, ToolSpec)>);

impl<'de> Deserialize<'de> for ToolRules {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let entries = BTreeMap::<ToolPattern, ToolSpec>::deserialize(deserializer)?;
        let mut entries: Vec<(ToolPattern, ToolSpec)> = entries.into_iter().collect();
        entries.sort_by(|(a, _), (b, _)| b.specificity().cmp(&a.specificity()).then(a.cmp(b)));
        for (index, (pattern, _)) in entries.iter().enumerate() {
            let tie = entries[..index].iter().find(|(earlier, _)| {
                pattern.is_glob()
                    && earlier.specificity() == pattern.specificity()
                    && earlier.overlaps(pattern)
            });
            if let Some((earlier, _)) = tie {
                return Err(D::Error::custom(format!(
                    "the globs {earlier:?} and {pattern:?} are equally specific ({} literal characters) and can match the same tool, so neither would win; add an exact entry for the tools they share, or make one glob longer",
                    pattern.specificity().1
                )));
            }
        }
        Ok(ToolRules(entries))
    }
}

/// The `version` key (always `"1"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version;

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text == "1" {
            Ok(Version)
        } else {
            Err(D::Error::custom(format!(
                "unsupported policy version {text:?}; write \"version\": \"1\""
            )))
        }
    }
}

/// `default`: allow or deny unlisted tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultAction {
    /// Unlisted tools run.
    Allow,
    /// Unlisted tools are refused.
    Deny,
}

/// The name of an MCP tool: ours ([`BUILT_IN_TOOLS`]) or any other
/// server's. Any non-empty text without control characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ToolName(String);

impl ToolName {
    /// Accepts any non-empty name without control characters.
    pub fn new(name: &str) -> Result<Self, String> {
        if name.is_empty() {
            return Err(
                "a tool name cannot be empty; write the tool's name as the MCP server lists it"
                    .into(),
            );
        }
        if let Some(control) = name.chars().find(|c| c.is_control()) {
            return Err(format!(
                "the tool name {name:?} contains the control character {control:?}; write the tool's name as the MCP server lists it"
            ));
        }
        Ok(Self(name.to_owned()))
    }

    /// True for one of this program's own tools ([`BUILT_IN_TOOLS`]).
    pub fn is_built_in(&self) -> bool {
        BUILT_IN_TOOLS.contains(&self.0.as_str())
    }

    /// `open_connection_manager`: open (or focus) the window.
    pub fn open_connection_manager() -> Self {
        Self(BUILT_IN_TOOLS[0].to_owned())
    }

    /// `list_connections`: the saved connections, without secrets.
    pub fn list_connections() -> Self {
        Self(BUILT_IN_TOOLS[1].to_owned())
    }

    /// `test_connection`: test one saved connection.
    pub fn test_connection() -> Self {
        Self(BUILT_IN_TOOLS[2].to_owned())
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ToolName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ToolName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        ToolName::new(&name).map_err(D::Error::custom)
    }
}

/// The rules of one tool. `{}` allows it (under either default).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolSpec {
    /// The entry applies only to calls matching this; other calls fall
    /// through to the next most specific entry, then to `default`.
    #[serde(default)]
    pub when: Option<When>,
    /// Extension: refuse this tool outright (even under `"default": "allow"`).
    #[serde(default)]
    pub deny: bool,
    /// Extension: ask the person in a native confirmation window first.
    #[serde(default)]
    pub require_approval: bool,
    /// Extension: the message shown first in every refusal of this tool.
    #[serde(default)]
    pub on_deny: Option<String>,
    /// Rolling-window limits; every one must have room for a call to run.
    #[serde(default)]
    pub limits: Limits,
    /// Refuse the call when any of these holds for its arguments.
    #[serde(default)]
    pub deny_if: Vec<Condition>,
    /// Refuse the call unless every one of these holds for its arguments.
    #[serde(default)]
    pub require: Vec<Condition>,
}

/// `when`: what a call must be for a tool entry to apply to it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// The environment of the connection the call acts on; a call whose
    /// connection is unknown (`mcp`, `open`) matches no environment.
    #[serde(default)]
    pub environment: Option<Environment>,
    /// Whether the MCP server marks the tool read-only (`readOnlyHint`);
    /// a tool it does not mark, or does not list, is not read-only.
    #[serde(default)]
    pub read_only: Option<bool>,
}

/// The `limits` list; counter names are unique within one tool.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits(pub Vec<LimitSpec>);

impl<'de> Deserialize<'de> for Limits {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let limits = Vec::<LimitSpec>::deserialize(deserializer)?;
        for (index, limit) in limits.iter().enumerate() {
            if limits[..index]
                .iter()
                .any(|earlier| earlier.counter == limit.counter)
            {
                return Err(D::Error::custom(format!(
                    "counter {:?} appears twice in this tool's limits; give each limit its own counter name",
                    limit.counter
                )));
            }
        }
        Ok(Limits(limits))
    }
}

/// One limit: at most `max` calls in any rolling `window`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSpec {
    /// The counter's name (counters belong to their entry: `tool/counter`,
    /// `glob/counter`, or `[all_tools]/counter`).
    pub counter: String,
    /// The rolling window's length.
    pub window: Window,
    /// The most calls allowed in any window (at least 1).
    pub max: Max,
    /// Whose calls are counted; only `grant` (everyone using this policy).
    #[serde(default)]
    pub scope: Scope,
}

/// A window length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// 60 seconds.
    Minute,
    /// 3600 seconds.
    Hour,
    /// 86400 seconds.
    Day,
}

impl Window {
    /// The length in milliseconds.
    pub fn millis(self) -> u64 {
        match self {
            Window::Minute => 60_000,
            Window::Hour => 3_600_000,
            Window::Day => 86_400_000,
        }
    }

    /// `minute`, `hour` or `day`.
    pub fn name(self) -> &'static str {
        match self {
            Window::Minute => "minute",
            Window::Hour => "hour",
            Window::Day => "day",
        }
    }
}

/// `max`, at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Max(u32);

impl Max {
    /// The value.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Max {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = i64::deserialize(deserializer)?;
        match u32::try_from(value) {
            Ok(max) if max >= 1 => Ok(Max(max)),
            _ => Err(D::Error::custom(format!(
                "max must be a whole number from 1 to {}, not {value}; to forbid a tool write \"deny\": true",
                u32::MAX
            ))),
        }
    }
}

/// `scope`: only `grant` exists (one shared counter for this policy).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Every caller of this policy shares the counter.
    #[default]
    Grant,
}

/// A policy file that does not parse, with the place of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line} column {column}: {message}")]
pub struct SpecError {
    /// 1-based line (0 when the text is not JSON at all).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl PolicySpec {
    /// Parses a policy file's text strictly: it must be one JSON object,
    /// and a key repeated in any object is an error.
    pub fn parse(text: &[u8]) -> Result<Self, SpecError> {
        crate::strict_json::parse_object(text).map_err(SpecError::from_json)?;
        serde_json::from_slice(text).map_err(SpecError::from_json)
    }
}

impl SpecError {
    fn from_json(error: serde_json::Error) -> Self {
        let full = error.to_string();
        let suffix = format!(" at line {} column {}", error.line(), error.column());
        SpecError {
            line: error.line(),
            column: error.column(),
            message: full.strip_suffix(&suffix).unwrap_or(&full).to_owned(),
        }
    }
}
