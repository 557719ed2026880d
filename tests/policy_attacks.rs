//! Argument rules against an agent that quotes its numbers: MCP servers
//! convert `"20000"` to `20000` (the Python SDK's pydantic does, in its
//! default lax mode, also `"20_000"` and `" 20000 "`), so `gt`, `eq` and
//! friends must see the number a string stands for, or a `deny_if … gt
//! 10000` is passed by writing the amount in quotes. Through the gateway
//! in front of the Python SDK child, which logs what it really received.
//! Also tool names that dodge a glob (spaces, case, confusables).
//! Needs the venv of `scripts/setup-python`; run under `scripts/test --test policy_attacks`.

mod support;

use serde_json::{Value, json};
use support::gateway::GatewayFixture;
use support::policy::expect_rules;

#[tokio::test(flavor = "multi_thread")]
async fn a_number_written_as_a_string_is_compared_as_the_number_the_server_sees() {
    let fixture = GatewayFixture::new("key-quoted");
    fixture.sandbox.write_policy(
        r#"{"version": "1", "default": "deny", "tools": {
            "partner_delete": {"deny_if": [
                {"path": "args.partner_id", "op": "gt", "value": 10000},
                {"path": "args.partner_id", "op": "eq", "value": 7}
            ]},
            "read_partner": {"require": [{"path": "args.partner_id", "op": "lte", "value": 100}]}
        }}"#,
    );
    let deny = Some("tools.partner_delete.deny_if[0]");
    let seven = Some("tools.partner_delete.deny_if[1]");
    let cases = [
        (json!({"partner_id": "20000"}), deny),
        (json!({"partner_id": "20_000"}), deny),
        (json!({"partner_id": " 20000 "}), deny),
        (json!({"partner_id": "7"}), seven),
        (json!({"partner_id": "500"}), None),
    ];
    assert_eq!(expect_rules(&fixture, "partner_delete", &cases).await, 1);
    let require = Some("tools.read_partner.require[0]");
    let cases = [
        (json!({"partner_id": "50"}), None),
        (json!({"partner_id": "500"}), require),
    ];
    assert_eq!(expect_rules(&fixture, "read_partner", &cases).await, 1);
    let received: Vec<Value> = std::fs::read_to_string(&fixture.call_log)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["arguments"]["partner_id"].clone())
        .collect();
    assert_eq!(received, [json!(500), json!(50)], "the server got numbers");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tool_name_that_dodges_a_glob_reaches_no_tool_of_the_child() {
    let fixture = GatewayFixture::new("key-confusable");
    fixture.sandbox.write_policy(
        r#"{"version": "1", "default": "allow", "tools": {"*_delete": {"deny": true}}}"#,
    );
    let (client, _stderr) = support::gateway::connect(fixture.command(&[])).await;
    // Each dodges "*_delete" (or is refused as a name); the child looks
    // its tools up by exact name, so none of them is its partner_delete.
    for name in [
        "partner_delete ",
        " partner_delete",
        "Partner_Delete",
        "partner_delet\u{0435}",
        "partner\u{200b}_delete",
        "partner_delete\u{7f}",
    ] {
        let result = support::mcp_client::call(&client, name, json!({"partner_id": 1})).await;
        assert_eq!(result.is_error, Some(true), "{name:?}");
    }
    let result =
        support::mcp_client::call(&client, "partner_delete", json!({"partner_id": 1})).await;
    assert!(support::mcp_client::text(&result).starts_with("[POLICY DENIED]"));
    client.cancel().await.unwrap();
    assert!(
        fixture.child_calls().is_empty(),
        "{:?}",
        fixture.child_calls()
    );
}
