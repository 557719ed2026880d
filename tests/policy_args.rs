//! `deny_if` and `require` on a call's arguments, through the gateway in
//! front of the Python SDK child: each operator family refuses (or lets
//! through) exactly the calls it should, with the rule `tools.X.deny_if[i]`
//! or `tools.X.require[i]`, and a refused call never reaches the child.
//! The audit line holds the argument names and a SHA-256 of the canonical
//! arguments, never their values.
//! Needs the venv of `scripts/setup-python`; run under `scripts/test --test policy_args`.

mod support;

use odoo_connections::policy::audit::Decision;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use support::gateway::{GatewayFixture, connect};
use support::mcp_client::{call, text};
use support::policy::PolicySandbox as _;
use support::policy::expect_rules;

#[tokio::test(flavor = "multi_thread")]
async fn deny_if_refuses_on_each_operator_family_and_lets_other_calls_through() {
    let fixture = GatewayFixture::new("key-deny-if");
    fixture.sandbox.write_policy(
        r#"{"version": "1", "default": "deny", "tools": {"execute_kw": {"deny_if": [
            {"path": "args.method", "op": "eq", "value": "unlink"},
            {"path": "args.model", "op": "in", "value": ["res.users", "ir.rule"]},
            {"path": "args.kwargs.limit", "op": "gt", "value": 1000},
            {"path": "args.args", "op": "contains", "value": "all"},
            {"path": "args.model", "op": "matches", "value": "^ir\\."},
            {"path": "args.kwargs.sudo", "op": "exists"},
            {"path": "args.args.0", "op": "eq", "value": -1}
        ]}}}"#,
    );
    let partner = |method: &str, extra: Value| {
        let mut arguments = json!({"model": "res.partner", "method": method});
        arguments
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        arguments
    };
    let cases = [
        (
            partner("unlink", json!({})),
            Some("tools.execute_kw.deny_if[0]"),
        ),
        (
            json!({"model": "res.users", "method": "read"}),
            Some("tools.execute_kw.deny_if[1]"),
        ),
        (
            partner("search", json!({"kwargs": {"limit": 5000}})),
            Some("tools.execute_kw.deny_if[2]"),
        ),
        (
            partner("write", json!({"args": ["all"]})),
            Some("tools.execute_kw.deny_if[3]"),
        ),
        (
            json!({"model": "ir.model", "method": "read"}),
            Some("tools.execute_kw.deny_if[4]"),
        ),
        (
            partner("read", json!({"kwargs": {"sudo": true}})),
            Some("tools.execute_kw.deny_if[5]"),
        ),
        (
            partner("read", json!({"args": [-1]})),
            Some("tools.execute_kw.deny_if[6]"),
        ),
        // Near misses of every item: none holds, so the call runs.
        (
            partner(
                "read",
                json!({"args": [1, "some"], "kwargs": {"limit": 1000}}),
            ),
            None,
        ),
    ];
    assert_eq!(expect_rules(&fixture, "execute_kw", &cases).await, 1);
    let calls = fixture.child_calls();
    assert_eq!(
        calls,
        ["execute_kw"],
        "only the allowed call reached the child"
    );
    let audit = fixture.sandbox.audit();
    let denied: Vec<_> = audit
        .iter()
        .filter(|entry| entry.decision == Decision::Deny)
        .map(|entry| entry.rule.clone().unwrap())
        .collect();
    let expected: Vec<String> = (0..7)
        .map(|i| format!("tools.execute_kw.deny_if[{i}]"))
        .collect();
    assert_eq!(denied, expected);
}

#[tokio::test(flavor = "multi_thread")]
async fn require_refuses_unless_every_item_holds() {
    let fixture = GatewayFixture::new("key-require");
    fixture.sandbox.write_policy(
        r#"{"version": "1", "default": "deny", "tools": {"partner_delete": {
            "on_deny": "Deleting needs a reason.",
            "require": [
                {"path": "args.reason", "op": "exists"},
                {"path": "args.partner_id", "op": "gte", "value": 1},
                {"path": "args.reason", "op": "neq", "value": ""},
                {"path": "args.partner_id", "op": "lt", "value": 100000},
                {"path": "args.partner_id", "op": "not_in", "value": [1]},
                {"path": "args.partner_id", "op": "lte", "value": 99999}
            ]}}}"#,
    );
    let cases = [
        (
            json!({"partner_id": 5}),
            Some("tools.partner_delete.require[0]"),
        ),
        (
            json!({"partner_id": 0, "reason": "dup"}),
            Some("tools.partner_delete.require[1]"),
        ),
        (
            json!({"partner_id": 5, "reason": ""}),
            Some("tools.partner_delete.require[2]"),
        ),
        (
            json!({"partner_id": 200000, "reason": "dup"}),
            Some("tools.partner_delete.require[3]"),
        ),
        (
            json!({"partner_id": 1, "reason": "dup"}),
            Some("tools.partner_delete.require[4]"),
        ),
        (json!({"partner_id": 5, "reason": "duplicate of 4"}), None),
    ];
    assert_eq!(expect_rules(&fixture, "partner_delete", &cases).await, 1);
    assert_eq!(fixture.child_calls(), ["partner_delete"]);
    let first = fixture.sandbox.audit().into_iter().next().unwrap();
    let reason = first.reason.unwrap();
    assert!(
        reason.starts_with(
            "Deleting needs a reason. (the policy runs partner_delete only when args.reason exists"
        ),
        "on_deny comes first: {reason}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_line_holds_the_argument_names_and_digest_never_the_values() {
    let fixture = GatewayFixture::new("key-audit-args");
    fixture.sandbox.write_policy(
        r#"{"version": "1", "default": "deny", "tools": {"execute_kw": {"deny_if": [
            {"path": "args.method", "op": "eq", "value": "unlink"}]}}}"#,
    );
    let (client, _stderr) = connect(fixture.command(&[])).await;
    let allowed = call(
        &client,
        "execute_kw",
        json!({"model": "zebra-model-8841", "method": "read", "kwargs": {"note": "quokka-note-5512"}}),
    )
    .await;
    assert_eq!(allowed.is_error, Some(false), "{}", text(&allowed));
    let refused = call(
        &client,
        "execute_kw",
        json!({"method": "unlink", "model": "narwhal-model-9377"}),
    )
    .await;
    assert!(text(&refused).starts_with("[POLICY DENIED]"));
    client.cancel().await.unwrap();

    let log =
        std::fs::read_to_string(fixture.sandbox.paths().state_dir().join("audit.jsonl")).unwrap();
    for value in ["zebra-model-8841", "quokka-note-5512", "narwhal-model-9377"] {
        assert!(!log.contains(value), "{value} is in the audit log: {log}");
    }
    let digest = |canonical: &str| -> String {
        Sha256::digest(canonical.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    };
    let audit = fixture.sandbox.audit();
    let seen: Vec<_> = audit
        .iter()
        .map(|entry| {
            (
                entry.decision,
                entry.args_keys.clone(),
                entry.args_sha256.clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                Decision::Allow,
                Some(vec![
                    "kwargs".to_owned(),
                    "method".to_owned(),
                    "model".to_owned()
                ]),
                Some(digest(
                    r#"{"kwargs":{"note":"quokka-note-5512"},"method":"read","model":"zebra-model-8841"}"#
                )),
            ),
            (
                Decision::Deny,
                Some(vec!["method".to_owned(), "model".to_owned()]),
                Some(digest(
                    r#"{"method":"unlink","model":"narwhal-model-9377"}"#
                )),
            ),
        ]
    );
}
