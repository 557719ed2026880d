//! The gateway's one door to the policy: every `tools/call` of the child's
//! tools is decided here (hidden, allowed, denied, limits, approval), and
//! `open_connection_manager` opens this window through the launcher. The
//! rest of the gateway never talks to the policy engine directly.

use std::sync::Arc;

use serde_json::Value;

use crate::launcher;
use crate::mcp::server::{refusal, window_result};
use crate::model::Environment;
use crate::paths::Paths;
use crate::policy::audit::{self, AuditEntry, Caller, Decision};
use crate::policy::{Admission, Denial, Guard, ToolCall, ToolName};

use super::tools::OPEN_CONNECTION_MANAGER;

/// One `tools/call` as the client sent it.
#[derive(Debug, Clone)]
pub struct CallRequest {
    /// The tool's name.
    pub tool: String,
    /// Its arguments (an object, or `{}`).
    pub arguments: Value,
    /// The client's name from its `clientInfo`.
    pub client: String,
}

/// What to do with a call.
#[derive(Debug)]
pub enum Verdict {
    /// Answer the client with this tool result; the child never sees it.
    Answer(Value),
    /// Forward it to the child; settle the admission when it answers.
    Forward(Box<Admission>),
}

/// The policy gate of one gateway session.
#[derive(Debug, Clone)]
pub struct Gate {
    guard: Guard,
    paths: Paths,
    connection: String,
    environment: Environment,
    /// Drives the launcher's async approval step from the call threads.
    runtime: Arc<tokio::runtime::Runtime>,
}

impl Gate {
    /// The gate of `guard` for calls acting on `connection` (of
    /// `environment`), auditing under `paths`.
    pub fn new(
        guard: Guard,
        paths: &Paths,
        connection: &str,
        environment: Environment,
    ) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        Ok(Self {
            guard,
            paths: paths.clone(),
            connection: connection.to_owned(),
            environment,
            runtime: Arc::new(runtime),
        })
    }

    /// Decides one call (blocking: files, and maybe the approval window).
    pub fn decide(&self, call: &CallRequest) -> Verdict {
        if call.tool == OPEN_CONNECTION_MANAGER {
            let outcome = launcher::open(&self.guard, &self.paths, Caller::Gateway);
            return Verdict::Answer(to_json(&window_result(outcome)));
        }
        match self.admit(call) {
            Ok(admission) => Verdict::Forward(Box::new(admission)),
            Err(denial) => Verdict::Answer(to_json(&refusal(&denial))),
        }
    }

    /// Which tools the policy hides from `tools/list` (read once per list).
    pub fn hidden_tools(&self) -> impl Fn(&str) -> bool + use<> {
        self.guard.hidden_tools()
    }

    /// The adapter to the policy engine's entry point for one call.
    fn admit(&self, request: &CallRequest) -> Result<Admission, Denial> {
        let tool = ToolName::new(&request.tool).map_err(|reason| Denial {
            tool: request.tool.clone(),
            rule: "policy".to_owned(),
            reason,
            retry_after_secs: None,
        })?;
        let mut call = ToolCall::new(tool)
            .with_connection(self.connection.clone(), self.environment)
            .with_client(request.client.clone());
        if let Some(arguments) = request.arguments.as_object() {
            call = call.with_arguments(arguments.clone());
        }
        self.runtime.block_on(launcher::admit_with_approval(
            &self.guard,
            call,
            Caller::Gateway,
        ))
    }

    /// The child ran the call (`note` says how it ended).
    pub fn confirm(&self, admission: Admission, note: &str) {
        self.guard.confirm(admission, note);
    }

    /// The call did not run (`why`): its reservation is given back.
    pub fn abandon(&self, admission: Admission, why: &str) {
        self.guard.abandon(admission, why);
    }

    /// Audits that the child ended while the client was still connected.
    pub fn audit_child_exit(&self, reason: &str) {
        let entry = AuditEntry {
            time: time::OffsetDateTime::now_utc(),
            tool: "gateway".to_owned(),
            caller: Caller::Gateway,
            decision: Decision::Deny,
            rule: Some("gateway.child_exit".to_owned()),
            reason: Some(reason.to_owned()),
            retry_after_secs: None,
        };
        if let Err(error) = audit::append(&self.paths, &entry) {
            tracing::warn!("could not write the audit log: {error}");
        }
    }
}

fn to_json(result: &rmcp::model::CallToolResult) -> Value {
    serde_json::to_value(result).unwrap_or_default()
}
