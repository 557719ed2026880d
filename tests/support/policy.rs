//! Policy, launcher and MCP test helpers on top of [`Sandbox`]: stand-in
//! programs for the window and the approval dialog (the
//! `ODOO_CONNECTIONS_GUI_COMMAND` / `ODOO_CONNECTIONS_APPROVE_COMMAND`
//! hooks), policy files, `open`, the audit log, and argument rules checked
//! call by call through the gateway.

use std::path::{Path, PathBuf};
use std::process::Output;

use odoo_connections::policy::audit::{self, AuditEntry};
use serde_json::Value;

use super::gateway::{GatewayFixture, connect};
use super::mcp_client::{call, text};

use super::sandbox::Sandbox;

/// What the policy tests need from a sandbox.
pub trait PolicySandbox {
    /// An executable shell script in the sandbox.
    fn script(&self, name: &str, body: &str) -> PathBuf;
    /// A window stand-in that records its arguments and says `ready`.
    fn ready_window(&self) -> PathBuf;
    /// The arguments each stand-in window was started with.
    fn window_args(&self) -> Vec<String>;
    /// `open` with `window` as the window program.
    fn open(&self, window: &Path) -> Output;
    /// Every audit entry, oldest first.
    fn audit(&self) -> Vec<AuditEntry>;
}

impl PolicySandbox for Sandbox {
    fn script(&self, name: &str, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let path = self.root().join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn ready_window(&self) -> PathBuf {
        let args = self.root().join("window-args");
        self.script(
            "window-ready",
            &format!("echo \"$@\" >> '{}'\necho ready", args.display()),
        )
    }

    fn window_args(&self) -> Vec<String> {
        std::fs::read_to_string(self.root().join("window-args"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn open(&self, window: &Path) -> Output {
        self.command()
            .arg("open")
            .env("ODOO_CONNECTIONS_GUI_COMMAND", window)
            .output()
            .unwrap()
    }

    fn audit(&self) -> Vec<AuditEntry> {
        audit::read_recent(&self.paths(), 10_000).unwrap()
    }
}

/// The body of an approval stand-in that says yes: it appends its
/// arguments to `record`, the request it read on stdin to `record.stdin`,
/// and prints the request's grant on stdout (a bare `exit 0` is no yes).
pub fn allowing(record: &Path) -> String {
    format!(
        "echo \"$@\" >> '{record}'\nread -r request\nprintf '%s\\n' \"$request\" >> '{record}.stdin'\n{GRANT_ECHO}",
        record = record.display()
    )
}

/// Shell that prints the grant of the request in `$request` (the last
/// `"grant":{…}` object of the line, which holds no braces).
pub const GRANT_ECHO: &str =
    r#"printf '%s\n' "$request" | sed -n 's/.*"grant":\({[^}]*}\).*/\1/p'"#;

/// A default-deny policy with one limit on `open_connection_manager`
/// (`extra` is spliced into the tool's rules, e.g. `"deny": true, `).
pub fn open_limit_policy(max: u32, extra: &str) -> String {
    format!(
        r#"{{"version": "1", "default": "deny", "tools": {{"open_connection_manager": {{{extra}"limits": [{{"counter": "opens", "window": "minute", "max": {max}, "scope": "grant"}}]}}}}}}"#
    )
}

/// Calls `tool` with each argument set and checks the rule that refused it
/// (`None`: it ran); returns how many ran.
pub async fn expect_rules(
    fixture: &GatewayFixture,
    tool: &'static str,
    cases: &[(Value, Option<&str>)],
) -> usize {
    let (client, _stderr) = connect(fixture.command(&[])).await;
    let mut ran = 0;
    for (arguments, rule) in cases {
        let result = call(&client, tool, arguments.clone()).await;
        let shown = text(&result);
        match rule {
            Some(rule) => {
                assert!(shown.starts_with("[POLICY DENIED]"), "{arguments}: {shown}");
                assert!(
                    shown.contains(&format!("(rule {rule})")),
                    "{arguments}: {shown}"
                );
            }
            None => {
                assert_eq!(result.is_error, Some(false), "{arguments}: {shown}");
                ran += 1;
            }
        }
    }
    client.cancel().await.unwrap();
    ran
}
