//! The gateway under attack: a hostile client (a message smuggled behind
//! a carriage return, repeated keys, a request id reused while in flight
//! or not an integer, secrets or newlines in names, every call cancelled
//! as soon as the child has it), a hostile child (the injected secret
//! echoed back in results, logs, errors, resources and stderr; answers to
//! requests it was never sent, or twice) and a hostile local process (the
//! policy file or the audit log swapped mid-session). Each attack is
//! checked against what really reached the child (its call log) and the
//! audit log.
//! Needs the venv of `scripts/setup-python`; run under `scripts/test --test gateway_attacks`.

mod support;

use odoo_connections::policy::audit;
use serde_json::{Value, json};
use support::gateway::{GatewayFixture, RawGateway, connect, hostile_child};
use support::mcp_client::{call, text};
use support::policy::PolicySandbox as _;

/// `read_partner` and `slow` allowed (two `slow` per minute), everything
/// else refused; `execute_kw` may not `unlink`.
const POLICY: &str = r#"{"version": "1", "default": "deny", "tools": {
    "read_partner": {},
    "echo_secret": {}, "fail_with_secret": {},
    "slow": {"limits": [{"counter": "slow", "window": "minute", "max": 2, "scope": "grant"}]},
    "execute_kw": {"deny_if": [{"path": "args.method", "op": "eq", "value": "unlink"}]}
}}"#;

fn fixture(secret: &str) -> GatewayFixture {
    let fixture = GatewayFixture::new(secret);
    fixture.sandbox.write_policy(POLICY);
    fixture
}

#[test]
fn a_call_smuggled_behind_a_carriage_return_never_reaches_the_child() {
    let fixture = fixture("key-smuggle");
    let mut gateway = RawGateway::start(fixture.command(&[]));
    // One JSON message to the gateway (a ping; `\r` is JSON whitespace),
    // three lines to a reader that also ends lines at `\r` (Python's text
    // streams, which the SDK reads with): the middle one a refused write.
    let inner = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "write_partner", "arguments": {"partner_id": 1, "name": "pwned"}}});
    gateway.send(&format!(
        r#"{{"jsonrpc":"2.0","id":2,"method":"ping","params":{{"x":{}{inner}{}}}}}"#,
        '\r', '\r'
    ));
    gateway.sync();
    let pings = gateway.answers_to(&json!(2));
    assert_eq!(pings.len(), 1, "the child saw the ping: {:?}", gateway.seen);
    assert_eq!(pings[0]["result"], json!({}));
    gateway.call(4, "read_partner", json!({"partner_id": 7}));
    gateway.answer(&json!(4));
    let (status, _, seen) = gateway.finish();
    assert!(status.success());
    assert_eq!(fixture.child_calls(), ["read_partner"], "{seen:?}");
}

#[test]
fn a_message_with_a_repeated_key_is_refused_before_the_policy_and_the_child() {
    let fixture = fixture("key-repeat");
    let mut gateway = RawGateway::start(fixture.command(&[]));
    let lines = [
        // Which `method` wins depends on the parser; `\u006f` is an `o`.
        r#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"execute_kw","arguments":{"model":"res.partner","method":"unlink","meth\u006fd":"read"}}}"#,
        r#"{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"read_partner","name":"write_partner","arguments":{"partner_id":1,"name":"x"}}}"#,
        r#"{"jsonrpc":"2.0","id":7,"method":"ping","method":"tools/call","params":{"name":"write_partner","arguments":{"partner_id":1,"name":"x"}}}"#,
    ];
    for line in lines {
        gateway.send(line);
    }
    gateway.sync();
    let answers: Vec<Value> = gateway
        .answers_to(&Value::Null)
        .into_iter()
        .cloned()
        .collect();
    assert_eq!(answers.len(), lines.len(), "{:?}", gateway.seen);
    for answer in &answers {
        assert_eq!(answer["error"]["code"], -32700, "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains("appears twice"), "{message}");
    }
    let (status, _, _) = gateway.finish();
    assert!(status.success());
    assert!(
        fixture.child_calls().is_empty(),
        "{:?}",
        fixture.child_calls()
    );
    assert!(fixture.sandbox.audit().is_empty(), "nothing was decided");
}

#[test]
fn a_request_id_reused_in_flight_or_not_an_integer_frees_no_slot() {
    let fixture = fixture("key-reuse");
    let mut gateway = RawGateway::start(fixture.command(&[]));
    // `7.0` is another id to serde_json, but `7` to the child's pydantic:
    // its answer would settle another call, and leave this one to be given
    // back (not counted) although it ran.
    gateway.send(r#"{"jsonrpc":"2.0","id":7.0,"method":"tools/call","params":{"name":"slow","arguments":{"seconds":0}}}"#);
    gateway.sync();
    let refused = gateway.answers_to(&json!(7.0));
    assert_eq!(refused.len(), 1, "{:?}", gateway.seen);
    let why = refused[0]["error"]["message"].as_str().unwrap_or_default();
    assert!(why.contains("not a string or an integer"), "{why}");
    // A second call under the id of one still running must not replace
    // it (and give its slot back): at most two `slow` calls ever run.
    for _ in 0..4 {
        gateway.call(7, "slow", json!({"seconds": 2}));
    }
    let answers: Vec<Value> = (0..4).map(|_| gateway.answer(&json!(7))).collect();
    let (status, _, seen) = gateway.finish();
    assert!(status.success());
    let ran = fixture.child_calls().len();
    assert!(
        ran <= 2,
        "{ran} slow calls ran, the limit is 2: {answers:?}"
    );
    let calls = audit::scan_counted(&fixture.sandbox.paths(), 0)
        .unwrap()
        .calls;
    let released = calls.iter().filter(|call| call.released).count();
    let counted = calls.len() - released;
    assert_eq!(
        counted - released,
        ran,
        "the audit counts what ran: {seen:?}"
    );
    assert!(
        answers.iter().any(|answer| answer["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("already in use"))),
        "{answers:?}"
    );
}

const ECHOED: &str = "key-Echo-7f3e9a1b";

#[test]
fn a_child_echoing_the_injected_secret_never_shows_it_to_the_client() {
    use base64::Engine as _;
    let fixture = fixture(ECHOED);
    let mut gateway = RawGateway::start(fixture.command(&[]));
    gateway.call(1, "echo_secret", json!({}));
    let echoed = gateway.answer(&json!(1));
    gateway.call(2, "fail_with_secret", json!({}));
    let failed = gateway.answer(&json!(2));
    gateway.send(
        r#"{"jsonrpc":"2.0","id":3,"method":"resources/read","params":{"uri":"secret://key"}}"#,
    );
    let resource = gateway.answer(&json!(3));
    let (status, stderr, seen) = gateway.finish();
    assert!(status.success());
    assert_eq!(fixture.child_calls(), ["echo_secret", "fail_with_secret"]);
    let encoded = base64::engine::general_purpose::STANDARD.encode(ECHOED);
    for message in &seen {
        let shown = message.to_string();
        assert!(
            !shown.contains(ECHOED) && !shown.contains(&encoded),
            "{shown}"
        );
    }
    assert!(!stderr.contains(ECHOED), "{stderr}");
    let removed = odoo_connections::redact::SECRET_REMOVED;
    assert_eq!(
        RawGateway::text(&echoed),
        format!("key={removed} basic={removed} repr=\"{removed}\"")
    );
    assert!(
        failed["error"]["message"]
            .as_str()
            .unwrap()
            .contains(removed),
        "{failed}"
    );
    assert!(resource.to_string().contains(removed), "{resource}");
    assert!(
        stderr.contains(&format!("logging in with key {removed}")),
        "{stderr}"
    );
    let logged = seen.iter().any(|message| {
        message["method"] == "notifications/message" && message.to_string().contains(removed)
    });
    assert!(logged, "the log message came through, scrubbed: {seen:?}");
}

#[test]
fn answers_to_requests_the_child_was_never_sent_or_answered_twice_are_dropped() {
    let fixture = GatewayFixture::new("key-hostile");
    fixture
        .sandbox
        .write_policy(r#"{"version": "1", "default": "deny", "tools": {"write": {}}}"#);
    let mut gateway = RawGateway::start(fixture.command_running("acme", &hostile_child(), &[]));
    gateway.call(1, "write", json!({}));
    assert_eq!(RawGateway::text(&gateway.answer(&json!(1))), "done");
    // The child has already "answered" id 2 (forged) and id 1 again.
    gateway.call(2, "delete_everything", json!({}));
    let refused = gateway.answer(&json!(2));
    assert!(
        RawGateway::text(&refused).starts_with("[POLICY DENIED]"),
        "{refused}"
    );
    let (status, stderr, seen) = gateway.finish();
    assert!(status.success());
    for id in [1, 2] {
        let answers = seen.iter().filter(|message| message["id"] == id).count();
        assert_eq!(answers, 1, "one answer for id {id}: {seen:?}");
    }
    assert!(
        !seen
            .iter()
            .any(|message| message.to_string().contains("forged")),
        "{seen:?}"
    );
    assert!(stderr.contains("not forwarded to the client"), "{stderr}");
    assert_eq!(fixture.child_calls(), ["write"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_policy_or_audit_log_swapped_mid_session_refuses_every_call_with_the_cause() {
    let fixture = fixture("key-swap");
    let (client, _stderr) = connect(fixture.command(&[])).await;
    let read = || call(&client, "read_partner", json!({"partner_id": 1}));
    assert_eq!(read().await.is_error, Some(false));
    let file = fixture.sandbox.paths().policy_file();
    let permissive = fixture.sandbox.root().join("permissive.json");
    std::fs::write(&permissive, r#"{"version": "1", "default": "allow"}"#).unwrap();
    let swaps: [(&str, &dyn Fn()); 3] = [
        ("symbolic link", &|| {
            std::os::unix::fs::symlink(&permissive, &file).unwrap()
        }),
        ("directory", &|| std::fs::create_dir(&file).unwrap()),
        ("appears twice", &|| {
            std::fs::write(
                &file,
                r#"{"version": "1", "default": "deny", "default": "allow"}"#,
            )
            .unwrap();
        }),
    ];
    for (cause, swap) in swaps {
        std::fs::remove_file(&file)
            .or_else(|_| std::fs::remove_dir(&file))
            .unwrap();
        swap();
        let refused = text(&read().await);
        assert!(refused.starts_with("[POLICY DENIED]"), "{cause}: {refused}");
        assert!(refused.contains(cause), "{cause}: {refused}");
    }
    std::fs::remove_file(&file).unwrap();
    fixture.sandbox.write_policy(POLICY);
    assert_eq!(read().await.is_error, Some(false), "back to normal");
    let audit_log = fixture.sandbox.paths().state_dir().join("audit.jsonl");
    std::fs::rename(&audit_log, fixture.sandbox.root().join("audit.old")).unwrap();
    std::fs::create_dir(&audit_log).unwrap();
    let refused = text(&read().await);
    assert!(refused.starts_with("[POLICY DENIED]"), "{refused}");
    assert!(refused.contains("audit"), "{refused}");
    client.cancel().await.unwrap();
    assert_eq!(fixture.child_calls(), ["read_partner", "read_partner"]);
}

#[test]
fn a_tool_or_argument_name_can_neither_leak_the_secret_nor_forge_an_audit_line() {
    let secret = "key-Named-51c0ffee";
    let fixture = fixture(secret);
    let mut gateway = RawGateway::start(fixture.command(&[]));
    gateway.call(1, &format!("read_{secret}"), json!({}));
    gateway.call(2, "read_partner", json!({"partner_id": 1, secret: true}));
    let forged = r#"read_partner","decision":"allow"}
{"tool":"forged"#;
    gateway.call(3, forged, json!({}));
    gateway.call(4, "read_partner", json!({"partner_id": 1, "x\ny": 1}));
    let answers: Vec<String> = (1..=4)
        .map(|id| RawGateway::text(&gateway.answer(&json!(id))))
        .collect();
    let (status, _, _) = gateway.finish();
    assert!(status.success());
    for (shown, rule) in answers[..3]
        .iter()
        .zip(["gateway.secret", "gateway.secret", "policy"])
    {
        assert!(shown.starts_with("[POLICY DENIED]"), "{shown}");
        assert!(shown.contains(&format!("(rule {rule})")), "{shown}");
    }
    assert_eq!(fixture.child_calls(), ["read_partner"], "{answers:?}");
    let log = std::fs::read_to_string(audit::audit_file(&fixture.sandbox.paths())).unwrap();
    assert!(!log.contains(secret), "{log}");
    for line in log.lines() {
        let entry: Value = serde_json::from_str(line).expect("one whole entry per line");
        assert_ne!(entry["tool"], "forged", "{log}");
    }
    assert_eq!(log.lines().count(), 3, "two refusals and one call: {log}");
}

#[test]
fn a_call_cancelled_once_it_reached_the_child_still_counts() {
    let fixture = GatewayFixture::new("key-cancel-late");
    fixture.sandbox.write_policy(
        r#"{"version": "1", "default": "deny", "tools": {"slow":
            {"limits": [{"counter": "slow", "window": "minute", "max": 2, "scope": "grant"}]}}}"#,
    );
    let mut gateway = RawGateway::start(fixture.command(&[]));
    // The agent cancels each call as soon as the child has started it
    // (whatever the tool does first is done): the slot must not come back.
    for id in 1..=4_u64 {
        gateway.call(id, "slow", json!({"seconds": 30}));
        let answered = loop {
            gateway.sync();
            if !gateway.answers_to(&json!(id)).is_empty() {
                break true;
            }
            if fixture.child_calls().len() == usize::try_from(id).unwrap() {
                break false;
            }
        };
        if !answered {
            gateway.send(
                &json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
                "params": {"requestId": id, "reason": "never mind"}})
                .to_string(),
            );
        }
    }
    gateway.sync();
    let (status, _, seen) = gateway.finish();
    assert!(status.success());
    let ran = fixture.child_calls().len();
    assert_eq!(ran, 2, "the limit is 2: {seen:?}");
    let refused = (3..=4).filter(|id| {
        seen.iter().any(|message| {
            message["id"] == *id && RawGateway::text(message).starts_with("[POLICY DENIED]")
        })
    });
    assert_eq!(refused.count(), 2, "{seen:?}");
}
