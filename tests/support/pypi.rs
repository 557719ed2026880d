//! The two Odoo MCP servers from PyPI (`mcp-server-odoo` by ivnvxd and
//! `odoo-mcp` by tuanle96, pinned in tests/python/requirements.txt and
//! installed by `scripts/setup-python`), started by the real binary's
//! `exec` or `gateway` against the Odoo test server, with a real rmcp client.

use std::path::{Path, PathBuf};

use rmcp::ServiceExt as _;
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};

use super::odoo_server::{OdooServer, OdooVersion, User};
use super::procs;
use super::sandbox::{Sandbox, assert_exit};

/// A server from PyPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PypiServer {
    /// `mcp-server-odoo` (ivnvxd).
    McpServerOdoo,
    /// `odoo-mcp` (tuanle96).
    OdooMcp,
}

impl PypiServer {
    /// The package's command, which is also the name of its profile.
    pub fn name(self) -> &'static str {
        match self {
            PypiServer::McpServerOdoo => "mcp-server-odoo",
            PypiServer::OdooMcp => "odoo-mcp",
        }
    }

    /// The command in the venv; the tests fail (never skip) when it is missing.
    pub fn program(self) -> PathBuf {
        let program = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/pyenv/bin")
            .join(self.name());
        assert!(
            program.is_file(),
            "{} is missing: run scripts/setup-python (scripts/test does it)",
            program.display()
        );
        program
    }

    /// The non-secret settings the server needs from the user (`--env`):
    /// mcp-server-odoo reaches a standard Odoo only in its YOLO mode
    /// (`true` lets it write), odoo-mcp executes writes only when enabled.
    pub fn settings(self, writes: bool) -> &'static [&'static str] {
        match (self, writes) {
            (PypiServer::McpServerOdoo, false) => &["ODOO_YOLO=read"],
            (PypiServer::McpServerOdoo, true) => &["ODOO_YOLO=true"],
            (PypiServer::OdooMcp, _) => &["ODOO_MCP_ENABLE_WRITES=1"],
        }
    }

    /// The variable the profile puts the connection's secret in.
    pub fn secret_variable(self, kind: SecretKind) -> &'static str {
        match (self, kind) {
            (PypiServer::McpServerOdoo, SecretKind::Password) | (PypiServer::OdooMcp, _) => {
                "ODOO_PASSWORD"
            }
            (PypiServer::McpServerOdoo, _) => "ODOO_API_KEY",
        }
    }

    /// A read tool and its arguments: the companies among the contacts.
    pub fn read_call(self) -> (&'static str, Value) {
        let domain = json!([["is_company", "=", true]]);
        (
            "search_records",
            json!({"model": "res.partner", "domain": domain, "fields": ["name", "city"]}),
        )
    }
}

/// How the connection logs in, and the connection of that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// An API key over XML-RPC: `acme-key` (protocol `xmlrpc`).
    ApiKey,
    /// An API key over JSON-2: `acme-json2` (protocol `json2`).
    ApiKeyOverJson2,
    /// A password: `acme-pw` (protocol `auto`).
    Password,
}

impl SecretKind {
    /// Every kind.
    pub const ALL: [SecretKind; 3] = [
        SecretKind::ApiKey,
        SecretKind::ApiKeyOverJson2,
        SecretKind::Password,
    ];

    /// The protocol the servers speak with this connection (the test
    /// server logs it per call): JSON-2 only where the connection says so.
    pub fn protocol(self) -> &'static str {
        match self {
            SecretKind::ApiKeyOverJson2 => "json2",
            SecretKind::ApiKey | SecretKind::Password => "xmlrpc",
        }
    }
}

/// How the server is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Launch {
    /// `odoo-connections exec NAME --profile P -- SERVER`
    Exec,
    /// `odoo-connections gateway NAME --profile P -- SERVER`
    Gateway,
}

/// The Odoo test server (Odoo 19, database `acme`, user `admin` with a
/// fresh password and API key) and a sandbox with a production connection
/// for each [`SecretKind`].
pub struct Fixture {
    pub odoo: OdooServer,
    pub sandbox: Sandbox,
    pub key: String,
    pub password: String,
}

impl Fixture {
    /// Starts the test server on the current (multi-thread) runtime.
    pub async fn new() -> Self {
        let key = format!("key-{}", uuid::Uuid::new_v4().simple());
        let password = format!("pw-{}", uuid::Uuid::new_v4().simple());
        let odoo = OdooServer::builder()
            .version(OdooVersion::V19)
            .database("acme")
            .user(User::new("admin").password(&password).api_key(&key))
            .start()
            .await;
        let sandbox = Sandbox::new();
        assert_exit(
            &sandbox.add("acme-key", &odoo.url(), &key, &["--protocol", "xmlrpc"]),
            0,
        );
        assert_exit(
            &sandbox.add("acme-json2", &odoo.url(), &key, &["--protocol", "json2"]),
            0,
        );
        assert_exit(
            &sandbox.add("acme-pw", &odoo.url(), &password, &["--auth", "password"]),
            0,
        );
        Self {
            odoo,
            sandbox,
            key,
            password,
        }
    }

    /// The connection of that secret kind, and its secret.
    pub fn connection(&self, kind: SecretKind) -> (&'static str, &str) {
        match kind {
            SecretKind::ApiKey => ("acme-key", &self.key),
            SecretKind::ApiKeyOverJson2 => ("acme-json2", &self.key),
            SecretKind::Password => ("acme-pw", &self.password),
        }
    }

    /// Starts `server` through `launch` on the connection of `kind` with
    /// `settings` (`--env`) and completes the MCP handshake; `extra`
    /// environment for the binary.
    pub async fn start(
        &self,
        server: PypiServer,
        launch: Launch,
        kind: SecretKind,
        settings: &[&str],
        extra: &[(&str, &Path)],
    ) -> Session {
        let mut command = self.sandbox.command();
        let subcommand = match launch {
            Launch::Exec => "exec",
            Launch::Gateway => "gateway",
        };
        command
            .args([
                subcommand,
                self.connection(kind).0,
                "--profile",
                server.name(),
            ])
            .args(settings.iter().flat_map(|setting| ["--env", *setting]))
            .arg("--")
            .arg(server.program());
        for (name, value) in extra {
            command.env(name, value);
        }
        let transport = TokioChildProcess::new(tokio::process::Command::from(command))
            .expect("start odoo-connections");
        let pid = transport.id().expect("the binary's pid");
        let client = ().serve(transport).await.unwrap_or_else(|error| {
            panic!(
                "MCP handshake with {} through {subcommand}: {error}",
                server.name()
            )
        });
        Session {
            client,
            pid,
            program: server.program(),
        }
    }
}

/// A running server and the client talking to it.
pub struct Session {
    pub client: RunningService<RoleClient, ()>,
    /// The process the client started (`odoo-connections`; after `exec`
    /// replaced itself, the server).
    pub pid: u32,
    program: PathBuf,
}

impl Session {
    /// The Python server's pid: the started process itself after `exec`,
    /// the gateway's child otherwise.
    pub fn server_pid(&self, launch: Launch) -> u32 {
        let is_server = |pid: &u32| {
            procs::cmdline(*pid)
                .is_some_and(|cmdline| cmdline.contains(&self.program.display().to_string()))
        };
        let pid = match launch {
            Launch::Exec => Some(self.pid).filter(is_server),
            Launch::Gateway => procs::children(self.pid).into_iter().find(is_server),
        };
        pid.unwrap_or_else(|| {
            panic!(
                "no {} process under {launch:?} (pid {}: {:?})",
                self.program.display(),
                self.pid,
                procs::cmdline(self.pid)
            )
        })
    }
}
