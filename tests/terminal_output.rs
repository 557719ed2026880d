//! What reaches the terminal, with the real binary: control characters from
//! a hostile server, notes, an import file and a policy's `on_deny` are shown
//! escaped (no raw ESC or CR can fake "ok: connected" or move the cursor),
//! while `--json` keeps the exact text; a closed pipe (`| head -1`) ends the
//! command quietly; table columns align by display width (CJK names). Uses
//! the keyring: run under `scripts/test --test terminal_output`.

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::{Output, Stdio};

use odoo_connections::model::{ConnectionDraft, ConnectionId};
use odoo_connections::store::ConnectionStore;
use serde_json::Value;
use support::odoo_server::{LoginFault, OdooServer, User, server_runtime};
use support::sandbox::{Sandbox, assert_exit, stderr, stdout};

/// Erase the line, go back to its start and up one line, then claim success.
const FAKE_OK: &str = "\u{1b}[2K\r\u{1b}[1Aok: connected\u{7}\u{8}\u{9b}0m\u{202e}";

/// Raw bytes that act on a terminal instead of showing.
#[track_caller]
fn assert_terminal_safe(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let acting: Vec<char> = text
        .chars()
        .filter(|&c| (c.is_control() && c != '\n') || c == '\u{202e}')
        .collect();
    assert!(
        acting.is_empty(),
        "{what} prints raw control characters {acting:?}:\n{text}"
    );
}

fn json(output: &Output) -> Value {
    serde_json::from_str(&stdout(output)).unwrap_or_else(|err| panic!("{err}: {}", stdout(output)))
}

#[test]
fn a_server_fault_with_escape_sequences_is_shown_escaped_and_exact_in_json() {
    let runtime = server_runtime();
    let server = runtime.block_on(
        OdooServer::builder()
            .database("acme")
            .user(User::new("admin").api_key("k3y"))
            .login_fault(LoginFault::Message(FAKE_OK.to_owned()))
            .start(),
    );
    let sandbox = Sandbox::new();
    assert_exit(&sandbox.add("hostile", &server.url(), "k3y", &[]), 0);

    let plain = sandbox.run(&["test", "hostile"]);
    assert_exit(&plain, 6);
    assert_terminal_safe("test (stdout)", &plain.stdout);
    assert_terminal_safe("test (stderr)", &plain.stderr);
    assert!(
        stdout(&plain).starts_with("server_error: ")
            && stdout(&plain).contains("\\u{1b}[2K\\r\\u{1b}[1Aok: connected"),
        "{}",
        stdout(&plain)
    );
    let table = sandbox.run(&["test", "--all"]);
    assert_exit(&table, 6);
    assert_terminal_safe("test --all", &table.stdout);

    let exact = sandbox.run(&["test", "hostile", "--json"]);
    assert_exit(&exact, 6);
    assert_terminal_safe("test --json", &exact.stdout);
    let message = json(&exact)["message"].as_str().unwrap().to_owned();
    assert!(message.contains(FAKE_OK), "{message:?}");
    sandbox.run(&["rm", "hostile", "--yes"]);
}

#[test]
fn notes_with_escapes_are_shown_escaped_and_exact_in_json() {
    let sandbox = Sandbox::new();
    let notes = format!("line one\n{FAKE_OK}");
    assert_exit(
        &sandbox.add(
            "noted",
            "https://erp.example.com",
            "k3y",
            &["--notes", &notes],
        ),
        0,
    );
    let shown = sandbox.run(&["show", "noted"]);
    assert_exit(&shown, 0);
    assert_terminal_safe("show", &shown.stdout);
    assert!(
        stdout(&shown).contains("line one\\n\\u{1b}[2K\\r"),
        "{}",
        stdout(&shown)
    );
    let exact = sandbox.run(&["show", "noted", "--json"]);
    assert_exit(&exact, 0);
    assert_terminal_safe("show --json", &exact.stdout);
    assert_eq!(json(&exact)["notes"], notes);
    sandbox.run(&["rm", "noted", "--yes"]);
}

#[test]
fn names_with_escapes_in_an_import_file_are_shown_escaped() {
    let sandbox = Sandbox::new();
    let file = sandbox.root().join("legacy.json");
    let entry = serde_json::json!({"url": "https://erp.example.com", "db": "acme", "user": "admin", "api_key": "k3y"});
    let mut dict = serde_json::Map::new();
    dict.insert(format!("acme{FAKE_OK}"), entry.clone());
    dict.insert(format!("{FAKE_OK}acme"), entry);
    std::fs::write(&file, serde_json::to_vec(&Value::Object(dict)).unwrap()).unwrap();
    let report = sandbox.run(&["import", file.to_str().unwrap(), "--dry-run"]);
    assert_exit(&report, 0);
    assert_terminal_safe("import (stdout)", &report.stdout);
    assert_terminal_safe("import (stderr)", &report.stderr);
    assert!(
        stdout(&report).contains("\\u{1b}[2K\\r"),
        "the names are shown: {}",
        stdout(&report)
    );
}

#[test]
fn an_on_deny_message_with_escapes_is_shown_escaped_and_exact_in_json() {
    let sandbox = Sandbox::new();
    let policy = serde_json::json!({
        "version": "1",
        "default": "allow",
        "tools": {"open_connection_manager": {"deny": true, "on_deny": format!("Ask Maria.\n{FAKE_OK}")}},
    });
    sandbox.write_policy(&policy.to_string());
    let refused = sandbox.run(&["open"]);
    assert_exit(&refused, 7);
    assert_terminal_safe("open (stderr)", &refused.stderr);
    assert!(
        stderr(&refused).contains("Ask Maria.\\n\\u{1b}[2K"),
        "{}",
        stderr(&refused)
    );
    let check = sandbox.run(&["policy", "check", "open_connection_manager"]);
    assert_exit(&check, 7);
    assert_terminal_safe("policy check", &check.stdout);
    assert_terminal_safe("policy check (stderr)", &check.stderr);
    let exact = sandbox.run(&["policy", "check", "open_connection_manager", "--json"]);
    assert_exit(&exact, 7);
    assert_terminal_safe("policy check --json", &exact.stdout);
    let reason = json(&exact)[0]["reason"].as_str().unwrap().to_owned();
    assert!(
        reason.contains(&format!("Ask Maria.\n{FAKE_OK}")),
        "{reason:?}"
    );
}

/// Saves `names` straight into connections.json (no secrets needed to list them).
fn save_connections(sandbox: &Sandbox, names: impl IntoIterator<Item = String>) {
    let connections: Vec<_> = names
        .into_iter()
        .map(|name| {
            ConnectionDraft {
                name,
                url: "https://erp.example.com".into(),
                database: "acme".into(),
                login: "admin".into(),
                ..ConnectionDraft::new()
            }
            .build(ConnectionId::random(), serde_json::Map::new())
            .expect("valid draft")
        })
        .collect();
    ConnectionStore::new(&sandbox.paths())
        .update(|document| {
            connections
                .into_iter()
                .try_for_each(|connection| document.insert(connection))
        })
        .expect("save connections");
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let sandbox = Sandbox::new();
    // Far more output than a pipe holds, so the writer meets the closed end.
    save_connections(&sandbox, (0..2000).map(|index| format!("conn-{index:04}")));
    for args in [&["list"][..], &["export"], &["list", "--json"]] {
        let mut child = sandbox
            .command()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn odoo-connections");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("first line");
        // The reader (like `head -1`) is dropped here: the pipe is closed.
        let output = child.wait_with_output().expect("wait");
        assert!(!first.is_empty(), "{args:?}");
        assert_eq!(
            stderr(&output),
            "",
            "{args:?} complains about the closed pipe"
        );
        assert_eq!(output.status.code(), Some(0), "{args:?}");
    }
}

#[test]
fn list_columns_align_by_display_width() {
    let sandbox = Sandbox::new();
    save_connections(
        &sandbox,
        ["東京-本番", "acme-production-eu", "ö-straße"].map(str::to_owned),
    );
    let listed = sandbox.run(&["list"]);
    assert_exit(&listed, 0);
    let text = stdout(&listed);
    let columns: Vec<usize> = text
        .lines()
        .map(|line| {
            let start = line
                .find("  production")
                .or_else(|| line.find("  ENV"))
                .unwrap_or_else(|| panic!("no ENV column in {line:?}:\n{text}"));
            let before = &line[..start];
            before
                .chars()
                .map(|c| if c >= '\u{2e80}' { 2 } else { 1 })
                .sum()
        })
        .collect();
    assert_eq!(columns.len(), 4, "{text}");
    assert!(
        columns.iter().all(|&column| column == columns[0]),
        "ENV starts at display columns {columns:?}:\n{text}"
    );
}
