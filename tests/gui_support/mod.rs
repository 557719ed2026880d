//! Shared helpers of the window tests (`tests/gui*.rs`): the harness on the
//! real window state, frame stepping until background jobs finish, and
//! connections seeded through the catalog with their keyring secrets.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use egui_kittest::kittest::{NodeT as _, Queryable as _};
use egui_kittest::{Harness, HarnessBuilder};
use odoo_connections::catalog::Catalog;
use odoo_connections::gui::{Window, show};
use odoo_connections::model::{
    Connection, ConnectionDraft, ConnectionId, Environment, SecretString,
};

use eframe::egui;
use egui::accesskit::Role;

use crate::support::sandbox::Sandbox;

/// Frames to wait for background jobs before giving up (with a short pause
/// between frames; a cap on steps, not a timed assertion).
pub const MAX_JOB_STEPS: usize = 3000;

/// The window's harness at its default size.
pub fn builder(theme: egui::Theme) -> HarnessBuilder<Window> {
    Harness::builder()
        .with_size(egui::vec2(1100.0, 720.0))
        .with_theme(theme)
        .with_max_steps(40)
        .with_render_cursor(false)
}

/// The window state for `sandbox`, not drawn yet.
pub fn state(sandbox: &Sandbox) -> Window {
    Window::new(sandbox.paths(), PathBuf::from("/usr/bin/odoo-connections")).expect("window state")
}

/// The window on `sandbox` in the light theme, its list loaded.
pub fn open(sandbox: &Sandbox) -> Harness<'static, Window> {
    open_themed(sandbox, egui::Theme::Light)
}

/// The window on `sandbox` in `theme`, its list loaded.
pub fn open_themed(sandbox: &Sandbox, theme: egui::Theme) -> Harness<'static, Window> {
    let mut harness = builder(theme).build_ui_state(show, state(sandbox));
    settle(&mut harness);
    harness
}

/// Seeds `acme` (Staging, https://erp.acme.example, no tags) and opens the
/// window with it selected.
pub fn open_on_acme(sandbox: &Sandbox) -> Harness<'static, Window> {
    seed(
        sandbox,
        "acme",
        "https://erp.acme.example",
        Environment::Staging,
        "",
    );
    let mut harness = open(sandbox);
    select(&mut harness, "acme");
    harness
}

/// Steps frames until no background job runs, then lets the UI settle.
pub fn settle(harness: &mut Harness<'_, Window>) {
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

/// Steps frames until a node whose label contains `text` is shown.
pub fn wait_for(harness: &mut Harness<'_, Window>, text: &str) {
    for _ in 0..MAX_JOB_STEPS {
        harness.step();
        if harness.query_by_label_contains(text).is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("{text:?} was not shown within {MAX_JOB_STEPS} frames");
}

/// A few frames, without waiting for jobs.
pub fn step_frames(harness: &mut Harness<'_, Window>) {
    for _ in 0..3 {
        harness.step();
    }
}

/// Presses `key` and lets the window settle.
pub fn press(harness: &mut Harness<'_, Window>, key: egui::Key) {
    harness.key_press(key);
    settle(harness);
}

/// Presses `key` with `modifiers` and lets the window settle.
pub fn press_with(harness: &mut Harness<'_, Window>, modifiers: egui::Modifiers, key: egui::Key) {
    harness.key_press_modifiers(modifiers, key);
    settle(harness);
}

pub fn click(harness: &mut Harness<'_, Window>, label: &str) {
    harness.get_by_label(label).click();
    settle(harness);
}

pub fn type_into(harness: &mut Harness<'_, Window>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run();
    harness.get_by_label(label).type_text(text);
    settle(harness);
}

pub fn replace_text(harness: &mut Harness<'_, Window>, label: &str, text: &str) {
    harness.get_by_label(label).set_text_value_accesskit(text);
    settle(harness);
}

/// The shown value of the dropdown `label`.
pub fn combo_value(harness: &Harness<'_, Window>, label: &str) -> String {
    harness
        .get_by_role_and_label(Role::ComboBox, label)
        .value()
        .unwrap_or_default()
}

/// Clicks the list row of `name`.
pub fn select(harness: &mut Harness<'_, Window>, name: &str) {
    harness
        .get_by_role_and_label(Role::ListBoxOption, name)
        .click();
    settle(harness);
}

pub fn row_exists(harness: &Harness<'_, Window>, name: &str) -> bool {
    harness
        .query_by_role_and_label(Role::ListBoxOption, name)
        .is_some()
}

/// What the list row of `name` tells a screen reader besides its name.
pub fn row_description(harness: &Harness<'_, Window>, name: &str) -> String {
    harness
        .get_by_role_and_label(Role::ListBoxOption, name)
        .accesskit_node()
        .description()
        .unwrap_or_default()
}

pub fn is_enabled(harness: &Harness<'_, Window>, label: &str) -> bool {
    !harness.get_by_label(label).accesskit_node().is_disabled()
}

/// True when the widget labelled `label` has the keyboard focus.
pub fn is_focused(harness: &Harness<'_, Window>, label: &str) -> bool {
    harness.get_by_label(label).is_focused()
}

/// Saves a connection to `url` with `secret` through the catalog.
pub fn seed_with_secret(
    sandbox: &Sandbox,
    name: &str,
    url: &str,
    environment: Environment,
    secret: &str,
) -> Connection {
    add(sandbox, draft(name, url, environment), secret)
}

/// Saves a connection with tags and the secret `secret-of-NAME`.
pub fn seed(
    sandbox: &Sandbox,
    name: &str,
    url: &str,
    environment: Environment,
    tags: &str,
) -> Connection {
    let draft = ConnectionDraft {
        tags: tags.into(),
        ..draft(name, url, environment)
    };
    add(sandbox, draft, &format!("secret-of-{name}"))
}

/// A form like [`draft`] that waits 300 s for an answer, so a test against
/// a server that never answers keeps running.
pub fn patient_draft(name: &str, url: &str, environment: Environment) -> ConnectionDraft {
    ConnectionDraft {
        timeout_secs: "300".into(),
        ..draft(name, url, environment)
    }
}

/// The form of a connection to database `acme` as `admin`.
pub fn draft(name: &str, url: &str, environment: Environment) -> ConnectionDraft {
    ConnectionDraft {
        name: name.into(),
        url: url.into(),
        database: "acme".into(),
        login: "admin".into(),
        environment,
        ..ConnectionDraft::new()
    }
}

/// Saves `draft` with `secret` through the catalog.
pub fn add(sandbox: &Sandbox, draft: ConnectionDraft, secret: &str) -> Connection {
    let connection = draft
        .build(ConnectionId::random(), serde_json::Map::new())
        .expect("valid draft");
    Catalog::new(&sandbox.paths())
        .add(connection.clone(), &SecretString::new(secret.to_owned()))
        .expect("seed connection");
    connection
}

pub fn saved(sandbox: &Sandbox) -> Vec<Connection> {
    Catalog::new(&sandbox.paths())
        .load()
        .expect("load connections")
        .connections()
        .to_vec()
}

pub fn secret_of(id: ConnectionId) -> Option<String> {
    crate::support::keyring::secret_of(&id.to_string())
}

/// Removes every seeded connection's keyring entry.
pub fn clean_up(sandbox: &Sandbox) {
    for connection in saved(sandbox) {
        crate::support::keyring::delete_secrets_of(&connection.id.to_string());
    }
}
