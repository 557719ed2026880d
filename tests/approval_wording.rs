//! The approval window names the tool and what it will do: a real MCP
//! client calls `list_connections` under `require_approval`, and the
//! approver is asked about listing connections, not about opening a window.

mod support;

use rmcp::ServiceExt as _;
use rmcp::transport::TokioChildProcess;
use support::mcp_client::{call, text};
use support::policy::PolicySandbox as _;
use support::sandbox::Sandbox;

#[tokio::test(flavor = "multi_thread")]
async fn approval_for_list_connections_names_the_tool_and_what_it_does() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(
        r#"{"version": "1", "default": "deny", "tools": {"list_connections": {"require_approval": true}}}"#,
    );
    let asked = sandbox.root().join("asked");
    let approver = sandbox.script(
        "approve-yes",
        &format!("printf '%s\\n' \"$@\" > '{}'\nexit 0", asked.display()),
    );
    let mut command = sandbox.command();
    command
        .arg("mcp")
        .env("ODOO_CONNECTIONS_APPROVE_COMMAND", &approver);
    let transport = TokioChildProcess::new(tokio::process::Command::from(command)).unwrap();
    let client = ().serve(transport).await.unwrap();
    let result = call(&client, "list_connections", serde_json::json!({})).await;
    assert_eq!(result.is_error, Some(false), "{}", text(&result));
    client.cancel().await.unwrap();
    let arguments: Vec<String> = std::fs::read_to_string(&asked)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let value = |flag: &str| {
        let at = arguments.iter().position(|arg| arg == flag).unwrap();
        arguments[at + 1].clone()
    };
    assert_eq!(value("--tool"), "list_connections");
    let action = value("--action");
    assert!(
        action.starts_with("read the list of your saved connections"),
        "{action}"
    );
    assert!(!action.contains("open"), "{action}");
    assert!(action.contains("never passwords or API keys"), "{action}");
}
