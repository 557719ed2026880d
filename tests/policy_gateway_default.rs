//! The gateway without a policy file, and what an approval covers, through
//! the gateway in front of the Python SDK child. On a production connection
//! the tools the child marks read-only run, and any other waits for the
//! person (the `ODOO_CONNECTIONS_APPROVE_COMMAND` stand-in), who is shown
//! the client, tool, connection, environment and arguments on stdin, never
//! in argv; on a development connection writes run without asking. A yes
//! is bound to the SHA-256 of the arguments it was shown: replayed for
//! other arguments, it does not count.
//! Needs the venv of `scripts/setup-python`; run under `scripts/test --test policy_gateway_default`.

mod support;

use odoo_connections::policy::audit::Decision;
use serde_json::{Value, json};
use support::gateway::{GatewayFixture, connect};
use support::mcp_client::{call, text};
use support::policy::{PolicySandbox as _, allowing};
use support::sandbox::assert_exit;

fn gateway_asking(
    fixture: &GatewayFixture,
    connection: &str,
    approver: &std::path::Path,
) -> std::process::Command {
    let mut command = fixture.command_on(connection, &[]);
    command
        .env("ODOO_CONNECTIONS_APPROVE_COMMAND", approver)
        .env("ODOO_CONNECTIONS_APPROVAL_TIMEOUT", "20");
    command
}

fn lines(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn on_production_read_only_tools_run_and_writes_wait_for_approval() {
    let fixture = GatewayFixture::new("key-default-prod");
    let asked = fixture.sandbox.root().join("asked");
    let yes = fixture.sandbox.script("approve-yes", &allowing(&asked));
    let (client, _stderr) = connect(gateway_asking(&fixture, "acme", &yes)).await;
    let read = call(&client, "read_partner", json!({"partner_id": 4})).await;
    assert_eq!(read.is_error, Some(false), "{}", text(&read));
    assert!(
        lines(&asked).is_empty(),
        "a read-only tool runs without asking"
    );
    let written = call(
        &client,
        "write_partner",
        json!({"partner_id": 4, "name": "Gemini Furniture key-default-prod"}),
    )
    .await;
    assert_eq!(written.is_error, Some(false), "{}", text(&written));
    client.cancel().await.unwrap();

    assert_eq!(
        lines(&asked),
        ["approve --tool write_partner --caller gateway --timeout-secs 20"],
        "asked once, with nothing of the call in argv"
    );
    let stdin = lines(&asked.with_extension("stdin"));
    let request: Value = serde_json::from_str(&stdin[0]).unwrap();
    assert_eq!(request["tool"], "write_partner");
    assert_eq!(request["connection"], "acme");
    assert_eq!(request["environment"], "production");
    assert!(
        request["client"]
            .as_str()
            .is_some_and(|client| !client.is_empty()),
        "{request}"
    );
    assert_eq!(
        request["action"],
        "run the tool write_partner of the MCP server (\"Rename one partner.\")"
    );
    assert_eq!(
        request["summary"],
        json!(["name: Gemini Furniture [secret removed]", "partner_id: 4"]),
        "the connection's secret is scrubbed from what is shown"
    );
    assert!(!stdin[0].contains("key-default-prod"), "{}", stdin[0]);
    assert_eq!(fixture.child_calls(), ["read_partner", "write_partner"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn on_production_a_write_the_person_declines_never_reaches_the_child() {
    let fixture = GatewayFixture::new("key-default-no");
    let no = fixture.sandbox.script("approve-no", "exit 1");
    let (client, _stderr) = connect(gateway_asking(&fixture, "acme", &no)).await;
    let written = call(
        &client,
        "write_partner",
        json!({"partner_id": 4, "name": "N"}),
    )
    .await;
    assert!(
        text(&written).starts_with("[POLICY DENIED] write_partner: "),
        "{}",
        text(&written)
    );
    assert!(
        text(&written).contains("rule tools.*.require_approval"),
        "{}",
        text(&written)
    );
    client.cancel().await.unwrap();
    assert!(fixture.child_calls().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn on_development_writes_run_without_asking() {
    let fixture = GatewayFixture::new("key-default-dev");
    assert_exit(
        &fixture.sandbox.add(
            "acme-dev",
            "https://dev.example.com",
            "key-dev",
            &["--env", "development"],
        ),
        0,
    );
    let asked = fixture.sandbox.root().join("asked");
    let no = fixture.sandbox.script(
        "approve-no",
        &format!("echo \"$@\" >> '{}'\nexit 1", asked.display()),
    );
    let (client, _stderr) = connect(gateway_asking(&fixture, "acme-dev", &no)).await;
    let written = call(
        &client,
        "write_partner",
        json!({"partner_id": 4, "name": "N"}),
    )
    .await;
    assert_eq!(written.is_error, Some(false), "{}", text(&written));
    client.cancel().await.unwrap();
    assert!(lines(&asked).is_empty());
    assert_eq!(fixture.child_calls(), ["write_partner"]);
    let audit = fixture.sandbox.audit();
    assert_eq!(audit[0].rule.as_deref(), Some("default"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_approval_given_for_some_arguments_does_not_cover_others() {
    let fixture = GatewayFixture::new("key-replay");
    let sandbox = &fixture.sandbox;
    let asked = sandbox.root().join("asked");
    let yes = sandbox.script("approve-yes", &allowing(&asked));
    let (client, _stderr) = connect(gateway_asking(&fixture, "acme", &yes)).await;
    let first = call(
        &client,
        "write_partner",
        json!({"partner_id": 1, "name": "A"}),
    )
    .await;
    assert_eq!(first.is_error, Some(false), "{}", text(&first));
    client.cancel().await.unwrap();

    // The grant the person gave for call A, replayed by an approver that
    // says yes to anything with it.
    let request: Value = serde_json::from_str(&lines(&asked.with_extension("stdin"))[0]).unwrap();
    let grant = sandbox.root().join("grant-a");
    std::fs::write(&grant, request["grant"].to_string()).unwrap();
    let replay = sandbox.script(
        "approve-replay",
        &format!("cat > /dev/null\ncat '{}'", grant.display()),
    );
    let (client, _stderr) = connect(gateway_asking(&fixture, "acme", &replay)).await;
    let other = call(
        &client,
        "write_partner",
        json!({"partner_id": 1, "name": "B"}),
    )
    .await;
    let same = call(
        &client,
        "write_partner",
        json!({"partner_id": 1, "name": "A"}),
    )
    .await;
    client.cancel().await.unwrap();
    assert!(
        text(&other).starts_with("[POLICY DENIED]"),
        "{}",
        text(&other)
    );
    assert!(
        text(&other).contains("given for other arguments"),
        "{}",
        text(&other)
    );
    assert!(
        text(&same).contains("answers another request"),
        "the same arguments again are another call: {}",
        text(&same)
    );
    let calls = std::fs::read_to_string(&fixture.call_log).unwrap();
    assert_eq!(calls.lines().count(), 1, "only call A ran: {calls}");
    assert!(calls.contains("\"name\": \"A\""), "{calls}");
    let denied = fixture
        .sandbox
        .audit()
        .into_iter()
        .filter(|entry| entry.decision == Decision::Deny)
        .count();
    assert_eq!(denied, 2);
}
