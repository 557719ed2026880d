//! Shared by the policy, launcher and MCP tests: a temp config/state dir,
//! the real binary pointed at it, and tiny stand-in programs for the window
//! and the approval dialog (the `ODOO_CONNECTIONS_*_COMMAND` hooks).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use odoo_connections::paths::Paths;
use odoo_connections::policy::audit::{self, AuditEntry};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_odoo-connections");

/// A throw-away config dir and state dir.
pub struct Sandbox {
    dir: tempfile::TempDir,
    pub config: PathBuf,
    pub state: PathBuf,
}

impl Sandbox {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let state = dir.path().join("state");
        Self { dir, config, state }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn paths(&self) -> Paths {
        Paths::new(self.config.clone(), self.state.clone())
    }

    /// An executable shell script in the sandbox.
    pub fn script(&self, name: &str, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let path = self.dir.path().join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    /// A window stand-in that records its arguments and says `ready`.
    pub fn ready_window(&self) -> PathBuf {
        let args = self.dir.path().join("window-args");
        self.script(
            "window-ready",
            &format!("echo \"$@\" >> '{}'\necho ready", args.display()),
        )
    }

    /// The arguments each stand-in window was started with.
    pub fn window_args(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("window-args"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Writes `policy.json` in the config dir.
    pub fn write_policy(&self, json: &str) {
        std::fs::create_dir_all(&self.config).unwrap();
        std::fs::write(self.config.join("policy.json"), json).unwrap();
    }

    /// The binary with this sandbox's dirs and no inherited policy/hooks.
    pub fn command(&self) -> Command {
        let mut command = Command::new(BIN);
        command
            .arg("--config-dir")
            .arg(&self.config)
            .arg("--state-dir")
            .arg(&self.state)
            .env_remove("ODOO_CONNECTIONS_POLICY")
            .env_remove("ODOO_CONNECTIONS_GUI_COMMAND")
            .env_remove("ODOO_CONNECTIONS_APPROVE_COMMAND")
            .env_remove("ODOO_CONNECTIONS_CONFIG_DIR")
            .env_remove("ODOO_CONNECTIONS_STATE_DIR");
        command
    }

    /// `open` with `window` as the window program.
    pub fn open(&self, window: &Path) -> Output {
        self.command()
            .arg("open")
            .env("ODOO_CONNECTIONS_GUI_COMMAND", window)
            .output()
            .unwrap()
    }

    pub fn audit(&self) -> Vec<AuditEntry> {
        audit::read_recent(&self.paths(), 10_000).unwrap()
    }
}

/// A policy with one limit on `open_connection_manager`.
pub fn open_limit_policy(max: u32, extra: &str) -> String {
    format!(
        r#"{{"version": "1", "default": "deny", "tools": {{"open_connection_manager": {{{extra}"limits": [{{"counter": "opens", "window": "minute", "max": {max}, "scope": "grant"}}]}}}}}}"#
    )
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
