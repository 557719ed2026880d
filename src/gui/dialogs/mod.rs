//! Modal dialogs: one at a time, held in [`AppState::dialog`]. Each pushes
//! the command it was answered with and returns whether it stays open; Esc
//! or a click outside is "Cancel".

use eframe::egui;

mod changed;
mod confirm;
mod duplicate;
mod trust;
mod unsaved;

use egui::{Id, Modal, Ui};

use super::command::Command;
use super::state::{AppState, Dialog};

/// Width of every dialog.
const DIALOG_WIDTH: f32 = 440.0;

/// Shows the open dialog, if any.
pub(crate) fn show(ctx: &egui::Context, state: &AppState, commands: &mut Vec<Command>) {
    let Some(dialog) = state.dialog.as_ref() else {
        return;
    };
    let mut answer = Vec::new();
    let keep_open = match dialog {
        Dialog::Unsaved { then } => unsaved::show(ctx, *then, state, &mut answer),
        Dialog::ConfirmDelete { id, name } => confirm::show(ctx, *id, name, &mut answer),
        Dialog::ChangedElsewhere { id, name, then } => {
            changed::show(ctx, *id, name, *then, &mut answer)
        }
        Dialog::Duplicate { id, old, name } => {
            duplicate::show(ctx, (*id, old, name), state, &mut answer)
        }
        Dialog::Trust {
            id,
            host,
            fingerprint,
        } => trust::show(ctx, *id, host, *fingerprint, &mut answer),
    };
    // Closed before the answer runs: an answer may open the next dialog.
    if !keep_open {
        commands.push(Command::CloseDialog);
    }
    commands.append(&mut answer);
}

/// Shows a modal with a heading, named after it in the accessibility tree
/// (a modal dialog); `content` returns `Some(keep_open)` once the person
/// decided. Esc and a click outside count as "keep nothing".
fn modal(
    ctx: &egui::Context,
    id: &str,
    heading: &str,
    content: impl FnOnce(&mut Ui) -> Option<bool>,
) -> bool {
    let id = Id::unique(id);
    // Named after its heading, so a screen reader says what the dialog asks.
    let area = Modal::default_area(id)
        .accessible_name(heading)
        .role(egui::accesskit::Role::Dialog);
    let response = Modal::new(id).area(area).show(ctx, |ui| {
        ui.set_width(DIALOG_WIDTH);
        ui.heading(heading);
        ui.add_space(8.0);
        content(ui)
    });
    // The area's own Ui is the dialog's node: it holds the whole window until answered.
    ctx.accesskit_node_builder(id, |node| node.set_modal());
    match response.inner {
        Some(keep_open) => keep_open,
        None => !response.should_close(),
    }
}
