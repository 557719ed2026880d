//! The window's layout: top bar, status bar, the current view and the open
//! dialog, drawn from [`AppState`], which the views only read: what the
//! person does becomes a [`Command`] pushed into `commands`.

use eframe::egui;

mod activity;
mod editor;
mod editor_actions;
mod mcp_setup;
mod sidebar;

pub use editor::secret_field_id;
pub(crate) use sidebar::list_id;

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};

use super::buttons::{self, Emphasis, icons};
use super::command::Command;
use super::dialogs;
use super::prefs::ThemeChoice;
use super::state::{AppState, View};

/// Draws one frame of the whole window; what the person did is pushed
/// into `commands`.
pub(crate) fn show(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let ctx = ui.ctx().clone();
    // The frame's name for screen readers: egui leaves the root node unnamed.
    ctx.accesskit_node_builder(egui::accesskit_root_id(), |root| {
        root.set_label(super::WINDOW_TITLE);
    });
    apply_theme(&ctx, state);
    shortcuts(&ctx, state, commands);
    if ctx.input(|input| input.viewport().close_requested()) {
        commands.push(Command::CloseRequested);
    }
    top_bar(ui, state, commands);
    status_bar(ui, state);
    match state.view {
        View::Connections => {
            sidebar::show(ui, state, commands);
            editor::show(ui, state, commands);
        }
        View::Activity => activity::show(ui, state, commands),
        View::McpSetup => mcp_setup::show(ui, state, commands),
    }
    toast(&ctx, state, commands);
    dialogs::show(&ctx, state, commands);
}

fn shortcuts(ctx: &egui::Context, state: &AppState, commands: &mut Vec<Command>) {
    let shortcut = |key| KeyboardShortcut::new(Modifiers::COMMAND, key);
    // An open dropdown keeps its keys (arrows, Space, Enter, Esc); egui's
    // own Esc leaves a focused field, keeping what it holds.
    if state.dialog.is_some() || egui::Popup::is_any_open(ctx) {
        return;
    }
    let focused = ctx.memory(|memory| memory.focused());
    let in_list = focused == Some(sidebar::list_id());
    let in_search = focused == Some(sidebar::search_id());
    let on_list = state.view == View::Connections && (in_list || focused.is_none());
    ctx.input_mut(|input| {
        if input.consume_shortcut(&shortcut(Key::N)) {
            commands.push(Command::New);
        }
        if input.consume_shortcut(&shortcut(Key::F)) {
            commands.push(Command::FocusSearch);
        }
        if input.consume_shortcut(&shortcut(Key::S)) {
            commands.push(Command::Save { then: None });
        }
        if input.consume_key(Modifiers::NONE, Key::F2) {
            commands.push(Command::StartRename);
        }
        if in_search && input.consume_key(Modifiers::NONE, Key::ArrowDown) {
            commands.push(Command::FocusList);
        }
        if !on_list {
            return;
        }
        if input.consume_key(Modifiers::NONE, Key::Delete) {
            commands.push(Command::AskDelete);
        }
        let moves = [
            (Key::ArrowDown, 1),
            (Key::ArrowUp, -1),
            (Key::Home, isize::MIN),
            (Key::End, isize::MAX),
        ];
        for (key, step) in moves {
            if input.consume_key(Modifiers::NONE, key) {
                commands.push(Command::SelectNeighbour(step));
            }
        }
    });
}

/// Uses the chosen theme ("System" follows the desktop, when it is known).
fn apply_theme(ctx: &egui::Context, state: &AppState) {
    let wanted = match state.prefs.theme {
        ThemeChoice::System => state.system_theme,
        ThemeChoice::Light => Some(egui::Theme::Light),
        ThemeChoice::Dark => Some(egui::Theme::Dark),
    };
    if let Some(theme) = wanted
        && ctx.theme() != theme
    {
        ctx.set_theme(theme);
    }
}

fn theme_menu(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let mut picked = state.prefs.theme;
    super::widgets::choice(ui, "theme", 90.0, &mut picked, &ThemeChoice::ALL)
        .accessible_name("Theme")
        .on_hover_text("Follow the desktop, or always light or dark");
    if picked != state.prefs.theme {
        commands.push(Command::SetTheme(picked));
    }
}

fn top_bar(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
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
                    commands.push(Command::ShowView(view));
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                theme_menu(ui, state, commands);
                ui.separator();
                test_all_ui(ui, state, commands);
                let new = buttons::add(ui, true, icons::NEW, "New connection", Emphasis::Plain)
                    .on_hover_text("Ctrl+N");
                if new.clicked() {
                    commands.push(Command::New);
                }
            });
        });
        ui.add_space(2.0);
    });
}

/// "Test all", or its progress and Cancel while it runs.
fn test_all_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    if let Some(run) = &state.test_all {
        let cancel = ui
            .button(format!("{}  Cancel", icons::STOP))
            .on_hover_text("Stop testing the connections not tested yet")
            .accessible_name("Cancel test all");
        let progress = format!("Testing {} of {}…", run.done(), run.total);
        buttons::add(ui, false, icons::TEST_ALL, "Test all", Emphasis::Plain);
        ui.label(progress);
        ui.spinner();
        if cancel.clicked() {
            commands.push(Command::CancelTestAll);
        }
        return;
    }
    let any = !state.connections.is_empty();
    let test_all = buttons::add(ui, any, icons::TEST_ALL, "Test all", Emphasis::Plain)
        .on_hover_text("Test every saved connection, four at a time");
    if test_all.clicked() {
        commands.push(Command::TestAll);
    }
}

fn status_bar(ui: &mut Ui, state: &AppState) {
    egui::Panel::bottom("status_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            let testing = state.tests_running.len();
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
            count_ui(ui, state);
        });
    });
}

fn count_ui(ui: &mut Ui, state: &AppState) {
    if !state.list_loaded {
        ui.label(RichText::new(sidebar::LOADING).small().weak());
        return;
    }
    let count = state.connections.len();
    let noun = if count == 1 {
        "connection"
    } else {
        "connections"
    };
    ui.label(RichText::new(format!("{count} {noun}")).small().weak());
}

/// The last action's result, over the bottom of the window, until it expires.
fn toast(ctx: &egui::Context, state: &AppState, commands: &mut Vec<Command>) {
    let Some(notice) = state.notice.as_ref() else {
        return;
    };
    // The frame that takes it away.
    let left = notice.secs_left(state.now).max(0.0);
    ctx.request_repaint_after(std::time::Duration::from_secs_f64(left));
    let dismissed = egui::Area::new(egui::Id::unique("toast"))
        .anchor(egui::Align2::CENTER_BOTTOM, egui::vec2(0.0, -36.0))
        .order(egui::Order::Foreground)
        // Announced by screen readers as it appears.
        .role(egui::accesskit::Role::Alert)
        .accessible_name("Notice")
        .show(ctx, |ui| {
            let visuals = ui.visuals().clone();
            let accent = if notice.is_error {
                super::theme::danger(&visuals)
            } else {
                visuals.selection.stroke.color
            };
            egui::Frame::popup(ui.style())
                .stroke(egui::Stroke::new(1.5, accent))
                .show(ui, |ui| {
                    ui.set_max_width(520.0);
                    ui.horizontal(|ui| {
                        let text = super::widgets::displayable(&notice.text);
                        let text = if notice.is_error {
                            RichText::new(text).color(accent)
                        } else {
                            RichText::new(text)
                        };
                        ui.add(egui::Label::new(text).wrap());
                        ui.small_button("×")
                            .on_hover_text("Dismiss")
                            .accessible_name("Dismiss")
                            .clicked()
                    })
                    .inner
                })
                .inner
        })
        .inner;
    if dismissed {
        commands.push(Command::DismissNotice);
    }
}
