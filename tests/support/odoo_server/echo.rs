//! A debug Odoo (or a verbose proxy) whose login fails and tells too much:
//! every request that carries credentials (`common.authenticate`/`login`,
//! `execute_kw`, `/web/session/authenticate`, JSON-2) is answered with a
//! fault, an error envelope or an error page that repeats the whole request
//! (request line, headers and body) or a chosen text. Everything else is
//! answered by Odoo as usual, so the test gets as far as logging in.

use hyper::StatusCode;
use serde_json::{Value, json};

use super::config::Config;
use super::routes::Request;
use super::wire::{self, Exception, Reply};

/// How the failing login answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginFault {
    /// Odoo's own error format (XML-RPC fault, JSON-RPC error with
    /// `data.message` and `data.debug`, JSON-2 error body, HTTP 500) whose
    /// message is "Invalid request: " and the Python repr of the request.
    EchoRequest,
    /// werkzeug's HTML 500 page, with the request HTML-escaped in it.
    EchoPage,
    /// Odoo's own error format with this message (e.g. terminal escapes).
    Message(String),
}

/// The answer to `request` when it carries credentials, else `None`.
pub fn answer(fault: &LoginFault, config: &Config, request: &Request) -> Option<Reply> {
    let kind = credentials_route(request)?;
    let message = match fault {
        LoginFault::EchoPage => return Some(echo_page(request)),
        LoginFault::EchoRequest => format!("Invalid request: {}", python_repr(&whole(request))),
        LoginFault::Message(text) => text.clone(),
    };
    let exception = Exception {
        name: "odoo.exceptions.UserError",
        message,
    };
    Some(match kind {
        Route::XmlRpc => wire::xmlrpc_fault(&exception),
        Route::JsonRpc => {
            let id = serde_json::from_str::<Value>(&request.body)
                .ok()
                .and_then(|envelope| envelope.get("id").cloned())
                .unwrap_or(Value::Null);
            wire::jsonrpc_error(&id, config.version.jsonrpc_error_code(), &exception)
        }
        Route::Json2 => wire::reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            "application/json; charset=utf-8",
            json!({
                "name": exception.name,
                "message": exception.message,
                "arguments": [exception.message],
                "context": {},
                "debug": format!("Traceback (most recent call last):\n{}: {}\n", exception.name, exception.message),
            })
            .to_string(),
        ),
    })
}

enum Route {
    XmlRpc,
    JsonRpc,
    Json2,
}

/// Which protocol a request that carries credentials uses.
fn credentials_route(request: &Request) -> Option<Route> {
    let path = request.path.as_str();
    let logs_in = ["authenticate", "login", "execute_kw"]
        .iter()
        .any(|method| request.body.contains(method));
    match path {
        _ if path.starts_with("/json/2/") => Some(Route::Json2),
        "/xmlrpc/2/common" | "/xmlrpc/2/object" if logs_in => Some(Route::XmlRpc),
        "/jsonrpc" if logs_in => Some(Route::JsonRpc),
        "/web/session/authenticate" => Some(Route::JsonRpc),
        _ => None,
    }
}

/// The request as a proxy log shows it: request line, headers, body.
fn whole(request: &Request) -> String {
    let mut text = format!("{} {} HTTP/1.1\r\n", request.method, request.path);
    for (name, value) in &request.headers {
        text.push_str(&format!(
            "{name}: {}\r\n",
            String::from_utf8_lossy(value.as_bytes())
        ));
    }
    text.push_str("\r\n");
    text.push_str(&request.body);
    text
}

/// Python's `repr(str)`: one line, quotes chosen like Python, backslashes
/// doubled, control characters as `\n`, `\r`, `\t`, `\xHH`.
fn python_repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut repr = String::from(quote);
    for c in text.chars() {
        match c {
            '\\' => repr.push_str("\\\\"),
            '\n' => repr.push_str("\\n"),
            '\r' => repr.push_str("\\r"),
            '\t' => repr.push_str("\\t"),
            c if c == quote => {
                repr.push('\\');
                repr.push(c);
            }
            c if c.is_control() => repr.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => repr.push(c),
        }
    }
    repr.push(quote);
    repr
}

/// werkzeug's 500 page in debug mode, showing the request it failed on.
fn echo_page(request: &Request) -> Reply {
    let escaped = quick_xml::escape::escape(whole(request)).into_owned();
    let body = format!(
        "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server failed on this request:</p>\n<pre>{escaped}</pre>\n"
    );
    wire::reply(
        StatusCode::INTERNAL_SERVER_ERROR,
        "text/html; charset=utf-8",
        body,
    )
}
