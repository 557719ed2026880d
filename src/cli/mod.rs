//! Command-line front end: parses arguments, calls the core, prints results
//! and maps failures to documented exit codes. No logic lives here that the
//! window or the MCP server would also need.

mod connections;
mod doctor;
mod exec;
mod exit;
mod gateway;
mod launch;
pub mod output;
mod policy;
mod prompt;
mod setup;
mod testing;
mod transfer;

pub use exit::{CliError, Exit};

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::paths::Paths;
use crate::policy::PolicySource;

/// Keep your Odoo connections in one safe place: settings in a file, secrets
/// in the system keyring.
#[derive(Debug, Parser)]
#[command(name = "odoo-connections", version, about, long_about = None)]
pub struct Cli {
    /// Directory for connections.json and policy.json.
    #[arg(
        long,
        global = true,
        env = "ODOO_CONNECTIONS_CONFIG_DIR",
        value_name = "DIR"
    )]
    pub config_dir: Option<PathBuf>,
    /// Directory for counters, the audit log and test results.
    #[arg(
        long,
        global = true,
        env = "ODOO_CONNECTIONS_STATE_DIR",
        value_name = "DIR"
    )]
    pub state_dir: Option<PathBuf>,
    /// Policy file for `open`, `mcp` and `policy check` [default: policy.json
    /// in the config dir, or the built-in policy when that does not exist].
    #[arg(
        long,
        global = true,
        env = "ODOO_CONNECTIONS_POLICY",
        value_name = "FILE"
    )]
    pub policy: Option<PathBuf>,
    /// What to do; without one, the window opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List connections.
    List(connections::ListArgs),
    /// Show one connection (never its secret).
    Show(connections::ShowArgs),
    /// Add a connection; the secret goes to the system keyring.
    Add(connections::AddArgs),
    /// Change a connection's settings or secret.
    Edit(connections::EditArgs),
    /// Rename a connection (its secret follows).
    Rename(connections::RenameArgs),
    /// Copy a connection, with its secret, under a new name.
    Duplicate(connections::DuplicateArgs),
    /// Delete a connection and its keyring secret.
    #[command(alias = "remove")]
    Rm(connections::RemoveArgs),
    /// Check that the keyring and the files agree, file modes, the policy
    /// and damaged files; --fix removes orphaned secrets and tightens modes.
    /// Exit 0 all in order, 9 problems found, 5 the keyring cannot be asked.
    Doctor(doctor::DoctorArgs),
    /// Test a connection (or all of them) against its server.
    Test(testing::TestArgs),
    /// List the databases of a server.
    Databases(testing::DatabasesArgs),
    /// Import connections from odoo-claude-mcp files; secrets go to the keyring.
    Import(transfer::ImportArgs),
    /// Print all connections as JSON, without secrets.
    Export(transfer::ExportArgs),
    /// Run a command with the connection in ODOO_* environment variables.
    Exec(exec::ExecArgs),
    /// Run an Odoo MCP server behind the policy: the connection goes into its
    /// environment, every tool call through policy.json.
    Gateway(gateway::GatewayArgs),
    /// Print the entry that registers `odoo-connections mcp` (or an Odoo MCP
    /// server behind the gateway) in an MCP client.
    McpConfig(setup::McpConfigArgs),
    /// Print shell completions.
    Completions(setup::CompletionsArgs),
    /// Print the man page (or write all pages with --output DIR).
    Man(setup::ManArgs),
    /// Add "Odoo Connection Manager" to the app menu (desktop entry and icons).
    Install(setup::InstallArgs),
    /// Remove the app menu entry and icons (connections and secrets stay).
    Uninstall(setup::InstallArgs),
    /// Open the window (or focus the open one) if the policy allows it now.
    /// Exit 0 opened, 7 refused by the policy, 1 the window did not start.
    Open(launch::OpenArgs),
    /// Check what the policy allows now, or validate a policy file.
    Policy(policy::PolicyArgs),
    /// Run the MCP server on stdin/stdout (for MCP clients such as Claude).
    Mcp,
    /// Open the Connection Manager window (or bring the open one to the
    /// front); prints `ready` or `focused` on stdout.
    Gui,
    /// Ask the person whether an AI agent may open a tool (used by the launcher).
    #[command(hide = true)]
    Approve(launch::ApproveArgs),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let globals = crate::mcp::client_config::GlobalOptions {
        config_dir: cli.config_dir.clone(),
        state_dir: cli.state_dir.clone(),
        policy: cli.policy.clone(),
    };
    let paths = Paths::resolve(cli.config_dir, cli.state_dir)
        .map_err(|err| CliError::new(Exit::Failure, err.to_string()))?;
    let policy = PolicySource::resolve(cli.policy, &paths);
    match cli.command {
        None => open_window(&paths, false),
        Some(Command::Gui) => open_window(&paths, true),
        Some(Command::Approve(args)) => launch::approve(&paths, &args),
        Some(Command::List(args)) => connections::list(&paths, &args),
        Some(Command::Show(args)) => connections::show(&paths, &args),
        Some(Command::Add(args)) => connections::add(&paths, &args),
        Some(Command::Edit(args)) => connections::edit(&paths, &args),
        Some(Command::Rename(args)) => connections::rename(&paths, &args),
        Some(Command::Duplicate(args)) => connections::duplicate(&paths, &args),
        Some(Command::Rm(args)) => connections::remove(&paths, &args),
        Some(Command::Doctor(args)) => doctor::doctor(&paths, &policy, &args),
        Some(Command::Import(args)) => transfer::import(&paths, &args),
        Some(Command::Export(args)) => transfer::export(&paths, &args),
        Some(Command::Exec(args)) => exec::exec(&paths, &args),
        Some(Command::Gateway(args)) => gateway::gateway(&paths, policy, &args),
        Some(Command::McpConfig(args)) => setup::mcp_config(&args, &globals),
        Some(Command::Completions(args)) => setup::completions(&args),
        Some(Command::Man(args)) => setup::man(&args),
        Some(Command::Install(args)) => setup::install(&args),
        Some(Command::Uninstall(args)) => setup::uninstall(&args),
        Some(Command::Test(args)) => testing::test(&paths, &args),
        Some(Command::Databases(args)) => testing::databases(&args),
        Some(Command::Open(args)) => launch::open(&paths, policy, &args),
        Some(Command::Policy(args)) => policy::run(&paths, policy, &args),
        Some(Command::Mcp) => crate::mcp::serve(&paths, policy)
            .map_err(|err| CliError::new(Exit::Failure, err.to_string())),
    }
}

#[cfg(feature = "gui")]
fn open_window(paths: &Paths, announce: bool) -> Result<(), CliError> {
    crate::gui::run(paths, announce).map_err(|err| CliError::new(Exit::Failure, err.to_string()))
}

#[cfg(not(feature = "gui"))]
fn open_window(_paths: &Paths, _announce: bool) -> Result<(), CliError> {
    Err(no_window("cannot open the window"))
}

#[cfg(not(feature = "gui"))]
pub(crate) fn no_window(what: &str) -> CliError {
    CliError::new(
        Exit::Failure,
        format!(
            "{what}: this odoo-connections was built without the window (cargo feature `gui`); use the commands (see --help), or install a build with the default features"
        ),
    )
}
