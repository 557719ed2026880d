//! Database discovery: `/web/database/list` (filtered by the server's
//! dbfilter), falling back to the XML-RPC `db.list()` service.

use serde_json::{Value, json};

use super::diagnosis::{Diagnosis, DiagnosisCode};
use super::http::Http;
use super::rpc::{self, CallError, Rpc};
use super::version;

/// The names of the databases the server lists.
pub(crate) async fn names(http: &Http) -> Result<Vec<String>, Diagnosis> {
    let answer = match rpc::json_route(http, "/web/database/list", json!({})).await {
        Err(CallError::Unreadable { .. }) => Rpc::Xml.call(http, "db", "list", &[]).await,
        other => other,
    };
    match answer {
        Ok(Value::Array(names)) => Ok(names
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()),
        Ok(_) => Err(version::not_read(
            http,
            CallError::Unreadable {
                what: "a database list that is not a list".to_owned(),
            },
        )),
        Err(CallError::Fault(fault)) if fault.is_access_denied() => Err(Diagnosis::new(
            DiagnosisCode::DatabaseListDisabled,
            format!(
                "The server at {} does not list its databases (its administrator turned listing off). Type the database name yourself; the administrator can tell you which one to use.",
                http.server()
            ),
        )),
        Err(CallError::Fault(fault)) => Err(Diagnosis::new(
            DiagnosisCode::ServerError,
            format!(
                "Odoo at {} failed to list its databases ({}). Try again later, or type the database name yourself.",
                http.server(),
                fault.summary()
            ),
        )),
        Err(other) => Err(version::not_read(http, other)),
    }
}

/// A sentence naming the databases a person could choose instead, for a
/// "database not found" message.
pub(crate) async fn hint(http: &Http) -> String {
    match names(http).await {
        Ok(names) if names.is_empty() => {
            "The server lists no database for this address; check the name with its administrator."
                .to_owned()
        }
        Ok(names) => format!("Databases on this server: {}.", names.join(", ")),
        Err(diagnosis) if diagnosis.code == DiagnosisCode::DatabaseListDisabled => {
            "The server does not list its databases; ask its administrator for the exact name."
                .to_owned()
        }
        Err(_) => "Check the database name.".to_owned(),
    }
}
