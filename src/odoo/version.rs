//! Reading the server's version: `/web/webclient/version_info`, the
//! `common.version` service call, or `GET /web/version` (Odoo 19+).

use reqwest::Method;
use serde_json::{Value, json};

use super::diagnosis::{Diagnosis, DiagnosisCode};
use super::http::Http;
use super::rpc::{self, CallError, Rpc};

/// The version a server reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerVersion {
    /// As reported, e.g. `17.0+e` or `saas~19.4+e`.
    pub text: String,
    /// The major version (19 for `saas~19.4`), when readable.
    pub major: Option<u32>,
}

impl ServerVersion {
    /// From a `version()` dict, or `/web/version`'s `{version, version_info}`.
    pub(super) fn from_answer(answer: &Value) -> Option<Self> {
        let text = answer
            .get("server_version")
            .or_else(|| answer.get("version"))?
            .as_str()?
            .to_owned();
        let info = answer
            .get("server_version_info")
            .or_else(|| answer.get("version_info"));
        let major = info
            .and_then(|info| info.get(0))
            .and_then(|first| match first {
                Value::Number(number) => number.as_u64().and_then(|n| u32::try_from(n).ok()),
                Value::String(serie) => leading_number(serie),
                _ => None,
            })
            .or_else(|| leading_number(&text));
        Some(Self { text, major })
    }

    /// True for Odoo 19 and later, which serve JSON-2.
    pub fn has_json2(&self) -> bool {
        self.major.is_some_and(|major| major >= 19)
    }
}

/// `19` from `19.0`, `saas~19.4+e` or `saas~19`.
fn leading_number(text: &str) -> Option<u32> {
    let digits: String = text
        .trim_start_matches("saas~")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// `POST /web/webclient/version_info` (every version).
pub(crate) async fn from_web_client(http: &Http) -> Result<ServerVersion, CallError> {
    let answer = rpc::json_route(http, "/web/webclient/version_info", json!({})).await?;
    parse(&answer)
}

/// `common.version()` over XML-RPC or JSON-RPC.
pub(crate) async fn from_service(http: &Http, rpc: Rpc) -> Result<ServerVersion, CallError> {
    let answer = rpc.call(http, "common", "version", &[]).await?;
    parse(&answer)
}

/// `GET /web/version` (Odoo 19+).
pub(crate) async fn from_web_version(http: &Http) -> Result<ServerVersion, CallError> {
    let reply = http.send(http.request(Method::GET, "/web/version")).await?;
    match serde_json::from_str::<Value>(&reply.body) {
        Ok(answer) if reply.status.is_success() => parse(&answer),
        _ => Err(rpc::unreadable(&reply, "the JSON version")),
    }
}

fn parse(answer: &Value) -> Result<ServerVersion, CallError> {
    ServerVersion::from_answer(answer).ok_or_else(|| CallError::Unreadable {
        what: "a version answer without a version".to_owned(),
    })
}

/// The diagnosis when no version could be read: the server is not Odoo,
/// unless the failure was in transport or Odoo reported an error.
pub(crate) fn not_read(http: &Http, error: CallError) -> Diagnosis {
    let server = http.server();
    match error {
        CallError::Transport(diagnosis) => diagnosis,
        CallError::Unreadable { what } => Diagnosis::new(
            DiagnosisCode::NotOdoo,
            format!(
                "The server at {server} answered {what}, so it does not look like Odoo. Check the URL: it must be the address of the Odoo site itself (its root, e.g. https://erp.example.com), with the right port."
            ),
        ),
        CallError::Crashed { what } => Diagnosis::new(
            DiagnosisCode::ServerError,
            format!(
                "The server at {server} answered {what}: Odoo there is failing. Try again later; if it persists, ask its administrator to look at the Odoo log."
            ),
        ),
        CallError::Fault(fault) => Diagnosis::new(
            DiagnosisCode::ServerError,
            format!(
                "Odoo at {server} failed to report its version ({}). Try again later, or ask its administrator to check the server log.",
                fault.summary()
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majors_come_from_ints_saas_series_or_text() {
        let community =
            json!({"server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""]});
        let saas = json!({"server_version": "saas~19.4+e", "server_version_info": ["saas~19", 4, 0, "final", 0, "e"]});
        let web = json!({"version": "19.0", "version_info": [19, 0, 0, "final", 0, ""]});
        let majors: Vec<Option<u32>> = [community, saas, web]
            .iter()
            .map(|answer| ServerVersion::from_answer(answer).unwrap().major)
            .collect();
        assert_eq!(majors, [Some(17), Some(19), Some(19)]);
        assert!(ServerVersion::from_answer(&json!({"x": 1})).is_none());
    }
}
