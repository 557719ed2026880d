//! Asks the new name for "Rename…" and "Duplicate…", checked as it is typed.

use eframe::egui;

use egui::{Button, Id, Key, Modifiers, TextEdit};

use crate::model::{ConnectionId, ConnectionName};

use super::super::command::Command;
use super::super::state::{AppState, NamePurpose};
use super::super::widgets::error_text;

/// Shows the dialog; `name` is the text being typed.
pub(super) fn show(
    ctx: &egui::Context,
    purpose: NamePurpose,
    id: ConnectionId,
    old: &str,
    name: &mut String,
    state: &mut AppState,
) -> bool {
    let (heading, action) = match purpose {
        NamePurpose::Rename => (format!("Rename “{old}”"), "Rename"),
        NamePurpose::Duplicate => (format!("Duplicate “{old}”"), "Duplicate"),
    };
    let parsed = name
        .parse::<ConnectionName>()
        .map_err(|err| err.to_string())
        .and_then(|new| check_free(state, id, purpose, new));
    let mut chosen = None;
    let keep_open = super::modal(ctx, "name_dialog", &heading, |ui| {
        let label = ui.label("New name");
        let field_id = Id::unique("new-name-field");
        // Enter in the field confirms (taken before the field ends its edit).
        let enter = ui.memory(|memory| memory.has_focus(field_id))
            && ui.input_mut(|input| input.consume_key(Modifiers::NONE, Key::Enter));
        let field = ui
            .add(
                TextEdit::singleline(name)
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
        if purpose == NamePurpose::Duplicate {
            ui.label("The copy gets its own keyring entry with the same secret.");
        }
        ui.add_space(12.0);
        ui.horizontal(|ui| {
            let ok = ui.add_enabled(parsed.is_ok(), Button::new(action));
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
    if let Some(new) = chosen {
        state.send(match purpose {
            NamePurpose::Rename => Command::Rename(id, new),
            NamePurpose::Duplicate => Command::Duplicate(id, new),
        });
    }
    keep_open
}

fn check_free(
    state: &AppState,
    id: ConnectionId,
    purpose: NamePurpose,
    new: ConnectionName,
) -> Result<ConnectionName, String> {
    let taken = state.connections.iter().any(|connection| {
        let same_connection = purpose == NamePurpose::Rename && connection.id == id;
        !same_connection && new.same_as(connection.name.as_str())
    });
    if taken {
        return Err(format!(
            "a connection named “{new}” already exists; choose another name"
        ));
    }
    let unchanged =
        purpose == NamePurpose::Rename && state.connection(id).is_some_and(|c| c.name == new);
    if unchanged {
        return Err("type a different name".to_owned());
    }
    Ok(new)
}
