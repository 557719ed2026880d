//! The message proxy between the MCP client (our stdin/stdout) and the
//! child MCP server (its stdin/stdout), one JSON-RPC message per line.
//! Only `initialize`, `tools/list`, `tools/call` and the cancellation of a
//! call are looked into; every other message passes through. Each side
//! gets the message exactly as the gateway parsed it, written again on one
//! line: a client line with a repeated key is refused (parsers differ on
//! which value wins), a carriage return (a line break to many readers)
//! cannot smuggle a second message past the policy, and the connection's
//! secret is scrubbed from everything the child sends on.
//! Once the client has initialized the session, the gateway lists the
//! child's tools itself (requests with ids of its own, never forwarded to
//! the client), to learn their annotations and report policy names the
//! child does not offer.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use std::sync::mpsc::Sender;

use crate::policy::Admission;
use crate::redact::Redactor;
use crate::strict_json;

use super::gate::{CallRequest, Gate, Verdict};
use super::message::{self, Kind};
use super::scrub::scrub_value;
use super::tools;

/// A line for the client, or the end of the session.
#[derive(Debug)]
pub enum Outgoing {
    /// One message.
    Line(String),
    /// Nothing more will be written.
    Finish,
}

/// A client request the child still has to answer.
#[derive(Debug)]
enum Forwarded {
    Initialize,
    ToolsList {
        first_page: bool,
    },
    ToolsCall {
        admission: Box<Admission>,
    },
    /// The gateway's own `tools/list`: its answer goes to the gate only.
    OwnToolsList,
    Other,
}

/// The id prefix of the gateway's own requests to the child.
const OWN_ID_PREFIX: &str = "odoo-connections-gateway/tools-list/";

/// What the proxy tracks between the two sides.
#[derive(Debug, Default)]
struct State {
    /// The client's name, from `initialize`.
    client: Option<String>,
    /// Client requests forwarded to the child, by id.
    forwarded: HashMap<String, Forwarded>,
    /// `tools/call` requests still before the policy, by id: `true` once
    /// the client cancelled it.
    deciding: HashMap<String, bool>,
    /// The child's input; `None` once it is closed.
    to_child: Option<Sender<String>>,
    /// Why the child can no longer answer, once it is gone.
    child_gone: Option<String>,
    /// The tools the gateway's own listing has found so far.
    offered: BTreeSet<String>,
    /// Pages of the gateway's own listing asked for so far.
    own_pages: u32,
}

/// How the session ended, for the exit code and the audit log.
#[derive(Debug)]
pub struct Ending {
    /// Calls in flight that were answered with an error.
    pub unanswered: usize,
}

/// The proxy shared by the reader tasks.
#[derive(Debug)]
pub struct Proxy {
    gate: Gate,
    our_tool: Value,
    scrub: Arc<Redactor>,
    to_client: Sender<Outgoing>,
    state: Mutex<State>,
}

impl Proxy {
    /// A proxy writing to the client through `to_client` and to the child
    /// through `to_child`; `our_tool` is our `open_connection_manager`;
    /// `scrub` removes the connection's secret from what the child sends.
    pub fn new(
        gate: Gate,
        our_tool: Value,
        scrub: Arc<Redactor>,
        to_client: Sender<Outgoing>,
        to_child: Sender<String>,
    ) -> Self {
        Self {
            gate,
            our_tool,
            scrub,
            to_client,
            state: Mutex::new(State {
                to_child: Some(to_child),
                ..State::default()
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn reply(&self, line: String) {
        self.to_client.send(Outgoing::Line(line)).ok();
    }

    /// One line from the client.
    pub fn on_client_line(self: &Arc<Self>, line: &str) {
        let message: Value = match strict_json::parse(line.as_bytes()) {
            Ok(message) => message,
            Err(error) => {
                let text = format!("the gateway could not parse this message as JSON: {error}");
                return self.reply(message::error_line(
                    &Value::Null,
                    message::PARSE_ERROR,
                    &text,
                ));
            }
        };
        if let Some(refused) = self.reused_id(&message) {
            return self.reply(refused);
        }
        let line = &message.to_string();
        match message::classify(&message) {
            Kind::Request {
                method: "tools/call",
                id,
            } => self.decide_call(id.clone(), &message, line),
            Kind::Request { id, method } => {
                let kind = match method {
                    "initialize" => {
                        self.state().client = client_name(message.pointer("/params/clientInfo"));
                        Forwarded::Initialize
                    }
                    "tools/list" => Forwarded::ToolsList {
                        first_page: message.pointer("/params/cursor").is_none_or(Value::is_null),
                    },
                    _ => Forwarded::Other,
                };
                let id = id.clone();
                self.forward(&id, kind, line);
            }
            Kind::Notification {
                method: "notifications/cancelled",
            } => self.cancel(&message, line),
            Kind::Notification {
                method: "notifications/initialized",
            } => {
                self.send_to_child(line);
                self.list_tools_ourselves(None);
            }
            Kind::Notification { .. } | Kind::Response { .. } => self.send_to_child(line),
            Kind::Batch => self.reply(message::error_line(
                &Value::Null,
                message::INVALID_REQUEST,
                "the gateway accepts one JSON-RPC message per line, not batches (MCP removed them); send each message on its own line",
            )),
            Kind::Invalid => {
                let id = message.get("id").cloned().unwrap_or(Value::Null);
                self.reply(message::error_line(
                    &id,
                    message::INVALID_REQUEST,
                    "not a JSON-RPC 2.0 request, notification or response",
                ));
            }
        }
    }

    /// An error line for a client request whose id is not a string or an
    /// integer (MCP's ids; a child may read `7.0` as `7`), or is the id of
    /// a request still in flight (JSON-RPC ids must be unique among them)
    /// or one of the gateway's own: two requests under one id would be
    /// answered, counted or cancelled in each other's place.
    fn reused_id(&self, message: &Value) -> Option<String> {
        let Kind::Request { id, .. } = message::classify(message) else {
            return None;
        };
        let key = message::id_key(id);
        let refuse = |why: &str| Some(message::error_line(id, message::INVALID_REQUEST, why));
        if !(id.is_string() || id.is_i64() || id.is_u64()) {
            return refuse(&format!(
                "the request id {key} is not a string or an integer; MCP request ids are one or the other"
            ));
        }
        let own = id.as_str().is_some_and(|id| id.starts_with(OWN_ID_PREFIX));
        let state = self.state();
        let in_flight = state.deciding.contains_key(&key) || state.forwarded.contains_key(&key);
        drop(state);
        if own || in_flight {
            return refuse(&format!(
                "the request id {key} is already in use by a request in flight; give every request its own id"
            ));
        }
        None
    }

    fn send_to_child(&self, line: &str) {
        if let Some(to_child) = &self.state().to_child {
            to_child.send(line.to_owned()).ok();
        }
    }

    /// Asks the child for (the next page of) its tools, for the gate.
    fn list_tools_ourselves(&self, cursor: Option<&Value>) {
        self.gate.listing_started();
        let page = {
            let mut state = self.state();
            state.own_pages += 1;
            state.own_pages
        };
        let id = Value::String(format!("{OWN_ID_PREFIX}{page}"));
        let params = match cursor {
            Some(cursor) => serde_json::json!({"cursor": cursor}),
            None => serde_json::json!({}),
        };
        let request = serde_json::json!({"jsonrpc": "2.0", "id": id, "method": "tools/list", "params": params});
        self.forward(&id, Forwarded::OwnToolsList, &request.to_string());
    }

    /// One page of the gateway's own listing: learn it, then ask for the
    /// next page or, after the last one, report unknown policy names.
    fn own_list_page(&self, message: &Value) {
        let Some(result) = message.get("result") else {
            tracing::warn!("the MCP server did not list its tools for the gateway: {message}");
            return self.gate.listing_done();
        };
        let names = self.gate.learn_tools(result);
        self.state().offered.extend(names);
        match result.get("nextCursor").filter(|cursor| !cursor.is_null()) {
            Some(cursor) => self.list_tools_ourselves(Some(cursor)),
            None => {
                let offered = std::mem::take(&mut self.state().offered);
                self.gate.listing_done();
                self.gate.report_unknown_tools(&offered);
            }
        }
    }

    /// Forwards a client request, remembering it until the child answers.
    fn forward(&self, id: &Value, kind: Forwarded, line: &str) {
        self.forward_locked(self.state(), id, kind, line);
    }

    /// [`Proxy::forward`] under a lock already held, so a call goes from
    /// deciding to forwarded with no moment in between.
    fn forward_locked(
        &self,
        mut state: MutexGuard<'_, State>,
        id: &Value,
        kind: Forwarded,
        line: &str,
    ) {
        if let (Some(to_child), None) = (&state.to_child, &state.child_gone) {
            to_child.send(line.to_owned()).ok();
            state.forwarded.insert(message::id_key(id), kind);
            return;
        }
        let why = state
            .child_gone
            .clone()
            .unwrap_or_else(|| "the session is closing".to_owned());
        drop(state);
        match kind {
            Forwarded::OwnToolsList => return self.gate.listing_done(),
            Forwarded::ToolsCall { admission } => self.gate.abandon(*admission, &why),
            _ => {}
        }
        self.reply(message::error_line(id, message::SERVER_GONE, &why));
    }

    /// Puts a `tools/call` before the policy (on its own thread: it may wait
    /// for the person's approval), then answers or forwards it.
    fn decide_call(self: &Arc<Self>, id: Value, message: &Value, line: &str) {
        let Some(tool) = message.pointer("/params/name").and_then(Value::as_str) else {
            return self.reply(message::error_line(
                &id,
                message::INVALID_PARAMS,
                "tools/call needs params.name, the tool to call",
            ));
        };
        let arguments = message
            .pointer("/params/arguments")
            .cloned()
            .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
        let client =
            client_name(message.pointer("/params/_meta/io.modelcontextprotocol~1clientInfo"))
                .or_else(|| self.state().client.clone())
                .unwrap_or_else(|| "an MCP client".to_owned());
        let call = CallRequest {
            tool: tool.to_owned(),
            arguments,
            client,
        };
        let key = message::id_key(&id);
        self.state().deciding.insert(key.clone(), false);
        let proxy = Arc::clone(self);
        let line = line.to_owned();
        let decided = std::thread::Builder::new()
            .name("gateway-call".into())
            .spawn(move || {
                let verdict = proxy.gate.decide(&call);
                proxy.decided(&id, &key, verdict, &line);
            });
        if let Err(error) = decided {
            tracing::warn!("could not start the policy check of a call: {error}");
        }
    }

    /// Answers or forwards a call once the policy has decided it.
    fn decided(&self, id: &Value, key: &str, verdict: Verdict, line: &str) {
        let mut state = self.state();
        let cancelled = state.deciding.remove(key).unwrap_or(false);
        match verdict {
            Verdict::Answer(result) => {
                drop(state);
                if !cancelled {
                    self.reply(message::result_line(id, result));
                }
            }
            Verdict::Forward(admission) if cancelled => {
                drop(state);
                self.gate.abandon(
                    *admission,
                    "the client cancelled the call before it reached the MCP server",
                );
            }
            Verdict::Forward(admission) => {
                self.forward_locked(state, id, Forwarded::ToolsCall { admission }, line);
            }
        }
    }

    /// The client cancels a request: a call before the policy is dropped
    /// when decided (not counted); a call already at the child stays
    /// counted, since the child may have run it (or its first effects)
    /// before the cancellation reached it, and an agent could otherwise
    /// cancel every call to run any number of them.
    fn cancel(&self, message: &Value, line: &str) {
        let Some(id) = message.pointer("/params/requestId") else {
            return self.send_to_child(line);
        };
        let key = message::id_key(id);
        let mut state = self.state();
        if let Some(cancelled) = state.deciding.get_mut(&key) {
            *cancelled = true;
            return;
        }
        let forwarded = state.forwarded.remove(&key);
        drop(state);
        if let Some(Forwarded::ToolsCall { admission }) = forwarded {
            self.gate.confirm(
                *admission,
                "the client cancelled the call after it reached the MCP server, which may have run it; counted",
            );
        }
        self.send_to_child(line);
    }

    /// One line from the child: scrubbed of the secret, then passed on
    /// (an answer only to a request the child was sent and has not yet
    /// answered).
    pub fn on_child_line(&self, line: &str) {
        let Ok(mut message) = serde_json::from_str::<Value>(line) else {
            return self.report_noise(line);
        };
        scrub_value(&self.scrub, &mut message);
        let Kind::Response { id } = message::classify(&message) else {
            return self.reply(message.to_string());
        };
        let key = message::id_key(id);
        let forwarded = self.state().forwarded.remove(&key);
        match forwarded {
            Some(Forwarded::OwnToolsList) => self.own_list_page(&message),
            Some(Forwarded::ToolsList { first_page }) => {
                if let Some(result) = message.get_mut("result") {
                    self.gate.learn_tools(result);
                    let hidden = self.gate.hidden_tools();
                    tools::rewrite_list(result, &self.our_tool, first_page, hidden);
                }
                self.reply(message.to_string());
            }
            Some(Forwarded::Initialize) => {
                if let Some(result) = message.get_mut("result") {
                    tools::announce_tools(result);
                }
                self.reply(message.to_string());
            }
            Some(Forwarded::ToolsCall { admission }) => {
                self.settle(*admission, &message);
                self.reply(message.to_string());
            }
            Some(Forwarded::Other) => self.reply(message.to_string()),
            None => tracing::warn!(
                "the MCP server answered request {key}, which it was not sent or has already answered (or the client cancelled); not forwarded to the client"
            ),
        }
    }

    /// Confirms a call the child answered, or gives its reservation back
    /// when the child refused it with a JSON-RPC error (the tool did not
    /// run). A tool result with `isError` ran, so it counts.
    fn settle(&self, admission: Admission, answer: &Value) {
        if let Some(code) = answer.pointer("/error/code") {
            let why = format!("the MCP server answered with JSON-RPC error {code}");
            return self.gate.abandon(admission, &why);
        }
        let note = if answer.pointer("/result/isError") == Some(&Value::Bool(true)) {
            "the MCP server ran it and reported a tool error"
        } else {
            "the MCP server ran it"
        };
        self.gate.confirm(admission, note);
    }

    /// A line on the child's stdout that is not JSON: reported on stderr
    /// (secret scrubbed, shortened), never forwarded.
    fn report_noise(&self, line: &str) {
        let scrubbed = self.scrub.scrub(line);
        let shown: String = scrubbed.chars().take(200).collect();
        tracing::warn!(
            "the MCP server wrote a line that is not JSON-RPC to stdout; not forwarded to the client: {shown:?}"
        );
    }

    /// The client closed its side: the child's input is closed too, so it
    /// can finish the calls it has and exit.
    pub fn client_closed(&self) {
        self.state().to_child = None;
    }

    /// True once the client closed its side.
    pub fn is_client_closed(&self) -> bool {
        self.state().to_child.is_none()
    }

    /// The child is gone (`why`): every request still waiting for it gets a
    /// JSON-RPC error, and the reservations of its calls are given back.
    pub fn child_gone(&self, why: &str) -> Ending {
        let forwarded: Vec<(String, Forwarded)> = {
            let mut state = self.state();
            state.child_gone = Some(why.to_owned());
            state.to_child = None;
            state.forwarded.drain().collect()
        };
        self.gate.listing_done();
        let forwarded: Vec<(String, Forwarded)> = forwarded
            .into_iter()
            .filter(|(_, kind)| !matches!(kind, Forwarded::OwnToolsList))
            .collect();
        let unanswered = forwarded.len();
        for (key, kind) in forwarded {
            if let Forwarded::ToolsCall { admission } = kind {
                self.gate.abandon(*admission, why);
            }
            let id: Value = serde_json::from_str(&key).unwrap_or(Value::Null);
            self.reply(message::error_line(&id, message::SERVER_GONE, why));
        }
        Ending { unanswered }
    }

    /// Ends the client output after everything queued so far.
    pub fn finish(&self) {
        self.to_client.send(Outgoing::Finish).ok();
    }
}

/// `name version` from a `clientInfo` object.
fn client_name(info: Option<&Value>) -> Option<String> {
    let info = info?;
    let name = info.get("name")?.as_str()?;
    Some(match info.get("version").and_then(Value::as_str) {
        Some(version) if !version.is_empty() => format!("{name} {version}"),
        _ => name.to_owned(),
    })
}
