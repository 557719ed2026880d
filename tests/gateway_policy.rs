//! The gateway puts the child's tools under policy.json: allow, deny,
//! limits, approval (yes, no, timeout), a reservation given back when the
//! child refuses a call (kept when the client cancels a call the child
//! has), a child crash, a child writing noise, and two clients at once. The Python child logs every call
//! it receives, so the audit log's counts are checked against what really
//! reached it. Also the child's requests to the client (sampling,
//! elicitation, roots), logging and progress.
//! Run under `scripts/test --test gateway_policy`.
// Sampling, roots and logging are deprecated in MCP 2026-07-28 but are
// what clients on 2025-11-25 (rmcp's default handshake) still use.
#![allow(deprecated)]

mod support;

use std::process::Stdio;
use std::sync::{Arc, Mutex};

use odoo_connections::policy::audit::{AuditEntry, Decision};
use rmcp::model::{
    CallToolRequestParams, ClientRequest, CreateMessageRequestParams, CreateMessageResult,
    ElicitRequestParams, ElicitResult, ElicitationAction, ErrorData, ListRootsResult,
    LoggingMessageNotificationParam, ProgressNotificationParam, Role, Root, SamplingMessage,
};
use rmcp::service::{
    NotificationContext, Peer, PeerRequestOptions, RequestContext, RoleClient, RunningService,
};
use rmcp::{ClientHandler, ServiceExt as _};
use serde_json::json;
use support::gateway::GatewayFixture;
use support::mcp_client::text;
use support::policy::{PolicySandbox as _, allowing};

/// Child tools the policies below allow.
const ALLOWED: &str = r#""read_partner": {}, "chatty": {}, "ask_client": {}, "crash": {}"#;

fn policy(extra: &str) -> String {
    format!(r#"{{"version": "1", "default": "deny", "tools": {{{ALLOWED}, {extra}}}}}"#)
}

/// A client that answers the child's requests and records its notifications.
#[derive(Clone, Default)]
struct AnsweringClient {
    logs: Arc<Mutex<Vec<String>>>,
    progress: Arc<Mutex<Vec<f64>>>,
}

impl ClientHandler for AnsweringClient {
    fn get_info(&self) -> rmcp::model::ClientInfo {
        let capabilities = serde_json::from_value(
            json!({"sampling": {}, "roots": {}, "elicitation": {"form": {}}}),
        )
        .unwrap();
        rmcp::model::ClientInfo::new(
            capabilities,
            rmcp::model::Implementation::new("gateway-test-client", "1.0"),
        )
    }

    async fn create_message(
        &self,
        _params: CreateMessageRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        Ok(CreateMessageResult::new(
            SamplingMessage::new(
                Role::Assistant,
                rmcp::model::SamplingMessageContentBlock::text("hi from the client"),
            ),
            "test-model".into(),
        ))
    }

    async fn list_roots(
        &self,
        _context: RequestContext<RoleClient>,
    ) -> Result<ListRootsResult, ErrorData> {
        Ok(ListRootsResult::new(vec![Root::new("file:///work/acme")]))
    }

    async fn create_elicitation(
        &self,
        _request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        Ok(ElicitResult::new(ElicitationAction::Accept).with_content(json!({"confirm": true})))
    }

    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.logs.lock().unwrap().push(params.data.to_string());
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.progress.lock().unwrap().push(params.progress);
    }
}

/// A gateway process with its client; the process is ours to wait for.
struct Session<H: ClientHandler> {
    client: RunningService<RoleClient, H>,
    process: tokio::process::Child,
    stderr: tokio::task::JoinHandle<String>,
}

async fn start<H: ClientHandler>(
    fixture: &GatewayFixture,
    handler: H,
    env: &[(&str, &str)],
) -> Session<H> {
    let mut command = tokio::process::Command::from(fixture.command(&[]));
    command
        .env(
            "ODOO_CONNECTIONS_GUI_COMMAND",
            fixture.sandbox.ready_window(),
        )
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut process = command.spawn().unwrap();
    let stdout = process.stdout.take().unwrap();
    let stdin = process.stdin.take().unwrap();
    let mut stderr_pipe = process.stderr.take().unwrap();
    let stderr = tokio::spawn(async move {
        let mut text = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut stderr_pipe, &mut text)
            .await
            .ok();
        text
    });
    let client = handler
        .serve((stdout, stdin))
        .await
        .expect("handshake through the gateway");
    Session {
        client,
        process,
        stderr,
    }
}

fn decisions(audit: &[AuditEntry], tool: &str) -> (usize, usize) {
    let of_tool = audit.iter().filter(|entry| entry.tool == tool);
    let allowed = of_tool
        .clone()
        .filter(|entry| entry.decision == Decision::Allow)
        .count();
    (allowed, of_tool.count() - allowed)
}

fn count(calls: &[String], tool: &str) -> usize {
    calls.iter().filter(|call| *call == tool).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn allowed_calls_reach_the_child_limits_refuse_and_the_audit_matches_the_child() {
    let fixture = GatewayFixture::new("key-limits");
    fixture.sandbox.write_policy(&policy(
        r#""write_partner": {"limits": [{"counter": "writes", "window": "minute", "max": 2}]}"#,
    ));
    let session = start(&fixture, (), &[]).await;
    for id in 1..=3 {
        let read = call_with(&session.client, "read_partner", json!({"partner_id": id})).await;
        assert_eq!(text(&read), format!("partner {id}: Azure Interior"));
    }
    for attempt in 1..=2 {
        let written = call_with(
            &session.client,
            "write_partner",
            json!({"partner_id": attempt, "name": "N"}),
        )
        .await;
        assert_eq!(written.is_error, Some(false), "{}", text(&written));
    }
    let refused = call_with(
        &session.client,
        "write_partner",
        json!({"partner_id": 3, "name": "N"}),
    )
    .await;
    let message = text(&refused);
    assert!(
        message.starts_with("[POLICY DENIED] write_partner: limit 2 per minute reached"),
        "{message}"
    );
    assert!(
        message.contains("rule tools.write_partner.limits[0]"),
        "{message}"
    );
    let unlisted = call_with(&session.client, "fail_partner", json!({"partner_id": 1})).await;
    assert!(
        text(&unlisted).starts_with("[POLICY DENIED] fail_partner: "),
        "{}",
        text(&unlisted)
    );
    session.client.cancel().await.unwrap();

    let calls = fixture.child_calls();
    assert_eq!(
        (
            count(&calls, "read_partner"),
            count(&calls, "write_partner")
        ),
        (3, 2),
        "{calls:?}"
    );
    assert_eq!(count(&calls, "fail_partner"), 0);
    let audit = fixture.sandbox.audit();
    assert_eq!(decisions(&audit, "read_partner"), (3, 0));
    assert_eq!(decisions(&audit, "write_partner"), (2, 1));
    assert_eq!(decisions(&audit, "fail_partner"), (0, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_call_the_child_refuses_with_an_error_gives_its_reservation_back() {
    let fixture = GatewayFixture::new("key-giveback");
    fixture.sandbox.write_policy(&policy(
        r#""fail_partner": {"limits": [{"counter": "tries", "window": "minute", "max": 1}]}"#,
    ));
    let session = start(&fixture, (), &[]).await;
    for attempt in 1..=2 {
        let error = session
            .client
            .call_tool(CallToolRequestParams::new("fail_partner").with_arguments(
                serde_json::Map::from_iter([("partner_id".into(), json!(attempt))]),
            ))
            .await;
        let shown = format!("{error:?}");
        assert!(
            shown.contains("is locked"),
            "attempt {attempt} reached the child, not the limit: {shown}"
        );
    }
    session.client.cancel().await.unwrap();
    assert_eq!(count(&fixture.child_calls(), "fail_partner"), 2);
    let audit = fixture.sandbox.audit();
    let given_back = audit
        .iter()
        .filter(|entry| entry.tool == "fail_partner")
        .filter(|entry| {
            entry
                .reason
                .as_deref()
                .unwrap_or_default()
                .contains("not counted")
        })
        .count();
    assert_eq!(
        given_back, 2,
        "both failed calls gave their slot back: {audit:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn approval_yes_no_and_no_answer_decide_whether_the_write_reaches_the_child() {
    let fixture = GatewayFixture::new("key-approval");
    fixture
        .sandbox
        .write_policy(&policy(r#""write_partner": {"require_approval": true}"#));
    let sandbox = &fixture.sandbox;
    let asked = sandbox.root().join("asked");
    let answers = [
        ("yes", allowing(&asked), false),
        (
            "no",
            format!("echo \"$@\" >> '{}'\nexit 1", asked.display()),
            true,
        ),
        (
            "silent",
            format!("echo \"$@\" >> '{}'\nsleep 30", asked.display()),
            true,
        ),
    ];
    for (label, body, refused) in answers {
        let approver = sandbox.script(&format!("approve-{label}"), &body);
        let approver = approver.to_str().unwrap();
        let session = start(
            &fixture,
            (),
            &[
                ("ODOO_CONNECTIONS_APPROVE_COMMAND", approver),
                ("ODOO_CONNECTIONS_APPROVAL_TIMEOUT", "1"),
            ],
        )
        .await;
        let result = call_with(
            &session.client,
            "write_partner",
            json!({"partner_id": 1, "name": label}),
        )
        .await;
        assert_eq!(result.is_error, Some(refused), "{label}: {}", text(&result));
        if refused {
            assert!(
                text(&result).starts_with("[POLICY DENIED] write_partner: "),
                "{label}: {}",
                text(&result)
            );
        }
        session.client.cancel().await.unwrap();
    }
    let calls = fixture.child_calls();
    assert_eq!(
        count(&calls, "write_partner"),
        1,
        "only the approved write ran: {calls:?}"
    );
    assert_eq!(std::fs::read_to_string(&asked).unwrap().lines().count(), 3);
    assert_eq!(decisions(&fixture.sandbox.audit(), "write_partner"), (1, 2));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_call_cancelled_at_the_child_stays_counted() {
    let fixture = GatewayFixture::new("key-cancel");
    fixture.sandbox.write_policy(&policy(
        r#""slow": {"limits": [{"counter": "slow", "window": "minute", "max": 1}]}"#,
    ));
    let session = start(&fixture, (), &[]).await;
    let mut params = CallToolRequestParams::new("slow");
    params = params.with_arguments(serde_json::Map::from_iter([("seconds".into(), json!(60))]));
    let handle = session
        .client
        .send_cancellable_request(
            ClientRequest::CallToolRequest(rmcp::model::CallToolRequest::new(params)),
            PeerRequestOptions::no_options(),
        )
        .await
        .unwrap();
    while count(&fixture.child_calls(), "slow") == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    handle
        .cancel(Some("the user changed their mind".into()))
        .await
        .unwrap();
    let mut again = CallToolRequestParams::new("slow");
    again = again.with_arguments(serde_json::Map::from_iter([("seconds".into(), json!(0))]));
    let result = session.client.call_tool(again).await.unwrap();
    assert!(
        text(&result).contains("limit 1 per minute reached"),
        "the cancelled call had reached the child, so it stays counted: {}",
        text(&result)
    );
    session.client.cancel().await.unwrap();
    assert_eq!(count(&fixture.child_calls(), "slow"), 1);
    let audit = fixture.sandbox.audit();
    let released = audit
        .iter()
        .filter(|entry| entry.tool == "slow")
        .filter(|entry| {
            entry
                .reason
                .as_deref()
                .unwrap_or_default()
                .contains("not counted")
        })
        .count();
    assert_eq!(released, 0, "{audit:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_child_crash_answers_the_call_in_flight_audits_and_exits_non_zero() {
    let fixture = GatewayFixture::new("key-crash");
    fixture.sandbox.write_policy(&policy(r#""slow": {}"#));
    let mut session = start(&fixture, (), &[]).await;
    let crashed = session
        .client
        .call_tool(
            CallToolRequestParams::new("crash")
                .with_arguments(serde_json::Map::from_iter([("code".into(), json!(3))])),
        )
        .await;
    let shown = format!("{crashed:?}");
    assert!(
        shown.contains("exited") && shown.contains("did not complete"),
        "{shown}"
    );
    let status = session.process.wait().await.unwrap();
    assert_eq!(status.code(), Some(1));
    let stderr = session.stderr.await.unwrap();
    assert!(stderr.contains("exited"), "{stderr}");
    let exits: Vec<_> = fixture
        .sandbox
        .audit()
        .into_iter()
        .filter(|entry| entry.rule.as_deref() == Some("gateway.child_exit"))
        .collect();
    assert_eq!(exits.len(), 1, "{exits:?}");
    assert_eq!(count(&fixture.child_calls(), "crash"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_non_json_line_from_the_child_is_reported_not_forwarded() {
    let fixture = GatewayFixture::new("key-noise");
    fixture.sandbox.write_policy(&policy(r#""slow": {}"#));
    // The SDK guards its own stdout, so a wrapper writes the noise first.
    let mut command = fixture.sandbox.command();
    command
        .args([
            "gateway",
            "acme",
            "--",
            "sh",
            "-c",
            "echo 'this is not json key-noise'; exec \"$0\" \"$@\"",
        ])
        .arg(support::gateway::python())
        .arg(support::gateway::child_server())
        .env("CHILD_CALL_LOG", &fixture.call_log);
    let (client, stderr) = support::gateway::connect(command).await;
    let read = call_with(&client, "read_partner", json!({"partner_id": 9})).await;
    assert_eq!(text(&read), "partner 9: Azure Interior");
    client.cancel().await.unwrap();
    let log = stderr.await.unwrap();
    assert!(
        log.contains("not JSON-RPC") && log.contains("this is not json"),
        "{log}"
    );
    assert!(
        !log.contains("key-noise"),
        "the secret is scrubbed from the report: {log}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_childs_requests_logging_and_progress_reach_the_client() {
    let fixture = GatewayFixture::new("key-requests");
    fixture.sandbox.write_policy(&policy(r#""slow": {}"#));
    let handler = AnsweringClient::default();
    let session = start(&fixture, handler.clone(), &[]).await;
    let asked = call_with(&session.client, "ask_client", json!({})).await;
    assert_eq!(
        text(&asked),
        "sampled=hi from the client elicited=accept:True roots=file:///work/acme"
    );
    let chatty = call_with(&session.client, "chatty", json!({"steps": 3})).await;
    assert_eq!(text(&chatty), "3 steps done");
    // The notifications came before the result on the wire, but the client
    // library hands them to the handler on tasks of their own: let those
    // run (a bounded number of turns, not a timed assertion).
    for _ in 0..500 {
        let delivered =
            handler.logs.lock().unwrap().len() >= 3 && handler.progress.lock().unwrap().len() >= 3;
        if delivered {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // Those tasks may also finish out of order: compare as sets.
    let mut logs = handler.logs.lock().unwrap().clone();
    logs.sort();
    assert_eq!(logs.len(), 3, "{logs:?}");
    for (step, log) in logs.iter().enumerate() {
        assert!(log.contains(&format!("step {} of 3", step + 1)), "{logs:?}");
    }
    let mut progress = handler.progress.lock().unwrap().clone();
    progress.sort_by(f64::total_cmp);
    assert_eq!(progress, [1.0, 2.0, 3.0]);
    session.client.cancel().await.unwrap();
}

async fn call_with(
    client: &Peer<RoleClient>,
    tool: &'static str,
    arguments: serde_json::Value,
) -> rmcp::model::CallToolResult {
    let arguments = arguments.as_object().cloned().unwrap_or_default();
    client
        .call_tool(CallToolRequestParams::new(tool).with_arguments(arguments))
        .await
        .expect("tool call")
}

#[tokio::test(flavor = "multi_thread")]
async fn two_clients_at_once_share_one_limit() {
    let fixture = GatewayFixture::new("key-two");
    fixture.sandbox.write_policy(&policy(
        r#""write_partner": {"limits": [{"counter": "writes", "window": "minute", "max": 4}]}"#,
    ));
    let (first, second) = tokio::join!(start(&fixture, (), &[]), start(&fixture, (), &[]));
    let attempts = |session: &Session<()>| {
        let client = session.client.peer().clone();
        async move {
            let mut allowed = 0;
            for id in 0..3 {
                let result = call_with(
                    &client,
                    "write_partner",
                    json!({"partner_id": id, "name": "N"}),
                )
                .await;
                allowed += usize::from(result.is_error == Some(false));
            }
            allowed
        }
    };
    let (a, b) = tokio::join!(attempts(&first), attempts(&second));
    assert_eq!(a + b, 4);
    first.client.cancel().await.unwrap();
    second.client.cancel().await.unwrap();
    assert_eq!(count(&fixture.child_calls(), "write_partner"), 4);
    assert_eq!(decisions(&fixture.sandbox.audit(), "write_partner"), (4, 2));
}
