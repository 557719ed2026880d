//! `import` (from the odoo-claude-mcp tools, secrets into the keyring) and
//! `export` (settings only, never secrets).

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::{Map, Value, json};

use crate::catalog::Catalog;
use crate::files;
use crate::import::{self, ImportSource};
use crate::model::TlsMode;
use crate::paths::Paths;

use super::exit::{CliError, Exit};
use super::output::{self, one_line};

/// `import` arguments.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// An odoo-claude-mcp connections.json (desktop dict or server list).
    file: PathBuf,
    /// Show what would be added, updated and skipped without changing anything.
    #[arg(long)]
    dry_run: bool,
}

/// Export formats.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum ExportFormat {
    /// This tool's connections.json format.
    #[default]
    Native,
    /// The odoo-claude-mcp desktop dict (without its api_key fields).
    OdooClaudeMcp,
}

/// `export` arguments.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: ExportFormat,
    /// Print this tool's JSON format (the default; the same as `--format native`).
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// Write to FILE (private, atomic) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// `import`.
pub fn import(paths: &Paths, args: &ImportArgs) -> Result<(), CliError> {
    let bytes = std::fs::read(&args.file).map_err(|err| {
        CliError::new(
            Exit::InvalidInput,
            format!("cannot read {}: {err}", args.file.display()),
        )
    })?;
    let (source, items) = import::parse(&bytes).map_err(|err| {
        CliError::new(
            Exit::InvalidInput,
            format!("{}: {err}", args.file.display()),
        )
    })?;
    let report = import::apply(&Catalog::new(paths), items, args.dry_run)?;
    let shape = match source {
        ImportSource::DesktopDict => "desktop tools' format",
        ImportSource::ServerList => "MCP server's format",
    };
    let verb = if args.dry_run {
        "Would import"
    } else {
        "Imported"
    };
    output::line(format_args!(
        "{verb} from {} ({shape}):",
        args.file.display()
    ));
    for (label, names) in [("added", &report.added), ("updated", &report.updated)] {
        let names: Vec<String> = names.iter().map(|name| one_line(name)).collect();
        output::line(format_args!(
            "  {label} {}: {}",
            names.len(),
            names.join(", ")
        ));
    }
    output::line(format_args!("  skipped {}", report.skipped.len()));
    for (name, reason) in &report.skipped {
        output::line(format_args!("    {}: {}", one_line(name), one_line(reason)));
    }
    for warning in &report.warnings {
        output::note(format_args!("note: {}", one_line(warning)));
    }
    if report.failed_for_lack_of_keyring() && !args.dry_run {
        return Err(CliError::new(
            Exit::KeyringUnavailable,
            "nothing was imported: the system keyring did not take the secrets (see the reasons above)",
        ));
    }
    let changed = !report.added.is_empty() || !report.updated.is_empty();
    if changed && !args.dry_run {
        output::note(format_args!(
            "The secrets are now in the system keyring. Delete the plaintext file once you no longer need it: {}",
            args.file.display()
        ));
    }
    Ok(())
}

/// `export`.
pub fn export(paths: &Paths, args: &ExportArgs) -> Result<(), CliError> {
    let document = Catalog::new(paths).load()?;
    let format = if args.json {
        ExportFormat::Native
    } else {
        args.format
    };
    let text = match format {
        ExportFormat::Native => String::from_utf8_lossy(&document.to_bytes()).into_owned(),
        ExportFormat::OdooClaudeMcp => {
            let mut dict = Map::new();
            for connection in document.connections() {
                let protocol = match connection.protocol.as_str() {
                    "auto" | "json2" => "xmlrpc",
                    other => other,
                };
                dict.insert(
                    connection.name.to_string(),
                    json!({
                        "url": connection.url.to_string(),
                        "db": connection.database.to_string(),
                        "user": connection.login.to_string(),
                        "protocol": protocol,
                        "verify_ssl": connection.tls == TlsMode::System,
                    }),
                );
            }
            let mut text = serde_json::to_string_pretty(&Value::Object(dict)).unwrap_or_default();
            text.push('\n');
            text
        }
    };
    match &args.output {
        None => output::json_text(&text),
        Some(path) => {
            files::write_atomic(path, text.as_bytes())
                .map_err(|err| CliError::new(Exit::Failure, err.to_string()))?;
            output::note(format_args!(
                "Exported {} connections (no secrets) to {}.",
                document.connections().len(),
                path.display()
            ));
        }
    }
    Ok(())
}
