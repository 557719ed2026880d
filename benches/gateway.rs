//! Gateway figures: a real MCP client (rmcp) calls a trivial tool of the
//! Python MCP test server (`tests/python/child_server.py`) directly, and
//! through `odoo-connections gateway` (release build) in the same run; the
//! difference of the medians is what the gateway adds to a call. Prints
//! figures, asserts nothing.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use rmcp::ServiceExt as _;
use rmcp::model::CallToolRequestParams;
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use support::gateway::{GatewayFixture, child_server, python};
use support::{Target, figure, heading, median, ms};

const CALLS: usize = 300;

/// `read_partner` allowed; with `limit`, counted by a limit it never reaches.
fn policy(limit: bool) -> String {
    let limits = if limit {
        r#"{"limits": [{"counter": "reads", "window": "minute", "max": 1000000, "scope": "grant"}]}"#
    } else {
        "{}"
    };
    format!(r#"{{"version": "1", "default": "deny", "tools": {{"read_partner": {limits}}}}}"#)
}

async fn connect(mut command: Command) -> RunningService<RoleClient, ()> {
    command.stderr(std::process::Stdio::null());
    let transport =
        TokioChildProcess::new(tokio::process::Command::from(command)).expect("spawn server");
    ().serve(transport).await.expect("MCP initialize")
}

/// Median round trip of `read_partner` over `CALLS` calls.
async fn round_trip(command: Command) -> Duration {
    let client = connect(command).await;
    let arguments = serde_json::json!({"partner_id": 7});
    let mut samples = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let started = Instant::now();
        let result = client
            .call_tool(
                CallToolRequestParams::new("read_partner")
                    .with_arguments(arguments.as_object().cloned().unwrap_or_default()),
            )
            .await
            .expect("tool call");
        samples.push(started.elapsed());
        assert_eq!(result.is_error, Some(false), "{result:?}");
    }
    client.cancel().await.expect("close session");
    median(samples)
}

/// The gateway on connection `acme` under `policy`, its child logging calls.
fn through_gateway(policy: &str) -> (GatewayFixture, Command) {
    let fixture = GatewayFixture::new("bench-secret");
    fixture.sandbox.write_policy(policy);
    let command = fixture.command(&[]);
    (fixture, command)
}

#[tokio::main]
async fn main() {
    let (allowed, through_allowed) = through_gateway(&policy(false));
    let (_counted, through_counted) = through_gateway(&policy(true));
    // The child alone, logging its calls as it does behind the gateway.
    let mut direct_command = Command::new(python());
    direct_command.arg(child_server()).env(
        "CHILD_CALL_LOG",
        allowed.sandbox.root().join("direct-calls.jsonl"),
    );
    let direct = round_trip(direct_command).await;
    let gateway = round_trip(through_allowed).await;
    let gateway_counted = round_trip(through_counted).await;

    heading(&format!(
        "Gateway over stdio (rmcp client, Python SDK child, release gateway; median of {CALLS} calls)"
    ));
    figure(
        "call round trip: child directly",
        ms(direct),
        "ms",
        Target::None,
    );
    figure(
        "call round trip: through the gateway (allowed, audited)",
        ms(gateway),
        "ms",
        Target::None,
    );
    figure(
        "call round trip: through the gateway (counted by a limit)",
        ms(gateway_counted),
        "ms",
        Target::None,
    );
    let added = |through: Duration| ms(through.saturating_sub(direct));
    figure(
        "added by the gateway (allowed, audited)",
        added(gateway),
        "ms",
        Target::Below(1.0),
    );
    figure(
        "added by the gateway (counted by a limit)",
        added(gateway_counted),
        "ms",
        Target::Below(1.0),
    );
}
