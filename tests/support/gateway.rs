//! The policy gateway with a real child: the MCP test server written with
//! the official Python SDK (`tests/python/child_server.py`, in the venv
//! that `scripts/setup-python` makes), started by the real binary's
//! `gateway` and driven by a real rmcp client.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rmcp::ServiceExt as _;
use rmcp::service::{RoleClient, RunningService};

use super::sandbox::{Sandbox, assert_exit};

/// The venv's Python; the tests fail (never skip) when it is missing.
pub fn python() -> PathBuf {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pyenv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: run scripts/setup-python (scripts/test does it)",
        python.display()
    );
    python
}

/// The Python MCP test server.
pub fn child_server() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/child_server.py")
}

/// A sandbox with one connection `acme` (production, API key) whose
/// gateway runs the Python test server, logging every call it receives.
pub struct GatewayFixture {
    /// The directories and the binary.
    pub sandbox: Sandbox,
    /// The file the child appends one JSON line to per tool call.
    pub call_log: PathBuf,
    /// The file the child writes its ODOO_* names (and value digests) to.
    pub env_log: PathBuf,
}

impl GatewayFixture {
    /// A fresh sandbox with connection `acme` holding `secret`.
    pub fn new(secret: &str) -> Self {
        let sandbox = Sandbox::new();
        assert_exit(
            &sandbox.add("acme", "https://odoo.example.com", secret, &[]),
            0,
        );
        let call_log = sandbox.root().join("child-calls.jsonl");
        let env_log = sandbox.root().join("child-env.json");
        Self {
            sandbox,
            call_log,
            env_log,
        }
    }

    /// `odoo-connections gateway acme [extra…] -- python child_server.py`.
    pub fn command(&self, extra: &[&str]) -> Command {
        self.command_on("acme", extra)
    }

    /// The same on another saved `connection`.
    pub fn command_on(&self, connection: &str, extra: &[&str]) -> Command {
        let mut command = self.sandbox.command();
        command
            .arg("gateway")
            .arg(connection)
            .args(extra)
            .arg("--")
            .arg(python())
            .arg(child_server())
            .env("CHILD_CALL_LOG", &self.call_log)
            .env("CHILD_ENV_LOG", &self.env_log);
        command
    }

    /// The tools that reached the child, in order.
    pub fn child_calls(&self) -> Vec<String> {
        std::fs::read_to_string(&self.call_log)
            .unwrap_or_default()
            .lines()
            .map(|line| {
                let call: serde_json::Value = serde_json::from_str(line).expect("call log line");
                call["tool"].as_str().expect("tool name").to_owned()
            })
            .collect()
    }

    /// What the child saw of its environment (`env`: name → SHA-256, `cwd`, `pid`).
    pub fn child_env(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(&self.env_log).expect("the child started");
        serde_json::from_str(&text).expect("env log")
    }
}

/// A real rmcp client on the gateway `command`, and the gateway's stderr
/// (read to the end once the client has closed the session).
pub async fn connect(
    command: Command,
) -> (
    RunningService<RoleClient, ()>,
    tokio::task::JoinHandle<String>,
) {
    let (transport, stderr) =
        rmcp::transport::TokioChildProcess::builder(tokio::process::Command::from(command))
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    let mut stderr = stderr.unwrap();
    let log = tokio::spawn(async move {
        let mut text = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut stderr, &mut text)
            .await
            .ok();
        text
    });
    let client = ().serve(transport).await.expect("MCP handshake through the gateway");
    (client, log)
}
