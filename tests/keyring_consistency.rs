//! The keyring and the connections file never fall out of step, with the
//! real binary and the real Secret Service (run under
//! scripts/with-session.sh): a failing file write keeps the old secret in
//! force, `rm` without a usable keyring changes nothing, kill -9 at any
//! moment leaves each connection whole, and the entries it leaves behind
//! are removed by the next write or by `doctor --fix`.

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use odoo_connections::catalog::Catalog;
use support::crash::kill_when_touched_feeding;
use support::doctor::assert_findings;
use support::keyring::{accounts_in_scope, secret_of};
use support::sandbox::{Sandbox, assert_exit, keyring_lookup, stderr, stdout};

fn shown(sandbox: &Sandbox, name: &str) -> serde_json::Value {
    let output = sandbox.run(&["show", name, "--json"]);
    assert_exit(&output, 0);
    serde_json::from_str(&stdout(&output)).unwrap()
}

fn account(sandbox: &Sandbox, name: &str) -> String {
    shown(sandbox, name)["secret"]["keyring_account"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Every connection's secret is there; returns the accounts they use.
fn assert_whole(sandbox: &Sandbox, what: &str) -> BTreeSet<String> {
    let document = Catalog::new(&sandbox.paths())
        .load()
        .expect("the file is whole");
    document
        .connections()
        .iter()
        .map(|connection| {
            let account = Catalog::keyring_account(connection);
            let secret = keyring_lookup(&account);
            assert!(
                secret.is_some(),
                "{what}: {} lost its secret",
                connection.name
            );
            account
        })
        .collect()
}

fn scope_entries(sandbox: &Sandbox) -> BTreeSet<String> {
    let scope = Catalog::new(&sandbox.paths()).keyring_scope().unwrap();
    accounts_in_scope(&scope).into_iter().collect()
}

#[test]
fn a_failing_file_write_leaves_the_old_secret_in_force() {
    let sandbox = Sandbox::new();
    let notes = "n".repeat(8192);
    assert_exit(
        &sandbox.add(
            "acme",
            "https://erp.acme.example",
            "old-s3cret",
            &["--notes", &notes],
        ),
        0,
    );
    let before = account(&sandbox, "acme");
    // A file size limit makes every write of connections.json fail (EFBIG),
    // as a full disk would.
    let mut child = Command::new("bash")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 4; exec \"$BIN\" edit acme --secret-stdin",
        ])
        .env("BIN", env!("CARGO_BIN_EXE_odoo-connections"))
        .env("ODOO_CONNECTIONS_CONFIG_DIR", sandbox.paths().config_dir())
        .env("ODOO_CONNECTIONS_STATE_DIR", sandbox.paths().state_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"new-s3cret")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_ne!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(account(&sandbox, "acme"), before);
    assert_eq!(keyring_lookup(&before).as_deref(), Some("old-s3cret"));
    assert_eq!(
        scope_entries(&sandbox),
        BTreeSet::from([before]),
        "the new secret stayed"
    );
}

#[test]
fn rm_without_a_keyring_exits_5_and_changes_nothing() {
    let sandbox = Sandbox::new();
    assert_exit(
        &sandbox.add("acme", "https://erp.acme.example", "s3cret", &[]),
        0,
    );
    let id = shown(&sandbox, "acme")["id"].as_str().unwrap().to_owned();
    let output = sandbox
        .command()
        .args(["rm", "acme", "--yes"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap();
    assert_exit(&output, 5);
    assert!(stderr(&output).contains("keyring"), "{}", stderr(&output));
    assert_eq!(shown(&sandbox, "acme")["id"], id.as_str());
    assert_eq!(secret_of(&id).as_deref(), Some("s3cret"));
}

#[test]
fn rm_with_a_locked_keyring_exits_5_and_changes_nothing() {
    let sandbox = Sandbox::new();
    let output = sandbox.run_after_locking_the_keyring(r#""$BIN" rm acme --yes"#);
    assert_exit(&output, 5);
    let saved = std::fs::read_to_string(sandbox.paths().connections_file()).unwrap();
    assert!(saved.contains("\"acme\""), "rm changed the file: {saved}");
}

fn keyring_dir() -> PathBuf {
    let data = std::env::var_os("XDG_DATA_HOME").expect("run under scripts/with-session.sh");
    PathBuf::from(data).join("keyrings")
}

#[test]
fn kill_9_leaves_each_connection_whole_and_the_next_write_or_doctor_removes_what_it_left() {
    let sandbox = Sandbox::new();
    assert_exit(
        &sandbox.add("acme", "https://erp.acme.example", "s3cret", &[]),
        0,
    );
    let operations: [(&str, Vec<String>); 4] = [
        (
            "add",
            vec![
                "add".into(),
                "new-{n}".into(),
                "--url".into(),
                "https://erp.acme.example".into(),
                "--db".into(),
                "acme".into(),
                "--login".into(),
                "bot".into(),
                "--secret-stdin".into(),
            ],
        ),
        (
            "duplicate",
            vec!["duplicate".into(), "acme".into(), "copy-{n}".into()],
        ),
        (
            "edit",
            vec![
                "edit".into(),
                "acme".into(),
                "--notes".into(),
                "{n}".into(),
                "--secret-stdin".into(),
            ],
        ),
        ("rm", vec!["rm".into(), "--yes".into(), "victim-{n}".into()]),
    ];
    let config_dir = sandbox.paths().config_dir().to_owned();
    for (index, (name, args)) in operations.iter().enumerate() {
        for trial in 0..6 {
            if *name == "rm" {
                let victim = format!("victim-{trial}");
                assert_exit(
                    &sandbox.add(&victim, "https://erp.acme.example", "v", &[]),
                    0,
                );
            }
            let args: Vec<String> = args
                .iter()
                .map(|arg| arg.replace("{n}", &trial.to_string()))
                .collect();
            let mut command = sandbox.command();
            command.args(&args);
            let watched = if trial % 2 == 0 {
                keyring_dir()
            } else {
                config_dir.clone()
            };
            kill_when_touched_feeding(&mut command, b"s3cret-new", &watched, &|_| true);
            assert_whole(&sandbox, &format!("{name} killed, trial {trial}"));
        }
        let owned = if index % 2 == 0 {
            assert_exit(
                &sandbox.add(
                    &format!("later-{name}"),
                    "https://erp.acme.example",
                    "l",
                    &[],
                ),
                0,
            );
            assert_whole(&sandbox, "after the next write")
        } else {
            let fixed = sandbox.run(&["doctor", "--fix"]);
            assert_exit(&fixed, 0);
            assert_whole(&sandbox, "after doctor --fix")
        };
        assert_eq!(
            scope_entries(&sandbox),
            owned,
            "{name}: entries no connection owns"
        );
        assert_exit(&sandbox.run(&["doctor"]), 0);
    }
}

#[test]
fn doctor_reports_orphans_and_missing_secrets_and_fix_removes_the_orphans() {
    let sandbox = Sandbox::new();
    assert_exit(
        &sandbox.add("acme", "https://erp.acme.example", "s3cret", &[]),
        0,
    );
    assert_exit(
        &sandbox.add("lost", "https://erp.acme.example", "s3cret", &[]),
        0,
    );
    let scope = Catalog::new(&sandbox.paths()).keyring_scope().unwrap();
    let stray = format!("{}:{scope}:0123456789ab", uuid_like());
    let stored = Command::new("bash")
        .args(["-c", "printf stray | secret-tool store --label=stray service odoo-connections username \"$0\"", &stray])
        .status()
        .unwrap();
    assert!(stored.success());
    let lost_id = shown(&sandbox, "lost")["id"].as_str().unwrap().to_owned();
    support::keyring::delete_secrets_of(&lost_id);
    std::fs::set_permissions(
        sandbox.paths().connections_file(),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();

    let report = sandbox.run(&["doctor", "--json"]);
    assert_exit(&report, 9);
    let value: serde_json::Value = serde_json::from_str(&stdout(&report)).unwrap();
    // The loose file mode was already tightened when doctor read the file
    // (every open of a private file does that, with a note on stderr).
    assert!(stderr(&report).contains("tightened"), "{}", stderr(&report));
    assert_findings(&value, &["orphaned_secret", "missing_secret"]);
    assert!(stdout(&report).contains(&stray));

    let fixed = sandbox.run(&["doctor", "--fix"]);
    assert_exit(&fixed, 9);
    assert!(
        stdout(&fixed).contains("fixed: orphaned_secret"),
        "{}",
        stdout(&fixed)
    );
    assert!(keyring_lookup(&stray).is_none());
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(sandbox.paths().connections_file())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_exit(&sandbox.run(&["rm", "lost", "--yes"]), 0);
    assert_exit(&sandbox.run(&["doctor"]), 0);
}

fn uuid_like() -> String {
    odoo_connections::model::ConnectionId::random().to_string()
}

#[test]
fn import_exits_5_when_the_keyring_took_no_secret() {
    let sandbox = Sandbox::new();
    let file = sandbox.root().join("old-connections.json");
    std::fs::write(
        &file,
        r#"{"acme": {"url": "https://erp.acme.example", "db": "acme", "user": "bot", "api_key": "k1"},
            "beta": {"url": "https://erp.beta.example", "db": "beta", "user": "bot", "api_key": "k2"}}"#,
    )
    .unwrap();
    let output = sandbox
        .command()
        .args(["import", file.to_str().unwrap()])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap();
    assert_exit(&output, 5);
    assert!(
        stderr(&output).contains("nothing was imported"),
        "{}",
        stderr(&output)
    );
    assert!(
        Catalog::new(&sandbox.paths())
            .load()
            .unwrap()
            .connections()
            .is_empty()
    );
}
