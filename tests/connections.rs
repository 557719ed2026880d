//! The foundation end to end: the real binary, the real Secret Service
//! (run under scripts/with-session.sh), real files, real kill -9.

mod support;

use std::process::Stdio;

use odoo_connections::model::ConnectionDraft;
use odoo_connections::store::ConnectionStore;
use support::keyring::secret_of;
use support::sandbox::{Sandbox, assert_exit, stderr, stdout};

fn id_of(sandbox: &Sandbox, name: &str) -> String {
    let output = sandbox.run(&["show", name, "--json"]);
    assert_exit(&output, 0);
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    value["id"].as_str().unwrap().to_owned()
}

#[test]
fn secrets_live_in_the_keyring_and_in_no_file() {
    let sandbox = Sandbox::new();
    let secret = "k3y-0f-acme-9d1c7e";
    let added = sandbox.add(
        "acme",
        "https://erp.acme.example",
        secret,
        &["--tags", "eu"],
    );
    assert_exit(&added, 0);
    let id = id_of(&sandbox, "acme");
    assert_eq!(secret_of(&id).as_deref(), Some(secret));

    assert_exit(&sandbox.run(&["duplicate", "acme", "acme-copy"]), 0);
    assert_exit(&sandbox.run(&["rename", "acme-copy", "acme-staging"]), 0);
    let copy_id = id_of(&sandbox, "acme-staging");
    assert_ne!(copy_id, id);
    assert_eq!(secret_of(&copy_id).as_deref(), Some(secret));

    let listed = sandbox.run(&["list", "--json"]);
    let shown = sandbox.run(&["show", "acme-staging", "--json"]);
    for output in [&listed, &shown] {
        assert_exit(output, 0);
        assert!(!stdout(output).contains(secret));
    }
    let shown: serde_json::Value = serde_json::from_str(&stdout(&shown)).unwrap();
    assert_eq!(shown["secret"]["stored"], true);
    assert!(sandbox.files_containing(secret).is_empty());

    let replaced = sandbox.run_with_stdin(&["edit", "acme", "--secret-stdin"], "n3w-s3cret\n");
    assert_exit(&replaced, 0);
    assert_eq!(secret_of(&id).as_deref(), Some("n3w-s3cret"));

    assert_exit(&sandbox.run(&["rm", "acme", "--yes"]), 0);
    assert_eq!(secret_of(&id), None);
    assert_eq!(secret_of(&copy_id).as_deref(), Some(secret));
}

#[test]
fn without_a_reachable_keyring_nothing_is_saved() {
    let sandbox = Sandbox::new();
    let output = sandbox
        .command()
        .args([
            "add",
            "acme",
            "--url",
            "https://erp.acme.example",
            "--db",
            "acme",
        ])
        .args(["--login", "admin", "--secret-stdin"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(b"secret")?;
            child.wait_with_output()
        })
        .unwrap();
    assert_exit(&output, 5);
    assert!(
        stderr(&output).contains("no system keyring is reachable"),
        "{}",
        stderr(&output)
    );
    assert!(!sandbox.paths().connections_file().exists());
}

#[test]
fn bad_input_is_refused_with_every_reason_and_nothing_is_saved() {
    let sandbox = Sandbox::new();
    let add_with_bad_fields = |name: &str| {
        sandbox.run(&[
            "add",
            name,
            "--url",
            "ftp://erp",
            "--db",
            "a b",
            "--login",
            "",
            "--timeout",
            "0",
            "--secret-stdin",
        ])
    };
    assert_exit(&add_with_bad_fields("-x"), 2);
    let output = add_with_bad_fields("acme");
    assert_exit(&output, 3);
    let message = stderr(&output);
    for expected in [
        "--url: the URL must start with https://",
        "--db: database names may not contain",
        "--login: a login is required",
        "--timeout:",
    ] {
        assert!(message.contains(expected), "{expected} in {message}");
    }
    assert!(!sandbox.paths().connections_file().exists());
    assert_exit(&sandbox.run(&["show", "nope"]), 4);
    assert_exit(&sandbox.run(&["rm", "nope", "--yes"]), 4);
}

#[test]
fn a_name_is_unique_ignoring_case() {
    let sandbox = Sandbox::new();
    assert_exit(&sandbox.add("acme", "https://a.example", "s1", &[]), 0);
    let clash = sandbox.add("ACME", "https://b.example", "s2", &[]);
    assert_exit(&clash, 8);
    assert!(stderr(&clash).contains("already exists"));
    assert_exit(&sandbox.run(&["duplicate", "acme", "Acme"]), 8);
}

#[test]
fn deleting_needs_confirmation_when_nobody_can_answer() {
    let sandbox = Sandbox::new();
    assert_exit(&sandbox.add("acme", "https://a.example", "s1", &[]), 0);
    let refused = sandbox.run(&["rm", "acme"]);
    assert_exit(&refused, 2);
    assert!(stderr(&refused).contains("--yes"));
    assert_exit(&sandbox.run(&["show", "acme"]), 0);
}

fn seed_without_secrets(sandbox: &Sandbox, count: usize) -> ConnectionStore {
    let store = ConnectionStore::new(&sandbox.paths());
    store
        .update(|document| {
            for index in 0..count {
                let draft = ConnectionDraft {
                    name: format!("c-{index}"),
                    url: format!("https://erp{index}.example.com"),
                    database: "db".into(),
                    login: "admin".into(),
                    notes: "original".into(),
                    ..ConnectionDraft::new()
                };
                let connection = draft
                    .build(
                        odoo_connections::model::ConnectionId::random(),
                        Default::default(),
                    )
                    .unwrap();
                document.insert(connection)?;
            }
            Ok(())
        })
        .unwrap();
    store
}

#[test]
fn unknown_keys_survive_an_edit_by_the_cli() {
    let sandbox = Sandbox::new();
    seed_without_secrets(&sandbox, 1);
    let file = sandbox.paths().connections_file();
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    value["future_top_level"] = serde_json::json!({"x": 1});
    value["connections"][0]["ssh"] = serde_json::json!({"host": "10.0.0.1", "port": 2222});
    std::fs::write(&file, serde_json::to_vec(&value).unwrap()).unwrap();

    assert_exit(
        &sandbox.run(&["edit", "c-0", "--notes", "changed", "--env", "staging"]),
        0,
    );
    let after: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(after["future_top_level"]["x"], 1);
    assert_eq!(after["connections"][0]["ssh"]["port"], 2222);
    assert_eq!(after["connections"][0]["notes"], "changed");
    assert_eq!(after["connections"][0]["environment"], "staging");
}

#[test]
fn a_damaged_file_is_set_aside_never_overwritten() {
    let sandbox = Sandbox::new();
    let file = sandbox.paths().connections_file();
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let damaged = b"{\n  \"schema\": 1,\n  \"connections\": [ {\"name\": \n";
    std::fs::write(&file, damaged).unwrap();

    let output = sandbox.run(&["list"]);
    assert_exit(&output, 1);
    let message = stderr(&output);
    assert!(message.contains("invalid JSON at line 4"), "{message}");
    assert!(message.contains("It was moved to"), "{message}");
    let aside: Vec<_> = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(std::fs::read(aside[0].path()).unwrap(), damaged);

    let again = sandbox.run(&["list"]);
    assert_exit(&again, 0);
    assert!(stderr(&again).contains("No connections yet"));
}

#[test]
fn a_foreign_file_points_to_import() {
    let sandbox = Sandbox::new();
    let file = sandbox.paths().connections_file();
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        br#"{"prod": {"url": "https://x", "db": "d", "user": "u"}}"#,
    )
    .unwrap();
    let output = sandbox.run(&["list"]);
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("odoo-connections import"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn killed_writers_leave_the_old_or_the_new_file() {
    let sandbox = Sandbox::new();
    let store = seed_without_secrets(&sandbox, 3000);
    let config_dir = sandbox.paths().config_dir().to_owned();
    let mut current = "original".to_owned();
    for round in 0..12u64 {
        let next = format!("round-{round}");
        support::crash::kill_when_touched(
            sandbox.command().args(["edit", "c-0", "--notes", &next]),
            &config_dir,
            &|_| true,
        );
        let document = store.load().expect("the file is whole after kill -9");
        assert_eq!(document.connections().len(), 3000);
        let notes = &document.find("c-0").unwrap().notes;
        assert!(
            notes == &current || notes == &next,
            "{notes} is neither {current} nor {next}"
        );
        current.clone_from(notes);
    }
    assert_exit(&sandbox.run(&["edit", "c-0", "--notes", "after"]), 0);
    assert_eq!(
        support::crash::leftovers(&config_dir),
        Vec::<String>::new(),
        "stale temp files"
    );
}

#[test]
fn concurrent_writers_never_lose_an_update() {
    let sandbox = Sandbox::new();
    let store = seed_without_secrets(&sandbox, 24);
    let children: Vec<_> = (0..24)
        .map(|index| {
            sandbox
                .command()
                .args([
                    "edit",
                    &format!("c-{index}"),
                    "--notes",
                    &format!("edited-{index}"),
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert_exit(&output, 0);
    }
    let document = store.load().unwrap();
    for index in 0..24 {
        let connection = document.find(&format!("c-{index}")).unwrap();
        assert_eq!(connection.notes, format!("edited-{index}"));
    }
}
