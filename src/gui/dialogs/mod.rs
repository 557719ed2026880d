//! Modal dialogs: one at a time, held in [`AppState::dialog`]. Each returns
//! whether it stays open; Esc or a click outside is "Cancel".

use eframe::egui;

mod changed;
mod confirm;
mod rename;
mod trust;
mod unsaved;

use egui::{Id, Modal, Ui};

use super::state::{AppState, Dialog};

/// Width of every dialog.
const DIALOG_WIDTH: f32 = 440.0;

/// Shows the open dialog, if any.
pub(crate) fn show(ctx: &egui::Context, state: &mut AppState) {
    let Some(mut dialog) = state.dialog.take() else {
        return;
    };
    let keep_open = match &mut dialog {
        Dialog::Unsaved { then } => unsaved::show(ctx, *then, state),
        Dialog::ConfirmDelete { id, name } => confirm::show(ctx, *id, name, state),
        Dialog::ChangedElsewhere { id, name, then } => changed::show(ctx, *id, name, *then, state),
        Dialog::NewName {
            purpose,
            id,
            old,
            name,
        } => rename::show(ctx, *purpose, *id, old, name, state),
        Dialog::Trust {
            id,
            host,
            fingerprint,
        } => trust::show(ctx, *id, host, *fingerprint, state),
    };
    if keep_open && state.dialog.is_none() {
        state.dialog = Some(dialog);
    }
}

/// Shows a modal with a heading; `content` returns `Some(keep_open)` once
/// the person decided. Esc and a click outside count as "keep nothing".
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
    match response.inner {
        Some(keep_open) => keep_open,
        None => !response.should_close(),
    }
}
