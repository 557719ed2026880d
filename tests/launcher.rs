//! The launcher as real processes: many simultaneous `open`s admit exactly
//! the limit, a window that fails is rolled back, `focused` counts as a
//! success, approval is asked when the policy says so, and the window is
//! started with the same dirs in its own process group.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};

use odoo_connections::policy::audit::{Caller, Decision};
use support::policy::{PolicySandbox as _, allowing, open_limit_policy};
use support::sandbox::{Sandbox, stderr};

#[test]
fn of_120_simultaneous_opens_exactly_the_limit_get_through() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(10, ""));
    let window = sandbox.ready_window();
    let children: Vec<_> = (0..120)
        .map(|_| {
            sandbox
                .command()
                .arg("open")
                .env("ODOO_CONNECTIONS_GUI_COMMAND", &window)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut codes = Vec::new();
    for child in children {
        let output = child.wait_with_output().unwrap();
        if output.status.code() == Some(7) {
            let message = stderr(&output);
            assert!(
                message.contains("limit 1") && message.contains("retry-after:"),
                "{message}"
            );
        }
        codes.push(output.status.code());
    }
    let opened = codes.iter().filter(|code| **code == Some(0)).count();
    let refused = codes.iter().filter(|code| **code == Some(7)).count();
    assert_eq!((opened, refused), (10, 110), "{codes:?}");
    assert_eq!(
        sandbox.window_args().len(),
        10,
        "only admitted calls start a window"
    );
    let audit = sandbox.audit();
    let allows = audit
        .iter()
        .filter(|e| e.decision == Decision::Allow)
        .count();
    let denies = audit
        .iter()
        .filter(|e| e.decision == Decision::Deny)
        .count();
    assert_eq!((allows, denies), (10, 110));
    assert!(audit.iter().all(|entry| entry.caller == Caller::Cli));
}

#[test]
fn a_window_that_fails_to_start_is_rolled_back_and_reported_with_its_log() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(1, ""));
    let broken = sandbox.script(
        "window-broken",
        "echo 'cannot open display :99' >&2\nexit 1",
    );
    let output = sandbox.open(&broken);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("the window did not start"), "{message}");
    assert!(
        message.contains("cannot open display :99"),
        "the log tail is shown: {message}"
    );
    assert!(message.contains("not counted"), "{message}");
    let entry = sandbox.audit().pop().unwrap();
    assert_eq!(entry.decision, Decision::Allow);
    assert!(entry.reason.unwrap().contains("not counted"));
    // The only slot is still free.
    assert!(sandbox.open(&sandbox.ready_window()).status.success());
    assert_eq!(sandbox.open(&sandbox.ready_window()).status.code(), Some(7));
}

#[test]
fn a_window_that_prints_something_else_is_stopped_and_rolled_back() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(1, ""));
    let confused = sandbox.script("window-confused", "echo hello\nexec sleep 600");
    let output = sandbox.open(&confused);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("printed \"hello\" instead of `ready`"),
        "{}",
        stderr(&output)
    );
    assert!(sandbox.open(&sandbox.ready_window()).status.success());
}

#[test]
fn focusing_an_open_window_is_a_success_and_is_counted() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(1, ""));
    let focus = sandbox.script("window-focus", "echo focused");
    let output = sandbox.open(&focus);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("focused the window that was already open"));
    assert_eq!(sandbox.open(&focus).status.code(), Some(7));
    let decisions: Vec<Decision> = sandbox.audit().iter().map(|entry| entry.decision).collect();
    assert_eq!(decisions, [Decision::Allow, Decision::Deny]);
}

#[test]
fn the_window_gets_the_same_dirs_and_its_own_process_group() {
    let sandbox = Sandbox::new();
    let probe = sandbox.root().join("probe");
    let window = sandbox.script(
        "window-probe",
        &format!(
            "echo \"$@\" > '{0}'\nps -o pgid= -p $$ >> '{0}'\nps -o pgid= -p $PPID >> '{0}'\necho ready",
            probe.display()
        ),
    );
    let output = sandbox
        .command()
        .arg("open")
        .arg("--caller")
        .arg("menu")
        .env("ODOO_CONNECTIONS_GUI_COMMAND", &window)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&probe).unwrap();
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    assert_eq!(
        lines[0],
        format!(
            "gui --config-dir {} --state-dir {}",
            sandbox.paths().config_dir().display(),
            sandbox.paths().state_dir().display()
        )
    );
    assert_ne!(
        lines[1], lines[2],
        "the window is not in the launcher's process group"
    );
    assert_eq!(sandbox.audit()[0].caller, Caller::Menu);
}

/// `open` with a stand-in window and `approver` as the confirmation window.
fn open_asking(sandbox: &Sandbox, approver: &Path) -> Command {
    let mut command = sandbox.command();
    command
        .arg("open")
        .env("ODOO_CONNECTIONS_GUI_COMMAND", sandbox.ready_window())
        .env("ODOO_CONNECTIONS_APPROVE_COMMAND", approver);
    command
}

#[test]
fn approval_is_asked_first_and_a_no_refuses_without_counting() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(1, r#""require_approval": true, "#));
    let asked = sandbox.root().join("asked");
    let decline = sandbox.script(
        "approve-no",
        &format!("echo \"$@\" >> '{}'\nexit 1", asked.display()),
    );
    let accept = sandbox.script("approve-yes", &allowing(&sandbox.root().join("allowed")));
    let open = |approver: &Path| open_asking(&sandbox, approver).output().unwrap();
    let output = open(&decline);
    assert_eq!(output.status.code(), Some(7));
    assert!(stderr(&output).contains("declined"), "{}", stderr(&output));
    assert!(stderr(&output).contains("rule tools.open_connection_manager.require_approval"));
    assert_eq!(
        std::fs::read_to_string(&asked).unwrap().trim(),
        "approve --tool open_connection_manager --caller cli --timeout-secs 120"
    );
    assert!(sandbox.window_args().is_empty());
    assert!(
        open(&accept).status.success(),
        "the declined call did not use the slot"
    );
    assert_eq!(sandbox.window_args().len(), 1);
    assert_eq!(open(&accept).status.code(), Some(7), "limits still apply");
}

#[test]
fn an_unanswered_approval_is_stopped_at_its_deadline_and_refuses_without_counting() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(1, r#""require_approval": true, "#));
    let pid_file = sandbox.root().join("approval-pid");
    let silent = sandbox.script(
        "approve-silent",
        &format!(
            "echo \"$@\" > '{}.args'\necho $$ > '{}'\nexec sleep 60",
            pid_file.display(),
            pid_file.display()
        ),
    );
    let output = open_asking(&sandbox, &silent)
        .env("ODOO_CONNECTIONS_APPROVAL_TIMEOUT", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7));
    assert!(
        stderr(&output).contains("nobody answered the confirmation window within 1 s"),
        "{}",
        stderr(&output)
    );
    let args = std::fs::read_to_string(pid_file.with_extension("args")).unwrap();
    assert!(args.trim().ends_with("--timeout-secs 1"), "{args}");
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    assert!(
        !Path::new(&format!("/proc/{}", pid.trim())).exists(),
        "the unanswered approval window was stopped"
    );
    assert!(sandbox.window_args().is_empty());
    let last = sandbox.audit().pop().unwrap();
    assert_eq!(last.decision, Decision::Deny);
    assert_eq!(
        last.rule.as_deref(),
        Some("tools.open_connection_manager.require_approval")
    );
    let accept = sandbox.script("approve-yes", &allowing(&sandbox.root().join("allowed")));
    let output = open_asking(&sandbox, &accept).output().unwrap();
    assert!(
        output.status.success(),
        "the unanswered call did not use the slot: {}",
        stderr(&output)
    );
}

#[test]
fn an_approval_window_that_cannot_ask_refuses() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(1, r#""require_approval": true, "#));
    let crashing = sandbox.script("approve-crash", "exit 70");
    let output = open_asking(&sandbox, &crashing).output().unwrap();
    assert_eq!(output.status.code(), Some(7));
    assert!(
        stderr(&output).contains("could not ask the person"),
        "{}",
        stderr(&output)
    );
}
