//! JSON-RPC 2.0 messages as the gateway sees them: which kind a line is,
//! request ids as map keys, and the few replies the gateway writes itself.

use serde_json::{Value, json};

/// JSON-RPC "parse error".
pub const PARSE_ERROR: i64 = -32700;
/// JSON-RPC "invalid request".
pub const INVALID_REQUEST: i64 = -32600;
/// JSON-RPC "invalid params".
pub const INVALID_PARAMS: i64 = -32602;
/// JSON-RPC server error: the MCP server behind the gateway is gone.
pub const SERVER_GONE: i64 = -32000;

/// What one message is.
#[derive(Debug, PartialEq)]
pub enum Kind<'a> {
    /// A request (`method` and `id`): it needs a response.
    Request {
        /// Its id.
        id: &'a Value,
        /// Its method.
        method: &'a str,
    },
    /// A notification (`method`, no `id`).
    Notification {
        /// Its method.
        method: &'a str,
    },
    /// A response (`id` with `result` or `error`).
    Response {
        /// The id of the request it answers.
        id: &'a Value,
    },
    /// A JSON array: a batch, which MCP no longer allows.
    Batch,
    /// Anything else.
    Invalid,
}

/// Classifies a parsed message.
pub fn classify(message: &Value) -> Kind<'_> {
    let Some(object) = message.as_object() else {
        return if message.is_array() {
            Kind::Batch
        } else {
            Kind::Invalid
        };
    };
    match (
        object.get("method").and_then(Value::as_str),
        object.get("id"),
    ) {
        (Some(method), Some(id)) => Kind::Request { id, method },
        (Some(method), None) => Kind::Notification { method },
        (None, Some(id)) if object.contains_key("result") || object.contains_key("error") => {
            Kind::Response { id }
        }
        _ => Kind::Invalid,
    }
}

/// A map key for a request id that keeps `1` and `"1"` apart.
pub fn id_key(id: &Value) -> String {
    id.to_string()
}

/// An error response line.
pub fn error_line(id: &Value, code: i64, message: &str) -> String {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}).to_string()
}

/// A result response line.
pub fn result_line(id: &Value, result: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "result": result}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_told_apart_and_ids_keep_their_type() {
        let request = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
        assert_eq!(
            classify(&request),
            Kind::Request {
                id: &json!(1),
                method: "tools/list"
            }
        );
        let note = json!({"jsonrpc": "2.0", "method": "notifications/progress"});
        assert_eq!(
            classify(&note),
            Kind::Notification {
                method: "notifications/progress"
            }
        );
        let answer = json!({"jsonrpc": "2.0", "id": "a", "result": {}});
        assert_eq!(classify(&answer), Kind::Response { id: &json!("a") });
        assert_eq!(classify(&json!([request])), Kind::Batch);
        assert_eq!(classify(&json!({"id": 3})), Kind::Invalid);
        assert_ne!(id_key(&json!(1)), id_key(&json!("1")));
    }
}
