//! The MCP stdio server (`odoo-connections mcp`): `open_connection_manager`,
//! `list_connections` and `test_connection`, each passed through the same
//! policy [`Guard`] as the command line. A refusal is a tool result with
//! `isError: true` and text starting `[POLICY DENIED]`. Nothing but the
//! protocol is written to stdout; logs go to stderr.

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::service::RequestContext;
use rmcp::{
    ErrorData, RoleServer, ServerHandler, ServiceExt as _, schemars, tool, tool_handler,
    tool_router,
};
use serde_json::json;

use crate::catalog::Catalog;
use crate::launcher::{self, LaunchError, WindowOutcome};
use crate::model::Connection;
use crate::paths::Paths;
use crate::policy::audit::Caller;
use crate::policy::{Admission, Denial, Guard, PolicySource, ToolCall, ToolName};

/// The server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The async runtime could not start.
    #[error("could not start the MCP server: {0}")]
    Runtime(#[from] std::io::Error),
    /// The client's handshake failed.
    #[error("the MCP client's handshake failed: {0}; check the client's configuration")]
    Handshake(String),
    /// The server task ended abnormally.
    #[error("the MCP server stopped unexpectedly: {0}")]
    Stopped(#[from] tokio::task::JoinError),
}

/// Serves MCP on stdin/stdout until the client closes stdin.
pub fn serve(paths: &Paths, policy: PolicySource) -> Result<(), ServeError> {
    let server = ConnectionManagerServer::new(paths, policy);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let service = server
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|error| ServeError::Handshake(error.to_string()))?;
        let reason = service.waiting().await?;
        tracing::debug!("MCP server stopped: {reason:?}");
        Ok(())
    })
}

/// `test_connection` arguments.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
pub struct TestConnectionArgs {
    /// The name of a saved connection (see `list_connections`).
    pub name: String,
}

/// The MCP tools over one config and state dir.
#[derive(Debug, Clone)]
pub struct ConnectionManagerServer {
    paths: Paths,
    guard: Guard,
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl ConnectionManagerServer {
    /// The server for `paths`, guarded by `policy`.
    pub fn new(paths: &Paths, policy: PolicySource) -> Self {
        Self {
            paths: paths.clone(),
            guard: Guard::new(paths, policy),
            tool_router: Self::tool_router(),
        }
    }

    #[tool(
        name = "open_connection_manager",
        description = "Open the Odoo Connection Manager window on the user's desktop so they can add, edit or test Odoo connections. If it is already open, it is brought to the front. Limited by the user's policy; a refusal says when to try again.",
        annotations(
            title = "Open the Odoo Connection Manager",
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn open_connection_manager(
        &self,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let admission = match self
            .admit(ToolName::open_connection_manager(), None, &context)
            .await
        {
            Ok(admission) => admission,
            Err(denial) => return Ok(refusal(&denial)),
        };
        let (guard, paths) = (self.guard.clone(), self.paths.clone());
        let outcome = blocking(move || launcher::show_window(&guard, &paths, admission)).await?;
        Ok(window_result(outcome))
    }

    #[tool(
        name = "list_connections",
        description = "List the saved Odoo connections: name, URL, database, login, environment, tags. Never includes passwords or API keys.",
        annotations(
            title = "List Odoo connections",
            read_only_hint = true,
            open_world_hint = false
        )
    )]
    async fn list_connections(
        &self,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let admission = match self
            .admit(ToolName::list_connections(), None, &context)
            .await
        {
            Ok(admission) => admission,
            Err(denial) => return Ok(refusal(&denial)),
        };
        let catalog = Catalog::new(&self.paths);
        match blocking(move || catalog.load()).await? {
            Ok(document) => {
                let connections: Vec<_> = document.connections().iter().map(summary).collect();
                let note = format!("listed {} connections", connections.len());
                self.guard.confirm(admission, &note);
                Ok(CallToolResult::structured(
                    json!({ "connections": connections }),
                ))
            }
            Err(error) => {
                self.guard
                    .abandon(admission, "the connections file could not be read");
                Ok(CallToolResult::error(vec![ContentBlock::text(
                    error.to_string(),
                )]))
            }
        }
    }

    #[tool(
        name = "test_connection",
        description = "Test one saved Odoo connection: reach the server, check its version and log in with the stored secret. Returns a diagnosis code and message; never returns the secret.",
        annotations(
            title = "Test an Odoo connection",
            read_only_hint = true,
            open_world_hint = true
        )
    )]
    async fn test_connection(
        &self,
        Parameters(args): Parameters<TestConnectionArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let arguments = serde_json::Map::from_iter([("name".to_owned(), json!(args.name))]);
        let admission =
            match (self.admit(ToolName::test_connection(), Some(arguments), &context)).await {
                Ok(admission) => admission,
                Err(denial) => return Ok(refusal(&denial)),
            };
        let catalog = Catalog::new(&self.paths);
        let name = args.name;
        let lookup = catalog.clone();
        let found = blocking(move || {
            let catalog = lookup;
            let document = catalog.load()?;
            let connection = document.get(&name)?.clone();
            let secret = catalog.secret(&connection)?;
            Ok::<_, crate::catalog::CatalogError>((connection, secret))
        })
        .await?;
        let (connection, secret) = match found {
            Ok(found) => found,
            Err(error) => {
                self.guard
                    .abandon(admission, "the connection or its secret was not found");
                return Ok(CallToolResult::error(vec![ContentBlock::text(format!(
                    "{error}; call list_connections to see the saved names"
                ))]));
            }
        };
        let timeout = connection.timeout_secs.duration();
        let report = tokio::select! {
            report = catalog.test_and_record(&connection, &secret, timeout) => report,
            // Dropping the admission gives the slot back and audits it.
            () = context.ct.cancelled() => return Err(cancelled()),
        };
        drop(secret);
        let note = format!("tested {}: {:?}", connection.name, report.code);
        self.guard.confirm(admission, &note);
        let value = serde_json::to_value(&report).unwrap_or_default();
        Ok(if report.ok {
            CallToolResult::structured(value)
        } else {
            CallToolResult::structured_error(value)
        })
    }

    /// The policy's answer for `tool` called with `arguments`; a cancelled
    /// call (or a client gone away) stops waiting, which closes an approval
    /// window still asking.
    async fn admit(
        &self,
        tool: ToolName,
        arguments: Option<serde_json::Map<String, serde_json::Value>>,
        context: &RequestContext<RoleServer>,
    ) -> Result<Admission, Denial> {
        let name = tool.to_string();
        let mut call = ToolCall::new(tool);
        if let Some(arguments) = arguments {
            call = call.with_arguments(arguments);
        }
        if let Some(client) = context.peer.peer_info() {
            call = call.with_client(client.client_info.name.clone());
        }
        tokio::select! {
            admitted = launcher::admit_with_approval(&self.guard, call, Caller::Mcp, None) => admitted,
            () = context.ct.cancelled() => Err(Denial {
                tool: name,
                rule: "cancelled".into(),
                reason: "the client cancelled the call".into(),
                retry_after_secs: None,
            }),
        }
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for ConnectionManagerServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "odoo-connections",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(
                "Use open_connection_manager to let the user add or edit Odoo connections in a window; \
                 list_connections and test_connection to see and check them. Secrets are never returned.",
            )
    }
}

/// The `open_connection_manager` result for what the launcher did (shared
/// with the gateway, which answers that tool itself).
pub fn window_result(outcome: Result<WindowOutcome, LaunchError>) -> CallToolResult {
    match outcome {
        Ok(window) => CallToolResult::success(vec![ContentBlock::text(format!(
            "The Odoo Connection Manager window is on the user's screen ({}).",
            window.describe()
        ))]),
        Err(LaunchError::Denied(denial)) => refusal(&denial),
        Err(error @ LaunchError::WindowFailed(_)) => {
            CallToolResult::error(vec![ContentBlock::text(format!(
                "{error}\nThe call was not counted; tell the user."
            ))])
        }
    }
}

/// A refusal the model can act on: `[POLICY DENIED]`, the tool, the
/// reason with its retry hint, the rule; plus the same as structured data.
pub fn refusal(denial: &Denial) -> CallToolResult {
    let mut result = CallToolResult::error(vec![ContentBlock::text(format!(
        "[POLICY DENIED] {denial}"
    ))]);
    result.structured_content = Some(json!({
        "policy_denied": true,
        "tool": denial.tool,
        "rule": denial.rule,
        "reason": denial.reason,
        "retry_after_secs": denial.retry_after_secs,
    }));
    result
}

/// The answer to a call the client cancelled (it is not read).
fn cancelled() -> ErrorData {
    ErrorData::internal_error("the client cancelled the call", None)
}

/// What an agent may see of a connection (no id, notes or secret).
fn summary(connection: &Connection) -> serde_json::Value {
    json!({
        "name": connection.name,
        "url": connection.url,
        "database": connection.database,
        "login": connection.login,
        "auth": connection.auth,
        "protocol": connection.protocol,
        "environment": connection.environment,
        "tags": connection.tags,
    })
}

/// Runs blocking work (files, keyring, processes) off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ErrorData> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| ErrorData::internal_error(format!("the tool stopped: {error}"), None))
}
