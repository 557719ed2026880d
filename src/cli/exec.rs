//! `exec NAME [--profile P] [--env K=V]… -- COMMAND…`: run a command with
//! the connection in its environment (secret included), never on its
//! command line. The connection, profile and command arguments are shared
//! with `gateway`.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use clap::Args;

use crate::catalog::{Catalog, CatalogError};
use crate::inject::{self, ChildEnvironment, ExtraVariable, Profile};
use crate::model::Connection;
use crate::paths::Paths;
use crate::secrets::SecretError;

use super::exit::{CliError, Exit};

/// The child a connection is given to: `NAME [--profile P] [--env K=V]… -- COMMAND…`.
#[derive(Debug, Args)]
pub struct ChildArgs {
    /// Connection whose settings and secret to inject.
    pub name: String,
    /// The variable names the command expects: generic, mcp-server-odoo
    /// (ivnvxd) or odoo-mcp (tuanle96).
    #[arg(long, default_value_t = Profile::Generic, value_parser = str::parse::<Profile>)]
    pub profile: Profile,
    /// Another variable for the command, e.g. --env ODOO_YOLO=read
    /// (repeatable; never put a secret here).
    #[arg(long = "env", value_name = "NAME=VALUE", value_parser = str::parse::<ExtraVariable>)]
    pub env: Vec<ExtraVariable>,
    /// The command and its arguments (after `--`).
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<OsString>,
}

/// `exec` arguments.
#[derive(Debug, Args)]
pub struct ExecArgs {
    #[command(flatten)]
    child: ChildArgs,
}

/// A connection ready to hand to a child: the std command, environment set.
pub struct PreparedChild {
    /// The command, with its arguments and environment.
    pub command: Command,
    /// The connection.
    pub connection: Connection,
    /// The secret (kept to scrub it from anything the child prints).
    pub secret: crate::model::SecretString,
    /// The program, for messages.
    pub program: OsString,
}

impl ChildArgs {
    /// Loads the connection and its secret and builds the child's command;
    /// `clean_cwd` starts it in an empty private directory.
    pub fn prepare(&self, paths: &Paths, clean_cwd: bool) -> Result<PreparedChild, CliError> {
        inject::check_not_nested(std::env::vars_os())
            .map_err(|err| CliError::new(Exit::Usage, err.to_string()))?;
        let (program, program_args) = self
            .command
            .split_first()
            .ok_or_else(|| CliError::new(Exit::Usage, "give the command to run after --"))?;
        let catalog = Catalog::new(paths);
        let connection = catalog.load()?.get(&self.name)?.clone();
        let secret = catalog.secret(&connection).map_err(with_bus_hint)?;
        let environment = ChildEnvironment::new(self.profile, &connection, &secret, &self.env);
        tracing::info!(
            connection = %connection.name,
            profile = %self.profile,
            variables = ?environment.names(),
            removed = ?environment.removed(),
            "child environment"
        );
        let mut command = Command::new(program);
        command.args(program_args);
        environment.apply(&mut command);
        if clean_cwd || self.profile.needs_clean_directory() {
            let dir = inject::clean_directory(paths.state_dir())
                .map_err(|message| CliError::new(Exit::Failure, message))?;
            command.current_dir(dir);
        }
        Ok(PreparedChild {
            command,
            connection,
            secret,
            program: program.clone(),
        })
    }
}

/// Adds, when the keyring is unreachable because the session bus address
/// is missing (as under an MCP client), what the client has to pass.
fn with_bus_hint(error: CatalogError) -> CliError {
    let unreachable =
        matches!(error, CatalogError::Secret(ref inner) if !matches!(inner, SecretError::Locked));
    let mut cli_error = CliError::from(error);
    if unreachable && let Some(hint) = inject::session_bus_hint() {
        cli_error.message = format!("{}. {hint}", cli_error.message);
    }
    cli_error
}

/// `exec`. On Unix the command replaces this process, so its exit code is
/// the exit code; elsewhere it is waited for and its code passed through.
pub fn exec(paths: &Paths, args: &ExecArgs) -> Result<(), CliError> {
    let prepared = args.child.prepare(paths, false)?;
    drop(prepared.secret);
    run(prepared.command, &prepared.program)
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

/// The command could not be started.
pub fn launch_error(program: &OsString, error: &std::io::Error) -> CliError {
    CliError::new(
        Exit::Failure,
        format!(
            "cannot run {}: {error}; check the command name and your PATH",
            Path::new(program).display()
        ),
    )
}
