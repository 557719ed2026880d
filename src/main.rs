//! The `odoo-connections` executable: parse, run, map to an exit code.

use std::process::ExitCode;

use clap::Parser as _;
use odoo_connections::cli::{self, Cli, CliError, Exit, output};

fn main() -> ExitCode {
    // rustls-platform-verifier logs every refused certificate at ERROR; the
    // connection test already reports it (tls_untrusted), so keep it quiet.
    // Plain text: no colour codes reach a terminal, a log file or a test.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ODOO_CONNECTIONS_LOG").unwrap_or_else(
                |_| tracing_subscriber::EnvFilter::new("warn,rustls_platform_verifier=off"),
            ),
        )
        .init();
    let outcome = cli::run(Cli::parse());
    let outcome = match (outcome, output::stdout_failure()) {
        (Ok(()), Some(failure)) => Err(CliError::new(Exit::Failure, failure)),
        (outcome, _) => outcome,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            output::note(format_args!("odoo-connections: {error}"));
            ExitCode::from(error.exit.code())
        }
    }
}
