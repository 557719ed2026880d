//! The window never overwrites a connection that was changed elsewhere (by
//! the command line, here a real `odoo-connections edit` process) since it
//! was opened: it asks to reload or overwrite, and each choice does what it
//! says. Driven by accessible labels on the real window state.
#![cfg(feature = "gui")]

mod gui_support;
mod support;

use egui_kittest::kittest::Queryable as _;

use gui_support::{clean_up, click, open_on_acme, replace_text, saved};
use support::sandbox::{Sandbox, assert_exit};

use eframe::egui::accesskit::Role;

/// Opens `acme` in the window, changes its login there, then changes its
/// notes with the command line before the window saves.
fn edited_in_two_places(
    sandbox: &Sandbox,
) -> egui_kittest::Harness<'static, odoo_connections::gui::Window> {
    let mut harness = open_on_acme(sandbox);
    replace_text(&mut harness, "Login", "window@acme.example");
    assert_exit(
        &sandbox.run(&["edit", "acme", "--notes", "from the command line"]),
        0,
    );
    click(&mut harness, "Save");
    harness
}

fn dialog_is_open(harness: &egui_kittest::Harness<'_, odoo_connections::gui::Window>) -> bool {
    harness
        .query_by_role_and_label(Role::Dialog, "Changed elsewhere")
        .is_some()
}

#[test]
fn a_save_over_a_change_made_elsewhere_asks_and_keep_editing_changes_nothing() {
    let sandbox = Sandbox::new();
    let mut harness = edited_in_two_places(&sandbox);
    assert!(dialog_is_open(&harness), "the save must ask first");
    harness.get_by_label_contains("was changed elsewhere since you opened it");
    let stored = &saved(&sandbox)[0];
    assert_eq!(stored.login.as_str(), "admin", "nothing was overwritten");
    assert_eq!(stored.notes, "from the command line");

    click(&mut harness, "Keep editing");
    assert!(!dialog_is_open(&harness));
    assert_eq!(
        harness.get_by_label("Login").value().as_deref(),
        Some("window@acme.example"),
        "the person's edit is still in the form"
    );
    clean_up(&sandbox);
}

#[test]
fn overwrite_saves_the_window_s_version() {
    let sandbox = Sandbox::new();
    let mut harness = edited_in_two_places(&sandbox);
    click(&mut harness, "Overwrite");
    assert!(!dialog_is_open(&harness));
    let stored = &saved(&sandbox)[0];
    assert_eq!(stored.login.as_str(), "window@acme.example");
    clean_up(&sandbox);
}

#[test]
fn reload_shows_the_change_made_elsewhere_and_drops_the_window_s_edit() {
    let sandbox = Sandbox::new();
    let mut harness = edited_in_two_places(&sandbox);
    click(&mut harness, "Reload");
    assert!(!dialog_is_open(&harness));
    assert_eq!(
        harness.get_by_label("Login").value().as_deref(),
        Some("admin")
    );
    assert_eq!(
        harness.get_by_label("Notes").value().as_deref(),
        Some("from the command line")
    );
    let stored = &saved(&sandbox)[0];
    assert_eq!(stored.login.as_str(), "admin");
    assert_eq!(stored.notes, "from the command line");
    clean_up(&sandbox);
}

#[test]
fn a_save_with_nothing_changed_elsewhere_does_not_ask() {
    let sandbox = Sandbox::new();
    let mut harness = open_on_acme(&sandbox);
    replace_text(&mut harness, "Login", "window@acme.example");
    click(&mut harness, "Save");
    assert!(!dialog_is_open(&harness));
    replace_text(&mut harness, "Login", "again@acme.example");
    click(&mut harness, "Save");
    assert!(!dialog_is_open(&harness), "a second save follows the first");
    assert_eq!(saved(&sandbox)[0].login.as_str(), "again@acme.example");
    clean_up(&sandbox);
}
