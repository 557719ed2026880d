//! The policy-guarded opening of the window: evaluate and reserve (policy
//! [`Guard`]), ask for approval when the policy wants it, start the window
//! as a detached process, and take the reservation back if it never came up.
//!
//! The window does its own single-instance handling: a second start asks
//! the open window to come to the front and reports `focused`.

mod approval;
pub mod request;
pub mod slots;
mod window;

use std::sync::Arc;

pub use approval::{APPROVAL_TIMEOUT_VAR, APPROVE_COMMAND_ENV};
use approval::{Answer, Cancelled};
pub use window::{GUI_COMMAND_ENV, READY_TIMEOUT, WindowError, WindowOutcome};

use crate::paths::Paths;
use crate::policy::audit::Caller;
use crate::policy::{Admission, Denial, Guard, ToolCall, ToolName};
use crate::redact::Redactor;

/// Why `open` did not open the window.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// The policy refused (nothing was counted).
    #[error("policy denied {0}")]
    Denied(Denial),
    /// The window did not start; the reservation was taken back.
    #[error(transparent)]
    WindowFailed(#[from] WindowError),
}

/// Opens the Connection Manager window for `caller`, or focuses the one
/// already open, if the policy allows `open_connection_manager` now.
pub fn open(guard: &Guard, paths: &Paths, caller: Caller) -> Result<WindowOutcome, LaunchError> {
    let call = ToolCall::new(ToolName::open_connection_manager());
    let admission = admit_and_ask(guard, &call, caller, None, &Cancelled::default())
        .map_err(LaunchError::Denied)?;
    show_window(guard, paths, admission)
}

/// Starts (or focuses) the window for an admitted `open_connection_manager`
/// call and settles the admission: confirmed once the window is up, given
/// back if it never came up.
pub fn show_window(
    guard: &Guard,
    paths: &Paths,
    admission: Admission,
) -> Result<WindowOutcome, LaunchError> {
    match window::start(paths, READY_TIMEOUT) {
        Ok(outcome) => {
            guard.confirm(admission, outcome.describe());
            Ok(outcome)
        }
        Err(error) => {
            guard.abandon(admission, &error.summary());
            Err(error.into())
        }
    }
}

/// Passes `call` through the policy and, when the policy says
/// `require_approval`, through the person's confirmation window (`scrub`
/// removes the connection's secret from what it shows). The
/// caller settles the admission (`Guard::confirm` / `Guard::abandon`).
/// Runs on a blocking thread, so async callers (MCP, gateway) stay free.
/// Dropping the future (a cancelled call, a client gone away) closes the
/// confirmation window and settles the reservation.
pub async fn admit_with_approval(
    guard: &Guard,
    call: ToolCall,
    caller: Caller,
    scrub: Option<Arc<Redactor>>,
) -> Result<Admission, Denial> {
    let guard = guard.clone();
    let tool = call.tool.to_string();
    let cancelled = Cancelled::default();
    let on_drop = CancelOnDrop(cancelled.clone());
    let asked = tokio::task::spawn_blocking(move || {
        admit_and_ask(&guard, &call, caller, scrub.as_deref(), &cancelled)
    })
    .await;
    drop(on_drop);
    asked.unwrap_or_else(|error| {
        Err(Denial {
            tool,
            rule: "policy".into(),
            reason: format!("the policy check stopped ({error}); try again"),
            retry_after_secs: None,
        })
    })
}

/// Cancels the approval it guards when the awaiting future is dropped.
struct CancelOnDrop(Cancelled);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

fn admit_and_ask(
    guard: &Guard,
    call: &ToolCall,
    caller: Caller,
    scrub: Option<&Redactor>,
    cancelled: &Cancelled,
) -> Result<Admission, Denial> {
    let admission = guard.admit_call(call, caller)?;
    if !admission.require_approval {
        return Ok(admission);
    }
    match approval::ask(call, caller, scrub, cancelled) {
        Ok(Answer::Allowed) => guard.approved(admission),
        Ok(Answer::Unbound(why)) => Err(guard.decline(admission, &why)),
        Ok(Answer::Declined) => Err(guard.decline(
            admission,
            "the person declined the request in the confirmation window",
        )),
        Ok(Answer::Cancelled) => Err(guard.decline(
            admission,
            "the call was cancelled while the confirmation window was asking; the window was closed; not counted",
        )),
        Ok(Answer::Unanswered(wait)) => Err(guard.decline(
            admission,
            &format!(
                "nobody answered the confirmation window within {} s; ask again when someone is at the desktop",
                wait.as_secs()
            ),
        )),
        Err(problem) => Err(guard.decline(
            admission,
            &format!("the confirmation window could not ask the person: {problem}"),
        )),
    }
}
