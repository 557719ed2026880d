//! "Changed elsewhere" when a save finds that the connection was changed
//! (by the command line, an agent or another window) since it was opened.

use eframe::egui;

use egui::Button;

use crate::model::ConnectionId;

use super::super::command::Command;
use super::super::state::Pending;

/// Shows the choice for `name`; `then` is what the save was to be followed by.
pub(super) fn show(
    ctx: &egui::Context,
    id: ConnectionId,
    name: &str,
    then: Option<Pending>,
    commands: &mut Vec<Command>,
) -> bool {
    let mut command = None;
    let keep_open = super::modal(ctx, "changed_dialog", "Changed elsewhere", |ui| {
        ui.label(format!(
            "“{name}” was changed elsewhere since you opened it. Reload it to see \
             those changes (yours are discarded), or overwrite them with yours."
        ));
        ui.add_space(12.0);
        // The safe choice comes first, for the eye and for Tab.
        ui.horizontal(|ui| {
            if ui.button("Keep editing").clicked() {
                return Some(false);
            }
            if ui.button("Reload").clicked() {
                command = Some(Command::Discard {
                    then: Pending::Select(id),
                });
            }
            if ui.add(Button::new("Overwrite")).clicked() {
                command = Some(Command::Overwrite { then });
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
