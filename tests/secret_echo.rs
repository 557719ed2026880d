//! A server that echoes the request (and so the secret) in its faults: over
//! XML-RPC, JSON-RPC and JSON-2, as Odoo errors and as an HTML 500 page, the
//! secret reaches neither `test` (table, one line, `--json`), nor
//! `last-tests.json` or any other file, nor the MCP `test_connection` reply
//! of a real MCP client. Uses the keyring: run under
//! `scripts/test --test secret_echo`.

mod support;

use rmcp::ServiceExt as _;
use rmcp::transport::TokioChildProcess;
use serde_json::Value;
use support::mcp_client::call;
use support::odoo_server::{LoginFault, OdooServer, OdooVersion, User};
use support::sandbox::{Sandbox, assert_exit, stderr, stdout};

/// A secret with characters every format escapes differently.
const SECRET: &str = "p&ss\"wörd+/=<x>";

/// Pieces of the secret in the forms the echoes carry it: raw (JSON-2
/// header), XML-escaped (XML-RPC body), JSON-escaped and its Python repr
/// (JSON-RPC body), HTML-escaped (the error page).
const FRAGMENTS: [&str; 6] = [
    "wörd+/=",
    "ss\"w",
    "p&amp;ss",
    "ss&quot;w",
    "ss\\\"w",
    "ss\\\\\"w",
];

const MARKER: &str = odoo_connections::redact::SECRET_REMOVED;

const PROTOCOLS: [&str; 3] = ["xmlrpc", "jsonrpc", "json2"];

#[track_caller]
fn assert_no_secret(what: &str, text: &str) {
    for fragment in FRAGMENTS {
        assert!(
            !text.contains(fragment),
            "{what} holds the secret ({fragment:?}):\n{text}"
        );
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn echoing_server(runtime: &tokio::runtime::Runtime, fault: LoginFault) -> OdooServer {
    runtime.block_on(
        OdooServer::builder()
            .version(OdooVersion::V19)
            .database("acme")
            .user(User::new("admin").password("pw").api_key("k3y"))
            .login_fault(fault)
            .start(),
    )
}

/// One connection per protocol, all with [`SECRET`] as their API key.
fn add_connections(sandbox: &Sandbox, url: &str) {
    for protocol in PROTOCOLS {
        assert_exit(
            &sandbox.add(
                protocol,
                url,
                SECRET,
                &["--auth", "api-key", "--protocol", protocol],
            ),
            0,
        );
    }
}

fn remove_connections(sandbox: &Sandbox) {
    for protocol in PROTOCOLS {
        sandbox.run(&["rm", protocol, "--yes"]);
    }
}

/// `test` in all its shapes; returns each `--json` message.
fn cli_reports(sandbox: &Sandbox) -> Vec<String> {
    let mut messages = Vec::new();
    for protocol in PROTOCOLS {
        let plain = sandbox.run(&["test", protocol]);
        assert_exit(&plain, 6);
        assert_no_secret(&format!("test {protocol} (stdout)"), &stdout(&plain));
        assert_no_secret(&format!("test {protocol} (stderr)"), &stderr(&plain));
        assert!(
            stdout(&plain).starts_with("server_error: "),
            "{}",
            stdout(&plain)
        );

        let json = sandbox.run(&["test", protocol, "--json"]);
        assert_exit(&json, 6);
        assert_no_secret(&format!("test {protocol} --json"), &stdout(&json));
        let report: Value = serde_json::from_str(&stdout(&json)).expect("JSON report");
        let message = report["message"].as_str().expect("message").to_owned();
        assert_no_secret(&format!("test {protocol} --json message"), &message);
        messages.push(message);
    }
    let all = sandbox.run(&["test", "--all"]);
    assert_exit(&all, 6);
    assert_no_secret("test --all (stdout)", &stdout(&all));
    assert_no_secret("test --all (stderr)", &stderr(&all));
    messages
}

/// `test_connection` from a real MCP client; returns each reply's message.
async fn mcp_reports(sandbox: &Sandbox) -> Vec<String> {
    let mut command = sandbox.command();
    command.arg("mcp");
    let transport =
        TokioChildProcess::new(tokio::process::Command::from(command)).expect("MCP server");
    let client = ().serve(transport).await.expect("MCP handshake");
    let mut messages = Vec::new();
    for protocol in PROTOCOLS {
        let reply = call(
            &client,
            "test_connection",
            serde_json::json!({"name": protocol}),
        )
        .await;
        assert_eq!(reply.is_error, Some(true), "{reply:?}");
        let whole = serde_json::to_string(&reply).expect("reply as JSON");
        assert_no_secret(&format!("MCP test_connection {protocol}"), &whole);
        let structured = reply.structured_content.clone().expect("structured reply");
        assert_eq!(structured["code"], "server_error", "{structured}");
        messages.push(
            structured["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    client.cancel().await.expect("close the MCP session");
    messages
}

fn assert_no_file_holds_the_secret(sandbox: &Sandbox) {
    let results = std::fs::read_to_string(sandbox.paths().last_tests_file())
        .expect("last-tests.json is written");
    assert_no_secret("last-tests.json", &results);
    for fragment in FRAGMENTS {
        assert_eq!(
            sandbox.files_containing(fragment),
            Vec::<std::path::PathBuf>::new(),
            "{fragment:?}"
        );
    }
}

/// The `test --json` and MCP `test_connection` messages of one connection
/// per protocol on a server whose login faults are `fault`, once no report
/// and no file has been found holding the secret.
fn messages_from_an_echoing_server(fault: LoginFault) -> Vec<String> {
    let runtime = runtime();
    let server = echoing_server(&runtime, fault);
    let sandbox = Sandbox::new();
    add_connections(&sandbox, &server.url());

    let mut messages = cli_reports(&sandbox);
    messages.extend(runtime.block_on(mcp_reports(&sandbox)));
    assert_no_file_holds_the_secret(&sandbox);
    remove_connections(&sandbox);
    messages
}

#[test]
fn a_fault_echoing_the_request_never_shows_the_secret_anywhere() {
    // The echo did reach the reports, scrubbed: the proof the test bites.
    for message in messages_from_an_echoing_server(LoginFault::EchoRequest) {
        assert!(message.contains("Invalid request: "), "{message}");
        assert!(message.contains(MARKER), "{message}");
    }
}

#[test]
fn an_error_page_echoing_the_request_never_shows_the_secret_anywhere() {
    for message in messages_from_an_echoing_server(LoginFault::EchoPage) {
        assert!(message.contains("HTTP 500"), "{message}");
    }
}
