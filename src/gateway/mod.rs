//! `odoo-connections gateway`: a local MCP policy gateway. It starts an Odoo
//! MCP server as a child (the connection injected in its environment only),
//! serves MCP to the client on stdin/stdout, and puts every `tools/call`
//! under `policy.json` before it reaches the child; everything else passes
//! through both ways. A thin front end over the policy and the launcher.

mod gate;
mod message;
mod proxy;
mod scrub;
mod tools;

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::ServerHandler as _;
use serde_json::Value;

use crate::mcp::server::ConnectionManagerServer;
use crate::model::{Connection, SecretString};
use crate::paths::Paths;
use crate::policy::{Guard, PolicySource};
use crate::redact::Redactor;

use gate::Gate;
use proxy::{Outgoing, Proxy};

/// How long the child may take to exit after the client closed its side.
const CHILD_EXIT_GRACE: Duration = Duration::from_secs(5);

/// The gateway could not serve, or its child ended under the client.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// A pipe or thread could not be set up, or the child not waited for.
    #[error("could not start the gateway: {0}")]
    Io(#[from] std::io::Error),
    /// The child MCP server could not be started.
    #[error("cannot run {program}: {source}; check the command name and your PATH")]
    Start {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// The child ended while the client was still connected.
    #[error("{0}")]
    ChildEnded(String),
}

/// The child to start and what the gateway needs to guard it.
pub struct Session {
    /// The child's command, environment already set.
    pub command: std::process::Command,
    /// The program, for messages.
    pub program: String,
    /// The connection the child is given.
    pub connection: Connection,
    /// The connection's secret (scrubbed from anything the child sends on:
    /// its messages to the client, its stderr).
    pub secret: SecretString,
}

/// Runs the gateway until the client closes its side (`Ok`) or the child
/// ends under it (`Err`, after answering the calls in flight and auditing).
/// Plain threads: one per direction, one per call under the policy.
pub fn run(paths: &Paths, policy: PolicySource, session: Session) -> Result<(), GatewayError> {
    let our_tool = our_open_tool(paths, policy.clone());
    let scrub = Arc::new(Redactor::new(&session.secret));
    let gate = Gate::new(
        Guard::new(paths, policy),
        paths,
        session.connection.name.as_str(),
        session.connection.environment,
        Arc::clone(&scrub),
    )?;
    let mut command = session.command;
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|source| GatewayError::Start {
        program: session.program.clone(),
        source,
    })?;
    let child_stdin = child.stdin.take().ok_or_else(|| missing_pipe("stdin"))?;
    let child_stdout = child.stdout.take().ok_or_else(|| missing_pipe("stdout"))?;
    let child_stderr = child.stderr.take().ok_or_else(|| missing_pipe("stderr"))?;
    tracing::info!(program = %session.program, pid = child.id(), "gateway started its MCP server");
    let child = Arc::new(Mutex::new(child));

    let (to_client, client_lines) = mpsc::channel();
    let (to_child, child_lines) = mpsc::channel();
    let stderr_scrub = Arc::clone(&scrub);
    spawn("gateway-server-stderr", move || {
        copy_stderr(&stderr_scrub, child_stderr);
    })?;
    let proxy = Arc::new(Proxy::new(
        gate.clone(),
        our_tool,
        scrub,
        to_client,
        to_child,
    ));
    let client_writer = spawn("gateway-to-client", move || write_to_client(client_lines))?;
    spawn("gateway-to-server", move || {
        write_to_child(child_stdin, child_lines)
    })?;
    let (client_gone, gone) = mpsc::channel();
    let reader = Arc::clone(&proxy);
    spawn("gateway-from-client", move || {
        read_client(&reader);
        client_gone.send(()).ok();
    })?;
    let stopper = Arc::clone(&child);
    spawn("gateway-stopper", move || {
        stop_after_client(&stopper, &gone)
    })?;

    pump_child(&proxy, child_stdout);
    let status = lock(&child).wait()?;
    let outcome = if proxy.is_client_closed() {
        let ending =
            proxy.child_gone("the client closed the session before the MCP server answered");
        tracing::info!(%status, unanswered = ending.unanswered, "gateway session ended");
        Ok(())
    } else {
        let why = format!(
            "the MCP server {} exited ({status}) while the client was connected; the call did not complete. Check the server's messages above, then reconnect the MCP client",
            session.program
        );
        let ending = proxy.child_gone(&why);
        gate.audit_child_exit(&format!(
            "the MCP server {} exited ({status}); {} requests in flight were answered with an error",
            session.program, ending.unanswered
        ));
        Err(GatewayError::ChildEnded(why))
    };
    proxy.finish();
    client_writer.join().ok();
    outcome
}

fn spawn(
    name: &str,
    work: impl FnOnce() + Send + 'static,
) -> Result<std::thread::JoinHandle<()>, GatewayError> {
    Ok(std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(work)?)
}

fn lock(child: &Mutex<Child>) -> std::sync::MutexGuard<'_, Child> {
    child
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn missing_pipe(which: &str) -> GatewayError {
    GatewayError::Io(std::io::Error::other(format!(
        "the child's {which} pipe is missing"
    )))
}

/// Our `open_connection_manager`, exactly as `odoo-connections mcp` lists it.
fn our_open_tool(paths: &Paths, policy: PolicySource) -> Value {
    let server = ConnectionManagerServer::new(paths, policy);
    let tool = server.get_tool(tools::OPEN_CONNECTION_MANAGER);
    serde_json::to_value(tool).unwrap_or_default()
}

/// Passes the child's lines to the proxy until its stdout ends.
fn pump_child(proxy: &Proxy, stdout: ChildStdout) {
    for line in BufReader::new(stdout).lines() {
        match line {
            Ok(line) if line.trim().is_empty() => {}
            Ok(line) => proxy.on_child_line(&line),
            Err(error) => {
                tracing::warn!("could not read the MCP server's output: {error}");
                break;
            }
        }
    }
}

/// Copies the child's stderr to ours, line by line, the secret scrubbed.
fn copy_stderr(scrub: &Redactor, stderr: ChildStderr) {
    let mut ours = std::io::stderr();
    for line in BufReader::new(stderr).split(b'\n') {
        let Ok(line) = line else { break };
        let text = scrub.scrub(&String::from_utf8_lossy(&line));
        if writeln!(ours, "{text}").is_err() {
            break;
        }
    }
}

/// Once the client has gone, gives the child a grace period to finish its
/// calls and exit, then stops it.
fn stop_after_client(child: &Mutex<Child>, gone: &Receiver<()>) {
    if gone.recv().is_err() {
        return;
    }
    std::thread::sleep(CHILD_EXIT_GRACE);
    let mut child = lock(child);
    if matches!(child.try_wait(), Ok(None)) {
        tracing::warn!(
            "the MCP server did not exit {} s after the client left; stopping it",
            CHILD_EXIT_GRACE.as_secs()
        );
        child.kill().ok();
    }
}

fn read_client(proxy: &Arc<Proxy>) {
    for line in std::io::stdin().lock().lines() {
        match line {
            Ok(line) if line.trim().is_empty() => {}
            Ok(line) => proxy.on_client_line(&line),
            Err(error) => {
                tracing::warn!("could not read from the MCP client: {error}");
                break;
            }
        }
    }
    proxy.client_closed();
}

fn write_to_client(lines: Receiver<Outgoing>) {
    let mut stdout = std::io::stdout().lock();
    while let Ok(Outgoing::Line(line)) = lines.recv() {
        if write_line(&mut stdout, &line).is_err() {
            break;
        }
    }
}

fn write_to_child(mut stdin: ChildStdin, lines: Receiver<String>) {
    while let Ok(line) = lines.recv() {
        if write_line(&mut stdin, &line).is_err() {
            break;
        }
    }
}

fn write_line(sink: &mut impl std::io::Write, line: &str) -> std::io::Result<()> {
    sink.write_all(line.as_bytes())?;
    sink.write_all(b"\n")?;
    sink.flush()
}
