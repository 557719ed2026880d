//! What the launcher tells the confirmation window (`approve`) on its
//! stdin, one JSON line, and the grant the window prints on stdout to say
//! yes. The call's details never go in the window's command line (other
//! users can read it in /proc), and the grant names the SHA-256 of exactly
//! the arguments shown, so a yes cannot be replayed for other arguments.

use serde::{Deserialize, Serialize};

use crate::policy::ToolCall;
use crate::policy::arguments::{self, ArgumentsDigest};
use crate::policy::audit::Caller;
use crate::redact::Redactor;

/// Longest value shown in the arguments summary, in characters.
const SUMMARY_WIDTH: usize = 80;

/// The question for the confirmation window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRequest {
    /// The tool asking, e.g. `write_partner`.
    pub tool: String,
    /// Which front end asks (`cli`, `mcp`, `gateway`, `menu`).
    pub caller: String,
    /// The MCP client (its `clientInfo` name), if known.
    pub client: Option<String>,
    /// The connection the call acts on, if known.
    pub connection: Option<String>,
    /// That connection's environment (`production`…), if known.
    pub environment: Option<String>,
    /// What the tool will do, in a person's words.
    pub action: String,
    /// One `name: value` line per argument, values shortened; secret scrubbed.
    pub summary: Vec<String>,
    /// Every argument as indented JSON; secret scrubbed. `None` without arguments.
    pub arguments: Option<String>,
    /// What the window prints on stdout to allow the call.
    pub grant: Grant,
}

/// The window's yes to one request: printed on stdout, as received, to allow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// SHA-256 of the call's canonical arguments (`None`: no arguments).
    pub args_sha256: Option<String>,
    /// Unique to this request.
    pub nonce: String,
    /// After this (Unix ms) the yes is void.
    pub expires_at_ms: u64,
}

impl ApprovalRequest {
    /// The request for `call`, saying what it will do as `action`, valid
    /// until `expires_at_ms`; `scrub` removes the connection's secret from
    /// what is shown.
    pub fn new(
        call: &ToolCall,
        caller: Caller,
        action: String,
        scrub: Option<&Redactor>,
        expires_at_ms: u64,
    ) -> Self {
        let clean =
            |text: String| scrub.map_or_else(|| text.clone(), |redactor| redactor.scrub(&text));
        let digest = call.arguments.as_ref().map(ArgumentsDigest::of);
        Self {
            tool: call.tool.to_string(),
            caller: caller.as_str().to_owned(),
            client: call.client.clone(),
            connection: call.connection.clone(),
            environment: call.environment.map(|environment| environment.to_string()),
            action: clean(action),
            summary: (call.arguments.as_ref())
                .map(|arguments| arguments::summary(arguments, SUMMARY_WIDTH))
                .unwrap_or_default()
                .into_iter()
                .map(clean)
                .collect(),
            arguments: (call.arguments.as_ref()).map(|arguments| {
                clean(serde_json::to_string_pretty(arguments).unwrap_or_default())
            }),
            grant: Grant {
                args_sha256: digest.map(|digest| digest.sha256),
                nonce: uuid::Uuid::new_v4().simple().to_string(),
                expires_at_ms,
            },
        }
    }
}

impl Grant {
    /// Checks the window's stdout against the grant that was asked for at
    /// `now_ms`; `Err` says why the yes does not count.
    pub fn check_answer(&self, stdout: &str, now_ms: u64) -> Result<(), String> {
        let line = stdout.lines().rev().find(|line| !line.trim().is_empty());
        let Some(answer) = line.and_then(|line| serde_json::from_str::<Grant>(line).ok()) else {
            return Err(
                "the confirmation window said yes without the grant for this call on its stdout; the call was not approved"
                    .to_owned(),
            );
        };
        if answer.args_sha256 != self.args_sha256 {
            return Err(
                "the approval was given for other arguments (their SHA-256 differs); a yes covers exactly the call it showed"
                    .to_owned(),
            );
        }
        if answer.nonce != self.nonce {
            return Err(
                "the approval answers another request; a yes covers one call only".to_owned(),
            );
        }
        if now_ms > self.expires_at_ms || answer.expires_at_ms != self.expires_at_ms {
            return Err("the approval expired before it arrived; ask again".to_owned());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Environment, SecretString};
    use crate::policy::ToolName;
    use serde_json::json;

    fn call(arguments: serde_json::Value) -> ToolCall {
        ToolCall::new(ToolName::new("write_partner").unwrap())
            .with_arguments(arguments.as_object().unwrap().clone())
            .with_connection("acme", Environment::Production)
            .with_client("claude")
    }

    #[test]
    fn the_request_shows_the_call_with_the_secret_scrubbed() {
        let secret = SecretString::new("hunter2-secret".to_owned());
        let redactor = Redactor::new(&secret);
        let request = ApprovalRequest::new(
            &call(json!({"name": "x hunter2-secret", "id": 3})),
            Caller::Gateway,
            "run it".into(),
            Some(&redactor),
            10,
        );
        assert_eq!(request.environment.as_deref(), Some("production"));
        assert_eq!(request.client.as_deref(), Some("claude"));
        assert_eq!(request.summary.len(), 2);
        let shown = serde_json::to_string(&request).unwrap();
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(request.arguments.unwrap().contains("\"id\": 3"));
    }

    #[test]
    fn a_yes_counts_only_for_its_own_arguments_nonce_and_time() {
        let request = |arguments| {
            ApprovalRequest::new(&call(arguments), Caller::Gateway, "run".into(), None, 1_000)
        };
        let a = request(json!({"id": 1})).grant;
        let b = request(json!({"id": 2})).grant;
        let answer = |grant: &Grant| serde_json::to_string(grant).unwrap();
        assert_eq!(a.check_answer(&answer(&a), 999), Ok(()));
        assert!(
            b.check_answer(&answer(&a), 999)
                .unwrap_err()
                .contains("other arguments")
        );
        let again = request(json!({"id": 1})).grant;
        assert!(
            again
                .check_answer(&answer(&a), 999)
                .unwrap_err()
                .contains("another request")
        );
        assert!(
            a.check_answer(&answer(&a), 1_001)
                .unwrap_err()
                .contains("expired")
        );
        assert!(
            a.check_answer("", 999)
                .unwrap_err()
                .contains("without the grant")
        );
    }
}
