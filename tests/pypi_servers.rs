//! End to end with the real Odoo MCP servers from PyPI, `mcp-server-odoo`
//! and `odoo-mcp`: each runs through `exec` and through `gateway` against
//! the Odoo 19 test server with an API key (over XML-RPC and over JSON-2)
//! and with a password; a read tool returns the server's records, a write
//! on a production connection waits for approval (and a "no" never reaches
//! Odoo), and the secret is in the server's environment only: never in a
//! process argument, a file of ours or a reply. Also: mcp-server-odoo
//! needs `ODOO_YOLO` on a standard Odoo. Needs the venv of `scripts/setup-python`; run under
//! `scripts/test --test pypi_servers`.

mod support;

use rmcp::model::CallToolResult;
use serde_json::{Value, json};
use support::mcp_client::{call, text};
use support::policy::{PolicySandbox as _, allowing};
use support::procs;
use support::pypi::{Fixture, Launch, PypiServer, SecretKind};

/// The companies among the seeded contacts, which the read must return.
const COMPANIES: [&str; 3] = ["Acme Bakery", "Azure Interior", "Deco Addict"];

/// Starts `server` every way (exec and gateway, each [`SecretKind`]),
/// reads the companies and checks where the secret is while it runs.
async fn reads_real_records_every_way(server: PypiServer) {
    let fixture = Fixture::new().await;
    let (tool, _) = server.read_call();
    fixture.sandbox.write_policy(&format!(
        r#"{{"version": "1", "default": "deny", "tools": {{"{tool}": {{}}}}}}"#
    ));
    let mut replies = Vec::new();
    for launch in [Launch::Exec, Launch::Gateway] {
        for kind in SecretKind::ALL {
            let what = format!("{} through {launch:?} with {kind:?}", server.name());
            let earlier = fixture.odoo.calls().len();
            let session = fixture
                .start(server, launch, kind, server.settings(false), &[])
                .await;
            let tools = session.client.list_all_tools().await.expect("tools/list");
            let ours = tools
                .iter()
                .filter(|tool| tool.name == "open_connection_manager")
                .count();
            assert_eq!(ours, usize::from(launch == Launch::Gateway), "{what}");
            let (tool, arguments) = server.read_call();
            let read = call(&session.client, tool, arguments).await;
            assert_eq!(read.is_error, Some(false), "{what}: {}", text(&read));
            let records = text(&read);
            for company in COMPANIES {
                assert!(records.contains(company), "{what}: {records}");
            }
            assert!(
                !records.contains("Mitchell Admin"),
                "{what}: the domain reached Odoo: {records}"
            );
            let calls = fixture.odoo.calls().split_off(earlier);
            let searched = format!("{} res.partner.search", kind.protocol());
            assert!(
                calls.iter().any(|call| call.starts_with(&searched))
                    && calls.iter().all(|call| call.starts_with(kind.protocol())),
                "{what}: every call over {}: {calls:?}",
                kind.protocol()
            );

            let (_, secret) = fixture.connection(kind);
            let child = session.server_pid(launch);
            assert_eq!(
                procs::environment_variable(child, server.secret_variable(kind)).as_deref(),
                Some(secret),
                "{what}: the secret is in the server's environment"
            );
            assert!(
                !procs::cmdline(child).unwrap_or_default().contains(secret),
                "{what}"
            );
            assert_eq!(
                procs::processes_with_secret_in_argv(secret),
                Vec::<String>::new(),
                "{what}: no process argument holds the secret"
            );
            replies.push(serde_json::to_string(&tools).expect("tools as JSON"));
            replies.push(serde_json::to_string(&read).expect("reply as JSON"));
            session.client.cancel().await.expect("close the session");
        }
    }
    assert_no_secret_in(&fixture, &replies);
}

/// Neither secret is in a reply or in any file of the sandbox (the
/// connections, the state and audit log, the child's working directory).
#[track_caller]
fn assert_no_secret_in(fixture: &Fixture, replies: &[String]) {
    for secret in [&fixture.key, &fixture.password] {
        let leaked: Vec<&String> = replies
            .iter()
            .filter(|reply| reply.contains(secret.as_str()))
            .collect();
        assert!(leaked.is_empty(), "a reply holds the secret: {leaked:?}");
        assert_eq!(
            fixture.sandbox.files_containing(secret),
            Vec::<std::path::PathBuf>::new(),
            "a file holds the secret"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn mcp_server_odoo_reads_real_records_every_way() {
    reads_real_records_every_way(PypiServer::McpServerOdoo).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn odoo_mcp_reads_real_records_every_way() {
    reads_real_records_every_way(PypiServer::OdooMcp).await;
}

/// The write tool each server has, which the test policy puts under approval.
fn write_tool(server: PypiServer) -> &'static str {
    match server {
        PypiServer::McpServerOdoo => "create_record",
        PypiServer::OdooMcp => "execute_approved_write",
    }
}

/// Creates a contact named `name` through the gateway's session; for
/// odoo-mcp, the read-only `validate_write` first gives the approval token
/// its `execute_approved_write` needs.
async fn create_partner(
    server: PypiServer,
    client: &rmcp::service::RunningService<rmcp::service::RoleClient, ()>,
    name: &str,
) -> CallToolResult {
    let values = json!({"name": name});
    let arguments = match server {
        PypiServer::McpServerOdoo => json!({"model": "res.partner", "values": values}),
        PypiServer::OdooMcp => {
            let validated = call(
                client,
                "validate_write",
                json!({"model": "res.partner", "operation": "create", "values": values}),
            )
            .await;
            let report: Value = serde_json::from_str(&text(&validated)).expect("a JSON report");
            assert_eq!(report["approval_status"]["stored"], true, "{report}");
            json!({"approval": report["approval"], "confirm": true})
        }
    };
    call(client, write_tool(server), arguments).await
}

/// On a production connection with an API key (over XML-RPC, then over
/// JSON-2), behind a policy that puts the server's write tool under
/// approval: a "no" refuses the call before the server sees it (Odoo got
/// no write), a "yes" lets it create the contact.
async fn a_write_waits_for_approval(server: PypiServer) {
    let fixture = Fixture::new().await;
    let sandbox = &fixture.sandbox;
    let tool = write_tool(server);
    sandbox.write_policy(&format!(
        r#"{{"version": "1", "default": "allow", "tools": {{"{tool}": {{"require_approval": true}}}}}}"#
    ));
    let asked = sandbox.root().join("asked");
    let mut created = Vec::new();
    for kind in [SecretKind::ApiKey, SecretKind::ApiKeyOverJson2] {
        for (answer, exit) in [("no", 1), ("yes", 0)] {
            let body = match exit {
                0 => allowing(&asked),
                _ => format!("echo \"$@\" >> '{}'\nexit {exit}", asked.display()),
            };
            let approver = sandbox.script(&format!("approve-{answer}"), &body);
            let session = fixture
                .start(
                    server,
                    Launch::Gateway,
                    kind,
                    server.settings(true),
                    &[("ODOO_CONNECTIONS_APPROVE_COMMAND", &approver)],
                )
                .await;
            let name = format!("Approved {answer} {kind:?}");
            let result = create_partner(server, &session.client, &name).await;
            session.client.cancel().await.expect("close the session");
            let message = text(&result);
            if answer == "no" {
                assert_eq!(result.is_error, Some(true), "{message}");
                assert!(
                    message.starts_with(&format!("[POLICY DENIED] {tool}: ")),
                    "{message}"
                );
            } else {
                assert_eq!(result.is_error, Some(false), "{message}");
                created.push(format!("{} res.partner.create", kind.protocol()));
            }
            assert_eq!(fixture.odoo.writes(), created, "{kind:?}, {answer}");
            assert_eq!(
                fixture.odoo.partner_names().contains(&name),
                answer == "yes",
                "{:?}",
                fixture.odoo.partner_names()
            );
            assert_no_secret_in(&fixture, &[serde_json::to_string(&result).expect("reply")]);
        }
    }
    let questions = std::fs::read_to_string(&asked).expect("the approver was asked");
    assert_eq!(questions.lines().count(), 4, "{questions}");
    assert!(
        questions.lines().all(|line| {
            line.contains(&format!("--tool {tool} ")) && line.contains("--caller gateway")
        }),
        "{questions}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn mcp_server_odoo_writes_on_production_only_after_a_yes() {
    a_write_waits_for_approval(PypiServer::McpServerOdoo).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn odoo_mcp_writes_on_production_only_after_a_yes() {
    a_write_waits_for_approval(PypiServer::OdooMcp).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mcp_server_odoo_without_odoo_yolo_exits_at_start_on_a_standard_odoo() {
    let fixture = Fixture::new().await;
    let server = PypiServer::McpServerOdoo;
    for kind in [SecretKind::ApiKey, SecretKind::Password] {
        let (name, _) = fixture.connection(kind);
        let mut command = tokio::process::Command::from(fixture.sandbox.command());
        command
            .args(["exec", name, "--profile", server.name(), "--"])
            .arg(server.program());
        let output = command.output().await.expect("run exec");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{kind:?}: {stderr}");
        assert!(
            stderr.contains("/mcp/xmlrpc/common: 404 Not Found"),
            "{kind:?}: it asks the Odoo-side module's routes: {stderr}"
        );
    }
    assert_eq!(fixture.odoo.calls(), Vec::<String>::new());
}
