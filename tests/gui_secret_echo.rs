//! The window never shows a secret that a server echoed back: "Test
//! connection" against a server whose login faults repeat the request, over
//! XML-RPC, JSON-RPC and JSON-2, then every text of the window's
//! accessibility tree is searched. Real keyring: run under
//! `scripts/test --test gui_secret_echo`.
#![cfg(feature = "gui")]

mod support;

use std::path::PathBuf;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _, by};
use odoo_connections::catalog::Catalog;
use odoo_connections::gui::{AppState, show};
use odoo_connections::model::{AuthKind, ConnectionDraft, ConnectionId, Protocol, SecretString};
use odoo_connections::redact::SECRET_REMOVED;
use support::odoo_server::{LoginFault, OdooServer, OdooVersion, User};
use support::sandbox::Sandbox;

use eframe::egui;
use egui::accesskit::Role;

const SECRET: &str = "p&ss\"wörd+/=<x>";

/// The secret's pieces as the echoes carry them (raw, XML, JSON, repr of JSON).
const FRAGMENTS: [&str; 5] = ["wörd+/=", "ss\"w", "p&amp;ss", "ss\\\"w", "ss&quot;w"];

/// Frames to wait for background jobs (a cap on steps, not a timed assertion).
const MAX_JOB_STEPS: usize = 3000;

fn settle(harness: &mut Harness<'_, AppState>) {
    for _ in 0..MAX_JOB_STEPS {
        harness.step();
        if !harness.state().is_busy() {
            harness.run();
            if !harness.state().is_busy() {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("background jobs did not finish within {MAX_JOB_STEPS} frames");
}

/// Every label, value and description on screen, one per line.
fn screen_text(harness: &Harness<'_, AppState>) -> String {
    harness
        .query_all(by().include_labels().predicate(|_| true))
        .flat_map(|node| {
            let node = node.accesskit_node();
            [node.label(), node.value(), node.description()]
        })
        .flatten()
        .collect::<Vec<String>>()
        .join("\n")
}

#[test]
fn a_server_echoing_the_secret_in_its_faults_never_shows_it_in_the_window() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(
        OdooServer::builder()
            .version(OdooVersion::V19)
            .database("acme")
            .user(User::new("admin").api_key("k3y"))
            .login_fault(LoginFault::EchoRequest)
            .start(),
    );
    let sandbox = Sandbox::new();
    let catalog = Catalog::new(&sandbox.paths());
    let mut ids = Vec::new();
    for protocol in [Protocol::Xmlrpc, Protocol::Jsonrpc, Protocol::Json2] {
        let connection = ConnectionDraft {
            name: format!("echo-{protocol}"),
            url: server.url(),
            database: "acme".into(),
            login: "admin".into(),
            protocol,
            auth: AuthKind::ApiKey,
            ..ConnectionDraft::new()
        }
        .build(ConnectionId::random(), serde_json::Map::new())
        .expect("valid draft");
        ids.push(connection.id);
        catalog
            .add(connection, &SecretString::new(SECRET.to_owned()))
            .expect("seed connection");
    }

    let state = AppState::new(sandbox.paths(), PathBuf::from("/usr/bin/odoo-connections"))
        .expect("window state");
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1100.0, 720.0))
        .with_max_steps(40)
        .build_ui_state(|ui, state: &mut AppState| show(ui, state), state);
    settle(&mut harness);
    for protocol in ["xmlrpc", "jsonrpc", "json2"] {
        harness
            .get_by_role_and_label(Role::ListBoxOption, &format!("echo-{protocol}"))
            .click();
        settle(&mut harness);
        harness.get_by_label("Test connection").click();
        settle(&mut harness);
        let text = screen_text(&harness);
        for fragment in FRAGMENTS {
            assert!(
                !text.contains(fragment),
                "{protocol}: the window shows the secret ({fragment:?}):\n{text}"
            );
        }
        assert!(
            text.contains("Invalid request: ") && text.contains(SECRET_REMOVED),
            "{protocol}: the echo is not shown, scrubbed:\n{text}"
        );
    }
    for id in ids {
        support::keyring::delete_secrets_of(&id.to_string());
    }
}
