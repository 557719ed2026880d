//! The person's approval for a tool the policy marks `require_approval`:
//! runs `odoo-connections approve --tool NAME --caller CALLER --timeout-secs N`
//! (a native confirmation window that denies by itself after N seconds) and
//! reads its exit code: 0 approved, 1 declined. A window still open after the
//! deadline is stopped and counts as no answer.

use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::policy::ToolCall;
use crate::policy::audit::Caller;

/// Test and fault-injection hook: a program run instead of
/// `odoo-connections approve`, with the same arguments and exit codes.
pub const APPROVE_COMMAND_ENV: &str = "ODOO_CONNECTIONS_APPROVE_COMMAND";

/// The environment variable that shortens or lengthens [`DEFAULT_APPROVAL_WAIT`].
pub const APPROVAL_TIMEOUT_VAR: &str = "ODOO_CONNECTIONS_APPROVAL_TIMEOUT";

/// How long the confirmation window waits for an answer before it denies.
const DEFAULT_APPROVAL_WAIT: Duration = Duration::from_secs(120);

/// How often the launcher looks whether the window has answered.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// What the person said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// They chose Allow.
    Allowed,
    /// They chose Deny, pressed Esc or closed the window.
    Declined,
    /// Nobody answered within this time.
    Unanswered(Duration),
}

/// Asks the person; `Err` (a message) when the window could not ask at all.
pub fn ask(call: &ToolCall, caller: Caller) -> Result<Answer, String> {
    let program = match std::env::var_os(APPROVE_COMMAND_ENV) {
        Some(program) => program.into(),
        None => std::env::current_exe().map_err(|error| {
            format!("cannot find the odoo-connections executable ({error}); reinstall it")
        })?,
    };
    let wait = crate::waits::from_env(APPROVAL_TIMEOUT_VAR, DEFAULT_APPROVAL_WAIT);
    let mut child = Command::new(&program)
        .args([
            "approve",
            "--tool",
            call.tool.as_str(),
            "--caller",
            caller.as_str(),
            "--timeout-secs",
            &wait.as_secs().to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|error| format!("could not run {}: {error}", program.display()))?;
    let Some(status) = wait_until(&mut child, Instant::now() + wait)
        .map_err(|error| format!("could not wait for {}: {error}", program.display()))?
    else {
        child.kill().ok();
        child.wait().ok();
        return Ok(Answer::Unanswered(wait));
    };
    match status.code() {
        Some(0) => Ok(Answer::Allowed),
        Some(1) => Ok(Answer::Declined),
        _ => Err(format!(
            "{} ended with {status}; check that a desktop session is available",
            program.display()
        )),
    }
}

/// The child's exit status, or `None` if it is still running at `deadline`.
fn wait_until(child: &mut Child, deadline: Instant) -> std::io::Result<Option<ExitStatus>> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(None);
        }
        std::thread::sleep(POLL_INTERVAL.min(deadline - now));
    }
}
