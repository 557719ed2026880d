//! Tool names as globs, `when` and `all_tools`, through the gateway in front
//! of the Python SDK child: the most specific entry decides (exact name,
//! then the glob with the most literal characters), an entry whose `when`
//! does not match the connection's environment falls through, `all_tools`
//! limits count every call of every tool (reservations given back as for a
//! tool's own), and a policy name the child does not offer is reported
//! once on stderr and in the audit log. Equally specific overlapping globs
//! and other glob syntax are refused by `policy validate`.
//! Needs the venv of `scripts/setup-python`; run under `scripts/test --test policy_globs`.

mod support;

use odoo_connections::policy::audit::Decision;
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};
use support::gateway::{GatewayFixture, connect};
use support::mcp_client::{call, text};
use support::policy::PolicySandbox as _;
use support::sandbox::{assert_exit, stderr};

/// The rule that refused `result`, or `None` when it ran.
fn refused_by(result: &rmcp::model::CallToolResult) -> Option<String> {
    let structured = result.structured_content.as_ref()?;
    (structured["policy_denied"] == json!(true))
        .then(|| structured["rule"].as_str().unwrap().to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_most_specific_entry_decides() {
    let fixture = GatewayFixture::new("key-globs");
    fixture.sandbox.write_policy(
        r#"{"version": "1", "default": "allow", "tools": {
            "*": {"deny": true},
            "odoo_*": {},
            "*_delete": {"require": [{"path": "args.reason", "op": "exists"}]},
            "write_partner": {}}}"#,
    );
    let (client, _stderr) = connect(fixture.command(&[])).await;
    let cases: [(&'static str, Value, Option<&str>); 5] = [
        ("odoo_search", json!({"model": "res.partner"}), None),
        ("write_partner", json!({"partner_id": 1, "name": "N"}), None),
        (
            "read_partner",
            json!({"partner_id": 1}),
            Some("tools.*.deny"),
        ),
        (
            "partner_delete",
            json!({"partner_id": 1}),
            Some("tools.*_delete.require[0]"),
        ),
        (
            "partner_delete",
            json!({"partner_id": 1, "reason": "dup"}),
            None,
        ),
    ];
    for (tool, arguments, rule) in cases {
        let result = call(&client, tool, arguments).await;
        assert_eq!(
            refused_by(&result).as_deref(),
            rule,
            "{tool}: {}",
            text(&result)
        );
    }
    client.cancel().await.unwrap();
    assert_eq!(
        fixture.child_calls(),
        ["odoo_search", "write_partner", "partner_delete"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_entry_whose_environment_does_not_match_falls_through() {
    let fixture = GatewayFixture::new("key-when");
    assert_exit(
        &fixture.sandbox.add(
            "acme-dev",
            "https://dev.example.com",
            "key-when-dev",
            &["--env", "development"],
        ),
        0,
    );
    fixture.sandbox.write_policy(
        r#"{"version": "1", "default": "deny", "tools": {
            "write_partner": {"when": {"environment": "production"}, "deny": true},
            "odoo_search": {"when": {"environment": "development"}},
            "*": {"when": {"environment": "development"}}}}"#,
    );
    let mut seen = Vec::new();
    for connection in ["acme", "acme-dev"] {
        let (client, _stderr) = connect(fixture.command_on(connection, &[])).await;
        for (tool, arguments) in [
            (
                "write_partner",
                json!({"partner_id": 1, "name": connection}),
            ),
            ("odoo_search", json!({"model": connection})),
        ] {
            let result = call(&client, tool, arguments).await;
            seen.push((connection, tool, refused_by(&result)));
        }
        client.cancel().await.unwrap();
    }
    assert_eq!(
        seen,
        [
            (
                "acme",
                "write_partner",
                Some("tools.write_partner.deny".to_owned())
            ),
            ("acme", "odoo_search", Some("default".to_owned())),
            ("acme-dev", "write_partner", None),
            ("acme-dev", "odoo_search", None),
        ]
    );
    assert_eq!(fixture.child_calls(), ["write_partner", "odoo_search"]);
    let audit = fixture.sandbox.audit();
    let allowed: Vec<_> = audit
        .iter()
        .filter(|entry| entry.decision == Decision::Allow)
        .map(|entry| entry.rule.clone().unwrap())
        .collect();
    assert_eq!(allowed, ["tools.*", "tools.odoo_search"], "on development");
}

#[tokio::test(flavor = "multi_thread")]
async fn all_tools_limits_count_the_calls_of_every_tool() {
    let fixture = GatewayFixture::new("key-all-tools");
    fixture.sandbox.write_policy(
        r#"{"version": "1", "default": "allow",
            "all_tools": {"limits": [{"counter": "calls", "window": "minute", "max": 3, "scope": "grant"}]},
            "tools": {"read_partner": {"limits": [{"counter": "calls", "window": "minute", "max": 10}]}}}"#,
    );
    let (client, _stderr) = connect(fixture.command(&[])).await;
    // The child refuses this one with a JSON-RPC error: it did not run, so
    // its all_tools slot is given back.
    let failed = client
        .call_tool(CallToolRequestParams::new("fail_partner").with_arguments(
            serde_json::Map::from_iter([("partner_id".into(), json!(1))]),
        ))
        .await;
    assert!(format!("{failed:?}").contains("is locked"), "{failed:?}");
    let mut outcomes = Vec::new();
    for (tool, arguments) in [
        ("read_partner", json!({"partner_id": 1})),
        ("odoo_search", json!({"model": "res.partner"})),
        ("read_partner", json!({"partner_id": 2})),
        ("odoo_search", json!({"model": "res.users"})),
        ("read_partner", json!({"partner_id": 3})),
    ] {
        let result = call(&client, tool, arguments).await;
        outcomes.push(refused_by(&result));
    }
    client.cancel().await.unwrap();
    let full = Some("all_tools.limits[0]".to_owned());
    assert_eq!(outcomes, [None, None, None, full.clone(), full]);

    let calls = fixture.child_calls();
    assert_eq!(
        calls,
        [
            "fail_partner",
            "read_partner",
            "odoo_search",
            "read_partner"
        ]
    );
    let audit = fixture.sandbox.audit();
    let allowed_and_ran = audit
        .iter()
        .filter(|entry| entry.decision == Decision::Allow)
        .filter(|entry| {
            !entry
                .reason
                .as_deref()
                .unwrap_or_default()
                .contains("not counted")
        })
        .count();
    assert_eq!(allowed_and_ran, calls.len(), "{audit:?}");
    let denied = audit
        .iter()
        .filter(|entry| entry.decision == Decision::Deny)
        .count();
    assert_eq!(denied, 2);
    // The counters the log rebuilds from: the tool's own and all_tools' apart.
    let log =
        std::fs::read_to_string(fixture.sandbox.paths().state_dir().join("audit.jsonl")).unwrap();
    let read_line = log
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .find(|line| line["tool"] == "read_partner")
        .unwrap();
    assert_eq!(
        read_line["counted"],
        json!(["read_partner/calls", "[all_tools]/calls"])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_policy_name_the_child_does_not_offer_is_reported_once() {
    let fixture = GatewayFixture::new("key-unknown");
    fixture.sandbox.write_policy(
        r#"{"version": "1", "default": "deny", "hide": ["secret_tool", "x_*"],
            "tools": {"read_partnr": {}, "read_partner": {}, "*_delete": {}, "list_connections": {}}}"#,
    );
    let (client, stderr_log) = connect(fixture.command(&[])).await;
    let reported = || {
        fixture
            .sandbox
            .audit()
            .into_iter()
            .filter(|entry| entry.rule.as_deref() == Some("policy.unknown_tool"))
            .map(|entry| entry.tool)
            .collect::<Vec<_>>()
    };
    // The gateway lists the child's tools on its own once the session is
    // initialized: wait (bounded) for that listing's report.
    for _ in 0..500 {
        if reported().len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    client.list_all_tools().await.unwrap();
    let read = call(&client, "read_partner", json!({"partner_id": 1})).await;
    assert_eq!(read.is_error, Some(false), "{}", text(&read));
    client.cancel().await.unwrap();
    assert_eq!(reported(), ["read_partnr", "secret_tool"]);
    let stderr = stderr_log.await.unwrap();
    assert!(
        stderr.contains("\"read_partnr\", which the MCP server does not offer"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("does not offer").count(), 2, "{stderr}");
}

#[test]
fn ambiguous_globs_and_other_glob_syntax_are_invalid_with_line_and_column() {
    let fixture = GatewayFixture::new("key-validate");
    let sandbox = &fixture.sandbox;
    let cases = [
        (
            "{\"version\": \"1\", \"default\": \"deny\", \"tools\": {\n  \"odoo_*\": {},\n  \"*_read\": {}\n}}",
            "line 4 column",
            "equally specific",
        ),
        (
            "{\"version\": \"1\", \"default\": \"deny\", \"tools\": {\n  \"odoo_?\": {}}}",
            "line 2 column",
            "only \"*\" (any run of characters)",
        ),
        (
            "{\"version\": \"1\", \"default\": \"deny\", \"tools\": {\"a\": {\"deny_if\": [\n  {\"path\": \"args.m\", \"op\": \"matches\", \"value\": \"(\"}]}}}",
            "line 2 column",
            "is invalid",
        ),
        (
            "{\"version\": \"1\", \"default\": \"deny\", \"tools\": {\"a\": {\"when\": {\"environment\": \"prod\"}}}}",
            "line 1 column",
            "unknown variant `prod`",
        ),
    ];
    for (index, (policy, place, message)) in cases.into_iter().enumerate() {
        let file = sandbox.root().join(format!("policy-{index}.json"));
        std::fs::write(&file, policy).unwrap();
        let output = sandbox
            .command()
            .args(["policy", "validate"])
            .arg(&file)
            .output()
            .unwrap();
        assert_exit(&output, 3);
        let shown = stderr(&output);
        assert!(
            shown.contains(place) && shown.contains(message),
            "{policy}: {shown}"
        );
    }
}
