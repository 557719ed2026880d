//! The editor's buttons (Save, Test connection, Duplicate, Rename, Delete)
//! and the result of the last test, shown in place and coloured by outcome.

use eframe::egui;

use egui::{Button, RichText, Ui};

use crate::model::Protocol;
use crate::odoo::TestReport;
use crate::store::LastTest;

use super::super::command::Command;
use super::super::state::{AppState, Editor, NamePurpose, Pending, asks_for_trust};
use super::super::theme::{self, Outcome};
use super::super::widgets::{displayable, error_text, utc_time};

/// Draws the action row and the test result of `editor`.
pub(super) fn show(ui: &mut Ui, editor: &Editor, state: &mut AppState) {
    ui.horizontal_wrapped(|ui| {
        let save = ui
            .add_enabled(editor.can_save(), Button::new("Save"))
            .on_hover_text("Ctrl+S")
            .on_disabled_hover_text(why_not_save(editor));
        if save.clicked() {
            state.send(Command::Save { then: None });
        }
        let revert = ui.add_enabled(editor.is_dirty() && !editor.saving, Button::new("Revert"));
        if revert.on_hover_text("Drop the unsaved changes").clicked() {
            let then = if editor.saved {
                Pending::Select(editor.id)
            } else {
                Pending::New
            };
            state.send(Command::Discard { then });
        }
        ui.separator();
        let settled = editor.saved && !editor.is_dirty();
        let explain = "Save or revert your changes first";
        if ui
            .add_enabled(settled, Button::new("Duplicate…"))
            .on_disabled_hover_text(explain)
            .clicked()
        {
            state.send(Command::AskNewName(NamePurpose::Duplicate));
        }
        if ui
            .add_enabled(settled, Button::new("Rename…"))
            .on_disabled_hover_text(explain)
            .clicked()
        {
            state.send(Command::AskNewName(NamePurpose::Rename));
        }
        if ui
            .add_enabled(editor.saved, Button::new("Delete…"))
            .on_hover_text("Delete this connection and its keyring secret (Delete key)")
            .clicked()
        {
            state.send(Command::AskDelete);
        }
        // Last in the row: what changes while a test or a save runs moves
        // no other button.
        ui.separator();
        test_button(ui, editor, state);
        if editor.saving {
            ui.spinner();
        }
    });
    ui.add_space(theme::SECTION_GAP);
    test_result(ui, editor, state);
}

fn why_not_save(editor: &Editor) -> String {
    if editor.saving {
        return "Saving…".to_owned();
    }
    if !editor.is_dirty() {
        return "Nothing changed".to_owned();
    }
    let mut problems: Vec<String> = editor
        .field_errors()
        .0
        .iter()
        .map(|error| format!("{}: {}", error.field.label(), error.message))
        .collect();
    if let Some(secret) = editor.secret_error() {
        problems.push(format!("Secret: {secret}"));
    }
    problems.join("\n")
}

fn test_button(ui: &mut Ui, editor: &Editor, state: &mut AppState) {
    if state.jobs.is_testing(editor.id) {
        ui.spinner();
        ui.label("Testing…");
        if ui.button("Cancel test").clicked() {
            state.send(Command::CancelTest(editor.id));
        }
    } else {
        let ready = editor.field_errors().0.is_empty();
        let test = ui
            .add_enabled(ready, Button::new("Test connection"))
            .on_hover_text("Connect and log in with the values in the form")
            .on_disabled_hover_text("Fix the highlighted fields first");
        if test.clicked() {
            state.send(Command::Test);
        }
    }
}

fn test_result(ui: &mut Ui, editor: &Editor, state: &mut AppState) {
    let test = state.last_tests.get(&editor.id);
    if test.is_some_and(|test| test.of_unsaved_changes) {
        ui.label(
            RichText::new(UNSAVED_TEST_NOTE)
                .italics()
                .color(ui.visuals().text_color()),
        );
    }
    match test.map(|test| &test.result) {
        Some(Ok(report)) => {
            report_ui(ui, report);
            if asks_for_trust(report) && ui.button("Trust this certificate…").clicked() {
                state.send(Command::AskTrust);
            }
        }
        Some(Err(message)) => {
            error_text(ui, message);
        }
        None => {
            if let Some(last) = state.history.get(editor.id) {
                remembered_ui(ui, last);
            }
        }
    }
}

/// Said above the result of a test of the form's unsaved values.
const UNSAVED_TEST_NOTE: &str =
    "Test of unsaved changes: the saved connection's status is unchanged";

fn report_ui(ui: &mut Ui, report: &TestReport) {
    let mut details = Vec::new();
    if let Some(uid) = report.uid {
        details.push(format!("user id {uid}"));
    }
    details.push(format!("{} ms", report.latency_ms));
    let summary = Summary {
        ok: report.ok,
        message: &report.message,
        version: report.server_version.as_deref(),
        protocol: report.protocol,
    };
    outcome_ui(ui, &summary, details);
}

fn remembered_ui(ui: &mut Ui, last: &LastTest) {
    let summary = Summary {
        ok: last.ok,
        message: &last.message,
        version: last.server_version.as_deref(),
        protocol: last.protocol,
    };
    outcome_ui(
        ui,
        &summary,
        vec![format!("tested {} UTC", utc_time(last.time))],
    );
}

/// What a fresh or a remembered test says.
struct Summary<'a> {
    ok: bool,
    message: &'a str,
    version: Option<&'a str>,
    protocol: Option<Protocol>,
}

/// The diagnosis sentence coloured by outcome, with a line of details.
fn outcome_ui(ui: &mut Ui, summary: &Summary<'_>, extra: Vec<String>) {
    let outcome = if summary.ok {
        Outcome::Ok
    } else {
        Outcome::Failed
    };
    let colour = theme::outcome_colour(outcome, ui.visuals());
    ui.label(
        RichText::new(displayable(summary.message))
            .color(colour)
            .strong(),
    );
    let mut details: Vec<String> = Vec::new();
    if let Some(version) = summary.version {
        details.push(format!("Odoo {version}"));
    }
    if let Some(protocol) = summary.protocol {
        details.push(protocol.to_string());
    }
    details.extend(extra);
    ui.label(RichText::new(details.join(" · ")).small().weak());
}
