//! The person's approval for a tool the policy marks `require_approval`:
//! runs `odoo-connections approve --tool NAME --caller CALLER --timeout-secs N`
//! (a native confirmation window that denies by itself after N seconds),
//! writes it the call ([`ApprovalRequest`], one JSON line) on its stdin and
//! reads its exit code: 0 with the request's grant on stdout approved, 1
//! declined. A window still open after the deadline, or when the call is
//! cancelled, is stopped.

use std::io::{Read as _, Write as _};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::policy::ToolCall;
use crate::policy::audit::Caller;
use crate::redact::Redactor;

use super::request::ApprovalRequest;

/// Test and fault-injection hook: a program run instead of
/// `odoo-connections approve`, with the same arguments, stdin, stdout and
/// exit codes.
pub const APPROVE_COMMAND_ENV: &str = "ODOO_CONNECTIONS_APPROVE_COMMAND";

/// The environment variable that shortens or lengthens [`DEFAULT_APPROVAL_WAIT`].
pub const APPROVAL_TIMEOUT_VAR: &str = "ODOO_CONNECTIONS_APPROVAL_TIMEOUT";

/// How long the confirmation window waits for an answer before it denies.
const DEFAULT_APPROVAL_WAIT: Duration = Duration::from_secs(120);

/// How often the launcher looks whether the window has answered.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// What the person said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// They chose Allow (and the grant matched this call).
    Allowed,
    /// The window said yes, but not to this call (`why`): other arguments,
    /// another request, too late, or no grant at all.
    Unbound(String),
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

/// Asks the person about `call` (`scrub` removes the connection's secret
/// from what the window shows); `Err` (a message) when the window could
/// not ask at all.
pub fn ask(
    call: &ToolCall,
    caller: Caller,
    scrub: Option<&Redactor>,
    cancelled: &Cancelled,
) -> Result<Answer, String> {
    let program = match std::env::var_os(APPROVE_COMMAND_ENV) {
        Some(program) => program.into(),
        None => std::env::current_exe().map_err(|error| {
            format!("cannot find the odoo-connections executable ({error}); reinstall it")
        })?,
    };
    let wait = crate::waits::from_env(APPROVAL_TIMEOUT_VAR, DEFAULT_APPROVAL_WAIT);
    let expires_at_ms =
        now_ms().saturating_add(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX));
    let request = ApprovalRequest::new(call, caller, action(call), scrub, expires_at_ms);
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
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|error| format!("could not run {}: {error}", program.display()))?;
    send_request(&mut child, &request);
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
        Some(0) => {
            let mut answer = String::new();
            if let Some(mut stdout) = child.stdout.take() {
                stdout.read_to_string(&mut answer).ok();
            }
            Ok(match request.grant.check_answer(&answer, now_ms()) {
                Ok(()) => Answer::Allowed,
                Err(why) => Answer::Unbound(why),
            })
        }
        Some(1) => Ok(Answer::Declined),
        _ => Err(format!(
            "{} ended with {status}; check that a desktop session is available",
            program.display()
        )),
    }
}

/// Writes the request on the window's stdin from a thread of its own, so
/// a window that never reads it cannot hold the launcher up.
fn send_request(child: &mut Child, request: &ApprovalRequest) {
    let Some(mut stdin) = child.stdin.take() else {
        return;
    };
    let mut line = serde_json::to_vec(request).unwrap_or_default();
    line.push(b'\n');
    let sent = std::thread::Builder::new()
        .name("approval-request".into())
        .spawn(move || {
            // A window that exits without reading closes the pipe: not an error.
            stdin.write_all(&line).ok();
        });
    if let Err(error) = sent {
        tracing::warn!("could not pass the call to the confirmation window: {error}");
    }
}

/// The wall clock in Unix ms, for the grant's expiry.
fn now_ms() -> u64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.map_or(0, |since| {
        u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
    })
}

/// What the call will do, in a person's words, for the window.
fn action(call: &ToolCall) -> String {
    let built_in = match call.tool.as_str() {
        "open_connection_manager" => {
            Some("open the Odoo Connection Manager window, which shows your saved connections")
        }
        "list_connections" => Some(
            "read the list of your saved connections: names, URLs, databases, logins and environments, never passwords or API keys",
        ),
        "test_connection" => Some(
            "test a saved connection: sign in to its Odoo server with the stored secret and report the result, never the secret",
        ),
        _ => None,
    };
    match (built_in, &call.description) {
        (Some(text), _) => text.to_owned(),
        (None, Some(description)) => format!(
            "run the tool {} of the MCP server (\"{}\")",
            call.tool,
            description.trim()
        ),
        (None, None) => format!("run the tool {} of the MCP server", call.tool),
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
