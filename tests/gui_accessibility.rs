//! What the window tells a screen reader, read from its AccessKit tree: the
//! frame's name, modal dialogs named after their question, dropdowns with
//! their value, refused fields marked invalid and tied to their message,
//! and a fresh test result announced as a live region. The same tree as
//! AT-SPI sees it, on the real window, is checked in tests/gui_atspi.rs.
#![cfg(feature = "gui")]

mod gui_support;
mod support;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use odoo_connections::gui::Window;
use odoo_connections::model::Environment;

use eframe::egui;
use egui::accesskit::{Invalid, Live, Role};

use gui_support::{
    clean_up, click, open, open_on_acme, press, replace_text, seed_with_secret, select, type_into,
    wait_for,
};
use support::odoo_server::{serve_acme, server_runtime};
use support::sandbox::Sandbox;

#[test]
fn the_frame_is_named_after_the_window_title() {
    let sandbox = Sandbox::new();
    let harness = open(&sandbox);
    let root = harness.root().accesskit_node();
    assert_eq!(root.role(), Role::Window);
    assert_eq!(root.label().as_deref(), Some("Odoo Connection Manager"));
}

/// Asserts that a modal dialog named `name` is open.
fn assert_modal_dialog(harness: &Harness<'_, Window>, name: &str) {
    let dialog = harness.get_by_role_and_label(Role::Dialog, name);
    assert!(dialog.accesskit_node().data().is_modal(), "{name} is modal");
}

#[test]
fn dialogs_are_modal_and_named_after_their_question() {
    let sandbox = Sandbox::new();
    let mut harness = open_on_acme(&sandbox);
    click(&mut harness, "Delete…");
    assert_modal_dialog(&harness, "Delete connection?");
    press(&mut harness, egui::Key::Escape);
    click(&mut harness, "Duplicate…");
    assert_modal_dialog(&harness, "Duplicate “acme”");
    press(&mut harness, egui::Key::Escape);
    clean_up(&sandbox);
}

/// The value of the dropdown named `name`, as AccessKit gives it, and its
/// description (which carries the value over AT-SPI).
fn dropdown(harness: &Harness<'_, Window>, name: &str) -> (Option<String>, Option<String>) {
    let combo = harness.get_by_role_and_label(Role::ComboBox, name);
    let node = combo.accesskit_node();
    (node.value(), node.description())
}

#[test]
fn dropdowns_give_their_name_and_their_current_value() {
    let sandbox = Sandbox::new();
    let mut harness = open_on_acme(&sandbox);
    // The protocol is under Advanced.
    click(&mut harness, "Advanced");
    for (name, value) in [
        ("Theme", "System"),
        ("Environment", "Staging"),
        ("Protocol", "Automatic (best available)"),
        ("Secret kind", "API key"),
    ] {
        let value = Some(value.to_owned());
        assert_eq!(dropdown(&harness, name), (value.clone(), value), "{name}");
    }
    drop(harness);
    clean_up(&sandbox);
}

/// Whether a field is invalid, the nodes its error message and its
/// descriptions point at, and its description.
fn error_links(
    harness: &Harness<'_, Window>,
    field: &str,
) -> (
    Option<Invalid>,
    Option<egui::accesskit::NodeId>,
    Vec<egui::accesskit::NodeId>,
    Option<String>,
) {
    let node = harness.get_by_label(field).accesskit_node();
    let data = node.data();
    (
        data.invalid(),
        data.error_message(),
        data.described_by().to_vec(),
        node.description(),
    )
}

#[test]
fn a_refused_field_is_invalid_and_tied_to_its_message() {
    let sandbox = Sandbox::new();
    let mut harness = open(&sandbox);
    click(&mut harness, "New connection");
    type_into(&mut harness, "Server URL", "ftp://erp.acme.example");
    let line = harness
        .get_by_label_contains("must start with https:// or http://")
        .accesskit_node();
    let (message, text) = (line.locate().0, line.value());
    assert_eq!(
        error_links(&harness, "Server URL"),
        (Some(Invalid::True), Some(message), vec![message], text),
        "the field is invalid, and its error message and description are the line under it"
    );
    let (name_invalid, _, _, _) = error_links(&harness, "Login");
    assert_eq!(
        name_invalid, None,
        "a field without a message is not invalid"
    );

    replace_text(&mut harness, "Server URL", "https://erp.acme.example");
    assert_eq!(
        error_links(&harness, "Server URL"),
        (None, None, vec![], None),
        "a fixed field is valid again and points at no message"
    );
}

/// The live region holding the fresh test result, if one is shown.
fn result_region(harness: &Harness<'_, Window>) -> Option<(Role, Live, String)> {
    [Role::Alert, Role::Status].into_iter().find_map(|role| {
        let region = harness.query_by_role_and_label(role, "Test result")?;
        let text = region
            .children_recursive()
            .filter_map(|node| node.accesskit_node().value())
            .collect::<Vec<_>>()
            .join(" / ");
        Some((role, region.accesskit_node().live(), text))
    })
}

#[test]
fn a_finished_test_is_announced_and_a_remembered_one_is_not() {
    let runtime = server_runtime();
    let server = serve_acme(&runtime);
    let sandbox = Sandbox::new();
    seed_with_secret(
        &sandbox,
        "acme-live",
        &server.url(),
        Environment::Staging,
        "k3y",
    );
    let mut harness = open(&sandbox);
    select(&mut harness, "acme-live");
    assert_eq!(result_region(&harness), None, "nothing tested yet");

    click(&mut harness, "Test connection");
    wait_for(&mut harness, "Connected to Odoo");
    let (role, live, text) = result_region(&harness).expect("a result region");
    assert_eq!((role, live), (Role::Status, Live::Polite), "{text}");
    assert!(text.contains("Connected to Odoo"), "{text}");

    // A failure is an alert, read out at once.
    type_into(&mut harness, "Secret", "not-the-key");
    click(&mut harness, "Test connection");
    wait_for(&mut harness, "refused the API key");
    let (role, live, text) = result_region(&harness).expect("a result region");
    assert_eq!((role, live), (Role::Alert, Live::Assertive), "{text}");
    assert!(text.contains("refused the API key"), "{text}");
    assert!(text.contains("Test of unsaved changes"), "{text}");
    drop(harness);

    // The next start shows the remembered result, without announcing it.
    let mut harness = open(&sandbox);
    select(&mut harness, "acme-live");
    harness.get_by_label_contains("Connected to Odoo");
    assert_eq!(result_region(&harness), None);
    drop(harness);
    clean_up(&sandbox);
}
