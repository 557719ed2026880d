//! The person's approval for a tool the policy marks `require_approval`:
//! runs `odoo-connections approve --tool NAME --caller CALLER --timeout-secs N`
//! (a native confirmation window that denies by itself after N seconds) and
//! reads its exit code: 0 approved, 1 declined. A window still open after the
//! deadline, or when the call is cancelled, is stopped.

use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// The call was cancelled while the window was asking; it was closed.
    Cancelled,
}

/// Set when the call that asks is cancelled (or its client went away).
#[derive(Debug, Clone, Default)]
pub struct Cancelled(Arc<AtomicBool>);

impl Cancelled {
    /// Marks the call cancelled.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Asks the person; `Err` (a message) when the window could not ask at all.
pub fn ask(call: &ToolCall, caller: Caller, cancelled: &Cancelled) -> Result<Answer, String> {
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
    let status = match wait_until(&mut child, Instant::now() + wait, cancelled)
        .map_err(|error| format!("could not wait for {}: {error}", program.display()))?
    {
        Waited::Exited(status) => status,
        Waited::TimedOut => {
            stop(&mut child);
            return Ok(Answer::Unanswered(wait));
        }
        Waited::Cancelled => {
            stop(&mut child);
            return Ok(Answer::Cancelled);
        }
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

/// How waiting for the window ended.
enum Waited {
    Exited(ExitStatus),
    TimedOut,
    Cancelled,
}

/// Waits for the child until `deadline` or until the call is cancelled.
fn wait_until(
    child: &mut Child,
    deadline: Instant,
    cancelled: &Cancelled,
) -> std::io::Result<Waited> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Waited::Exited(status));
        }
        if cancelled.is_set() {
            return Ok(Waited::Cancelled);
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(Waited::TimedOut);
        }
        std::thread::sleep(POLL_INTERVAL.min(deadline - now));
    }
}

fn stop(child: &mut Child) {
    child.kill().ok();
    child.wait().ok();
}
