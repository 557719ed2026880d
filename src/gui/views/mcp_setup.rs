//! The "Use with an MCP client" view: the snippet that registers
//! `odoo-connections mcp` in Claude Desktop or Claude Code, with a copy button.

use eframe::egui;

use egui::{RichText, TextEdit, Ui};

use crate::mcp::client_config::{self, McpClient};

use super::super::command::Command;
use super::super::state::AppState;
use super::super::theme;
use super::super::widgets::displayable;

/// Draws the MCP setup view.
pub(super) fn show(ui: &mut Ui, state: &mut AppState) {
    egui::CentralPanel::default().show(ui, |ui| {
        ui.heading("Use with an MCP client");
        ui.label(
            RichText::new(
                "AI agents reach your connections through “odoo-connections mcp”; secrets stay in the keyring",
            )
            .weak(),
        );
        ui.add_space(theme::SECTION_GAP);
        ui.horizontal(|ui| {
            for client in McpClient::ALL {
                if ui
                    .selectable_label(state.mcp_client == client, client.label())
                    .clicked()
                {
                    state.mcp_client = client;
                }
            }
        });
        ui.add_space(theme::SECTION_GAP);
        let client = state.mcp_client;
        ui.label(displayable(client.instructions()));
        let mut snippet = client_config::snippet(client, &state.executable);
        let lines = snippet.lines().count().max(1);
        ui.add(
            TextEdit::multiline(&mut snippet)
                .code_editor()
                .interactive(false)
                .desired_rows(lines)
                .desired_width(f32::INFINITY),
        )
        .accessible_name("Configuration snippet");
        if ui.button("Copy").on_hover_text("Copy the snippet to the clipboard").clicked() {
            state.send(Command::Copy(snippet));
        }
    });
}
