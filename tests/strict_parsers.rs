//! Strict parsing as real processes: a key repeated at any level of
//! `policy.json` or `connections.json` is an error with its line and column,
//! a policy must be an object, and `import` names a repeated key or a name
//! shared by several entries instead of silently keeping one.

mod support;

use std::fs;
use std::path::PathBuf;

use support::policy::PolicySandbox as _;
use support::sandbox::{Sandbox, assert_exit, stderr, stdout};

fn policy_file(sandbox: &Sandbox, name: &str, text: &str) -> PathBuf {
    let path = sandbox.root().join(name);
    fs::write(&path, text).unwrap();
    path
}

/// `policy validate FILE` exits 3 and names `place` and `what`.
fn assert_invalid_policy(sandbox: &Sandbox, text: &str, place: &str, what: &str) {
    let file = policy_file(sandbox, "policy.json", text);
    let output = sandbox.run(&["policy", "validate", file.to_str().unwrap()]);
    assert_exit(&output, 3);
    let message = stderr(&output);
    assert!(
        message.contains(place) && message.contains(what),
        "{place} / {what} ∉ {message}"
    );
}

#[test]
fn a_tool_listed_twice_is_refused_with_its_place_and_refuses_every_call() {
    let sandbox = Sandbox::new();
    let deny_then_allow = r#"{
  "version": "1",
  "default": "allow",
  "tools": {
    "open_connection_manager": {"deny": true},
    "open_connection_manager": {}
  }
}"#;
    assert_invalid_policy(
        &sandbox,
        deny_then_allow,
        "line 6 column 29",
        "the key \"open_connection_manager\" appears twice",
    );
    sandbox.write_policy(deny_then_allow);
    let opened = sandbox.open(&sandbox.ready_window());
    assert_exit(&opened, 7);
    assert!(
        stderr(&opened).contains("appears twice"),
        "{}",
        stderr(&opened)
    );
    assert!(sandbox.window_args().is_empty(), "the window was started");
}

#[test]
fn a_key_repeated_inside_a_tool_or_a_limit_is_refused_with_its_place() {
    let sandbox = Sandbox::new();
    assert_invalid_policy(
        &sandbox,
        "{\"version\": \"1\", \"default\": \"allow\", \"tools\": {\"list_connections\":\n  {\"deny\": true, \"deny\": false}}}",
        "line 2 column",
        "deny",
    );
    assert_invalid_policy(
        &sandbox,
        "{\"version\": \"1\", \"default\": \"deny\", \"tools\": {\"test_connection\": {\"limits\": [\n  {\"counter\": \"c\", \"window\": \"minute\", \"max\": 1, \"max\": 1000}]}}}",
        "line 2 column",
        "max",
    );
    assert_invalid_policy(
        &sandbox,
        "{\"version\": \"1\", \"default\": \"deny\",\n \"default\": \"allow\"}",
        "line 2 column 10",
        "default",
    );
}

#[test]
fn a_policy_that_is_not_an_object_is_refused() {
    let sandbox = Sandbox::new();
    assert_invalid_policy(
        &sandbox,
        r#"["1", "allow", {}]"#,
        "line 1 column 1",
        "the file must hold a JSON object {...}, not a list",
    );
    assert_invalid_policy(&sandbox, "\"allow\"", "line 1 column", "not a string");
}

#[test]
fn a_key_repeated_in_the_connections_file_is_refused_with_its_place() {
    let sandbox = Sandbox::new();
    let file = sandbox.paths().connections_file();
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    let repeated = r#"{"schema": 1, "connections": [
  {"id": "0b6a3c4e-95f4-4a8e-9d43-1b6f0c1f7a10", "name": "acme", "url": "https://erp.acme.example",
   "database": "acme", "login": "admin", "url": "https://evil.example"}]}"#;
    fs::write(&file, repeated).unwrap();
    let listed = sandbox.run(&["list"]);
    assert_exit(&listed, 1);
    let message = stderr(&listed);
    assert!(
        message.contains("at line 3, column 46: the key \"url\" appears twice"),
        "{message}"
    );
    assert!(message.contains("It was moved to"), "{message}");
    assert!(!stdout(&listed).contains("evil"));
}

#[test]
fn an_import_file_with_a_repeated_name_is_refused_and_names_it() {
    let sandbox = Sandbox::new();
    let file = policy_file(
        &sandbox,
        "desktop.json",
        r#"{
  "acme": {"url": "https://erp.acme.example", "db": "acme", "user": "bot", "api_key": "k-first"},
  "acme": {"url": "https://evil.example", "db": "acme", "user": "bot", "api_key": "k-second"}
}"#,
    );
    let imported = sandbox.run(&["import", file.to_str().unwrap()]);
    assert_exit(&imported, 3);
    let message = stderr(&imported);
    assert!(
        message
            .contains("the file repeats a key (line 3, column 8): the key \"acme\" appears twice"),
        "{message}"
    );
    assert!(message.contains("nothing was imported"), "{message}");
    assert!(stdout(&sandbox.run(&["list", "--json"])).trim() == "[]");
}

#[test]
fn import_entries_sharing_a_name_are_all_skipped_and_reported() {
    let sandbox = Sandbox::new();
    let file = policy_file(
        &sandbox,
        "server.json",
        r#"[{"alias": "prod", "url": "https://a.example", "db": "d", "username": "u", "password": "p1"},
            {"alias": "Prod", "url": "https://b.example", "db": "d", "username": "u", "password": "p2"}]"#,
    );
    let imported = sandbox.run(&["import", "--dry-run", file.to_str().unwrap()]);
    let report = stdout(&imported);
    assert!(
        report.contains("added 0") && report.contains("skipped 2"),
        "{report}"
    );
    assert!(
        report.contains("prod: 2 entries of this file are named \"prod\" (ignoring case); none of them was imported"),
        "{report}"
    );
    assert!(report.contains("Prod: 2 entries"), "{report}");
}
