//! `gateway NAME [--profile P] [--env K=V]… -- COMMAND…`: run an Odoo MCP
//! server behind the policy gateway, with the connection in its environment.

use clap::Args;

use crate::gateway::{self, GatewayError, Session};
use crate::paths::Paths;
use crate::policy::PolicySource;

use super::exec::{ChildArgs, launch_error};
use super::exit::{CliError, Exit};

/// `gateway` arguments.
#[derive(Debug, Args)]
pub struct GatewayArgs {
    #[command(flatten)]
    child: ChildArgs,
}

/// `gateway`: serves MCP on stdin/stdout until the client leaves; exit 1
/// when the child MCP server ends under the client.
pub fn gateway(paths: &Paths, policy: PolicySource, args: &GatewayArgs) -> Result<(), CliError> {
    let prepared = args.child.prepare(paths, true)?;
    let session = Session {
        command: prepared.command,
        program: prepared.program.to_string_lossy().into_owned(),
        connection: prepared.connection,
        secret: prepared.secret,
    };
    gateway::run(paths, policy.for_gateway(), session).map_err(|error| match error {
        GatewayError::Start { source, .. } => launch_error(&prepared.program, &source),
        other => CliError::new(Exit::Failure, other.to_string()),
    })
}
