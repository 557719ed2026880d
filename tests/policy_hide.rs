//! `hide` in policy.json: a hidden tool is left out of the gateway's
//! `tools/list` and refused when called (it never reaches the child), even
//! when `tools` allows it; `"*"` hides every tool. A real rmcp client drives
//! the gateway in front of the Python SDK child server.
//! Needs the venv of `scripts/setup-python`; run under `scripts/test --test policy_hide`.

mod support;

use rmcp::ServiceExt as _;
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use serde_json::json;
use support::gateway::GatewayFixture;
use support::mcp_client::{call, text};
use support::sandbox::{assert_exit, stdout};

async fn connect(fixture: &GatewayFixture) -> RunningService<RoleClient, ()> {
    let transport =
        TokioChildProcess::new(tokio::process::Command::from(fixture.command(&[]))).unwrap();
    ().serve(transport)
        .await
        .expect("MCP handshake through the gateway")
}

async fn listed(client: &RunningService<RoleClient, ()>) -> Vec<String> {
    let tools = client.list_all_tools().await.unwrap();
    tools.iter().map(|tool| tool.name.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hidden_tool_is_not_listed_and_a_call_of_it_never_reaches_the_child() {
    let fixture = GatewayFixture::new("key-hide");
    fixture.sandbox.write_policy(
        r#"{"version": "1", "default": "deny", "hide": ["write_partner"],
            "tools": {"read_partner": {}, "write_partner": {}}}"#,
    );
    let client = connect(&fixture).await;
    let names = listed(&client).await;
    assert!(names.contains(&"read_partner".to_owned()), "{names:?}");
    assert!(!names.contains(&"write_partner".to_owned()), "{names:?}");

    let refused = call(
        &client,
        "write_partner",
        json!({"partner_id": 9, "name": "x"}),
    )
    .await;
    assert_eq!(refused.is_error, Some(true));
    assert!(
        text(&refused).starts_with("[POLICY DENIED]"),
        "{}",
        text(&refused)
    );
    assert!(
        text(&refused).contains("hides write_partner"),
        "{}",
        text(&refused)
    );
    let read = call(&client, "read_partner", json!({"partner_id": 9})).await;
    assert_eq!(read.is_error, Some(false), "{}", text(&read));
    client.cancel().await.unwrap();
    let calls = fixture.child_calls();
    assert!(
        calls.iter().all(|call| !call.contains("write_partner")),
        "the hidden tool ran: {calls:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_star_hides_every_tool() {
    let fixture = GatewayFixture::new("key-hide-all");
    fixture.sandbox.write_policy(
        r#"{"version": "1", "default": "allow", "hide": ["*"], "tools": {"read_partner": {}}}"#,
    );
    let client = connect(&fixture).await;
    assert_eq!(listed(&client).await, Vec::<String>::new());
    let refused = call(&client, "read_partner", json!({"partner_id": 9})).await;
    assert_eq!(refused.is_error, Some(true), "{}", text(&refused));
    client.cancel().await.unwrap();
    assert!(
        fixture.child_calls().is_empty(),
        "{:?}",
        fixture.child_calls()
    );
}

#[test]
fn policy_check_names_the_hide_rule() {
    let fixture = GatewayFixture::new("key-hide-check");
    fixture
        .sandbox
        .write_policy(r#"{"version": "1", "default": "allow", "hide": ["list_connections"]}"#);
    let output = fixture
        .sandbox
        .run(&["policy", "check", "list_connections", "--json"]);
    assert_exit(&output, 7);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report[0]["rule"], "hide", "{report}");
    assert_exit(
        &fixture.sandbox.run(&["policy", "check", "test_connection"]),
        0,
    );
}
