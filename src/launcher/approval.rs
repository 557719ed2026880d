//! The person's approval for a tool the policy marks `require_approval`:
//! runs `odoo-connections approve --tool NAME --caller CALLER` (a native
//! confirmation window) and reads its exit code: 0 approved, 1 declined.

use std::process::{Command, Stdio};

use crate::policy::ToolName;
use crate::policy::audit::Caller;

/// Test and fault-injection hook: a program run instead of
/// `odoo-connections approve`, with the same arguments and exit codes.
pub const APPROVE_COMMAND_ENV: &str = "ODOO_CONNECTIONS_APPROVE_COMMAND";

/// Asks the person; `Ok(false)` when they declined, `Err` (a message) when
/// the window could not ask at all.
pub fn ask(tool: &ToolName, caller: Caller) -> Result<bool, String> {
    let program = match std::env::var_os(APPROVE_COMMAND_ENV) {
        Some(program) => program.into(),
        None => std::env::current_exe().map_err(|error| {
            format!("cannot find the odoo-connections executable ({error}); reinstall it")
        })?,
    };
    let status = Command::new(&program)
        .args([
            "approve",
            "--tool",
            tool.as_str(),
            "--caller",
            caller.as_str(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .map_err(|error| format!("could not run {}: {error}", program.display()))?;
    match status.code() {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        _ => Err(format!(
            "{} ended with {status}; check that a desktop session is available",
            program.display()
        )),
    }
}
