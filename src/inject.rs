//! The environment `odoo-connections exec` and `gateway` give a child (for
//! example an Odoo MCP server): the connection's settings and secret under
//! the variable names of one [`Profile`]. Only the variables the profile
//! owns are touched; every other inherited variable (`ODOO_YOLO`,
//! `ODOO_LOCALE`, `ODOO_MCP_*`, …) passes through.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use crate::model::{AuthKind, Connection, Protocol, SecretString};

/// Set in the child's environment to the connection name; its presence
/// means we are already inside `exec` or `gateway`.
pub const MARKER_VAR: &str = "ODOO_CONNECTIONS_EXEC";

/// Refusal to nest one `exec` inside another.
#[derive(Debug, thiserror::Error)]
#[error(
    "already running inside `odoo-connections exec {0}`; exit that command first, or unset {MARKER_VAR} if you really mean to nest"
)]
pub struct NestedExec(pub String);

/// Fails when called from inside another `exec`.
pub fn check_not_nested(
    environment: impl IntoIterator<Item = (OsString, OsString)>,
) -> Result<(), NestedExec> {
    match environment.into_iter().find(|(name, _)| name == MARKER_VAR) {
        Some((_, value)) => Err(NestedExec(value.to_string_lossy().into_owned())),
        None => Ok(()),
    }
}

/// Which variable names the child expects (the Odoo MCP servers disagree).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// `ODOO_URL`, `ODOO_DB`, `ODOO_USER`, `ODOO_USERNAME`, and
    /// `ODOO_API_KEY` or `ODOO_PASSWORD` by the connection's secret kind.
    #[default]
    Generic,
    /// ivnvxd's `mcp-server-odoo`: `ODOO_URL`, `ODOO_DB`, `ODOO_USER`, and
    /// `ODOO_API_KEY` or `ODOO_PASSWORD`; `ODOO_RPC_TRANSPORT`.
    McpServerOdoo,
    /// tuanle96's `odoo-mcp`: `ODOO_URL`, `ODOO_DB`, `ODOO_USERNAME` and
    /// `ODOO_PASSWORD` (the API key too); `ODOO_TRANSPORT`.
    OdooMcp,
}

impl Profile {
    /// Every profile, in documentation order.
    pub const ALL: [Profile; 3] = [Profile::Generic, Profile::McpServerOdoo, Profile::OdooMcp];

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Generic => "generic",
            Profile::McpServerOdoo => "mcp-server-odoo",
            Profile::OdooMcp => "odoo-mcp",
        }
    }

    /// The variables this profile owns: inherited values of these are never
    /// passed on, so a stale secret cannot mix with the chosen connection.
    fn owned(self) -> &'static [&'static str] {
        match self {
            Profile::Generic => &[
                "ODOO_URL",
                "ODOO_DB",
                "ODOO_USER",
                "ODOO_USERNAME",
                "ODOO_API_KEY",
                "ODOO_PASSWORD",
            ],
            Profile::McpServerOdoo => &[
                "ODOO_URL",
                "ODOO_DB",
                "ODOO_USER",
                "ODOO_API_KEY",
                "ODOO_PASSWORD",
            ],
            Profile::OdooMcp => &[
                "ODOO_URL",
                "ODOO_DB",
                "ODOO_USERNAME",
                "ODOO_PASSWORD",
                "ODOO_API_KEY",
            ],
        }
    }

    /// True when the child must start in an empty directory: these servers
    /// read settings from files in their working directory
    /// (`mcp-server-odoo` reads `./.env`, `odoo-mcp` `./odoo_config.json`).
    pub fn needs_clean_directory(self) -> bool {
        self != Profile::Generic
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Profile::ALL
            .into_iter()
            .find(|profile| profile.as_str() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = Profile::ALL.iter().map(|p| p.as_str()).collect();
                format!("unknown profile {text:?}; use one of: {}", names.join(", "))
            })
    }
}

/// One `--env NAME=VALUE` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraVariable {
    /// The variable name.
    pub name: String,
    /// Its value.
    pub value: String,
}

impl FromStr for ExtraVariable {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.split_once('=') {
            Some((name, value)) if !name.is_empty() && !name.contains('\0') => Ok(Self {
                name: name.to_owned(),
                value: value.to_owned(),
            }),
            _ => Err(format!(
                "{text:?} is not NAME=VALUE; write e.g. --env ODOO_YOLO=read"
            )),
        }
    }
}

/// What the child's environment gets: variables set, and variables removed.
#[derive(Debug, Clone)]
pub struct ChildEnvironment {
    set: Vec<(String, String)>,
    removed: Vec<&'static str>,
}

impl ChildEnvironment {
    /// The environment for `connection` under `profile`, with `extra`
    /// settings added last (they win over the profile's).
    pub fn new(
        profile: Profile,
        connection: &Connection,
        secret: &SecretString,
        extra: &[ExtraVariable],
    ) -> Self {
        let mut set = profile_variables(profile, connection, secret);
        set.push((MARKER_VAR, connection.name.to_string()));
        let mut set: Vec<(String, String)> = set
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect();
        for variable in extra {
            set.retain(|(name, _)| *name != variable.name);
            set.push((variable.name.clone(), variable.value.clone()));
        }
        let removed = profile
            .owned()
            .iter()
            .copied()
            .filter(|owned| !set.iter().any(|(name, _)| name == owned))
            .collect();
        Self { set, removed }
    }

    /// The names set (for logs; values never are).
    pub fn names(&self) -> Vec<&str> {
        self.set.iter().map(|(name, _)| name.as_str()).collect()
    }

    /// The inherited variables this environment removes.
    pub fn removed(&self) -> &[&'static str] {
        &self.removed
    }

    /// Applies it to `command`.
    pub fn apply(&self, command: &mut Command) {
        for name in &self.removed {
            command.env_remove(name);
        }
        command.envs(self.set.iter().map(|(name, value)| (name, value)));
    }
}

fn profile_variables(
    profile: Profile,
    connection: &Connection,
    secret: &SecretString,
) -> Vec<(&'static str, String)> {
    let url = ("ODOO_URL", connection.url.to_string());
    let database = ("ODOO_DB", connection.database.to_string());
    let login = connection.login.to_string();
    let secret = secret.expose().to_owned();
    let secret_variable = match connection.auth {
        AuthKind::Password => "ODOO_PASSWORD",
        AuthKind::ApiKey => "ODOO_API_KEY",
    };
    let mut variables = match profile {
        Profile::Generic => vec![
            url,
            database,
            ("ODOO_USER", login.clone()),
            ("ODOO_USERNAME", login),
            (secret_variable, secret),
        ],
        // ODOO_USER with an API key too: its ODOO_YOLO mode logs in with it.
        Profile::McpServerOdoo => vec![
            url,
            database,
            ("ODOO_USER", login),
            (secret_variable, secret),
        ],
        // odoo-mcp reads its environment only when all four are set, and
        // takes an API key in ODOO_PASSWORD.
        Profile::OdooMcp => vec![
            url,
            database,
            ("ODOO_USERNAME", login),
            ("ODOO_PASSWORD", secret),
        ],
    };
    let transport = match profile {
        Profile::Generic => None,
        Profile::McpServerOdoo => Some("ODOO_RPC_TRANSPORT"),
        Profile::OdooMcp => Some("ODOO_TRANSPORT"),
    };
    if let (Some(name), Some(value)) = (transport, transport_value(connection.protocol)) {
        variables.push((name, value.to_owned()));
    }
    variables
}

/// The servers speak `xmlrpc` or `json2`; JSON-RPC shares XML-RPC's login,
/// and `auto` leaves the choice (and any inherited setting) to the server.
fn transport_value(protocol: Protocol) -> Option<&'static str> {
    match protocol {
        Protocol::Auto => None,
        Protocol::Xmlrpc | Protocol::Jsonrpc => Some("xmlrpc"),
        Protocol::Json2 => Some("json2"),
    }
}

/// The empty working directory a child starts in (under the state dir), so
/// a `.env` or `odoo_config.json` wherever the client was started is never
/// read. Fails when it cannot be made or is not empty.
pub fn clean_directory(state_dir: &Path) -> Result<PathBuf, String> {
    let dir = state_dir.join("child-cwd");
    crate::files::create_private_dir(&dir).map_err(|error| error.to_string())?;
    let entries: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|error| format!("cannot read {}: {error}", dir.display()))?
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    if entries.is_empty() {
        Ok(dir)
    } else {
        Err(format!(
            "the child's working directory {} should be empty but holds {}; a child MCP server would read them (mcp-server-odoo reads ./.env): remove them and try again",
            dir.display(),
            entries.join(", ")
        ))
    }
}

/// Why the keyring cannot be reached from here, when that is the cause:
/// MCP clients start servers with a minimal environment that lacks
/// `DBUS_SESSION_BUS_ADDRESS`, and without it the Secret Service is found
/// only at `$XDG_RUNTIME_DIR/bus` or `/run/user/$UID/bus`.
pub fn session_bus_hint() -> Option<String> {
    if !cfg!(target_os = "linux") || std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        return None;
    }
    let mut candidates: Vec<PathBuf> = std::env::var_os("XDG_RUNTIME_DIR")
        .map(|dir| PathBuf::from(dir).join("bus"))
        .into_iter()
        .collect();
    candidates.extend(default_bus_socket());
    if candidates.iter().any(|socket| socket.exists()) {
        return None;
    }
    Some(format!(
        "DBUS_SESSION_BUS_ADDRESS is not set and no session bus socket exists ({}), so the keyring cannot be reached. MCP clients start servers with a minimal environment: add DBUS_SESSION_BUS_ADDRESS (the value `echo $DBUS_SESSION_BUS_ADDRESS` prints in your desktop session) to the server's \"env\" in the client's configuration; `odoo-connections mcp-config` includes it",
        candidates
            .iter()
            .map(|socket| socket.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// `/run/user/$UID/bus`, where systemd user sessions keep the session bus.
pub fn default_bus_socket() -> Option<PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let uid = std::fs::metadata("/proc/self").ok()?.uid();
        Some(PathBuf::from(format!("/run/user/{uid}/bus")))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_exec_is_refused_naming_the_outer_connection() {
        let env = vec![(OsString::from(MARKER_VAR), OsString::from("acme"))];
        assert!(
            check_not_nested(env)
                .unwrap_err()
                .to_string()
                .contains("exec acme")
        );
        assert!(check_not_nested(Vec::new()).is_ok());
    }

    #[test]
    fn profiles_and_settings_parse_with_actionable_errors() {
        assert_eq!(
            "mcp-server-odoo".parse::<Profile>(),
            Ok(Profile::McpServerOdoo)
        );
        assert!(
            "ivnvxd"
                .parse::<Profile>()
                .unwrap_err()
                .contains("generic, mcp-server-odoo, odoo-mcp")
        );
        let setting: ExtraVariable = "ODOO_YOLO=read".parse().unwrap();
        assert_eq!(
            (setting.name.as_str(), setting.value.as_str()),
            ("ODOO_YOLO", "read")
        );
        assert!("=x".parse::<ExtraVariable>().is_err());
        assert!("ODOO_YOLO".parse::<ExtraVariable>().is_err());
    }
}
