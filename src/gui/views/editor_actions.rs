//! The editor's buttons (Save, Test connection, Duplicate, Rename, Delete)
//! and the result of the last test, shown in place, coloured by outcome and
//! announced to screen readers when it is fresh.

use eframe::egui;

use egui::accesskit::{Live, Role};
use egui::{RichText, Ui, UiBuilder};

use crate::model::Protocol;
use crate::odoo::TestReport;
use crate::store::LastTest;

use super::super::buttons::{self, Emphasis, icons};
use super::super::command::Command;
use super::super::state::{AppState, Editor, Pending, asks_for_trust};
use super::super::theme::{self, Outcome};
use super::super::widgets::{displayable, error_text, local_time};

/// Draws the action row and the test result of `editor`.
pub(super) fn show(ui: &mut Ui, editor: &Editor, state: &AppState, commands: &mut Vec<Command>) {
    // One primary action: Save while there is something to save, else Test.
    let (save_emphasis, test_emphasis) = if editor.is_dirty() {
        (Emphasis::Primary, Emphasis::Plain)
    } else {
        (Emphasis::Plain, Emphasis::Primary)
    };
    ui.horizontal_wrapped(|ui| {
        let save = buttons::add(
            ui,
            state.can_save(editor),
            icons::SAVE,
            "Save",
            save_emphasis,
        )
        .on_hover_text("Ctrl+S, or Enter in a field")
        .on_disabled_hover_text(why_not_save(editor, state));
        if save.clicked() {
            commands.push(Command::Save { then: None });
        }
        let can_revert = editor.is_dirty() && !editor.saving;
        let revert = buttons::add(ui, can_revert, icons::REVERT, "Revert", Emphasis::Plain);
        if revert.on_hover_text("Drop the unsaved changes").clicked() {
            let then = if editor.saved {
                Pending::Select(editor.id)
            } else {
                Pending::New
            };
            commands.push(Command::Discard { then });
        }
        ui.separator();
        let settled = editor.saved && !editor.is_dirty();
        let duplicate = buttons::add(ui, settled, icons::DUPLICATE, "Duplicate…", Emphasis::Plain);
        let duplicate = duplicate
            .on_hover_text("Copy this connection and its secret under a new name")
            .on_disabled_hover_text("Save or revert your changes first");
        if duplicate.clicked() {
            commands.push(Command::AskDuplicate);
        }
        let rename = buttons::add(ui, editor.saved, icons::RENAME, "Rename", Emphasis::Plain)
            .on_hover_text("Type the new name in the Name field, then save (F2)");
        if rename.clicked() {
            commands.push(Command::StartRename);
        }
        let delete = buttons::add(
            ui,
            editor.saved,
            icons::DELETE,
            "Delete…",
            Emphasis::Destructive,
        )
        .on_hover_text("Delete this connection and its keyring secret (Delete key)");
        if delete.clicked() {
            commands.push(Command::AskDelete);
        }
        // Last in the row: what changes while a test or a save runs moves
        // no other button.
        ui.separator();
        test_button(ui, editor, state, commands, test_emphasis);
        if editor.saving {
            ui.spinner();
        }
    });
    ui.add_space(theme::SECTION_GAP);
    test_result(ui, editor, state, commands);
}

fn why_not_save(editor: &Editor, state: &AppState) -> String {
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
    if let Some(taken) = state.name_conflict(editor) {
        problems.push(format!("Name: {taken}"));
    }
    if let Some(secret) = editor.secret_error() {
        problems.push(format!("Secret: {secret}"));
    }
    problems.join("\n")
}

fn test_button(
    ui: &mut Ui,
    editor: &Editor,
    state: &AppState,
    commands: &mut Vec<Command>,
    emphasis: Emphasis,
) {
    if state.is_testing(editor.id) {
        ui.spinner();
        ui.label("Testing…");
        if ui.button("Cancel test").clicked() {
            commands.push(Command::CancelTest(editor.id));
        }
    } else {
        let ready = editor.field_errors().0.is_empty();
        let test = buttons::add(ui, ready, icons::TEST, "Test connection", emphasis)
            .on_hover_text("Connect and log in with the values in the form")
            .on_disabled_hover_text("Fix the highlighted fields first");
        if test.clicked() {
            commands.push(Command::Test);
        }
    }
}

fn test_result(ui: &mut Ui, editor: &Editor, state: &AppState, commands: &mut Vec<Command>) {
    let Some(test) = state.last_tests.get(&editor.id) else {
        if let Some(last) = state.history.get(editor.id) {
            remembered_ui(ui, last);
        }
        return;
    };
    let failed = !matches!(&test.result, Ok(report) if report.ok);
    let asks_trust = announced(ui, test.run, failed, |ui| {
        if test.of_unsaved_changes {
            ui.label(
                RichText::new(UNSAVED_TEST_NOTE)
                    .italics()
                    .color(ui.visuals().text_color()),
            );
        }
        match &test.result {
            Ok(report) => {
                report_ui(ui, report);
                asks_for_trust(report)
            }
            Err(message) => {
                error_text(ui, message);
                false
            }
        }
    });
    if asks_trust && ui.button("Trust this certificate…").clicked() {
        commands.push(Command::AskTrust);
    }
}

/// Accessible name of the region that holds a fresh test result.
const TEST_RESULT: &str = "Test result";

/// Draws a fresh test result in a live region, which screen readers read
/// out as it appears: a failure at once (an alert), a success when they
/// are idle (a status). A remembered result is not announced. Each test
/// `run` gets a region of its own, so a result the same as the last one is
/// read out whole again, not only the words that changed.
fn announced<R>(ui: &mut Ui, run: u64, failed: bool, add: impl FnOnce(&mut Ui) -> R) -> R {
    let (role, live) = if failed {
        (Role::Alert, Live::Assertive)
    } else {
        (Role::Status, Live::Polite)
    };
    let region = UiBuilder::new()
        .accessibility_role(role)
        .accessibility_label(TEST_RESULT);
    ui.push_id(run, |ui| {
        ui.scope_builder(region, |ui| {
            ui.ctx()
                .accesskit_node_builder(ui.unique_id(), |node| node.set_live(live));
            add(ui)
        })
        .inner
    })
    .inner
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
        vec![format!("tested {}", local_time(last.time))],
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
