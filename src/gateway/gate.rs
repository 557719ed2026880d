//! The gateway's one door to the policy: every `tools/call` of the child's
//! tools is decided here (hidden, allowed, denied, limits, approval), with
//! what the child's `tools/list` says of the tool (read-only, description),
//! and `open_connection_manager` opens this window through the launcher.
//! It also reports, once, the names the policy writes that the child does
//! not offer. The rest of the gateway never talks to the policy engine
//! directly.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::launcher;
use crate::mcp::server::{refusal, window_result};
use crate::model::Environment;
use crate::paths::Paths;
use crate::policy::audit::{self, AuditEntry, Caller, Decision};
use crate::policy::{Admission, Denial, Guard, ToolCall, ToolName};
use crate::redact::Redactor;

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
    /// Removes the connection's secret from what the approval window shows.
    scrub: Arc<Redactor>,
    /// What the child's `tools/list` said of each tool, by name.
    offered: Arc<Mutex<HashMap<String, Offered>>>,
    /// The gateway's own listing, which calls wait for.
    listing: Arc<(Mutex<Listing>, Condvar)>,
    /// Drives the launcher's async approval step from the call threads.
    runtime: Arc<tokio::runtime::Runtime>,
}

/// How long a call waits for the gateway's own listing of the child's
/// tools (which says which are read-only) before it is decided without.
const LISTING_WAIT: Duration = Duration::from_secs(10);

/// Where the gateway's own listing of the child's tools stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listing {
    NotStarted,
    Running,
    Done,
}

/// What the child says of one of its tools.
#[derive(Debug, Clone, Default)]
struct Offered {
    read_only: bool,
    description: Option<String>,
}

impl Gate {
    /// The gate of `guard` for calls acting on `connection` (of
    /// `environment`, whose secret `scrub` removes), auditing under `paths`.
    pub fn new(
        guard: Guard,
        paths: &Paths,
        connection: &str,
        environment: Environment,
        scrub: Arc<Redactor>,
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
            scrub,
            offered: Arc::default(),
            listing: Arc::new((Mutex::new(Listing::NotStarted), Condvar::new())),
            runtime: Arc::new(runtime),
        })
    }

    /// The gateway has asked the child for its tools: calls wait for the
    /// answer ([`Gate::listing_done`]), so they are decided knowing which
    /// tools are read-only.
    pub fn listing_started(&self) {
        self.set_listing(Listing::Running);
    }

    /// The gateway's own listing has ended (or can no longer end).
    pub fn listing_done(&self) {
        self.set_listing(Listing::Done);
    }

    fn set_listing(&self, to: Listing) {
        let (state, changed) = &*self.listing;
        *state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = to;
        changed.notify_all();
    }

    /// Waits (bounded) while the gateway's own listing is under way.
    fn wait_for_listing(&self) {
        let (state, changed) = &*self.listing;
        let state = state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (state, waited) = changed
            .wait_timeout_while(state, LISTING_WAIT, |state| *state == Listing::Running)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if waited.timed_out() && *state == Listing::Running {
            tracing::warn!(
                "the MCP server did not list its tools within {} s; deciding the call without knowing whether the tool is read-only",
                LISTING_WAIT.as_secs()
            );
        }
    }

    /// Learns from one page of the child's `tools/list` result which tools
    /// it marks read-only (`annotations.readOnlyHint: true`) and what they
    /// do; returns the names on the page.
    pub fn learn_tools(&self, result: &Value) -> Vec<String> {
        let tools = result.get("tools").and_then(Value::as_array);
        let mut offered = self
            .offered
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut names = Vec::new();
        for tool in tools.into_iter().flatten() {
            let Some(name) = tool.get("name").and_then(Value::as_str) else {
                continue;
            };
            let read_only = tool.pointer("/annotations/readOnlyHint") == Some(&Value::Bool(true));
            let description = tool
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned);
            offered.insert(
                name.to_owned(),
                Offered {
                    read_only,
                    description,
                },
            );
            names.push(name.to_owned());
        }
        names
    }

    /// Reports on stderr and in the audit log (rule `policy.unknown_tool`)
    /// each exact name in the policy that the child does not offer, so a
    /// typo does not silently allow (or fail to deny). `offered`: every
    /// tool of the child's whole `tools/list`.
    pub fn report_unknown_tools(&self, offered: &BTreeSet<String>) {
        for name in self.guard.exact_tool_names() {
            if offered.contains(&name) {
                continue;
            }
            let reason = format!(
                "the policy names the tool {name:?}, which the MCP server does not offer; its rules apply to no call: check the spelling against the server's tools/list"
            );
            tracing::warn!("{reason}");
            self.audit(&name, "policy.unknown_tool", &reason);
        }
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
        self.refuse_named_secret(request)?;
        let tool = ToolName::new(&request.tool).map_err(|reason| Denial {
            tool: request.tool.clone(),
            rule: "policy".to_owned(),
            reason,
            retry_after_secs: None,
        })?;
        self.wait_for_listing();
        let offered = (self
            .offered
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()))
        .get(&request.tool)
        .cloned()
        .unwrap_or_default();
        let mut call = ToolCall::new(tool)
            .with_connection(self.connection.clone(), self.environment)
            .with_client(request.client.clone())
            .with_read_only(offered.read_only);
        if let Some(description) = offered.description {
            call = call.with_description(description);
        }
        if let Some(arguments) = request.arguments.as_object() {
            call = call.with_arguments(arguments.clone());
        }
        self.runtime.block_on(launcher::admit_with_approval(
            &self.guard,
            call,
            Caller::Gateway,
            Some(Arc::clone(&self.scrub)),
        ))
    }

    /// Refuses (and audits, scrubbed) a call whose tool name or argument
    /// names hold the connection's secret: the audit line records both, and
    /// it must never hold the secret.
    fn refuse_named_secret(&self, request: &CallRequest) -> Result<(), Denial> {
        let keys = request
            .arguments
            .as_object()
            .into_iter()
            .flat_map(|a| a.keys());
        let named = std::iter::once(&request.tool)
            .chain(keys)
            .any(|name| self.scrub.scrub(name) != *name);
        if !named {
            return Ok(());
        }
        let tool = self.scrub.scrub(&request.tool);
        let reason = "the tool name or an argument name holds the connection's secret; the call was not run (an agent should never have the secret: check what it was given)".to_owned();
        self.audit(&tool, "gateway.secret", &reason);
        Err(Denial {
            tool,
            rule: "gateway.secret".to_owned(),
            reason,
            retry_after_secs: None,
        })
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
        self.audit("gateway", "gateway.child_exit", reason);
    }

    /// An audit line of the gateway itself (no call was admitted).
    fn audit(&self, tool: &str, rule: &str, reason: &str) {
        let entry = AuditEntry {
            time: time::OffsetDateTime::now_utc(),
            tool: tool.to_owned(),
            caller: Caller::Gateway,
            decision: Decision::Deny,
            rule: Some(rule.to_owned()),
            reason: Some(reason.to_owned()),
            retry_after_secs: None,
            args_keys: None,
            args_sha256: None,
        };
        if let Err(error) = audit::append(&self.paths, &entry) {
            tracing::warn!("could not write the audit log: {error}");
        }
    }
}

fn to_json(result: &rmcp::model::CallToolResult) -> Value {
    serde_json::to_value(result).unwrap_or_default()
}
