//! `doctor` on damaged state: an invalid policy, a set-aside file and a
//! damaged test history are reported with exit 9, and nothing is changed.
//! Also: a connection saved by an earlier version (secret under the bare
//! id) keeps working and moves to a versioned account on its next secret.
//! Needs the keyring: run under scripts/with-session.sh.

mod support;

use support::doctor::assert_findings;
use support::keyring::accounts_of;
use support::sandbox::{Sandbox, assert_exit, keyring_lookup, stdout};
use support::seed::store_acme_without_secret;

#[test]
fn damaged_state_is_reported_and_left_as_it_is() {
    let sandbox = Sandbox::new();
    let paths = sandbox.paths();
    sandbox.write_policy(r#"{"version": "1", "default": "maybe", "tools": {}}"#);
    std::fs::create_dir_all(paths.state_dir()).unwrap();
    std::fs::write(paths.last_tests_file(), b"{not json").unwrap();
    let aside = paths.config_dir().join("connections.json.corrupt-1");
    std::fs::write(&aside, b"{").unwrap();
    let output = sandbox.run(&["doctor", "--json"]);
    assert_exit(&output, 9);
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["ok"], false);
    assert_findings(
        &value,
        &["invalid_policy", "set_aside_file", "damaged_file"],
    );
    assert_eq!(
        std::fs::read(paths.last_tests_file()).unwrap(),
        b"{not json"
    );
    assert!(aside.exists());
}

#[test]
fn a_secret_under_the_bare_id_works_and_moves_on_its_next_change() {
    let sandbox = Sandbox::new();
    let id = store_acme_without_secret(&sandbox);
    let stored = std::process::Command::new("bash")
        .args([
            "-c",
            "printf legacy | secret-tool store --label=old service odoo-connections username \"$0\"",
            &id.to_string(),
        ])
        .status()
        .unwrap();
    assert!(stored.success());
    let shown = sandbox.run(&["show", "acme", "--json"]);
    assert_exit(&shown, 0);
    let value: serde_json::Value = serde_json::from_str(&stdout(&shown)).unwrap();
    assert_eq!(value["secret"]["stored"], true);
    assert_eq!(value["secret"]["keyring_account"], id.to_string());

    let edited = sandbox.run_with_stdin(&["edit", "acme", "--secret-stdin"], "renewed");
    assert_exit(&edited, 0);
    let accounts = accounts_of(&id.to_string());
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    assert_ne!(accounts[0], id.to_string());
    assert_eq!(keyring_lookup(&accounts[0]).as_deref(), Some("renewed"));
}
