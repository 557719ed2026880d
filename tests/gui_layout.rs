//! A layout that does not jump under the cursor: messages, discovery and a
//! running test move no other control, and the result of a test is in view
//! at the smallest window size.
#![cfg(feature = "gui")]

mod gui_support;
mod support;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use odoo_connections::gui::Window;
use odoo_connections::model::Environment;

use eframe::egui;

use gui_support::{
    add, clean_up, click, draft, open, patient_draft, select, settle, step_frames, type_into,
    wait_for,
};
use support::odoo_server::{OdooServer, User, serve_acme, serve_unanswering, server_runtime};
use support::sandbox::Sandbox;

fn rect_of(harness: &Harness<'_, Window>, label: &str) -> egui::Rect {
    harness.get_by_label(label).rect()
}

/// The buttons under the connection form.
const EDITOR_BUTTONS: [&str; 5] = ["Save", "Revert", "Duplicate…", "Rename", "Delete…"];

fn rects_of(harness: &Harness<'_, Window>, labels: &[&str]) -> Vec<egui::Rect> {
    labels.iter().map(|label| rect_of(harness, label)).collect()
}

/// The control did not move (less than half a point: nothing a person sees).
fn assert_unmoved(before: egui::Rect, after: egui::Rect, what: &str) {
    let moved = (before.min - after.min).length() + (before.max - after.max).length();
    assert!(
        moved < 0.5,
        "{what} moved by {moved} from {before:?} to {after:?}"
    );
}

#[test]
fn a_message_under_a_field_moves_no_other_field() {
    let sandbox = Sandbox::new();
    let mut harness = open(&sandbox);
    click(&mut harness, "New connection");
    click(&mut harness, "Advanced");
    let url = rect_of(&harness, "Server URL");
    let timeout = rect_of(&harness, "Timeout (s)");
    type_into(&mut harness, "Name", "-bad");
    harness.get_by_label_contains("must start with a letter or a digit");
    assert_unmoved(url, rect_of(&harness, "Server URL"), "Server URL");
    assert_unmoved(timeout, rect_of(&harness, "Timeout (s)"), "Timeout");
}

#[test]
fn discovery_and_a_running_test_move_no_button() {
    let runtime = server_runtime();
    let server = runtime.block_on(
        OdooServer::builder()
            .database("acme")
            .database("other")
            .user(User::new("admin").password("pw").api_key("k3y"))
            .start(),
    );
    let stuck = serve_unanswering(&runtime);
    let sandbox = Sandbox::new();
    add(
        &sandbox,
        draft("acme", &server.url(), Environment::Staging),
        "k3y",
    );
    add(
        &sandbox,
        patient_draft("stuck", &stuck.url(), Environment::Staging),
        "k3y",
    );
    let mut harness = open(&sandbox);

    select(&mut harness, "acme");
    let discover = rect_of(&harness, "Discover databases");
    click(&mut harness, "Discover databases");
    harness.get_by_label("Discovered databases");
    assert_unmoved(
        discover,
        rect_of(&harness, "Discover databases"),
        "Discover",
    );

    select(&mut harness, "stuck");
    let before = rects_of(&harness, &EDITOR_BUTTONS);
    harness.get_by_label("Test connection").click();
    step_frames(&mut harness);
    harness.get_by_label("Testing…");
    let during = rects_of(&harness, &EDITOR_BUTTONS);
    for (before, during) in before.into_iter().zip(during) {
        assert_unmoved(before, during, "a button");
    }
    click(&mut harness, "Cancel test");
    clean_up(&sandbox);
}

#[test]
fn the_test_result_is_in_view_at_the_smallest_window_size() {
    let runtime = server_runtime();
    let server = serve_acme(&runtime);
    let sandbox = Sandbox::new();
    add(
        &sandbox,
        draft("acme", &server.url(), Environment::Staging),
        "k3y",
    );
    let size = egui::vec2(640.0, 480.0);
    let mut harness = gui_support::builder(egui::Theme::Light)
        .with_size(size)
        .build_ui_state(odoo_connections::gui::show, gui_support::state(&sandbox));
    settle(&mut harness);
    select(&mut harness, "acme");
    harness.get_by_label("Test connection").click();
    wait_for(&mut harness, "Connected to Odoo");
    settle(&mut harness);
    let result = harness.get_by_label_contains("Connected to Odoo").rect();
    let window = egui::Rect::from_min_size(egui::Pos2::ZERO, size);
    assert!(
        window.contains_rect(result),
        "the result {result:?} is inside the {size:?} window"
    );
    clean_up(&sandbox);
}
