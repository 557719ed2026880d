//! MCP figures: a real MCP client (rmcp) drives `odoo-connections mcp`
//! (release build) over stdio in a private sandbox: session start, and the
//! round trip of tool calls. Prints figures, asserts nothing.

mod support;

use std::time::{Duration, Instant};

use rmcp::ServiceExt as _;
use rmcp::model::CallToolRequestParams;
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use support::{BenchSandbox as _, Sandbox, Target, figure, heading, median, ms};

const SESSIONS: usize = 10;
const CALLS: usize = 200;

/// A policy allowing both tools, `open_connection_manager` `max` times a minute.
fn policy(max: u32) -> String {
    format!(
        r#"{{"version": "1", "default": "deny", "tools": {{"list_connections": {{}}, "open_connection_manager": {{"limits": [{{"counter": "opens", "window": "minute", "max": {max}, "scope": "grant"}}]}}}}}}"#
    )
}

async fn connect(sandbox: &Sandbox) -> RunningService<RoleClient, ()> {
    let mut command = sandbox.quiet_command();
    command
        .arg("mcp")
        .env("ODOO_CONNECTIONS_GUI_COMMAND", sandbox.ready_window());
    let transport =
        TokioChildProcess::new(tokio::process::Command::from(command)).expect("spawn mcp server");
    ().serve(transport).await.expect("MCP initialize")
}

/// Median time from spawning the server to a finished initialize handshake.
async fn session_start(sandbox: &Sandbox) -> Duration {
    let mut samples = Vec::with_capacity(SESSIONS);
    for _ in 0..SESSIONS {
        let started = Instant::now();
        let client = connect(sandbox).await;
        samples.push(started.elapsed());
        client.cancel().await.expect("close session");
    }
    median(samples)
}

/// Median round trip of `calls` calls of `tool` (no arguments), checking every reply's
/// error flag is `is_error` (a wrong flag means the wrong path is measured).
async fn round_trip(
    sandbox: &Sandbox,
    tool: &'static str,
    calls: usize,
    is_error: bool,
) -> Duration {
    let client = connect(sandbox).await;
    let mut samples = Vec::with_capacity(calls);
    for _ in 0..calls {
        let started = Instant::now();
        let result = client
            .call_tool(CallToolRequestParams::new(tool))
            .await
            .expect("tool call");
        samples.push(started.elapsed());
        assert_eq!(result.is_error, Some(is_error), "{tool}: {result:?}");
    }
    client.cancel().await.expect("close session");
    median(samples)
}

#[tokio::main]
async fn main() {
    let small = Sandbox::new();
    small.write_policy(&policy(u32::MAX));
    small.seed_connections(10);
    let large = Sandbox::new();
    large.write_policy(&policy(u32::MAX));
    large.seed_connections(10_000);
    let full = Sandbox::new();
    full.write_policy(&policy(1));

    let start = session_start(&small).await;
    let list_small = round_trip(&small, "list_connections", CALLS, false).await;
    let list_large = round_trip(&large, "list_connections", CALLS / 20, false).await;
    let open_allowed = round_trip(&small, "open_connection_manager", CALLS, false).await;
    // The first call uses up the only allowed open.
    round_trip(&full, "open_connection_manager", 1, false).await;
    let open_refused = round_trip(&full, "open_connection_manager", CALLS, true).await;

    heading(&format!(
        "MCP over stdio (rmcp client, release server; median of {SESSIONS} sessions, {CALLS} calls, 10 with 10 000 connections)"
    ));
    figure(
        "session start (spawn + initialize)",
        ms(start),
        "ms",
        Target::None,
    );
    figure(
        "tool call round trip: list_connections, 10",
        ms(list_small),
        "ms",
        Target::None,
    );
    figure(
        "tool call round trip: list_connections, 10 000",
        ms(list_large),
        "ms",
        Target::None,
    );
    figure(
        "tool call round trip: open (counted, stand-in window)",
        ms(open_allowed),
        "ms",
        Target::None,
    );
    figure(
        "tool call round trip: open refused (limit full)",
        ms(open_refused),
        "ms",
        Target::None,
    );
}
