//! `exec NAME -- COMMAND…`: run a command with the connection in its
//! environment (secret included), never on its command line.

use std::ffi::OsString;
use std::process::Command;

use clap::Args;

use crate::catalog::Catalog;
use crate::inject;
use crate::paths::Paths;

use super::exit::{CliError, Exit};

/// `exec` arguments.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Connection whose settings and secret to inject.
    name: String,
    /// The command and its arguments (after `--`).
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    command: Vec<OsString>,
}

/// `exec`. On Unix the command replaces this process, so its exit code is
/// the exit code; elsewhere it is waited for and its code passed through.
pub fn exec(paths: &Paths, args: &ExecArgs) -> Result<(), CliError> {
    inject::check_not_nested(std::env::vars_os())
        .map_err(|err| CliError::new(Exit::Usage, err.to_string()))?;
    let catalog = Catalog::new(paths);
    let connection = catalog.load()?.get(&args.name)?.clone();
    let secret = catalog.secret(&connection)?;
    let (program, program_args) = args
        .command
        .split_first()
        .ok_or_else(|| CliError::new(Exit::Usage, "give the command to run after --"))?;
    let mut command = Command::new(program);
    command.args(program_args);
    for (name, _) in std::env::vars_os().filter(|(name, _)| inject::is_odoo_variable(name)) {
        command.env_remove(name);
    }
    let variables = inject::connection_variables(&connection, &secret);
    let names: Vec<&str> = variables.iter().map(|(name, _)| *name).collect();
    tracing::info!(connection = %connection.name, variables = ?names, "exec");
    command.envs(variables);
    run(command, program)
}

#[cfg(unix)]
fn run(mut command: Command, program: &OsString) -> Result<(), CliError> {
    use std::os::unix::process::CommandExt as _;
    let error = command.exec();
    Err(launch_error(program, &error))
}

#[cfg(not(unix))]
fn run(mut command: Command, program: &OsString) -> Result<(), CliError> {
    let status = command
        .status()
        .map_err(|error| launch_error(program, &error))?;
    std::process::exit(status.code().unwrap_or(1));
}

fn launch_error(program: &OsString, error: &std::io::Error) -> CliError {
    CliError::new(
        Exit::Failure,
        format!(
            "cannot run {}: {error}; check the command name and your PATH",
            program.to_string_lossy()
        ),
    )
}
