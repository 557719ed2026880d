//! Setting things up around the tool: the MCP client snippet, shell
//! completions and man pages (both generated from the argument definitions).

use std::path::PathBuf;

use clap::{Args, CommandFactory as _, ValueEnum};

use crate::desktop;
use crate::inject::{self, ExtraVariable, Profile};
use crate::mcp::client_config::{self, GatewayTarget, GlobalOptions, McpClient, ServerEntry};

use super::Cli;
use super::exit::{CliError, Exit};
use super::output;

/// `mcp-config` client choice.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum ClientFlag {
    /// Claude Desktop's claude_desktop_config.json.
    #[default]
    ClaudeDesktop,
    /// The Claude Code command line.
    ClaudeCode,
    /// Cursor's mcp.json.
    Cursor,
    /// VS Code's .vscode/mcp.json.
    Vscode,
    /// Windsurf's mcp_config.json.
    Windsurf,
}

/// `mcp-config` arguments.
#[derive(Debug, Args)]
pub struct McpConfigArgs {
    /// Which client to configure.
    #[arg(long, value_enum, default_value_t)]
    client: ClientFlag,
    /// Print an entry that runs COMMAND (an Odoo MCP server) behind
    /// `odoo-connections gateway NAME` instead of `odoo-connections mcp`.
    #[arg(long, value_name = "NAME", requires = "command")]
    gateway: Option<String>,
    /// The gateway's profile: generic, mcp-server-odoo or odoo-mcp.
    #[arg(long, requires = "gateway", value_parser = str::parse::<Profile>)]
    profile: Option<Profile>,
    /// A non-secret setting for the gateway's server, e.g. --env ODOO_YOLO=read.
    #[arg(long = "env", value_name = "NAME=VALUE", requires = "gateway", value_parser = str::parse::<ExtraVariable>)]
    env: Vec<ExtraVariable>,
    /// The Odoo MCP server's command and arguments (after `--`).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND",
        requires = "gateway"
    )]
    command: Vec<String>,
}

/// `completions` arguments.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to generate completions for.
    shell: clap_complete::Shell,
}

/// `man` arguments.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command into DIR instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    output: Option<PathBuf>,
}

fn failure(err: impl std::fmt::Display) -> CliError {
    CliError::new(Exit::Failure, err.to_string())
}

/// `mcp-config`: the entry, with the global options that were given.
pub fn mcp_config(args: &McpConfigArgs, globals: &GlobalOptions) -> Result<(), CliError> {
    let client = match args.client {
        ClientFlag::ClaudeDesktop => McpClient::ClaudeDesktop,
        ClientFlag::ClaudeCode => McpClient::ClaudeCode,
        ClientFlag::Cursor => McpClient::Cursor,
        ClientFlag::Vscode => McpClient::VsCode,
        ClientFlag::Windsurf => McpClient::Windsurf,
    };
    let target = args.gateway.as_ref().map(|connection| GatewayTarget {
        connection: connection.clone(),
        profile: args.profile.unwrap_or_default(),
        env: args.env.clone(),
        command: args.command.clone(),
    });
    let executable = std::env::current_exe().map_err(failure)?;
    let entry = ServerEntry::new(&executable, globals, target.as_ref());
    output::note(client.instructions());
    if entry.env.is_empty() && inject::session_bus_hint().is_some() {
        output::note(
            "Note: no session bus is reachable from here (DBUS_SESSION_BUS_ADDRESS is unset); run this in your desktop session so the entry can include it.",
        );
    } else if !entry.env.is_empty() {
        output::note(
            "The entry sets DBUS_SESSION_BUS_ADDRESS (not a secret) so the server reaches your keyring; it changes when you log in again, so print the entry again then.",
        );
    }
    output::line(client_config::entry_snippet(client, &entry));
    Ok(())
}

/// `completions`.
pub fn completions(args: &CompletionsArgs) -> Result<(), CliError> {
    let mut command = Cli::command();
    let name = command.get_name().to_owned();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, name, &mut script);
    output::generated(&script);
    Ok(())
}

/// `man`.
pub fn man(args: &ManArgs) -> Result<(), CliError> {
    let command = Cli::command();
    match &args.output {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map_err(failure)?;
            output::generated(&page);
            Ok(())
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(failure)?;
            clap_mangen::generate_to(command, dir).map_err(failure)?;
            output::note(format_args!("Wrote man pages to {}.", dir.display()));
            Ok(())
        }
    }
}

/// `install` / `uninstall` arguments.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Install under PREFIX/share instead of your XDG data directory
    /// (~/.local/share); e.g. --prefix /usr/local for every user.
    #[arg(long, value_name = "PREFIX")]
    prefix: Option<PathBuf>,
}

impl InstallArgs {
    fn data_dir(&self) -> Result<PathBuf, CliError> {
        match &self.prefix {
            Some(prefix) => Ok(prefix.join("share")),
            None => directories::BaseDirs::new()
                .map(|dirs| dirs.data_dir().to_owned())
                .ok_or_else(|| {
                    CliError::new(
                        Exit::Failure,
                        "cannot find your home directory; pass --prefix",
                    )
                }),
        }
    }
}

/// `install`.
pub fn install(args: &InstallArgs) -> Result<(), CliError> {
    let data_dir = args.data_dir()?;
    let executable = std::env::current_exe().map_err(failure)?;
    let written = desktop::install(&data_dir, &executable).map_err(failure)?;
    refresh_desktop_caches(&data_dir);
    for path in &written {
        output::line(path.display());
    }
    output::note(format_args!(
        "Installed \"Odoo Connection Manager\" in the app menu (it starts {}).",
        executable.display()
    ));
    Ok(())
}

/// `uninstall`.
pub fn uninstall(args: &InstallArgs) -> Result<(), CliError> {
    let data_dir = args.data_dir()?;
    let removed = desktop::uninstall(&data_dir).map_err(failure)?;
    refresh_desktop_caches(&data_dir);
    for path in &removed {
        output::line(path.display());
    }
    output::note(format_args!(
        "Removed {} files. Your connections, settings and keyring secrets are untouched.",
        removed.len()
    ));
    Ok(())
}

/// Menus pick up changes sooner when the caches are rebuilt; both tools are
/// optional, so failures are only logged.
fn refresh_desktop_caches(data_dir: &std::path::Path) {
    let steps: [(&str, Vec<PathBuf>); 2] = [
        (
            "update-desktop-database",
            vec![data_dir.join("applications")],
        ),
        (
            "gtk-update-icon-cache",
            vec!["-q".into(), "-t".into(), data_dir.join("icons/hicolor")],
        ),
    ];
    for (program, args) in steps {
        if let Err(err) = std::process::Command::new(program).args(&args).output() {
            tracing::info!("{program} not run: {err}");
        }
    }
}
