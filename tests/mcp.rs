//! The MCP server driven over stdio by a real client (rmcp's client on the
//! real binary): tools and their annotations, ten opens then a refusal with
//! a retry hint, the audit log telling that story, read-only tools that
//! never return a secret, and nothing but JSON-RPC on stdout.

mod support;

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::Stdio;

use odoo_connections::policy::audit::{Caller, Decision};
use rmcp::ServiceExt as _;
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use support::mcp_client::{call, text};
use support::policy::PolicySandbox as _;
use support::sandbox::{Sandbox, stderr};

async fn connect(sandbox: &Sandbox) -> RunningService<RoleClient, ()> {
    let mut command = sandbox.command();
    command
        .arg("mcp")
        .env("ODOO_CONNECTIONS_GUI_COMMAND", sandbox.ready_window());
    let transport = TokioChildProcess::new(tokio::process::Command::from(command)).unwrap();
    ().serve(transport).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_opens_pass_and_the_eleventh_within_a_minute_is_refused_with_a_retry_hint() {
    // No policy file: the built-in seed policy (10 opens per minute) applies.
    let sandbox = Sandbox::new();
    let client = connect(&sandbox).await;
    let info = client.peer_info().unwrap();
    assert_eq!(info.server_info.as_ref().unwrap().name, "odoo-connections");

    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    let open = tools
        .iter()
        .find(|tool| tool.name == "open_connection_manager")
        .unwrap();
    let hints = open.annotations.clone().unwrap();
    assert_eq!(hints.read_only_hint, Some(false));
    assert_eq!(hints.destructive_hint, Some(false));
    assert_eq!(hints.idempotent_hint, Some(true));
    assert_eq!(hints.open_world_hint, Some(false));
    let listing = tools
        .iter()
        .find(|tool| tool.name == "list_connections")
        .unwrap();
    assert_eq!(
        listing.annotations.clone().unwrap().read_only_hint,
        Some(true)
    );

    for attempt in 1..=10 {
        let result = call(&client, "open_connection_manager", serde_json::json!({})).await;
        assert_eq!(
            result.is_error,
            Some(false),
            "attempt {attempt}: {}",
            text(&result)
        );
        assert!(text(&result).contains("opened the window"));
    }
    let refused = call(&client, "open_connection_manager", serde_json::json!({})).await;
    assert_eq!(refused.is_error, Some(true));
    let message = text(&refused);
    assert!(message.starts_with("[POLICY DENIED] "), "{message}");
    assert!(
        message.contains("limit 10 per minute reached; try again in "),
        "{message}"
    );
    assert!(
        message.contains("rule tools.open_connection_manager.limits[0]"),
        "{message}"
    );
    let structured = refused.structured_content.clone().unwrap();
    assert_eq!(structured["policy_denied"], true);
    let retry = structured["retry_after_secs"].as_u64().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    client.cancel().await.unwrap();

    assert_eq!(sandbox.window_args().len(), 10);
    let opens: Vec<_> = sandbox
        .audit()
        .into_iter()
        .filter(|entry| entry.tool == "open_connection_manager")
        .collect();
    assert_eq!(opens.len(), 11);
    assert!(opens.iter().all(|entry| entry.caller == Caller::Mcp));
    assert!(
        opens[..10]
            .iter()
            .all(|entry| entry.decision == Decision::Allow)
    );
    assert_eq!(opens[10].decision, Decision::Deny);
    assert_eq!(
        opens[10].rule.as_deref(),
        Some("tools.open_connection_manager.limits[0]")
    );
    assert_eq!(opens[10].retry_after_secs, Some(retry));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tool_the_policy_refuses_is_an_error_result_not_a_protocol_error() {
    let sandbox = Sandbox::new();
    sandbox
        .write_policy(r#"{"version":"1","default":"deny","tools":{"open_connection_manager":{}}}"#);
    let client = connect(&sandbox).await;
    let result = call(&client, "list_connections", serde_json::json!({})).await;
    assert_eq!(result.is_error, Some(true));
    let message = text(&result);
    assert!(
        message.starts_with("[POLICY DENIED] list_connections: "),
        "{message}"
    );
    assert!(message.contains("(rule default)"), "{message}");
    client.cancel().await.unwrap();
}

/// Needs the keyring: run under `scripts/test --test mcp`.
#[tokio::test(flavor = "multi_thread")]
async fn read_only_tools_describe_connections_without_their_secret() {
    const SECRET: &str = "mcp-test-secret-8f3a1c";
    let sandbox = Sandbox::new();
    let added = sandbox.add("acme-prod", "http://127.0.0.1:9", SECRET, &[]);
    assert!(added.status.success(), "{}", stderr(&added));

    let client = connect(&sandbox).await;
    let listed = call(&client, "list_connections", serde_json::json!({})).await;
    assert_eq!(listed.is_error, Some(false), "{}", text(&listed));
    let connections = listed.structured_content.clone().unwrap()["connections"].clone();
    assert_eq!(connections[0]["name"], "acme-prod");
    assert_eq!(connections[0]["login"], "admin");

    let tested = call(
        &client,
        "test_connection",
        serde_json::json!({"name": "acme-prod"}),
    )
    .await;
    let report = tested.structured_content.clone().unwrap();
    assert_eq!(report["ok"], false, "nothing listens on port 9");
    assert_eq!(tested.is_error, Some(true));
    assert!(report["code"].is_string());

    let missing = call(
        &client,
        "test_connection",
        serde_json::json!({"name": "nope"}),
    )
    .await;
    assert_eq!(missing.is_error, Some(true));
    assert!(
        text(&missing).contains("list_connections"),
        "{}",
        text(&missing)
    );
    client.cancel().await.unwrap();

    for reply in [&listed, &tested, &missing] {
        let wire = serde_json::to_string(reply).unwrap();
        assert!(!wire.contains(SECRET), "a reply leaked the secret: {wire}");
    }
    let audit = std::fs::read_to_string(sandbox.paths().state_dir().join("audit.jsonl")).unwrap();
    assert!(!audit.contains(SECRET));
    let audit = sandbox.audit();
    let tools: Vec<&str> = audit.iter().map(|entry| entry.tool.as_str()).collect();
    // The test of a missing name was admitted, then did not run: a second
    // line says it was not counted.
    assert_eq!(
        tools,
        [
            "list_connections",
            "test_connection",
            "test_connection",
            "test_connection"
        ]
    );
    let last = audit.last().unwrap().reason.clone().unwrap_or_default();
    assert!(last.contains("not counted"), "{last}");
}

#[test]
fn stdout_carries_nothing_but_json_rpc() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&support::policy::open_limit_policy(1, ""));
    let mut server = sandbox
        .command()
        .arg("mcp")
        .env("ODOO_CONNECTIONS_GUI_COMMAND", sandbox.ready_window())
        .env("ODOO_CONNECTIONS_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = server.stdin.take().unwrap();
    let requests = [
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}"#,
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
        r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"open_connection_manager","arguments":{}}}"#,
    ];
    for request in requests {
        writeln!(stdin, "{request}").unwrap();
    }
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    let mut send_second_open = true;
    while seen.len() < 4 {
        let line = lines.next().expect("the server answers").unwrap();
        let message: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|error| panic!("not JSON-RPC on stdout ({error}): {line}"));
        assert_eq!(message["jsonrpc"], "2.0", "{line}");
        seen.push(message["id"].as_u64().unwrap());
        if message["id"] == 3 && send_second_open {
            send_second_open = false;
            writeln!(stdin, r#"{{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{{"name":"open_connection_manager","arguments":{{}}}}}}"#).unwrap();
        }
        if message["id"] == 4 {
            assert_eq!(message["result"]["isError"], true, "{line}");
            let text = message["result"]["content"][0]["text"].as_str().unwrap();
            assert!(text.starts_with("[POLICY DENIED]"), "{text}");
        }
    }
    drop(stdin);
    for line in lines {
        let line = line.unwrap();
        let message: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|error| panic!("not JSON-RPC on stdout ({error}): {line}"));
        assert_eq!(message["jsonrpc"], "2.0", "{line}");
    }
    let output = server.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    seen.sort_unstable();
    assert_eq!(seen, [1, 2, 3, 4]);
}
