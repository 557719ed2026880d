//! The connection form's structure, driven by its labels and keys: the
//! fields in sections, protocol and timeout folded under "Advanced" until
//! wanted, one way to rename (the Name field, from "Rename" or F2, saved
//! with Enter), a name already taken refused as it is typed, and "Copy"
//! in the MCP view confirming in place.
#![cfg(feature = "gui")]

mod gui_support;
mod support;

use egui_kittest::kittest::{NodeT as _, Queryable as _};

use eframe::egui;
use egui::Key;
use egui::accesskit::Role;

use gui_support::{
    clean_up, click, is_enabled, is_focused, open_on_acme, press, row_exists, saved, secret_of,
    seed, settle,
};
use odoo_connections::model::Environment;
use support::sandbox::Sandbox;

#[test]
fn the_form_is_in_sections_with_protocol_and_timeout_folded_away() {
    let sandbox = Sandbox::new();
    let mut harness = open_on_acme(&sandbox);
    for section in ["Server", "Sign-in", "Safety", "Tags and notes"] {
        harness.get_by_label(section);
    }
    harness.get_by_role_and_label(Role::ComboBox, "Environment");
    assert!(
        harness.query_by_label("Timeout (s)").is_none(),
        "the advanced settings start folded"
    );
    click(&mut harness, "Advanced");
    harness.get_by_role_and_label(Role::ComboBox, "Protocol");
    harness.get_by_label("Timeout (s)");
    clean_up(&sandbox);
}

#[test]
fn a_wrong_timeout_keeps_the_advanced_settings_open() {
    let sandbox = Sandbox::new();
    let mut harness = open_on_acme(&sandbox);
    click(&mut harness, "Advanced");
    gui_support::replace_text(&mut harness, "Timeout (s)", "0");
    click(&mut harness, "Advanced");
    assert!(
        harness.query_by_label("Timeout (s)").is_some(),
        "a refused value is never folded out of sight"
    );
    assert!(!is_enabled(&harness, "Save"));
    clean_up(&sandbox);
}

#[test]
fn rename_is_the_name_field_selected_and_enter_saves_it() {
    let sandbox = Sandbox::new();
    let mut harness = open_on_acme(&sandbox);
    let id = saved(&sandbox)[0].id;
    click(&mut harness, "Rename");
    assert!(
        harness.query_by_role(Role::Dialog).is_none(),
        "no second name field in a dialog"
    );
    assert!(
        is_focused(&harness, "Name"),
        "Rename puts the focus in Name"
    );
    // The old name is selected: typing replaces it.
    harness.get_by_label("Name").type_text("acme-renamed");
    settle(&mut harness);
    assert_eq!(harness.state().editor_name(), Some("acme-renamed"));
    press(&mut harness, Key::Enter);
    let stored = saved(&sandbox);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].name.as_str(), "acme-renamed");
    assert_eq!(stored[0].id, id, "renamed, not copied");
    assert!(row_exists(&harness, "acme-renamed"));
    assert!(secret_of(id).is_some(), "the secret stays with it");

    // F2 does the same from the list.
    harness
        .get_by_role_and_label(Role::ListBoxOption, "acme-renamed")
        .focus();
    settle(&mut harness);
    press(&mut harness, Key::F2);
    assert!(is_focused(&harness, "Name"));
    harness.get_by_label("Name").type_text("acme-again");
    press(&mut harness, Key::Enter);
    assert_eq!(saved(&sandbox)[0].name.as_str(), "acme-again");
    clean_up(&sandbox);
}

#[test]
fn a_name_another_connection_has_is_refused_as_it_is_typed() {
    let sandbox = Sandbox::new();
    seed(
        &sandbox,
        "globex",
        "https://erp.globex.example",
        Environment::Development,
        "",
    );
    let mut harness = open_on_acme(&sandbox);
    gui_support::replace_text(&mut harness, "Name", "GLOBEX");
    harness.get_by_label_contains("a connection named “GLOBEX” already exists");
    assert!(!is_enabled(&harness, "Save"));
    press(&mut harness, Key::Enter);
    let names: Vec<String> = saved(&sandbox)
        .iter()
        .map(|connection| connection.name.to_string())
        .collect();
    assert!(
        names.contains(&"acme".to_owned()),
        "nothing saved: {names:?}"
    );
    clean_up(&sandbox);
}

#[test]
fn copy_in_the_mcp_view_says_copied_in_place_and_then_goes_back() {
    let sandbox = Sandbox::new();
    let mut harness = open_on_acme(&sandbox);
    click(&mut harness, "Use with an MCP client");
    let before = harness.get_by_label("Copy").rect();
    harness.get_by_label("Copy").click();
    harness.step();
    harness.step();
    let copy = harness.get_by_label("Copy");
    assert_eq!(
        copy.accesskit_node().description(),
        Some("Copied to the clipboard".into())
    );
    assert_eq!(copy.rect(), before, "the button keeps its place and size");
    // A confirmation that outlives its action would be stale: it expires
    // (each step is a quarter of a second of the window's clock).
    for _ in 0..12 {
        harness.step();
    }
    assert_eq!(
        harness.get_by_label("Copy").accesskit_node().description(),
        Some("Copy the entry to the clipboard".into()),
        "back to its plain self"
    );
    clean_up(&sandbox);
}
