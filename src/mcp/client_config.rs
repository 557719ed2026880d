//! The configuration entries that register `odoo-connections mcp`, or an
//! Odoo MCP server behind `odoo-connections gateway`, in an MCP client
//! (shown by `odoo-connections mcp-config` and in the window). No entry
//! ever holds a secret: the gateway reads it from the keyring.

use std::path::{Path, PathBuf};

use crate::inject::{self, ExtraVariable, Profile};
use crate::paths::Paths;

/// MCP clients we know how to configure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum McpClient {
    /// Claude Desktop (`claude_desktop_config.json`).
    #[default]
    ClaudeDesktop,
    /// Claude Code (the `claude` command line).
    ClaudeCode,
    /// Cursor (`~/.cursor/mcp.json`).
    Cursor,
    /// VS Code (`.vscode/mcp.json`).
    VsCode,
    /// Windsurf (`~/.codeium/windsurf/mcp_config.json`).
    Windsurf,
}

impl McpClient {
    /// Every client, in display order.
    pub const ALL: [McpClient; 5] = [
        McpClient::ClaudeDesktop,
        McpClient::ClaudeCode,
        McpClient::Cursor,
        McpClient::VsCode,
        McpClient::Windsurf,
    ];

    /// The client's product name.
    pub fn label(self) -> &'static str {
        match self {
            McpClient::ClaudeDesktop => "Claude Desktop",
            McpClient::ClaudeCode => "Claude Code",
            McpClient::Cursor => "Cursor",
            McpClient::VsCode => "VS Code",
            McpClient::Windsurf => "Windsurf",
        }
    }

    /// Where the snippet goes, in one sentence.
    pub fn instructions(self) -> &'static str {
        match self {
            McpClient::ClaudeDesktop => {
                "Add this to claude_desktop_config.json (Settings → Developer → Edit config), then restart Claude Desktop."
            }
            McpClient::ClaudeCode => "Run this command in a terminal.",
            McpClient::Cursor => {
                "Add this to ~/.cursor/mcp.json (or .cursor/mcp.json in a project), then reload Cursor."
            }
            McpClient::VsCode => {
                "Add this to .vscode/mcp.json in your workspace (or run \"MCP: Open User Configuration\")."
            }
            McpClient::Windsurf => {
                "Add this to ~/.codeium/windsurf/mcp_config.json, then refresh the MCP servers in Windsurf."
            }
        }
    }
}

/// The server name used for `odoo-connections mcp` in client configurations.
pub const SERVER_NAME: &str = "odoo-connections";

/// The global options the entry passes on (`--config-dir`, `--state-dir`,
/// `--policy`), so the client's server reads the same files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GlobalOptions {
    /// `--config-dir`.
    pub config_dir: Option<PathBuf>,
    /// `--state-dir`.
    pub state_dir: Option<PathBuf>,
    /// `--policy`.
    pub policy: Option<PathBuf>,
}

impl GlobalOptions {
    /// The directories of `paths` that differ from the default ones (the
    /// window's entry must make the server read the window's files).
    pub fn differing_from_default(paths: &Paths) -> Self {
        let default = Paths::resolve(None, None).ok();
        let differs = |dir: &Path, default_dir: Option<&Path>| {
            (default_dir != Some(dir)).then(|| dir.to_owned())
        };
        Self {
            config_dir: differs(paths.config_dir(), default.as_ref().map(Paths::config_dir)),
            state_dir: differs(paths.state_dir(), default.as_ref().map(Paths::state_dir)),
            policy: None,
        }
    }

    fn arguments(&self) -> Vec<String> {
        let mut arguments = Vec::new();
        for (flag, value) in [
            ("--config-dir", &self.config_dir),
            ("--state-dir", &self.state_dir),
            ("--policy", &self.policy),
        ] {
            if let Some(path) = value {
                arguments.push(flag.to_owned());
                let absolute = std::path::absolute(path).unwrap_or_else(|_| path.clone());
                arguments.push(absolute.display().to_string());
            }
        }
        arguments
    }
}

/// An Odoo MCP server to run behind the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayTarget {
    /// The connection to inject.
    pub connection: String,
    /// The variable names the server expects.
    pub profile: Profile,
    /// Extra non-secret settings (`--env`).
    pub env: Vec<ExtraVariable>,
    /// The server's command and arguments.
    pub command: Vec<String>,
}

/// The command that starts `profile`'s server from PyPI with `uvx`, as the
/// window suggests it; empty for `generic` (any server).
pub fn suggested_command(profile: Profile) -> &'static str {
    match profile {
        Profile::McpServerOdoo => "uvx mcp-server-odoo",
        Profile::OdooMcp => "uvx odoo-mcp",
        Profile::Generic => "",
    }
}

/// A server command typed by a person that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandLineError {
    /// Nothing was typed.
    #[error("type the command that starts the Odoo MCP server, e.g. uvx mcp-server-odoo")]
    Empty,
    /// A quote is never closed.
    #[error("the command has a quote that is never closed; close it, or remove it")]
    UnclosedQuote,
}

/// Splits a typed server command into words as a POSIX shell would (quotes
/// and backslashes), without running a shell.
pub fn split_command(text: &str) -> Result<Vec<String>, CommandLineError> {
    let words = shlex::split(text).ok_or(CommandLineError::UnclosedQuote)?;
    if words.is_empty() {
        return Err(CommandLineError::Empty);
    }
    Ok(words)
}

/// One server entry: what the client runs, and with which environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEntry {
    /// The name the client lists it under.
    pub name: String,
    /// The program.
    pub command: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Variables the client must set (never a secret).
    pub env: Vec<(String, String)>,
}

impl ServerEntry {
    /// `executable [globals] mcp`, or `executable [globals] gateway …`.
    pub fn new(
        executable: &Path,
        globals: &GlobalOptions,
        gateway: Option<&GatewayTarget>,
    ) -> Self {
        let mut args = globals.arguments();
        let name = match gateway {
            None => {
                args.push("mcp".to_owned());
                SERVER_NAME.to_owned()
            }
            Some(target) => {
                args.extend(["gateway".to_owned(), target.connection.clone()]);
                if target.profile != Profile::Generic {
                    args.extend(["--profile".to_owned(), target.profile.to_string()]);
                }
                for variable in &target.env {
                    args.extend([
                        "--env".to_owned(),
                        format!("{}={}", variable.name, variable.value),
                    ]);
                }
                args.push("--".to_owned());
                args.extend(target.command.iter().cloned());
                format!("odoo-{}", target.connection)
            }
        };
        Self {
            name,
            command: executable.display().to_string(),
            args,
            env: session_bus_env().into_iter().collect(),
        }
    }
}

/// `DBUS_SESSION_BUS_ADDRESS` with its current value, when a server the
/// client starts would need it to reach the keyring: MCP clients pass only
/// a minimal environment, and without this variable the session bus is
/// found only at `/run/user/$UID/bus`.
pub fn session_bus_env() -> Option<(String, String)> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let address = std::env::var("DBUS_SESSION_BUS_ADDRESS").ok()?;
    let default_socket = inject::default_bus_socket();
    let reachable_without = default_socket.as_ref().is_some_and(|socket| {
        socket.exists() && address == format!("unix:path={}", socket.display())
    });
    (!reachable_without).then(|| ("DBUS_SESSION_BUS_ADDRESS".to_owned(), address))
}

/// The snippet registering `entry` with `client`.
pub fn entry_snippet(client: McpClient, entry: &ServerEntry) -> String {
    let document = match client {
        McpClient::ClaudeCode => return claude_code_command(entry),
        McpClient::VsCode => {
            serde_json::json!({ "servers": { entry.name.clone(): server_object(entry, true) } })
        }
        McpClient::ClaudeDesktop | McpClient::Cursor | McpClient::Windsurf => {
            serde_json::json!({ "mcpServers": { entry.name.clone(): server_object(entry, false) } })
        }
    };
    serde_json::to_string_pretty(&document).unwrap_or_default()
}

/// `{"type"?, "command", "args", "env"?}` as the JSON clients read it.
fn server_object(entry: &ServerEntry, with_type: bool) -> serde_json::Value {
    let mut server = serde_json::Map::new();
    if with_type {
        server.insert("type".into(), "stdio".into());
    }
    server.insert("command".into(), entry.command.clone().into());
    server.insert("args".into(), entry.args.clone().into());
    if !entry.env.is_empty() {
        let env = entry
            .env
            .iter()
            .map(|(name, value)| (name.clone(), value.clone().into()))
            .collect();
        server.insert("env".into(), serde_json::Value::Object(env));
    }
    serde_json::Value::Object(server)
}

fn claude_code_command(entry: &ServerEntry) -> String {
    let mut words = vec!["claude".to_owned(), "mcp".to_owned(), "add".to_owned()];
    for (name, value) in &entry.env {
        words.push("--env".to_owned());
        words.push(shell_quote(&format!("{name}={value}")));
    }
    words.push(shell_quote(&entry.name));
    words.push("--".to_owned());
    words.push(shell_quote(&entry.command));
    words.extend(entry.args.iter().map(|arg| shell_quote(arg)));
    words.join(" ")
}

fn shell_quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c))
    {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gateway_entry() -> ServerEntry {
        let target = GatewayTarget {
            connection: "acme-prod".into(),
            profile: Profile::McpServerOdoo,
            env: vec!["ODOO_YOLO=read".parse().unwrap()],
            command: vec!["uvx".into(), "mcp-server-odoo".into()],
        };
        let globals = GlobalOptions {
            config_dir: Some("/etc/oc".into()),
            state_dir: None,
            policy: Some("/etc/oc/strict.json".into()),
        };
        let mut entry = ServerEntry::new(
            Path::new("/opt/oc/odoo-connections"),
            &globals,
            Some(&target),
        );
        entry.env = vec![(
            "DBUS_SESSION_BUS_ADDRESS".into(),
            "unix:path=/tmp/bus".into(),
        )];
        entry
    }

    #[test]
    fn snippets_name_the_executable_and_the_mcp_subcommand() {
        let plain = |executable: &str| ServerEntry {
            env: Vec::new(),
            ..ServerEntry::new(Path::new(executable), &GlobalOptions::default(), None)
        };
        let desktop = entry_snippet(McpClient::ClaudeDesktop, &plain("/opt/oc/odoo-connections"));
        let parsed: serde_json::Value = serde_json::from_str(&desktop).unwrap();
        assert_eq!(parsed["mcpServers"]["odoo-connections"]["args"][0], "mcp");
        assert_eq!(
            entry_snippet(McpClient::ClaudeCode, &plain("/home/a b/odoo-connections")),
            "claude mcp add odoo-connections -- '/home/a b/odoo-connections' mcp"
        );
    }

    #[test]
    fn a_typed_command_is_split_like_a_shell_and_bad_ones_say_what_to_do() {
        assert_eq!(
            split_command(r#"uvx --from "/opt/my servers" odoo-mcp"#),
            Ok(vec![
                "uvx".to_owned(),
                "--from".to_owned(),
                "/opt/my servers".to_owned(),
                "odoo-mcp".to_owned()
            ])
        );
        assert_eq!(split_command("   "), Err(CommandLineError::Empty));
        assert_eq!(
            split_command("uvx 'odoo-mcp"),
            Err(CommandLineError::UnclosedQuote)
        );
    }

    #[test]
    fn only_directories_other_than_the_default_ones_are_carried() {
        let default = Paths::resolve(None, None).unwrap();
        assert_eq!(
            GlobalOptions::differing_from_default(&default),
            GlobalOptions::default()
        );
        let own = Paths::new("/srv/oc/config".into(), default.state_dir().to_owned());
        let globals = GlobalOptions::differing_from_default(&own);
        assert_eq!(globals.config_dir, Some(PathBuf::from("/srv/oc/config")));
        assert_eq!(globals.state_dir, None);
    }

    #[test]
    fn a_gateway_entry_carries_the_globals_the_profile_and_the_bus_but_no_secret() {
        let entry = gateway_entry();
        let expected_args = [
            "--config-dir",
            "/etc/oc",
            "--policy",
            "/etc/oc/strict.json",
            "gateway",
            "acme-prod",
            "--profile",
            "mcp-server-odoo",
            "--env",
            "ODOO_YOLO=read",
            "--",
            "uvx",
            "mcp-server-odoo",
        ];
        for client in [
            McpClient::ClaudeDesktop,
            McpClient::Cursor,
            McpClient::Windsurf,
        ] {
            let parsed: serde_json::Value =
                serde_json::from_str(&entry_snippet(client, &entry)).unwrap();
            let server = &parsed["mcpServers"]["odoo-acme-prod"];
            assert_eq!(server["command"], "/opt/oc/odoo-connections");
            assert_eq!(server["args"], serde_json::json!(expected_args));
            assert_eq!(
                server["env"]["DBUS_SESSION_BUS_ADDRESS"],
                "unix:path=/tmp/bus"
            );
        }
        let vscode: serde_json::Value =
            serde_json::from_str(&entry_snippet(McpClient::VsCode, &entry)).unwrap();
        assert_eq!(vscode["servers"]["odoo-acme-prod"]["type"], "stdio");
        assert_eq!(
            vscode["servers"]["odoo-acme-prod"]["args"],
            serde_json::json!(expected_args)
        );
        assert_eq!(
            entry_snippet(McpClient::ClaudeCode, &entry),
            "claude mcp add --env DBUS_SESSION_BUS_ADDRESS=unix:path=/tmp/bus odoo-acme-prod -- /opt/oc/odoo-connections --config-dir /etc/oc --policy /etc/oc/strict.json gateway acme-prod --profile mcp-server-odoo --env ODOO_YOLO=read -- uvx mcp-server-odoo"
        );
    }
}
