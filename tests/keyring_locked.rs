//! A locked keyring: the command fails with exit 5 and says to unlock it,
//! instead of hanging or saving anything. Runs in its own private session
//! (scripts/with-session.sh inside the test), so locking that keyring cannot
//! disturb the other tests.

mod support;

use std::process::Command;

use support::sandbox::{Sandbox, assert_exit, stderr};

const SCENARIO: &str = r#"
set -u
printf k1 | "$BIN" add acme --url https://erp.acme.example --db acme --login bot --secret-stdin >/dev/null || exit 90
dbus-send --session --dest=org.freedesktop.secrets --print-reply /org/freedesktop/secrets \
  org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null || exit 91
printf k2 | "$BIN" add acme2 --url https://erp.acme.example --db acme --login bot --secret-stdin
"#;

#[test]
fn a_locked_keyring_fails_with_what_to_do_and_saves_nothing() {
    let sandbox = Sandbox::new();
    let paths = sandbox.paths();
    let output = Command::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/with-session.sh"
    ))
    .args(["bash", "-c", SCENARIO])
    .env("BIN", env!("CARGO_BIN_EXE_odoo-connections"))
    .env("ODOO_CONNECTIONS_CONFIG_DIR", paths.config_dir())
    .env("ODOO_CONNECTIONS_STATE_DIR", paths.state_dir())
    .env("ODOO_CONNECTIONS_KEYRING_TIMEOUT", "3")
    .output()
    .unwrap();
    assert_exit(&output, 5);
    let message = stderr(&output);
    assert!(
        message.contains("did not answer within 3 s") && message.contains("unlock it"),
        "{message}"
    );
    let saved = std::fs::read_to_string(paths.connections_file()).unwrap();
    assert!(
        saved.contains("\"acme\"") && !saved.contains("acme2"),
        "{saved}"
    );
}
