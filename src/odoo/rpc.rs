//! One call to an Odoo service over XML-RPC (`/xmlrpc/2/<service>`) or
//! JSON-RPC (`/jsonrpc`, and JSON routes such as `/web/database/list`), with
//! server errors turned into one [`ServerFault`] shape.

use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

use super::diagnosis::Diagnosis;
use super::fault::ServerFault;
use super::http::Http;
use super::reply::Reply;
use super::xmlrpc;

/// Why a call gave no result.
#[derive(Debug)]
pub(crate) enum CallError {
    /// The request did not reach Odoo, or something in front of it answered.
    Transport(Diagnosis),
    /// Odoo answered with an error.
    Fault(ServerFault),
    /// The answer is not in the protocol's format (e.g. a web page).
    Unreadable {
        /// What came back, for the message.
        what: String,
    },
    /// The server answered an HTTP 5xx error page: Odoo itself failed.
    Crashed {
        /// What came back, for the message.
        what: String,
    },
}

impl From<Diagnosis> for CallError {
    fn from(diagnosis: Diagnosis) -> Self {
        CallError::Transport(diagnosis)
    }
}

/// The two service-call protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rpc {
    Xml,
    Json,
}

impl Rpc {
    /// Calls `service.method(*args)` (service `common`, `db` or `object`).
    pub async fn call(
        self,
        http: &Http,
        service: &str,
        method: &str,
        args: &[Value],
    ) -> Result<Value, CallError> {
        match self {
            Rpc::Xml => {
                let request = http
                    .request(Method::POST, &format!("/xmlrpc/2/{service}"))
                    .header(CONTENT_TYPE, "text/xml")
                    .body(xmlrpc::method_call(method, args));
                let reply = http.send(request).await?;
                match xmlrpc::parse_response(&reply.body) {
                    Ok(outcome) => outcome.map_err(CallError::Fault),
                    Err(_) => Err(unreadable(&reply, "XML-RPC")),
                }
            }
            Rpc::Json => {
                let params = json!({"service": service, "method": method, "args": args});
                json_route(http, "/jsonrpc", params).await
            }
        }
    }
}

/// Calls a JSON-RPC route (`/jsonrpc`, `/web/database/list`, …) with `params`.
pub(crate) async fn json_route(http: &Http, path: &str, params: Value) -> Result<Value, CallError> {
    let envelope = json!({"jsonrpc": "2.0", "method": "call", "params": params, "id": 1});
    let reply = http
        .send(http.request(Method::POST, path).json(&envelope))
        .await?;
    decode_envelope(&reply.body)
        .ok_or_else(|| unreadable(&reply, "JSON-RPC"))?
        .map_err(CallError::Fault)
}

/// Decodes a JSON-RPC answer: its result, or the error Odoo reported.
/// `None` when the body is not a JSON-RPC answer at all.
pub(crate) fn decode_envelope(body: &str) -> Option<Result<Value, ServerFault>> {
    let Ok(Value::Object(mut answer)) = serde_json::from_str::<Value>(body) else {
        return None;
    };
    if let Some(error) = answer.remove("error") {
        let data = &error["data"];
        let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
        return Some(Err(ServerFault {
            name: data
                .get("name")
                .map(text)
                .filter(|name| !name.is_empty())
                .unwrap_or_else(|| text(&error["message"])),
            message: text(&data["message"]),
        }));
    }
    match answer.remove("result") {
        Some(result) => Some(Ok(result)),
        None if answer.contains_key("jsonrpc") => Some(Ok(Value::Null)),
        None => None,
    }
}

/// Describes an answer that is not in the expected format.
pub(crate) fn unreadable(reply: &Reply, format: &str) -> CallError {
    let kind = if reply.is_html() {
        "a web page"
    } else if reply.body.trim().is_empty() {
        "an empty answer"
    } else {
        "an answer"
    };
    let what = format!(
        "HTTP {} with {kind} instead of {format}",
        reply.status.as_u16()
    );
    if reply.status.is_server_error() {
        CallError::Crashed { what }
    } else {
        CallError::Unreadable { what }
    }
}
