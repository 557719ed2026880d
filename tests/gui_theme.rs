//! The theme: chosen in the window (System, Light, Dark) and remembered
//! for the next start. The palette's contrast is unit-tested in
//! `src/gui/theme.rs`; the desktop's preference in `system_theme.rs`.
#![cfg(feature = "gui")]

mod gui_support;
mod support;

use egui_kittest::kittest::Queryable as _;

use eframe::egui;
use egui::accesskit::Role;

use gui_support::{click, open, settle};
use support::sandbox::Sandbox;

#[test]
fn the_theme_choice_applies_at_once_and_is_remembered() {
    let sandbox = Sandbox::new();
    let mut harness = open(&sandbox);
    assert_eq!(harness.ctx.theme(), egui::Theme::Light);
    harness
        .get_by_role_and_label(Role::ComboBox, "Theme")
        .click();
    settle(&mut harness);
    click(&mut harness, "Dark");
    assert_eq!(harness.ctx.theme(), egui::Theme::Dark);
    assert_eq!(
        harness
            .get_by_role_and_label(Role::ComboBox, "Theme")
            .value()
            .as_deref(),
        Some("Dark")
    );
    drop(harness);

    // The next start (in a light desktop) opens dark.
    let mut harness = open(&sandbox);
    assert_eq!(harness.ctx.theme(), egui::Theme::Dark);
    harness
        .get_by_role_and_label(Role::ComboBox, "Theme")
        .click();
    settle(&mut harness);
    click(&mut harness, "Light");
    assert_eq!(harness.ctx.theme(), egui::Theme::Light);
    let file = std::fs::read_to_string(sandbox.paths().state_dir().join("window.json")).unwrap();
    assert!(file.contains("\"light\""), "{file}");
}
