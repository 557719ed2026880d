//! `policy check [TOOL] [--json]` (what a call would get now, consuming
//! nothing) and `policy validate FILE`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::files;
use crate::paths::Paths;
use crate::policy::audit::Decision;
use crate::policy::spec::{BUILT_IN_TOOLS, PolicySpec};
use crate::policy::{CheckReport, Guard, PolicySource, ToolName};

use super::exit::{CliError, Exit};
use super::output::{self, one_line};

/// `policy` arguments.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    command: PolicyCommand,
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    /// Show what a call would get now, without using up any limit.
    /// Exit 0 when every checked tool would run, 7 when one would be refused.
    Check {
        /// The tool (default: this program's own tools).
        #[arg(value_parser = parse_tool)]
        tool: Option<ToolName>,
        /// Print JSON (an array, one object per tool).
        #[arg(long)]
        json: bool,
    },
    /// Check a policy file's syntax and rules (exit 0 valid, 3 invalid).
    Validate {
        /// The policy file.
        file: PathBuf,
    },
}

fn parse_tool(name: &str) -> Result<ToolName, String> {
    ToolName::new(name)
}

/// `policy …`.
pub fn run(paths: &Paths, source: PolicySource, args: &PolicyArgs) -> Result<(), CliError> {
    match &args.command {
        PolicyCommand::Check { tool, json } => check(paths, source, tool.as_ref(), *json),
        PolicyCommand::Validate { file } => validate(file),
    }
}

fn check(
    paths: &Paths,
    source: PolicySource,
    tool: Option<&ToolName>,
    json: bool,
) -> Result<(), CliError> {
    let guard = Guard::new(paths, source);
    let tools = match tool {
        Some(tool) => vec![tool.clone()],
        None => BUILT_IN_TOOLS
            .iter()
            .filter_map(|name| ToolName::new(name).ok())
            .collect(),
    };
    let reports: Vec<CheckReport> = tools.iter().map(|tool| guard.check(tool)).collect();
    if json {
        output::json(&reports)?;
    } else {
        if let Some(first) = reports.first() {
            output::line(format_args!("policy: {}", one_line(&first.policy)));
        }
        for report in &reports {
            output::line(describe(report));
        }
    }
    if reports
        .iter()
        .any(|report| report.decision == Decision::Deny)
    {
        return Err(CliError::new(
            Exit::PolicyDenied,
            "a call now would be refused (nothing was counted)",
        ));
    }
    Ok(())
}

fn describe(report: &CheckReport) -> String {
    let mut line = match report.decision {
        Decision::Allow => format!("{}: allow (rule {})", report.tool, report.rule),
        Decision::Deny => format!(
            "{}: deny (rule {}): {}",
            report.tool,
            report.rule,
            one_line(report.reason.as_deref().unwrap_or_default())
        ),
    };
    for usage in &report.limits {
        line.push_str(&format!(
            "\n  {}: {} used of {}",
            usage.rule, usage.used, usage.limit
        ));
    }
    if report.require_approval {
        line.push_str("\n  asks for approval in a confirmation window first");
    }
    if let Some(secs) = report.retry_after_secs {
        line.push_str(&format!("\n  retry-after: {secs} s"));
    }
    line
}

fn validate(file: &std::path::Path) -> Result<(), CliError> {
    let bytes = files::read_if_exists(file)
        .map_err(|err| CliError::new(Exit::Failure, err.to_string()))?
        .ok_or_else(|| {
            CliError::new(Exit::NotFound, format!("{} does not exist", file.display()))
        })?;
    PolicySpec::parse(&bytes)
        .map_err(|err| CliError::new(Exit::InvalidInput, format!("{}: {err}", file.display())))?;
    output::line(format_args!("{}: valid policy", file.display()));
    Ok(())
}
