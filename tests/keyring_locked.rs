//! A locked keyring: the command fails with exit 5 and says to unlock it,
//! instead of hanging or saving anything. Runs in its own private session
//! (scripts/with-session.sh inside the test), so locking that keyring cannot
//! disturb the other tests.

mod support;

use support::sandbox::{Sandbox, assert_exit, stderr};

#[test]
fn a_locked_keyring_fails_with_what_to_do_and_saves_nothing() {
    let sandbox = Sandbox::new();
    let output = sandbox.run_after_locking_the_keyring(
        r#"printf k2 | "$BIN" add acme2 --url https://erp.acme.example --db acme --login bot --secret-stdin"#,
    );
    assert_exit(&output, 5);
    let message = stderr(&output);
    assert!(
        message.contains("did not answer within 3 s") && message.contains("unlock it"),
        "{message}"
    );
    let saved = std::fs::read_to_string(sandbox.paths().connections_file()).unwrap();
    assert!(
        saved.contains("\"acme\"") && !saved.contains("acme2"),
        "{saved}"
    );
}
