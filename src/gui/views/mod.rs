//! The window's layout: top bar, status bar, the current view and the open
//! dialog, drawn from [`AppState`] in one function that tests drive too.

use eframe::egui;

mod activity;
mod editor;
mod editor_actions;
mod mcp_setup;
mod sidebar;

pub use editor::secret_field_id;

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};

use super::command::Command;
use super::dialogs;
use super::state::{AppState, Dialog, View};

/// Draws one frame of the whole window and applies what the person did.
pub fn show(ui: &mut Ui, state: &mut AppState) {
    let ctx = ui.ctx().clone();
    let focused = ctx.input(|input| input.viewport().focused);
    if !state.started {
        state.started = true;
        state.send(Command::Reload);
    } else if focused == Some(true) && state.window_focused == Some(false) {
        // Focus came back: another odoo-connections (CLI, MCP) may have
        // changed the file meanwhile.
        state.send(Command::Reload);
    }
    state.window_focused = focused;
    state.poll_jobs(&ctx);
    shortcuts(&ctx, state);
    guard_close(&ctx, state);
    top_bar(ui, state);
    status_bar(ui, state);
    match state.view {
        View::Connections => {
            sidebar::show(ui, state);
            editor::show(ui, state);
        }
        View::Activity => activity::show(ui, state),
        View::McpSetup => mcp_setup::show(ui, state),
    }
    dialogs::show(&ctx, state);
    state.apply_commands(&ctx);
}

fn shortcuts(ctx: &egui::Context, state: &mut AppState) {
    let shortcut = |key| KeyboardShortcut::new(Modifiers::COMMAND, key);
    let typing = ctx.egui_wants_keyboard_input();
    let modal = state.dialog.is_some();
    ctx.input_mut(|input| {
        if modal {
            return;
        }
        if input.consume_shortcut(&shortcut(Key::N)) {
            state.send(Command::New);
        }
        if input.consume_shortcut(&shortcut(Key::F)) {
            state.send(Command::FocusSearch);
        }
        if input.consume_shortcut(&shortcut(Key::S)) {
            state.send(Command::Save { then: None });
        }
        if state.view != View::Connections || typing {
            return;
        }
        if input.consume_key(Modifiers::NONE, Key::Delete) {
            state.send(Command::AskDelete);
        }
        if input.consume_key(Modifiers::NONE, Key::ArrowDown) {
            state.send(Command::SelectNeighbour(1));
        }
        if input.consume_key(Modifiers::NONE, Key::ArrowUp) {
            state.send(Command::SelectNeighbour(-1));
        }
    });
    // Esc leaves the focused field; with nothing focused it clears the search.
    let escape = !modal && ctx.input_mut(|input| input.consume_key(Modifiers::NONE, Key::Escape));
    if escape {
        let focused = ctx.memory(|memory| memory.focused());
        match focused {
            Some(id) => ctx.memory_mut(|memory| memory.surrender_focus(id)),
            None => state.search.clear(),
        }
    }
}

fn guard_close(ctx: &egui::Context, state: &mut AppState) {
    let requested = ctx.input(|input| input.viewport().close_requested());
    if requested && !state.close_confirmed && state.has_unsaved_changes() {
        ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        state.dialog = Some(Dialog::Unsaved {
            then: super::state::Pending::Close,
        });
    }
}

fn top_bar(ui: &mut Ui, state: &mut AppState) {
    egui::Panel::top("top_bar").show(ui, |ui| {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            let views = [
                (View::Connections, "Connections"),
                (View::Activity, "Activity"),
                (View::McpSetup, "Use with an MCP client"),
            ];
            for (view, label) in views {
                if ui.selectable_label(state.view == view, label).clicked() {
                    state.send(Command::ShowView(view));
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let any = !state.connections.is_empty();
                let test_all = ui
                    .add_enabled(any, egui::Button::new("Test all"))
                    .on_hover_text("Test every saved connection, four at a time");
                if test_all.clicked() {
                    state.send(Command::TestAll);
                }
                let new = ui.button("New connection").on_hover_text("Ctrl+N");
                if new.clicked() {
                    state.send(Command::New);
                }
            });
        });
        ui.add_space(2.0);
    });
}

fn status_bar(ui: &mut Ui, state: &AppState) {
    egui::Panel::bottom("status_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            let testing = state.jobs.tests_running();
            if testing > 0 {
                ui.spinner();
                let noun = if testing == 1 {
                    "connection"
                } else {
                    "connections"
                };
                ui.label(RichText::new(format!("Testing {testing} {noun}…")).small());
                ui.separator();
            }
            notice_ui(ui, state);
        });
    });
}

fn notice_ui(ui: &mut Ui, state: &AppState) {
    match &state.notice {
        Some(notice) if notice.is_error => {
            super::widgets::error_text(ui, &notice.text);
        }
        Some(notice) => {
            ui.label(RichText::new(super::widgets::displayable(&notice.text)).small());
        }
        None => {
            let count = state.connections.len();
            let noun = if count == 1 {
                "connection"
            } else {
                "connections"
            };
            ui.label(RichText::new(format!("{count} {noun}")).small().weak());
        }
    }
}
