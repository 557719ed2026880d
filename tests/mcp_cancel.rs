//! A call that never finishes gives its slot back: an MCP client that
//! cancels a call waiting for approval (`notifications/cancelled`) or closes
//! stdin closes the approval window (the approver process is killed), the
//! reservation is taken back and the audit log says so.

mod support;

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use odoo_connections::policy::audit::Decision;
use support::policy::PolicySandbox as _;
use support::sandbox::Sandbox;

const POLICY: &str = r#"{"version": "1", "default": "deny", "tools": {"list_connections":
  {"require_approval": true, "limits": [{"counter": "lists", "window": "minute", "max": 1}]}}}"#;

/// Starts `mcp` with an approver that records its pid and then waits, and
/// asks for `list_connections` (request id 2).
fn ask_and_wait_for_the_approver(sandbox: &Sandbox) -> (Child, std::process::ChildStdin, u32) {
    sandbox.write_policy(POLICY);
    let pid_file = sandbox.root().join("approver.pid");
    let approver = sandbox.script(
        "approver-slow",
        &format!("echo $$ > '{}'\nexec sleep 600", pid_file.display()),
    );
    let mut server = sandbox
        .command()
        .arg("mcp")
        .env("ODOO_CONNECTIONS_APPROVE_COMMAND", &approver)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = server.stdin.take().unwrap();
    for request in [
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}"#,
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_connections","arguments":{}}}"#,
    ] {
        writeln!(stdin, "{request}").unwrap();
    }
    let pid = wait_for(|| {
        std::fs::read_to_string(&pid_file)
            .ok()
            .and_then(|text| text.trim().parse::<u32>().ok())
    });
    (server, stdin, pid)
}

/// Polls `probe` until it gives a value (a hung server fails the test
/// after a generous limit, not a timed assertion).
fn wait_for<T>(mut probe: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "gave up waiting"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| stat.split(' ').nth(2).is_none_or(|state| state != "Z"))
}

/// The approver is gone, the call is audited as refused for the
/// cancellation, and the slot is free again.
fn settled(sandbox: &Sandbox, pid: u32) {
    wait_for(|| (!alive(pid)).then_some(()));
    let logged = wait_for(|| sandbox.audit().pop());
    assert_eq!(logged.decision, Decision::Deny);
    assert!(
        logged
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("cancelled"),
        "{logged:?}"
    );
    let check = sandbox.run(&["policy", "check", "list_connections", "--json"]);
    let reports: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(
        reports[0]["limits"][0]["used"], 0,
        "the slot was given back"
    );
}

#[test]
fn a_cancelled_call_closes_its_approval_window_and_gives_its_slot_back() {
    let sandbox = Sandbox::new();
    let (mut server, mut stdin, pid) = ask_and_wait_for_the_approver(&sandbox);
    writeln!(
        stdin,
        r#"{{"jsonrpc":"2.0","method":"notifications/cancelled","params":{{"requestId":2,"reason":"user pressed stop"}}}}"#
    )
    .unwrap();
    settled(&sandbox, pid);
    // The server is still serving.
    writeln!(stdin, r#"{{"jsonrpc":"2.0","id":3,"method":"ping"}}"#).unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let answered = lines.any(|line| line.unwrap().contains(r#""id":3"#));
    assert!(answered);
    drop(stdin);
    server.wait().unwrap();
}

#[test]
fn a_client_that_closes_stdin_closes_the_approval_window_and_gives_the_slot_back() {
    let sandbox = Sandbox::new();
    let (mut server, stdin, pid) = ask_and_wait_for_the_approver(&sandbox);
    drop(stdin);
    server.wait().unwrap();
    settled(&sandbox, pid);
}
