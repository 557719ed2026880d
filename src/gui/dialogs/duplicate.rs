//! Asks the name of the copy for "Duplicate…", checked as it is typed.

use eframe::egui;

use egui::{Button, Id, Key, Modifiers, TextEdit};

use crate::model::{ConnectionId, ConnectionName};

use super::super::command::Command;
use super::super::state::AppState;
use super::super::widgets::error_text;

/// Shows the dialog.
/// `(id, old, name)`: the connection copied, its name, and the copy's name
/// as typed.
pub(super) fn show(
    ctx: &egui::Context,
    (id, old, name): (ConnectionId, &str, &str),
    state: &AppState,
    commands: &mut Vec<Command>,
) -> bool {
    let mut typed = name.to_owned();
    let heading = format!("Duplicate “{old}”");
    let parsed = name
        .parse::<ConnectionName>()
        .map_err(|err| err.to_string())
        .and_then(|new| check_free(state, new));
    let mut chosen = None;
    let keep_open = super::modal(ctx, "name_dialog", &heading, |ui| {
        let label = ui.label("New name");
        let field_id = Id::unique("new-name-field");
        // Enter in the field confirms (taken before the field ends its edit).
        let enter = ui.memory(|memory| memory.has_focus(field_id))
            && ui.input_mut(|input| input.consume_key(Modifiers::NONE, Key::Enter));
        let field = ui
            .add(
                TextEdit::singleline(&mut typed)
                    .id(field_id)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        if ui.memory(|memory| memory.focused().is_none()) {
            field.request_focus();
        }
        if let Err(message) = &parsed {
            error_text(ui, message);
        }
        ui.label("The copy gets its own keyring entry with the same secret.");
        ui.add_space(12.0);
        ui.horizontal(|ui| {
            let ok = ui.add_enabled(parsed.is_ok(), Button::new("Duplicate"));
            if let Ok(new) = &parsed
                && (ok.clicked() || enter)
            {
                chosen = Some(new.clone());
                return Some(false);
            }
            ui.button("Cancel").clicked().then_some(false)
        })
        .inner
    });
    if typed != name {
        commands.push(Command::TypeCopyName(typed));
    }
    if let Some(new) = chosen {
        commands.push(Command::Duplicate(id, new));
    }
    keep_open
}

fn check_free(state: &AppState, new: ConnectionName) -> Result<ConnectionName, String> {
    let taken = (state.connections.iter()).any(|connection| new.same_as(connection.name.as_str()));
    if taken {
        return Err(format!(
            "a connection named “{new}” already exists; choose another name"
        ));
    }
    Ok(new)
}
