//! "Save changes?" before leaving a connection with unsaved edits.

use eframe::egui;

use egui::Button;

use super::super::command::Command;
use super::super::state::{AppState, Pending};

/// Shows the dialog; `then` is what was held back.
pub(super) fn show(
    ctx: &egui::Context,
    then: Pending,
    state: &AppState,
    commands: &mut Vec<Command>,
) -> bool {
    let can_save = (state.editor.as_ref()).is_some_and(|editor| state.can_save(editor));
    let subject = state
        .editor
        .as_ref()
        .map(|editor| editor.draft.name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .map_or_else(
            || "The new connection".to_owned(),
            |name| format!("“{name}”"),
        );
    let mut command = None;
    let keep_open = super::modal(ctx, "unsaved_dialog", "Save changes?", |ui| {
        ui.label(format!(
            "{subject} has unsaved changes. They are lost if you discard them."
        ));
        ui.add_space(12.0);
        ui.horizontal(|ui| {
            let save = ui
                .add_enabled(can_save, Button::new("Save changes"))
                .on_disabled_hover_text("Some fields are not valid: fix them, or discard");
            if save.clicked() {
                command = Some(Command::Save { then: Some(then) });
            }
            if ui.button("Discard changes").clicked() {
                command = Some(Command::Discard { then });
            }
            if ui.button("Keep editing").clicked() {
                return Some(false);
            }
            command.as_ref().map(|_| false)
        })
        .inner
    });
    if let Some(command) = command {
        commands.push(command);
    }
    keep_open
}
