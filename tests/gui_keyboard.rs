//! The window used with the keyboard only: dropdowns, the list as one Tab
//! stop with arrows inside, the search box, Ctrl+N, Ctrl+S saving the key
//! typed with it, and the dialogs' Enter and Tab order. Keys go through
//! egui's input as a person's would.
#![cfg(feature = "gui")]

mod gui_support;
mod support;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use odoo_connections::gui::Window;
use odoo_connections::model::Environment;

use eframe::egui;
use egui::accesskit::Role;
use egui::{Key, Modifiers};

use gui_support::{
    clean_up, click, combo_value, is_focused, open, open_on_acme, press, press_with, replace_text,
    row_exists, saved, seed, select, settle,
};
use support::sandbox::Sandbox;

fn seed_three(sandbox: &Sandbox) {
    for (name, environment, tags) in [
        ("alpha", Environment::Production, "client-a"),
        ("beta", Environment::Staging, "eu"),
        ("gamma", Environment::Development, "eu"),
    ] {
        seed(
            sandbox,
            name,
            &format!("https://{name}.example"),
            environment,
            tags,
        );
    }
}

fn list_is_focused(harness: &Harness<'_, Window>) -> bool {
    harness
        .get_by_role_and_label(Role::ListBox, "Connections")
        .is_focused()
}

#[test]
fn dropdowns_open_with_space_close_with_esc_and_a_space_pick_closes_them() {
    let sandbox = Sandbox::new();
    let mut harness = open(&sandbox);
    click(&mut harness, "New connection");
    harness
        .get_by_role_and_label(Role::ComboBox, "Environment")
        .focus();
    settle(&mut harness);
    let before = combo_value(&harness, "Environment");

    press(&mut harness, Key::Space);
    assert!(
        harness.query_by_label("Staging").is_some(),
        "the list opened"
    );
    press(&mut harness, Key::Escape);
    assert!(harness.query_by_label("Staging").is_none(), "Esc closed it");
    assert_eq!(combo_value(&harness, "Environment"), before);

    press(&mut harness, Key::Space);
    harness.get_by_label("Staging").focus();
    settle(&mut harness);
    press(&mut harness, Key::Space);
    assert!(
        harness.query_by_label("Staging").is_none(),
        "picking with Space closed the list"
    );
    assert_eq!(combo_value(&harness, "Environment"), "Staging");
}

#[test]
fn ctrl_n_puts_the_cursor_in_the_name_field() {
    let sandbox = Sandbox::new();
    let mut harness = open(&sandbox);
    press_with(&mut harness, Modifiers::COMMAND, Key::N);
    harness.get_by_label("Add a connection");
    assert!(is_focused(&harness, "Name"));
    harness.event(egui::Event::Text("typed-at-once".into()));
    settle(&mut harness);
    assert_eq!(
        harness.get_by_label("Name").value().as_deref(),
        Some("typed-at-once"),
        "nothing typed is lost"
    );
}

#[test]
fn the_list_is_one_tab_stop_and_the_arrows_move_inside_it() {
    let sandbox = Sandbox::new();
    seed_three(&sandbox);
    let mut harness = open(&sandbox);
    press_with(&mut harness, Modifiers::COMMAND, Key::F);
    assert!(is_focused(&harness, "Search connections"));
    press(&mut harness, Key::Tab);
    assert!(
        list_is_focused(&harness),
        "Tab goes from the search to the list"
    );

    press(&mut harness, Key::ArrowDown);
    assert_eq!(harness.state().editor_name(), Some("alpha"));
    press(&mut harness, Key::ArrowDown);
    assert_eq!(harness.state().editor_name(), Some("beta"));
    assert!(
        list_is_focused(&harness),
        "the arrows keep the focus in the list"
    );
    press(&mut harness, Key::End);
    assert_eq!(harness.state().editor_name(), Some("gamma"));
    press(&mut harness, Key::Home);
    assert_eq!(harness.state().editor_name(), Some("alpha"));
    harness.snapshot("list_keyboard_focus");

    press(&mut harness, Key::Tab);
    assert!(!list_is_focused(&harness));
    assert!(
        is_focused(&harness, "Duplicate…"),
        "one Tab leaves the list for the editor's first enabled action"
    );
    clean_up(&sandbox);
}

#[test]
fn down_in_the_search_enters_the_results_and_esc_keeps_the_filter() {
    let sandbox = Sandbox::new();
    seed_three(&sandbox);
    let mut harness = open(&sandbox);
    press_with(&mut harness, Modifiers::COMMAND, Key::F);
    harness.event(egui::Event::Text("eu".into()));
    settle(&mut harness);
    assert!(!row_exists(&harness, "alpha"));

    press(&mut harness, Key::Escape);
    assert!(
        !is_focused(&harness, "Search connections"),
        "Esc left the box"
    );
    assert_eq!(
        harness
            .get_by_label("Search connections")
            .value()
            .as_deref(),
        Some("eu"),
        "and kept the filter"
    );
    assert!(!row_exists(&harness, "alpha") && row_exists(&harness, "beta"));

    press_with(&mut harness, Modifiers::COMMAND, Key::F);
    press(&mut harness, Key::ArrowDown);
    assert!(list_is_focused(&harness), "Down moved into the results");
    assert_eq!(harness.state().editor_name(), Some("beta"));
    press(&mut harness, Key::ArrowDown);
    assert_eq!(harness.state().editor_name(), Some("gamma"));
    clean_up(&sandbox);
}

#[test]
fn enter_confirms_duplicate_and_a_rename_in_the_name_field() {
    let sandbox = Sandbox::new();
    let mut harness = open_on_acme(&sandbox);

    click(&mut harness, "Duplicate…");
    replace_text(&mut harness, "New name", "acme-copy");
    assert!(is_focused(&harness, "New name"));
    press(&mut harness, Key::Enter);
    assert!(
        harness.query_by_label("New name").is_none(),
        "Enter confirmed"
    );
    assert!(row_exists(&harness, "acme-copy"));

    click(&mut harness, "Rename");
    replace_text(&mut harness, "Name", "acme-renamed");
    assert!(is_focused(&harness, "Name"));
    press(&mut harness, Key::Enter);
    assert!(row_exists(&harness, "acme-renamed") && !row_exists(&harness, "acme-copy"));
    assert_eq!(saved(&sandbox).len(), 2);
    clean_up(&sandbox);
}

#[test]
fn the_delete_dialog_offers_the_safe_choice_first() {
    let sandbox = Sandbox::new();
    seed(
        &sandbox,
        "acme-keep",
        "https://erp.acme.example",
        Environment::Production,
        "",
    );
    let mut harness = open(&sandbox);
    select(&mut harness, "acme-keep");
    press(&mut harness, Key::Delete);
    harness.get_by_role_and_label(Role::Dialog, "Delete connection?");
    press(&mut harness, Key::Tab);
    assert!(
        is_focused(&harness, "Cancel"),
        "the first Tab lands on Cancel"
    );
    press(&mut harness, Key::Enter);
    assert!(
        harness
            .query_by_role_and_label(Role::Dialog, "Delete connection?")
            .is_none()
    );
    assert_eq!(saved(&sandbox).len(), 1, "nothing was deleted");
    clean_up(&sandbox);
}

#[test]
fn the_search_finds_the_environment_and_a_new_connection_starts_in_development() {
    let sandbox = Sandbox::new();
    seed_three(&sandbox);
    let mut harness = open(&sandbox);
    press_with(&mut harness, Modifiers::COMMAND, Key::F);
    harness.event(egui::Event::Text("PROD".into()));
    settle(&mut harness);
    assert!(row_exists(&harness, "alpha"), "production matches");
    assert!(!row_exists(&harness, "beta") && !row_exists(&harness, "gamma"));

    press_with(&mut harness, Modifiers::COMMAND, Key::N);
    assert_eq!(combo_value(&harness, "Environment"), "Development");
    clean_up(&sandbox);
}

#[test]
fn the_selected_row_reads_as_selected_not_checked() {
    let sandbox = Sandbox::new();
    seed_three(&sandbox);
    let mut harness = open(&sandbox);
    select(&mut harness, "beta");
    let beta = harness.get_by_role_and_label(Role::ListBoxOption, "beta");
    assert_eq!(beta.accesskit_node().is_selected(), Some(true));
    assert!(beta.accesskit_node().toggled().is_none(), "not a checkbox");
    let alpha = harness.get_by_role_and_label(Role::ListBoxOption, "alpha");
    assert_eq!(alpha.accesskit_node().is_selected(), Some(false));
    clean_up(&sandbox);
}

#[test]
fn dialogs_are_named_after_their_question_and_notices_are_alerts() {
    let sandbox = Sandbox::new();
    seed_three(&sandbox);
    let mut harness = open(&sandbox);
    select(&mut harness, "alpha");
    press(&mut harness, Key::Delete);
    harness.get_by_role_and_label(Role::Dialog, "Delete connection?");
    click(&mut harness, "Cancel");

    click(&mut harness, "Duplicate…");
    replace_text(&mut harness, "New name", "alpha-copy");
    press(&mut harness, Key::Enter);
    harness.get_by_role_and_label(Role::Alert, "Notice");
    clean_up(&sandbox);
}

#[test]
fn a_key_typed_in_the_same_frame_as_ctrl_s_is_saved_with_it() {
    let sandbox = Sandbox::new();
    let mut harness = open_on_acme(&sandbox);
    harness.get_by_label("Login").focus();
    harness.run();
    // Both events in one frame, as a fast typist's last key and Ctrl+S.
    harness.event(egui::Event::Text("Z".into()));
    harness.event(egui::Event::Key {
        key: Key::S,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: Modifiers::COMMAND,
    });
    harness.step();
    settle(&mut harness);
    let login = saved(&sandbox)[0].login.to_string();
    assert_eq!(login.replace('Z', ""), "admin", "saved: {login}");
    assert!(login.contains('Z'), "the key typed with Ctrl+S was lost");
    clean_up(&sandbox);
}
