//! The policy gateway (`odoo-connections gateway`) in front of a real MCP
//! server written with the official Python SDK, driven by a real rmcp
//! client: the tool list it shows (also after the child's `list_changed`),
//! policy decisions on the child's tools, and every other kind of message
//! passing through both ways.
//! Needs the venv of `scripts/setup-python`; run under `scripts/test --test gateway`.

mod support;

use odoo_connections::policy::audit::{Caller, Decision};

use rmcp::model::{GetPromptRequestParams, ReadResourceRequestParams};
use rmcp::service::{NotificationContext, RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, ServiceExt as _};
use serde_json::json;
use sha2::Digest as _;
use support::gateway::GatewayFixture;
use support::mcp_client::{call, text};
use support::policy::PolicySandbox as _;

async fn connect(fixture: &GatewayFixture) -> RunningService<RoleClient, ()> {
    connect_with(fixture, ()).await
}

async fn connect_with<H: ClientHandler>(
    fixture: &GatewayFixture,
    handler: H,
) -> RunningService<RoleClient, H> {
    let mut command = fixture.command(&[]);
    command.env(
        "ODOO_CONNECTIONS_GUI_COMMAND",
        fixture.sandbox.ready_window(),
    );
    let transport = TokioChildProcess::new(tokio::process::Command::from(command)).unwrap();
    handler
        .serve(transport)
        .await
        .expect("MCP handshake through the gateway")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_childs_tools_are_listed_with_our_window_tool_in_place_of_its_own() {
    let fixture = GatewayFixture::new("key-list");
    let client = connect(&fixture).await;
    let info = client.peer_info().unwrap();
    assert_eq!(
        info.server_info.as_ref().unwrap().name,
        "gateway-test-child",
        "initialize passes through to the child"
    );
    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
    for expected in ["read_partner", "write_partner", "slow", "ask_client"] {
        assert!(names.contains(&expected), "{names:?}");
    }
    let windows: Vec<_> = tools
        .iter()
        .filter(|tool| tool.name == "open_connection_manager")
        .collect();
    assert_eq!(windows.len(), 1, "{names:?}");
    assert!(
        windows[0]
            .description
            .as_deref()
            .unwrap()
            .contains("Odoo Connection Manager window"),
        "ours, not the child's: {:?}",
        windows[0].description
    );
    let opened = call(&client, "open_connection_manager", json!({})).await;
    assert_eq!(opened.is_error, Some(false), "{}", text(&opened));
    assert!(text(&opened).contains("window is on the user's screen"));
    client.cancel().await.unwrap();
    assert_eq!(fixture.sandbox.window_args().len(), 1, "our window opened");
    assert!(
        fixture.child_calls().is_empty(),
        "the child's own window tool never ran: {:?}",
        fixture.child_calls()
    );
}

/// A client that signals each `notifications/tools/list_changed`.
#[derive(Clone, Default)]
struct ListChangedClient {
    changed: std::sync::Arc<tokio::sync::Notify>,
}

impl ClientHandler for ListChangedClient {
    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.changed.notify_one();
    }
}

fn names(tools: &[rmcp::model::Tool]) -> Vec<&str> {
    tools.iter().map(|tool| tool.name.as_ref()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_childs_list_changed_reaches_the_client_and_the_next_list_is_the_new_one() {
    let fixture = GatewayFixture::new("key-changed");
    fixture
        .sandbox
        .write_policy(r#"{"version": "1", "default": "allow", "hide": ["late_admin"]}"#);
    let handler = ListChangedClient::default();
    let changed = handler.changed.clone();
    let client = connect_with(&fixture, handler).await;
    let before = client.list_all_tools().await.unwrap();
    assert!(
        names(&before).contains(&"write_partner"),
        "{:?}",
        names(&before)
    );
    assert!(
        !names(&before).contains(&"late_partner"),
        "{:?}",
        names(&before)
    );

    let result = call(&client, "change_tools", json!({})).await;
    assert_eq!(result.is_error, Some(false), "{}", text(&result));
    // A guard against a hang, not a speed check: the notification came
    // before the result on the wire.
    tokio::time::timeout(std::time::Duration::from_secs(30), changed.notified())
        .await
        .expect("notifications/tools/list_changed passed through the gateway");

    let after = client.list_all_tools().await.unwrap();
    let listed = names(&after);
    assert!(
        listed.contains(&"late_partner"),
        "the child's new tool: {listed:?}"
    );
    assert!(
        !listed.contains(&"write_partner"),
        "the child dropped it: {listed:?}"
    );
    assert!(
        !listed.contains(&"late_admin"),
        "still hidden by the policy: {listed:?}"
    );
    let windows: Vec<_> = after
        .iter()
        .filter(|tool| tool.name == "open_connection_manager")
        .collect();
    assert_eq!(windows.len(), 1, "{listed:?}");
    assert!(
        windows[0]
            .description
            .as_deref()
            .unwrap_or_default()
            .contains("Odoo Connection Manager window"),
        "still ours: {:?}",
        windows[0].description
    );
    let late = call(&client, "late_partner", json!({"partner_id": 7})).await;
    assert_eq!(text(&late), "late partner 7");
    client.cancel().await.unwrap();
    assert_eq!(fixture.child_calls(), ["change_tools", "late_partner"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_call_the_policy_refuses_never_reaches_the_child() {
    let fixture = GatewayFixture::new("key-deny");
    fixture
        .sandbox
        .write_policy(r#"{"version":"1","default":"deny"}"#);
    let client = connect(&fixture).await;
    let refused = call(
        &client,
        "write_partner",
        json!({"partner_id": 7, "name": "X"}),
    )
    .await;
    assert_eq!(refused.is_error, Some(true));
    let message = text(&refused);
    assert!(
        message.starts_with("[POLICY DENIED] write_partner: "),
        "{message}"
    );
    client.cancel().await.unwrap();
    assert!(
        fixture.child_calls().is_empty(),
        "{:?}",
        fixture.child_calls()
    );
    let audit = fixture.sandbox.audit();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].tool, "write_partner");
    assert_eq!(audit[0].decision, Decision::Deny);
    assert_eq!(audit[0].caller, Caller::Gateway);
}

#[tokio::test(flavor = "multi_thread")]
async fn resources_prompts_completions_and_ping_pass_through() {
    let fixture = GatewayFixture::new("key-pass");
    let client = connect(&fixture).await;
    let resources = client.list_all_resources().await.unwrap();
    assert_eq!(resources.len(), 1, "{resources:?}");
    assert_eq!(resources[0].uri, "note://greeting");
    let read = client
        .read_resource(ReadResourceRequestParams::new("note://greeting"))
        .await
        .unwrap();
    let body = serde_json::to_value(&read).unwrap();
    assert_eq!(
        body["contents"][0]["text"], "hello from the child",
        "{body}"
    );
    let prompts = client.list_all_prompts().await.unwrap();
    assert_eq!(prompts[0].name, "greet");
    let prompt = client
        .get_prompt(
            GetPromptRequestParams::new("greet")
                .with_arguments(serde_json::Map::from_iter([("name".into(), json!("Ada"))])),
        )
        .await
        .unwrap();
    let prompt = serde_json::to_value(&prompt).unwrap();
    assert!(prompt.to_string().contains("Please greet Ada."), "{prompt}");
    let completed = client
        .complete_prompt_simple("greet", "name", "Al")
        .await
        .unwrap();
    assert_eq!(completed, ["Alice", "Albert"]);
    client
        .send_request(rmcp::model::ClientRequest::PingRequest(Default::default()))
        .await
        .unwrap();
    client.cancel().await.unwrap();
    assert!(
        fixture.sandbox.audit().is_empty(),
        "only tool calls are audited"
    );
}

#[test]
fn a_batch_or_a_line_that_is_not_json_gets_a_json_rpc_error_and_the_session_goes_on() {
    use std::io::{BufRead as _, BufReader, Write as _};
    let fixture = GatewayFixture::new("key-raw");
    let mut gateway = fixture
        .command(&[])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = gateway.stdin.take().unwrap();
    let mut output = BufReader::new(gateway.stdout.take().unwrap()).lines();
    let mut next =
        || -> serde_json::Value { serde_json::from_str(&output.next().unwrap().unwrap()).unwrap() };
    let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#;
    writeln!(input, "{init}").unwrap();
    assert_eq!(next()["result"]["serverInfo"]["name"], "gateway-test-child");
    writeln!(
        input,
        r#"[{{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{{"name":"write_partner"}}}}]"#
    )
    .unwrap();
    assert_eq!(next()["error"]["code"], -32600);
    writeln!(input, "not json").unwrap();
    assert_eq!(next()["error"]["code"], -32700);
    writeln!(input, r#"{{"jsonrpc":"2.0","id":3,"method":"ping"}}"#).unwrap();
    assert_eq!(next(), json!({"jsonrpc": "2.0", "id": 3, "result": {}}));
    drop(input);
    assert!(gateway.wait().unwrap().success());
    assert!(
        fixture.child_calls().is_empty(),
        "the batch never reached the child"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_mcp_config_entry_runs_the_gateway_from_a_clients_minimal_environment() {
    let fixture = GatewayFixture::new("key-entry");
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").expect("run under scripts/with-session.sh");
    let printed = fixture
        .sandbox
        .command()
        .args([
            "mcp-config",
            "--client",
            "vscode",
            "--gateway",
            "acme",
            "--profile",
            "odoo-mcp",
        ])
        .arg("--")
        .arg(support::gateway::python())
        .arg(support::gateway::child_server())
        .output()
        .unwrap();
    support::sandbox::assert_exit(&printed, 0);
    let entry: serde_json::Value =
        serde_json::from_str(&support::sandbox::stdout(&printed)).unwrap();
    let server = &entry["servers"]["odoo-acme"];
    assert_eq!(server["type"], "stdio");
    assert_eq!(server["env"]["DBUS_SESSION_BUS_ADDRESS"], bus.as_str());
    let args: Vec<String> = server["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|arg| arg.as_str().unwrap().to_owned())
        .collect();
    let paths = fixture.sandbox.paths();
    assert_eq!(
        args[..4],
        [
            "--config-dir".to_owned(),
            paths.config_dir().display().to_string(),
            "--state-dir".to_owned(),
            paths.state_dir().display().to_string()
        ],
        "the directories given by environment are carried as options"
    );
    assert!(
        !entry.to_string().contains("key-entry"),
        "no secret in the entry"
    );

    // Start it the way an MCP client does: only HOME, PATH and the entry's env.
    let mut command = tokio::process::Command::new(server["command"].as_str().unwrap());
    command
        .args(&args)
        .env_clear()
        .env("HOME", std::env::var("HOME").unwrap())
        .env("PATH", std::env::var("PATH").unwrap())
        .env("DBUS_SESSION_BUS_ADDRESS", &bus)
        .env("CHILD_ENV_LOG", &fixture.env_log);
    let transport = TokioChildProcess::new(command).unwrap();
    let client = ().serve(transport).await.expect("the entry starts the gateway");
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().any(|tool| tool.name == "read_partner"));
    assert_eq!(
        support::procs::processes_with_secret_in_argv("key-entry"),
        Vec::<String>::new(),
        "no process argument holds the secret"
    );
    client.cancel().await.unwrap();
    let seen = fixture.child_env();
    let digest: String = sha2::Sha256::digest(b"key-entry")
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert_eq!(
        seen["env"]["ODOO_PASSWORD"],
        digest.as_str(),
        "the key reached the child: {seen}"
    );
    assert_eq!(
        std::path::Path::new(seen["cwd"].as_str().unwrap()),
        paths.state_dir().join("child-cwd")
    );
}
