//! Honest status in the window: a test of unsaved changes never becomes the
//! saved connection's status, and the list never claims to be empty before
//! it is read. Driven by accessible labels on the real window state.
#![cfg(feature = "gui")]

mod gui_support;
mod support;

use egui_kittest::kittest::Queryable as _;
use odoo_connections::model::Environment;
use odoo_connections::store::TestResults;

use gui_support::{
    clean_up, click, open, row_description, seed_with_secret, select, type_into, wait_for,
};
use support::odoo_server::{serve_acme, server_runtime};
use support::sandbox::Sandbox;

#[test]
fn a_test_of_unsaved_changes_is_marked_and_revert_clears_it() {
    let runtime = server_runtime();
    let server = serve_acme(&runtime);
    let sandbox = Sandbox::new();
    let connection = seed_with_secret(
        &sandbox,
        "acme-status",
        &server.url(),
        Environment::Staging,
        "k3y",
    );
    let mut harness = open(&sandbox);
    select(&mut harness, "acme-status");
    let before = row_description(&harness, "acme-status");
    assert!(before.contains("not tested yet"), "{before}");

    // A wrong secret, typed but not saved, and tested.
    type_into(&mut harness, "Secret", "not-the-key");
    click(&mut harness, "Test connection");
    wait_for(&mut harness, "refused the API key");
    harness.get_by_label_contains("Test of unsaved changes");
    assert_eq!(
        row_description(&harness, "acme-status"),
        before,
        "the list keeps the saved connection's status"
    );
    let history = TestResults::load(&sandbox.paths()).expect("history");
    assert!(history.get(connection.id).is_none(), "nothing remembered");

    // Revert: the form and its unsaved test are gone.
    click(&mut harness, "Revert");
    assert!(
        harness
            .query_by_label_contains("refused the API key")
            .is_none(),
        "the result of the reverted values is not shown any more"
    );
    assert!(
        harness
            .query_by_label_contains("Test of unsaved changes")
            .is_none()
    );
    assert_eq!(row_description(&harness, "acme-status"), before);

    // A test of the saved connection is its status, and is remembered.
    click(&mut harness, "Test connection");
    wait_for(&mut harness, "Connected to Odoo");
    assert!(
        harness
            .query_by_label_contains("Test of unsaved changes")
            .is_none()
    );
    let after = row_description(&harness, "acme-status");
    assert!(after.contains("Connected to Odoo"), "{after}");
    clean_up(&sandbox);
}

#[test]
fn the_list_says_it_is_loading_until_it_is_read() {
    let sandbox = Sandbox::new();
    for index in 0..3 {
        gui_support::seed(
            &sandbox,
            &format!("acme-{index:03}"),
            "https://erp.acme.example",
            Environment::Development,
            "",
        );
    }
    // The first frame, as the window draws it: the list was only asked for.
    let ctx = eframe::egui::Context::default();
    ctx.enable_accesskit();
    let mut state = gui_support::state(&sandbox);
    let mut first = ctx.run_ui(eframe::egui::RawInput::default(), |ui| {
        odoo_connections::gui::show(ui, &mut state);
    });
    first.textures_delta.clear();
    let tree = first.platform_output.accesskit_update.expect("a tree");
    let labels: Vec<String> = (tree.nodes.iter())
        .flat_map(|(_, node)| [node.label(), node.value()])
        .flatten()
        .map(str::to_owned)
        .collect();
    assert!(
        labels.iter().any(|label| label == "Loading connections…"),
        "{labels:?}"
    );
    assert!(
        !(labels.iter())
            .any(|label| label.contains("No connections yet") || label == "0 connections"),
        "{labels:?}"
    );
    drop(state);

    let harness = open(&sandbox);
    assert!(harness.query_by_label("Loading connections…").is_none());
    harness.get_by_label("3 connections");
    assert!(gui_support::row_exists(&harness, "acme-000"));
    clean_up(&sandbox);
}

#[test]
fn the_result_of_an_action_shows_as_a_toast_that_expires() {
    let sandbox = Sandbox::new();
    gui_support::seed(
        &sandbox,
        "acme-toast",
        "https://erp.acme.example",
        Environment::Staging,
        "",
    );
    let mut harness = open(&sandbox);
    select(&mut harness, "acme-toast");
    gui_support::replace_text(&mut harness, "Login", "someone-else");
    click(&mut harness, "Save");
    harness.get_by_label("Saved “acme-toast”");
    // Frames advance egui's clock by a fixed step: no wall-clock wait.
    for _ in 0..60 {
        harness.step();
    }
    assert!(
        harness.query_by_label("Saved “acme-toast”").is_none(),
        "the confirmation went away by itself"
    );
    clean_up(&sandbox);
}
