//! The policy names any MCP tool, not only ours: a policy for another
//! server's tools validates, `policy check` and `Guard::admit_call` decide
//! them, and a gateway caller is audited as `gateway`.

mod support;

use std::process::Output;

use odoo_connections::policy::audit::{Caller, Decision};
use odoo_connections::policy::{Guard, PolicySource, ToolCall, ToolName};
use support::policy::PolicySandbox as _;
use support::sandbox::{Sandbox, assert_exit, stderr, stdout};

const FOREIGN_POLICY: &str = r#"{"version": "1", "default": "deny", "tools": {
  "search_read": {"limits": [{"counter": "reads", "window": "minute", "max": 2}]},
  "execute_kw": {"deny": true, "on_deny": "Writes go through a person."}
}}"#;

/// Standard output or standard error, as text.
type Stream = fn(&Output) -> String;

/// The sandbox's guard, [`FOREIGN_POLICY`] written as its policy.
fn guard_under_foreign_policy(sandbox: &Sandbox) -> Guard {
    sandbox.write_policy(FOREIGN_POLICY);
    Guard::new(
        &sandbox.paths(),
        PolicySource::resolve(None, &sandbox.paths()),
    )
}

#[test]
fn a_policy_for_another_servers_tools_validates_and_is_checked() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(FOREIGN_POLICY);
    let validate = sandbox
        .command()
        .arg("policy")
        .arg("validate")
        .arg(sandbox.paths().policy_file())
        .output()
        .unwrap();
    assert_exit(&validate, 0);

    let checks: [(&str, i32, Stream, &str); 3] = [
        (
            "search_read",
            0,
            stdout,
            "search_read: allow (rule tools.search_read)",
        ),
        ("execute_kw", 7, stdout, "Writes go through a person."),
        ("", 2, stderr, "a tool name cannot be empty"),
    ];
    for (tool, code, stream, expected) in checks {
        let check = sandbox.run(&["policy", "check", tool]);
        assert_exit(&check, code);
        assert!(
            stream(&check).contains(expected),
            "{tool:?}: {}",
            stream(&check)
        );
    }
}

#[test]
fn admit_call_decides_any_tool_and_audits_the_gateway_as_caller() {
    let sandbox = Sandbox::new();
    let guard = guard_under_foreign_policy(&sandbox);
    let read = ToolCall::new(ToolName::new("search_read").unwrap());
    for _ in 0..2 {
        let admission = guard.admit_call(&read, Caller::Gateway).unwrap();
        guard.confirm(admission, "forwarded to the server");
    }
    let full = guard.admit_call(&read, Caller::Gateway).unwrap_err();
    assert_eq!(full.rule, "tools.search_read.limits[0]");
    let write = ToolCall::new(ToolName::new("execute_kw").unwrap());
    let refused = guard.admit_call(&write, Caller::Gateway).unwrap_err();
    assert_eq!(refused.rule, "tools.execute_kw.deny");
    let unlisted = ToolCall::new(ToolName::new("unlink").unwrap());
    assert_eq!(
        guard
            .admit_call(&unlisted, Caller::Gateway)
            .unwrap_err()
            .rule,
        "default"
    );
    let audit = sandbox.audit();
    let decisions: Vec<(&str, Decision)> = audit
        .iter()
        .map(|entry| (entry.tool.as_str(), entry.decision))
        .collect();
    assert_eq!(
        decisions,
        [
            ("search_read", Decision::Allow),
            ("search_read", Decision::Allow),
            ("search_read", Decision::Deny),
            ("execute_kw", Decision::Deny),
            ("unlink", Decision::Deny),
        ]
    );
    assert!(audit.iter().all(|entry| entry.caller == Caller::Gateway));
    let line = std::fs::read_to_string(sandbox.paths().state_dir().join("audit.jsonl")).unwrap();
    assert!(line.contains("\"caller\":\"gateway\""), "{line}");
}

#[test]
fn an_admission_dropped_unsettled_gives_its_slot_back_and_is_audited() {
    let sandbox = Sandbox::new();
    let guard = guard_under_foreign_policy(&sandbox);
    let read = ToolCall::new(ToolName::new("search_read").unwrap());
    for _ in 0..5 {
        let admission = guard.admit_call(&read, Caller::Gateway).unwrap();
        drop(admission);
    }
    let last = sandbox.audit().pop().unwrap();
    assert_eq!(last.decision, Decision::Allow);
    let reason = last.reason.unwrap();
    assert!(
        reason.contains("did not run") && reason.contains("not counted"),
        "{reason}"
    );
    for _ in 0..2 {
        let admission = guard.admit_call(&read, Caller::Gateway).unwrap();
        guard.confirm(admission, "forwarded");
    }
    assert!(guard.admit_call(&read, Caller::Gateway).is_err());
}
