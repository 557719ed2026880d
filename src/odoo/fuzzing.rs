//! Entry points for the fuzz targets (cargo feature `fuzzing`, see `fuzz/`):
//! the decoders of what a server answers, which the crate otherwise reaches
//! only over HTTP. Each returns a summary of what it decoded, so the work
//! cannot be optimized away.

use serde_json::Value;

use super::fault::ServerFault;
use super::rpc;
use super::version::ServerVersion;
use super::xmlrpc;

/// Decodes an XML-RPC `/xmlrpc/2/…` answer and reads it as the client does.
pub fn xmlrpc_response(body: &str) -> String {
    match xmlrpc::parse_response(body) {
        Ok(Ok(value)) => read_answer(&value),
        Ok(Err(fault)) => read_fault(&fault),
        Err(unreadable) => unreadable,
    }
}

/// Decodes a JSON-RPC envelope (`/jsonrpc`, `/web/…` routes) and reads it
/// as the client does.
pub fn jsonrpc_response(body: &str) -> String {
    match rpc::decode_envelope(body) {
        Some(Ok(value)) => read_answer(&value),
        Some(Err(fault)) => read_fault(&fault),
        None => "not JSON-RPC".to_owned(),
    }
}

/// Reads a plain JSON answer (`GET /web/version`, JSON-2 replies).
pub fn json_answer(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .map_or_else(|err| err.to_string(), |value| read_answer(&value))
}

/// Everything the client takes from a result: a version, a uid, a list of
/// database names.
fn read_answer(value: &Value) -> String {
    let version = ServerVersion::from_answer(value).map(|version| {
        format!(
            "{} {:?} json2={}",
            version.text,
            version.major,
            version.has_json2()
        )
    });
    let databases: Vec<&str> = value
        .as_array()
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    format!(
        "{version:?} uid={:?} databases={databases:?}",
        value["uid"].as_i64()
    )
}

fn read_fault(fault: &ServerFault) -> String {
    format!(
        "{} denied={} missing={} uninitialized={}",
        fault.summary(),
        fault.is_access_denied(),
        fault.is_missing_database(),
        fault.is_uninitialized_database()
    )
}
