//! The approval window names the tool and what it will do: a real MCP
//! client calls `list_connections` under `require_approval`, and the
//! approver is asked about listing connections, not about opening a window.
//! The call's details reach it on stdin, never in its command line.

mod support;

use rmcp::ServiceExt as _;
use rmcp::transport::TokioChildProcess;
use support::mcp_client::{call, text};
use support::policy::{PolicySandbox as _, allowing};
use support::sandbox::Sandbox;

#[tokio::test(flavor = "multi_thread")]
async fn approval_for_list_connections_names_the_tool_and_what_it_does() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(
        r#"{"version": "1", "default": "deny", "tools": {"list_connections": {"require_approval": true}}}"#,
    );
    let asked = sandbox.root().join("asked");
    let approver = sandbox.script("approve-yes", &allowing(&asked));
    let mut command = sandbox.command();
    command
        .arg("mcp")
        .env("ODOO_CONNECTIONS_APPROVE_COMMAND", &approver);
    let transport = TokioChildProcess::new(tokio::process::Command::from(command)).unwrap();
    let client = ().serve(transport).await.unwrap();
    let result = call(&client, "list_connections", serde_json::json!({})).await;
    assert_eq!(result.is_error, Some(false), "{}", text(&result));
    client.cancel().await.unwrap();
    let argv = std::fs::read_to_string(&asked).unwrap();
    assert_eq!(
        argv.trim(),
        "approve --tool list_connections --caller mcp --timeout-secs 120"
    );
    let stdin = std::fs::read_to_string(asked.with_extension("stdin")).unwrap();
    let request: serde_json::Value = serde_json::from_str(stdin.trim()).unwrap();
    assert_eq!(request["tool"], "list_connections");
    assert_eq!(request["caller"], "mcp");
    let action = request["action"].as_str().unwrap().to_owned();
    assert!(
        action.starts_with("read the list of your saved connections"),
        "{action}"
    );
    assert!(!action.contains("open"), "{action}");
    assert!(action.contains("never passwords or API keys"), "{action}");
}
