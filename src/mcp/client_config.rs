//! The configuration snippet that registers `odoo-connections mcp` in an MCP
//! client (shown by `odoo-connections mcp-config` and in the window).

use std::path::Path;

/// MCP clients we know how to configure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum McpClient {
    /// Claude Desktop (`claude_desktop_config.json`).
    #[default]
    ClaudeDesktop,
    /// Claude Code (the `claude` command line).
    ClaudeCode,
}

impl McpClient {
    /// Every client, in display order.
    pub const ALL: [McpClient; 2] = [McpClient::ClaudeDesktop, McpClient::ClaudeCode];

    /// The client's product name.
    pub fn label(self) -> &'static str {
        match self {
            McpClient::ClaudeDesktop => "Claude Desktop",
            McpClient::ClaudeCode => "Claude Code",
        }
    }

    /// Where the snippet goes, in one sentence.
    pub fn instructions(self) -> &'static str {
        match self {
            McpClient::ClaudeDesktop => {
                "Add this to claude_desktop_config.json (Settings → Developer → Edit config), then restart Claude Desktop."
            }
            McpClient::ClaudeCode => "Run this command in a terminal.",
        }
    }
}

/// The server name used in client configurations.
pub const SERVER_NAME: &str = "odoo-connections";

/// The snippet registering `executable mcp` with `client`.
pub fn snippet(client: McpClient, executable: &Path) -> String {
    let command = executable.display().to_string();
    match client {
        McpClient::ClaudeDesktop => {
            let value = serde_json::json!({
                "mcpServers": { SERVER_NAME: { "command": command, "args": ["mcp"] } }
            });
            serde_json::to_string_pretty(&value).unwrap_or_default()
        }
        McpClient::ClaudeCode => {
            format!(
                "claude mcp add {SERVER_NAME} -- {} mcp",
                shell_quote(&command)
            )
        }
    }
}

fn shell_quote(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c))
    {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_name_the_executable_and_the_mcp_subcommand() {
        let desktop = snippet(
            McpClient::ClaudeDesktop,
            Path::new("/opt/oc/odoo-connections"),
        );
        let parsed: serde_json::Value = serde_json::from_str(&desktop).unwrap();
        assert_eq!(parsed["mcpServers"]["odoo-connections"]["args"][0], "mcp");
        let code = snippet(
            McpClient::ClaudeCode,
            Path::new("/home/a b/odoo-connections"),
        );
        assert_eq!(
            code,
            "claude mcp add odoo-connections -- '/home/a b/odoo-connections' mcp"
        );
    }
}
