//! The state files cannot be reset and the audit log fails closed, as real
//! `open` processes: `counters.json` deleted, replaced by a valid empty or
//! older one, or damaged is rebuilt from the audit log's counted calls (and
//! the audit says so); an audit log that cannot be written refuses the call
//! and counts nothing.

mod support;

use odoo_connections::policy::audit::Decision;
use support::policy::{PolicySandbox as _, open_limit_policy};
use support::sandbox::{Sandbox, assert_exit, stderr};

/// A sandbox whose three allowed opens are used up.
fn used_up() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(3, ""));
    for _ in 0..3 {
        assert_exit(&sandbox.open(&sandbox.ready_window()), 0);
    }
    assert_exit(&sandbox.open(&sandbox.ready_window()), 7);
    sandbox
}

fn counters_file(sandbox: &Sandbox) -> std::path::PathBuf {
    sandbox.paths().counters_file()
}

/// `open` is refused by the limit and its audit line names the repair.
#[track_caller]
fn refused_and_repaired(sandbox: &Sandbox, repair: &str) {
    let output = sandbox.open(&sandbox.ready_window());
    assert_exit(&output, 7);
    let message = stderr(&output);
    assert!(message.contains("limit 3 per minute reached"), "{message}");
    let logged = sandbox.audit().pop().unwrap();
    assert_eq!(logged.decision, Decision::Deny);
    let reason = logged.reason.unwrap();
    assert!(reason.contains(repair), "{reason}");
    assert_eq!(sandbox.window_args().len(), 3, "no extra window");
    // The repaired file holds; the next call is refused without a note.
    let output = sandbox.open(&sandbox.ready_window());
    assert_exit(&output, 7);
}

#[test]
fn deleting_the_counters_gives_no_fresh_quota() {
    let sandbox = used_up();
    std::fs::remove_file(counters_file(&sandbox)).unwrap();
    refused_and_repaired(&sandbox, "rebuilt from the audit log (3 counted calls)");
}

#[test]
fn a_valid_empty_counters_file_gives_no_fresh_quota() {
    let sandbox = used_up();
    std::fs::write(
        counters_file(&sandbox),
        br#"{"schema": 1, "high_water_ms": 0, "counters": {}}"#,
    )
    .unwrap();
    refused_and_repaired(&sandbox, "they were put back");
}

#[test]
fn an_older_counters_file_gives_no_fresh_quota() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(3, ""));
    assert_exit(&sandbox.open(&sandbox.ready_window()), 0);
    let older = std::fs::read(counters_file(&sandbox)).unwrap();
    for _ in 0..2 {
        assert_exit(&sandbox.open(&sandbox.ready_window()), 0);
    }
    std::fs::write(counters_file(&sandbox), older).unwrap();
    refused_and_repaired(&sandbox, "lacked 2 calls the audit log counted");
}

#[test]
fn damaged_counters_are_kept_aside_and_the_call_is_decided_from_the_audit_log() {
    let sandbox = used_up();
    std::fs::write(counters_file(&sandbox), b"{\"schema\": 1, \"high_wa").unwrap();
    refused_and_repaired(&sandbox, "was damaged");
    let kept: Vec<_> = std::fs::read_dir(sandbox.paths().state_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("counters.json.corrupt-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");

    // With room left, a damaged file costs no refusal either.
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(3, ""));
    assert_exit(&sandbox.open(&sandbox.ready_window()), 0);
    std::fs::write(counters_file(&sandbox), b"not json").unwrap();
    assert_exit(&sandbox.open(&sandbox.ready_window()), 0);
    assert_exit(&sandbox.open(&sandbox.ready_window()), 0);
    assert_exit(&sandbox.open(&sandbox.ready_window()), 7);
}

#[test]
fn a_window_that_failed_is_not_counted_in_the_rebuild() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(2, ""));
    let broken = sandbox.script("window-broken", "exit 1");
    assert_exit(&sandbox.open(&broken), 1);
    assert_exit(&sandbox.open(&sandbox.ready_window()), 0);
    std::fs::remove_file(counters_file(&sandbox)).unwrap();
    assert_exit(&sandbox.open(&sandbox.ready_window()), 0);
    assert_exit(&sandbox.open(&sandbox.ready_window()), 7);
}

/// `open` refused because the audit log cannot take the decision; nothing
/// counted, no window.
#[track_caller]
fn refused_for_the_audit(sandbox: &Sandbox) {
    let output = sandbox.open(&sandbox.ready_window());
    assert_exit(&output, 7);
    let message = stderr(&output);
    assert!(
        message.contains("could not be written to the audit log")
            || message.contains("not a regular file"),
        "{message}"
    );
    assert!(message.contains("audit.jsonl"), "{message}");
    assert!(sandbox.window_args().is_empty(), "no window");
}

#[test]
fn an_audit_log_that_is_a_directory_refuses_and_counts_nothing() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(1, ""));
    let audit = sandbox.paths().state_dir().join("audit.jsonl");
    std::fs::create_dir_all(&audit).unwrap();
    refused_for_the_audit(&sandbox);
    std::fs::remove_dir(&audit).unwrap();
    assert_exit(&sandbox.open(&sandbox.ready_window()), 0);
}

#[test]
fn a_full_audit_log_refuses_and_counts_nothing() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(1, ""));
    let audit = sandbox.paths().state_dir().join("audit.jsonl");
    std::fs::create_dir_all(sandbox.paths().state_dir()).unwrap();
    // Every write to /dev/full fails with "no space left on device".
    std::os::unix::fs::symlink("/dev/full", &audit).unwrap();
    refused_for_the_audit(&sandbox);
    // A tool without limits is refused too when its decision cannot be logged.
    sandbox.write_policy(
        r#"{"version": "1", "default": "deny", "tools": {"open_connection_manager": {}}}"#,
    );
    refused_for_the_audit(&sandbox);
    std::fs::remove_file(&audit).unwrap();
    assert_exit(&sandbox.open(&sandbox.ready_window()), 0);
}
