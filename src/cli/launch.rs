//! `open`: the policy-guarded launcher of the window (exit 0 opened or
//! focused, 7 refused by the policy, 1 the window did not start), and the
//! hidden `approve`, the confirmation window the launcher starts: the call
//! on stdin, the grant on stdout when the person allows it.

use clap::{Args, ValueEnum};

use crate::launcher::request::ApprovalRequest;
use crate::launcher::{self, LaunchError};
use crate::paths::Paths;
use crate::policy::audit::Caller;
use crate::policy::{Denial, Guard, PolicySource};

use super::exit::{CliError, Exit};
use super::output::{self, one_line};

/// `open` arguments.
#[derive(Debug, Args)]
pub struct OpenArgs {
    /// Who is asking, for the audit log (the desktop entry passes `menu`).
    #[arg(long, value_enum, default_value_t = CallerArg::Cli)]
    caller: CallerArg,
}

/// The callers a command line can claim.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum CallerArg {
    /// A person or script at the command line.
    Cli,
    /// The desktop menu entry.
    Menu,
}

/// `open`.
pub fn open(paths: &Paths, source: PolicySource, args: &OpenArgs) -> Result<(), CliError> {
    let caller = match args.caller {
        CallerArg::Cli => Caller::Cli,
        CallerArg::Menu => Caller::Menu,
    };
    let guard = Guard::new(paths, source);
    match launcher::open(&guard, paths, caller) {
        Ok(outcome) => {
            output::note(format_args!("odoo-connections: {}", outcome.describe()));
            Ok(())
        }
        Err(LaunchError::Denied(denial)) => Err(denied(&denial)),
        Err(error @ LaunchError::WindowFailed(_)) => Err(CliError::new(
            Exit::Failure,
            format!("{error}\nThe call was not counted against the policy limits."),
        )),
    }
}

/// The stderr message and exit code of a policy refusal.
pub fn denied(denial: &Denial) -> CliError {
    let mut message = format!("policy denied {}", one_line(&denial.to_string()));
    if let Some(secs) = denial.retry_after_secs {
        message.push_str(&format!("\nretry-after: {secs} s"));
    }
    CliError::new(Exit::PolicyDenied, message)
}

/// `approve` arguments (the call itself comes on stdin, never in argv).
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The tool that asks, e.g. open_connection_manager (for process listings).
    #[arg(long)]
    tool: String,
    /// Who asks, e.g. mcp.
    #[arg(long)]
    caller: String,
    /// Deny by itself when nobody answers within this many seconds.
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..))]
    timeout_secs: u64,
}

/// `approve`: reads the [`ApprovalRequest`] on stdin, asks the person, and
/// on Allow prints the request's grant on stdout (exit 0); exit 1 denied.
pub fn approve(paths: &Paths, args: &ApproveArgs) -> Result<(), CliError> {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map_err(|error| {
        CliError::new(
            Exit::Failure,
            format!("could not read the call on stdin: {error}"),
        )
    })?;
    let request: ApprovalRequest = serde_json::from_str(text.trim()).map_err(|error| {
        CliError::new(
            Exit::Usage,
            format!("approve reads the call to confirm as one JSON line on stdin ({error}); the launcher starts it, do not run it by hand"),
        )
    })?;
    let wait = std::time::Duration::from_secs(args.timeout_secs);
    if ask_person(paths, &request, wait)? {
        let grant = serde_json::to_string(&request.grant).unwrap_or_default();
        output::json_text(&format!("{grant}\n"));
        Ok(())
    } else {
        Err(CliError::new(
            Exit::Failure,
            format!("the person denied {} for {}", args.tool, args.caller),
        ))
    }
}

#[cfg(feature = "gui")]
fn ask_person(
    paths: &Paths,
    request: &ApprovalRequest,
    wait: std::time::Duration,
) -> Result<bool, CliError> {
    // Without a slot the window still asks; it only cannot say its number.
    let slot =
        crate::launcher::slots::ApprovalSlot::claim(paths.state_dir()).unwrap_or_else(|error| {
            tracing::warn!("the approval window is not numbered: {error}");
            None
        });
    crate::gui::approval::run(request, wait, slot)
        .map_err(|err| CliError::new(Exit::Failure, err.to_string()))
}

#[cfg(not(feature = "gui"))]
fn ask_person(
    _paths: &Paths,
    request: &ApprovalRequest,
    _wait: std::time::Duration,
) -> Result<bool, CliError> {
    Err(super::no_window(&format!(
        "cannot ask whether {} may use {}",
        request.caller, request.tool
    )))
}
