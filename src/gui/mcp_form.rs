//! What the "Use with an MCP client" view has chosen (the client, and
//! whether the entry runs this app's MCP server or an Odoo MCP server
//! through the gateway), and the client entry that choice makes.

use std::path::Path;

use crate::inject::{ExtraVariable, Profile};
use crate::mcp::client_config::{
    self, CommandLineError, GatewayTarget, GlobalOptions, McpClient, ServerEntry,
};
use crate::model::{Connection, ConnectionId};
use crate::paths::Paths;

/// Which server the entry starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum McpServerChoice {
    /// `odoo-connections mcp`: list, test and open connections.
    #[default]
    ConnectionManager,
    /// An Odoo MCP server run by `odoo-connections gateway`.
    Gateway,
}

/// The view's choices; kept while the window is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct McpForm {
    pub(crate) client: McpClient,
    pub(crate) server: McpServerChoice,
    /// The connection the gateway injects.
    pub(crate) connection: Option<ConnectionId>,
    pub(crate) profile: Profile,
    /// The server's command line, as typed.
    pub(crate) command: String,
    /// `mcp-server-odoo` without its Odoo-side module: `ODOO_YOLO=read`.
    pub(crate) read_only_without_module: bool,
}

impl Default for McpForm {
    fn default() -> Self {
        let profile = Profile::McpServerOdoo;
        Self {
            client: McpClient::default(),
            server: McpServerChoice::default(),
            connection: None,
            profile,
            command: client_config::suggested_command(profile).to_owned(),
            read_only_without_module: true,
        }
    }
}

/// Why no gateway entry can be shown yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum EntryError {
    /// No connection is picked (or it was deleted).
    #[error("pick the connection the server should use")]
    NoConnection,
    /// The command cannot be used.
    #[error(transparent)]
    Command(#[from] CommandLineError),
}

impl McpForm {
    /// Picks `profile` and puts its usual command in the command field.
    pub(crate) fn pick_profile(&mut self, profile: Profile) {
        if self.profile != profile {
            self.profile = profile;
            self.command = client_config::suggested_command(profile).to_owned();
        }
    }

    /// The entry for the chosen server, reading the window's files
    /// (`paths`) and starting `executable`.
    pub(crate) fn entry(
        &self,
        executable: &Path,
        paths: &Paths,
        connections: &[Connection],
    ) -> Result<ServerEntry, EntryError> {
        let globals = GlobalOptions::differing_from_default(paths);
        let target = match self.server {
            McpServerChoice::ConnectionManager => None,
            McpServerChoice::Gateway => Some(self.gateway_target(connections)?),
        };
        Ok(ServerEntry::new(executable, &globals, target.as_ref()))
    }

    fn gateway_target(&self, connections: &[Connection]) -> Result<GatewayTarget, EntryError> {
        let connection = connections
            .iter()
            .find(|connection| Some(connection.id) == self.connection)
            .ok_or(EntryError::NoConnection)?;
        let mut env = Vec::new();
        if self.profile == Profile::McpServerOdoo && self.read_only_without_module {
            env.push(ExtraVariable {
                name: "ODOO_YOLO".to_owned(),
                value: "read".to_owned(),
            });
        }
        Ok(GatewayTarget {
            connection: connection.name.to_string(),
            profile: self.profile,
            env,
            command: client_config::split_command(&self.command)?,
        })
    }
}
