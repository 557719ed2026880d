//! `open`: the policy-guarded launcher of the window (exit 0 opened or
//! focused, 7 refused by the policy, 1 the window did not start).

use clap::{Args, ValueEnum};

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
