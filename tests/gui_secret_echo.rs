//! The window never shows a secret that a server echoed back: "Test
//! connection" against a server whose login faults repeat the request, over
//! XML-RPC, JSON-RPC and JSON-2, then every text of the window's
//! accessibility tree is searched. Real keyring: run under
//! `scripts/test --test gui_secret_echo`.
#![cfg(feature = "gui")]

mod gui_support;
mod support;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _, by};
use odoo_connections::gui::Window;
use odoo_connections::model::{AuthKind, ConnectionDraft, Environment, Protocol};
use odoo_connections::redact::SECRET_REMOVED;

use gui_support::{add, clean_up, click, draft, open, select};
use support::odoo_server::{LoginFault, OdooServer, OdooVersion, User, server_runtime};
use support::sandbox::Sandbox;

const SECRET: &str = "p&ss\"wörd+/=<x>";

/// The secret's pieces as the echoes carry them (raw, XML, JSON, repr of JSON).
const FRAGMENTS: [&str; 5] = ["wörd+/=", "ss\"w", "p&amp;ss", "ss\\\"w", "ss&quot;w"];

/// Every label, value and description on screen, one per line.
fn screen_text(harness: &Harness<'_, Window>) -> String {
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
    let runtime = server_runtime();
    let server = runtime.block_on(
        OdooServer::builder()
            .version(OdooVersion::V19)
            .database("acme")
            .user(User::new("admin").api_key("k3y"))
            .login_fault(LoginFault::EchoRequest)
            .start(),
    );
    let sandbox = Sandbox::new();
    for protocol in [Protocol::Xmlrpc, Protocol::Jsonrpc, Protocol::Json2] {
        let form = ConnectionDraft {
            protocol,
            auth: AuthKind::ApiKey,
            ..draft(
                &format!("echo-{protocol}"),
                &server.url(),
                Environment::Production,
            )
        };
        add(&sandbox, form, SECRET);
    }

    let mut harness = open(&sandbox);
    for protocol in ["xmlrpc", "jsonrpc", "json2"] {
        select(&mut harness, &format!("echo-{protocol}"));
        click(&mut harness, "Test connection");
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
    clean_up(&sandbox);
}
