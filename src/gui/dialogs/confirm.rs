//! "Delete connection?" naming the connection, before anything is removed.

use eframe::egui;

use egui::{Button, RichText};

use crate::model::ConnectionId;

use super::super::command::Command;

/// Shows the confirmation for deleting `name`.
pub(super) fn show(
    ctx: &egui::Context,
    id: ConnectionId,
    name: &str,
    commands: &mut Vec<Command>,
) -> bool {
    let mut confirmed = false;
    let keep_open = super::modal(ctx, "delete_dialog", "Delete connection?", |ui| {
        ui.label(format!(
            "“{name}” and its secret in the system keyring will be deleted. This cannot be undone."
        ));
        ui.add_space(12.0);
        // The safe choice comes first, for the eye and for Tab.
        ui.horizontal(|ui| {
            if ui.button("Cancel").clicked() {
                return Some(false);
            }
            let danger = super::super::theme::danger(ui.visuals());
            if ui
                .add(Button::new(RichText::new("Delete").color(danger)))
                .clicked()
            {
                confirmed = true;
                return Some(false);
            }
            None
        })
        .inner
    });
    if confirmed {
        commands.push(Command::Delete(id));
    }
    keep_open
}
