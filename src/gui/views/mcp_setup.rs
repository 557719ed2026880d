//! The "Use with an MCP client" view: the entry that registers
//! `odoo-connections mcp`, or an Odoo MCP server behind
//! `odoo-connections gateway`, in one of the known clients, with a copy
//! button. No entry holds a secret.

use eframe::egui;

use egui::{RichText, TextEdit, Ui};

use crate::inject::Profile;
use crate::mcp::client_config::{self, McpClient};
use crate::model::ConnectionId;

use super::super::buttons::icons;
use super::super::command::Command;
use super::super::mcp_form::{McpForm, McpServerChoice};
use super::super::state::AppState;
use super::super::theme;
use super::super::widgets::{choice, displayable, error_text, form_row};

/// The profiles, as the dropdown names them.
const PROFILES: [(Profile, &str); 3] = [
    (Profile::McpServerOdoo, "mcp-server-odoo (ivnvxd)"),
    (Profile::OdooMcp, "odoo-mcp (tuanle96)"),
    (Profile::Generic, "Another server (generic variables)"),
];

/// Draws the MCP setup view.
pub(super) fn show(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.heading("Use with an MCP client");
            ui.label(
                RichText::new(
                    "AI agents reach Odoo through odoo-connections; secrets stay in the keyring, and every tool call passes your policy",
                )
                .weak(),
            );
            ui.add_space(theme::SECTION_GAP);
            let mut form = state.mcp_form.clone();
            choices(ui, &mut form, state);
            ui.add_space(theme::SECTION_GAP);
            entry(ui, &form, state, commands);
            if form != state.mcp_form {
                commands.push(Command::EditMcpForm(Box::new(form)));
            }
        });
    });
}

fn choices(ui: &mut Ui, form: &mut McpForm, state: &AppState) {
    ui.horizontal(|ui| {
        for client in McpClient::ALL {
            if ui
                .selectable_label(form.client == client, client.label())
                .clicked()
            {
                form.client = client;
            }
        }
    });
    ui.add_space(theme::SECTION_GAP);
    egui::Grid::new("mcp_server_form")
        .num_columns(2)
        .spacing([14.0, 10.0])
        .show(ui, |ui| {
            form_row(ui, "Server", |ui| {
                choice(
                    ui,
                    "mcp_server",
                    theme::FIELD_WIDTH,
                    &mut form.server,
                    &[
                        (
                            McpServerChoice::ConnectionManager,
                            "Connection Manager (list, test, open)",
                        ),
                        (
                            McpServerChoice::Gateway,
                            "An Odoo MCP server, through the gateway",
                        ),
                    ],
                )
            });
            if form.server == McpServerChoice::Gateway {
                gateway_rows(ui, form, state);
            }
        });
}

fn gateway_rows(ui: &mut Ui, form: &mut McpForm, state: &AppState) {
    let names: Vec<(Option<ConnectionId>, String)> = std::iter::once((None, "Pick…".to_owned()))
        .chain(state.connections.iter().map(|connection| {
            let label = format!("{} ({})", connection.name, connection.environment.as_str());
            (Some(connection.id), label)
        }))
        .collect();
    let options: Vec<(Option<ConnectionId>, &str)> = names
        .iter()
        .map(|(id, label)| (*id, label.as_str()))
        .collect();
    form_row(ui, "Connection", |ui| {
        choice(
            ui,
            "mcp_connection",
            theme::FIELD_WIDTH,
            &mut form.connection,
            &options,
        )
    });
    let mut profile = form.profile;
    form_row(ui, "Odoo MCP server", |ui| {
        choice(
            ui,
            "mcp_profile",
            theme::FIELD_WIDTH,
            &mut profile,
            &PROFILES,
        )
    });
    form.pick_profile(profile);
    form_row(ui, "Command", |ui| {
        ui.add(
            TextEdit::singleline(&mut form.command)
                .hint_text("the command that starts the server")
                .desired_width(theme::FIELD_WIDTH),
        )
    });
    if form.profile == Profile::McpServerOdoo {
        form_row(ui, "Without the Odoo module", |ui| {
            ui.checkbox(
                &mut form.read_only_without_module,
                "Read-only (ODOO_YOLO=read)",
            )
            .on_hover_text(
                "mcp-server-odoo needs its mcp_server module on the Odoo server; without it, it works read-only with ODOO_YOLO=read",
            )
        });
    }
}

fn entry(ui: &mut Ui, form: &McpForm, state: &AppState, commands: &mut Vec<Command>) {
    let client = form.client;
    let entry = match form.entry(&state.executable, &state.paths, &state.connections) {
        Ok(entry) => entry,
        Err(error) => {
            error_text(ui, &error.to_string());
            return;
        }
    };
    let snippet = client_config::entry_snippet(client, &entry);
    // Copy comes first, so it is in view however long the entry is.
    ui.horizontal_wrapped(|ui| {
        if copy_button(ui).clicked() {
            commands.push(Command::Copy(snippet.clone()));
        }
        ui.label(displayable(client.instructions()));
    });
    if !entry.env.is_empty() {
        ui.label(
            RichText::new(
                "The entry sets DBUS_SESSION_BUS_ADDRESS (not a secret) so the server reaches your keyring; copy it again after you log in again.",
            )
            .weak(),
        );
    }
    let mut shown = snippet;
    let lines = shown.lines().count().max(1);
    ui.add(
        TextEdit::multiline(&mut shown)
            .code_editor()
            .interactive(false)
            .desired_rows(lines)
            .desired_width(f32::INFINITY),
    )
    .accessible_name("Configuration snippet");
}

/// How long "Copied" stays on the button after a copy.
const COPIED_SECS: f64 = 2.0;

/// "Copy", which says "Copied" for a moment after a click, in place and at
/// the same width, so nothing next to it moves.
fn copy_button(ui: &mut Ui) -> egui::Response {
    let id = egui::Id::unique("mcp_copy_clicked_at");
    let now = ui.input(|input| input.time);
    let clicked_at = ui.data(|data| data.get_temp::<f64>(id));
    let left = clicked_at.map_or(0.0, |at| COPIED_SECS - (now - at));
    let text = if left > 0.0 {
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_secs_f64(left));
        let colour = theme::outcome_colour(theme::Outcome::Ok, ui.visuals());
        RichText::new(format!("{}  Copied", icons::DONE)).color(colour)
    } else {
        RichText::new(format!("{}  Copy", icons::COPY))
    };
    let copy = ui
        .add(egui::Button::new(text).min_size(egui::vec2(96.0, 0.0)))
        // Named by what it does, also while it says "Copied".
        .accessible_name("Copy");
    let copy = if left > 0.0 {
        ui.ctx().accesskit_node_builder(copy.id, |node| {
            node.set_description("Copied to the clipboard");
        });
        copy
    } else {
        copy.on_hover_text("Copy the entry to the clipboard")
    };
    if copy.clicked() {
        ui.data_mut(|data| data.insert_temp(id, now));
    }
    copy
}
