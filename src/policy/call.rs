//! One call to decide: the tool, its arguments and what is known about
//! where it goes (connection, environment) and who sends it (client).

use serde_json::{Map, Value};

use crate::model::Environment;

use super::spec::ToolName;

/// A tool call as the policy sees it. Build it with [`ToolCall::new`] and
/// the `with_*` methods.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    /// The tool.
    pub tool: ToolName,
    /// The call's arguments (MCP `tools/call` `arguments`), if any.
    pub arguments: Option<Map<String, Value>>,
    /// The environment of the connection the call acts on, if known.
    pub environment: Option<Environment>,
    /// The name of the connection the call acts on, if known.
    pub connection: Option<String>,
    /// The MCP client's name (its `clientInfo.name`), if known.
    pub client: Option<String>,
    /// What the tool does, in a person's words (e.g. the server's tool
    /// description), for the approval window.
    pub description: Option<String>,
    /// The MCP server marks the tool read-only (`annotations.readOnlyHint`).
    pub read_only: bool,
}

impl ToolCall {
    /// A call of `tool` with nothing else known.
    pub fn new(tool: ToolName) -> Self {
        Self {
            tool,
            arguments: None,
            environment: None,
            connection: None,
            client: None,
            description: None,
            read_only: false,
        }
    }

    /// With the call's arguments.
    pub fn with_arguments(mut self, arguments: Map<String, Value>) -> Self {
        self.arguments = Some(arguments);
        self
    }

    /// With the connection it acts on and that connection's environment.
    pub fn with_connection(mut self, name: impl Into<String>, environment: Environment) -> Self {
        self.connection = Some(name.into());
        self.environment = Some(environment);
        self
    }

    /// With the MCP client's name.
    pub fn with_client(mut self, client: impl Into<String>) -> Self {
        self.client = Some(client.into());
        self
    }

    /// With whether the MCP server marks the tool read-only.
    pub fn with_read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// With what the tool does, in a person's words.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}
