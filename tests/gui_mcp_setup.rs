//! The "Use with an MCP client" view, driven by its labels: the entry for
//! this app's MCP server and for an Odoo MCP server behind the gateway,
//! carrying the window's own directories and never a secret; a command
//! that cannot be used says what to do instead of giving a broken entry.
#![cfg(feature = "gui")]

mod gui_support;
mod support;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use odoo_connections::gui::Window;
use odoo_connections::model::Environment;

use eframe::egui;
use egui::accesskit::Role;

use gui_support::{clean_up, click, open, replace_text, seed, settle};
use support::sandbox::Sandbox;

/// Clicks Copy and returns what went to the clipboard.
fn copy(harness: &mut Harness<'_, Window>) -> String {
    harness.get_by_label("Copy").click();
    harness.step();
    let output = harness.output();
    output
        .platform_output
        .commands
        .iter()
        .find_map(|command| match command {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .expect("Copy put text on the clipboard")
}

/// Opens the dropdown labelled `label` and picks `option`.
fn pick(harness: &mut Harness<'_, Window>, label: &str, option: &str) {
    harness.get_by_role_and_label(Role::ComboBox, label).click();
    settle(harness);
    click(harness, option);
}

/// The `args` of the one server in a Claude Desktop snippet.
fn desktop_args(snippet: &str, server: &str) -> Vec<String> {
    let parsed: serde_json::Value = serde_json::from_str(snippet).expect("the snippet is JSON");
    serde_json::from_value(parsed["mcpServers"][server]["args"].clone())
        .expect("the server has its arguments")
}

fn directories(sandbox: &Sandbox) -> Vec<String> {
    let paths = sandbox.paths();
    vec![
        "--config-dir".to_owned(),
        paths.config_dir().display().to_string(),
        "--state-dir".to_owned(),
        paths.state_dir().display().to_string(),
    ]
}

/// Seeds `acme-prod` (production) and opens the view on a gateway entry,
/// no connection picked yet.
fn open_gateway_form(sandbox: &Sandbox) -> Harness<'static, Window> {
    seed(
        sandbox,
        "acme-prod",
        "https://erp.acme.example",
        Environment::Production,
        "",
    );
    let mut harness = open(sandbox);
    click(&mut harness, "Use with an MCP client");
    pick(
        &mut harness,
        "Server",
        "An Odoo MCP server, through the gateway",
    );
    harness
}

#[test]
fn the_connection_manager_entry_reads_the_windows_own_files() {
    let sandbox = Sandbox::new();
    let mut harness = open(&sandbox);
    click(&mut harness, "Use with an MCP client");
    click(&mut harness, "Claude Code");
    let command = copy(&mut harness);
    let expected_tail = format!(
        "odoo-connections -- /usr/bin/odoo-connections {} mcp",
        directories(&sandbox).join(" ")
    );
    assert!(command.starts_with("claude mcp add "), "{command}");
    assert!(command.ends_with(&expected_tail), "{command}");

    click(&mut harness, "Claude Desktop");
    let snippet = copy(&mut harness);
    let mut expected = directories(&sandbox);
    expected.push("mcp".to_owned());
    assert_eq!(desktop_args(&snippet, "odoo-connections"), expected);
    clean_up(&sandbox);
}

#[test]
fn a_gateway_entry_names_the_connection_profile_and_command_but_no_secret() {
    let sandbox = Sandbox::new();
    let mut harness = open_gateway_form(&sandbox);
    assert!(
        harness.query_by_label("Copy").is_none(),
        "no entry before a connection is picked"
    );
    harness.get_by_label_contains("pick the connection");

    pick(&mut harness, "Connection", "acme-prod (production)");
    let read_only = copy(&mut harness);
    let mut expected = directories(&sandbox);
    expected.extend(
        [
            "gateway",
            "acme-prod",
            "--profile",
            "mcp-server-odoo",
            "--env",
            "ODOO_YOLO=read",
            "--",
            "uvx",
            "mcp-server-odoo",
        ]
        .map(str::to_owned),
    );
    assert_eq!(desktop_args(&read_only, "odoo-acme-prod"), expected);

    click(&mut harness, "Without the Odoo module");
    let with_module = copy(&mut harness);
    expected.retain(|arg| arg != "--env" && arg != "ODOO_YOLO=read");
    assert_eq!(desktop_args(&with_module, "odoo-acme-prod"), expected);

    pick(&mut harness, "Odoo MCP server", "odoo-mcp (tuanle96)");
    replace_text(
        &mut harness,
        "Command",
        "uvx --from 'odoo-mcp==1.3.0' odoo-mcp",
    );
    let snippet = copy(&mut harness);
    let mut expected = directories(&sandbox);
    expected.extend(
        [
            "gateway",
            "acme-prod",
            "--profile",
            "odoo-mcp",
            "--",
            "uvx",
            "--from",
            "odoo-mcp==1.3.0",
            "odoo-mcp",
        ]
        .map(str::to_owned),
    );
    assert_eq!(desktop_args(&snippet, "odoo-acme-prod"), expected);
    for text in [&read_only, &with_module, &snippet] {
        assert!(!text.contains("secret-of-acme-prod"), "{text}");
    }
    clean_up(&sandbox);
}

#[test]
fn a_command_that_cannot_run_says_what_to_type_and_offers_nothing_to_copy() {
    let sandbox = Sandbox::new();
    let mut harness = open_gateway_form(&sandbox);
    pick(&mut harness, "Connection", "acme-prod (production)");
    replace_text(&mut harness, "Command", "uvx 'mcp-server-odoo");
    harness.get_by_label_contains("quote that is never closed");
    assert!(harness.query_by_label("Copy").is_none());
    replace_text(&mut harness, "Command", "  ");
    harness.get_by_label_contains("type the command that starts");
    assert!(harness.query_by_label("Copy").is_none());
    replace_text(&mut harness, "Command", "uvx mcp-server-odoo");
    assert!(harness.query_by_label("Copy").is_some());
    clean_up(&sandbox);
}
