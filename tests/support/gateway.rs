//! The policy gateway with a real child: the MCP test server written with
//! the official Python SDK (`tests/python/child_server.py`, in the venv
//! that `scripts/setup-python` makes), started by the real binary's
//! `gateway` and driven by a real rmcp client.

use std::io::{BufRead as _, BufReader, Lines, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};

use rmcp::ServiceExt as _;
use rmcp::service::{RoleClient, RunningService};
use serde_json::{Value, json};

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
        self.command_running(connection, &child_server(), extra)
    }

    /// The same with another Python `script` as the child.
    pub fn command_running(&self, connection: &str, script: &Path, extra: &[&str]) -> Command {
        let mut command = self.sandbox.command();
        command
            .arg("gateway")
            .arg(connection)
            .args(extra)
            .arg("--")
            .arg(python())
            .arg(script)
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

/// The hostile JSON-RPC child without the SDK (`tests/python/hostile_child.py`).
pub fn hostile_child() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/hostile_child.py")
}

/// A gateway driven line by line, for messages no well-behaved client
/// sends; every message it wrote is kept, in order.
pub struct RawGateway {
    process: Child,
    input: Option<ChildStdin>,
    output: Lines<BufReader<ChildStdout>>,
    stderr: std::thread::JoinHandle<String>,
    /// Every message read from the gateway so far.
    pub seen: Vec<Value>,
    /// Answers read but not yet returned by [`RawGateway::answer`].
    unread: Vec<Value>,
}

impl RawGateway {
    /// Starts `command` and initializes the session (id `"init"`).
    pub fn start(mut command: Command) -> Self {
        let mut process = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let input = process.stdin.take();
        let output = BufReader::new(process.stdout.take().unwrap()).lines();
        let mut pipe = process.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut pipe, &mut text).ok();
            text
        });
        let mut gateway = Self {
            process,
            input,
            output,
            stderr,
            seen: Vec::new(),
            unread: Vec::new(),
        };
        gateway.send(&json!({"jsonrpc": "2.0", "id": "init", "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}).to_string());
        gateway.answer(&json!("init"));
        gateway.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        gateway
    }

    /// Writes `line` (and a line feed) as it is.
    pub fn send(&mut self, line: &str) {
        let input = self.input.as_mut().expect("the session is open");
        writeln!(input, "{line}").unwrap();
        input.flush().unwrap();
    }

    /// Sends a `tools/call` of `tool` with `arguments` under `id`.
    pub fn call(&mut self, id: u64, tool: &str, arguments: Value) {
        self.send(
            &json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}})
            .to_string(),
        );
    }

    /// The next answer to `id` (a result or an error) not yet returned,
    /// reading on when none has come yet (answers may come in any order).
    pub fn answer(&mut self, id: &Value) -> Value {
        if let Some(at) = self
            .unread
            .iter()
            .position(|answer| answer.get("id") == Some(id))
        {
            return self.unread.remove(at);
        }
        loop {
            let line = self.output.next().expect("the gateway answered").unwrap();
            let message: Value = serde_json::from_str(&line).expect("one JSON message per line");
            self.seen.push(message.clone());
            let answers = message.get("result").is_some() || message.get("error").is_some();
            if message.get("id") == Some(id) && answers {
                return message;
            }
            if answers {
                self.unread.push(message);
            }
        }
    }

    /// Pings the gateway and reads up to its answer, so every answer to
    /// what was sent before (in order, by the gateway or the child) is in
    /// [`RawGateway::seen`], even when one never comes.
    pub fn sync(&mut self) {
        self.send(r#"{"jsonrpc":"2.0","id":"sync","method":"ping"}"#);
        self.answer(&json!("sync"));
    }

    /// The answers to `id` seen so far.
    pub fn answers_to(&self, id: &Value) -> Vec<&Value> {
        self.seen
            .iter()
            .filter(|message| message.get("id") == Some(id) && message.get("method").is_none())
            .collect()
    }

    /// The text of a tool result's content.
    pub fn text(answer: &Value) -> String {
        answer["result"]["content"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|block| block["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Closes the session and reads the rest: the exit status and stderr.
    pub fn finish(mut self) -> (ExitStatus, String, Vec<Value>) {
        drop(self.input.take());
        for line in self.output.by_ref() {
            let line = line.unwrap();
            self.seen
                .push(serde_json::from_str(&line).expect("one JSON message per line"));
        }
        let status = self.process.wait().unwrap();
        (status, self.stderr.join().unwrap(), self.seen)
    }
}
