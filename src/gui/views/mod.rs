//! The window's layout: top bar, status bar, the current view and the open
//! dialog, drawn from [`AppState`] in one function that tests drive too.

use eframe::egui;

mod activity;
mod editor;
mod editor_actions;
mod mcp_setup;
mod sidebar;

pub use editor::secret_field_id;
pub(crate) use sidebar::list_id;

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};

use super::command::Command;
use super::dialogs;
use super::prefs::ThemeChoice;
use super::state::{AppState, Dialog, View};

/// Draws one frame of the whole window and applies what the person did.
pub fn show(ui: &mut Ui, state: &mut AppState) {
    let ctx = ui.ctx().clone();
    let focused = ctx.input(|input| input.viewport().focused);
    if !state.started {
        state.started = true;
        super::theme::install(&ctx);
        if !state.list_requested {
            state.send(Command::Reload);
        }
    } else if focused == Some(true) && state.window_focused == Some(false) {
        // Focus came back: another odoo-connections (CLI, MCP) may have
        // changed the file meanwhile.
        state.send(Command::Reload);
    }
    state.window_focused = focused;
    apply_theme(&ctx, state);
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
    toast(&ctx, state);
    dialogs::show(&ctx, state);
    state.apply_commands(&ctx);
}

fn shortcuts(ctx: &egui::Context, state: &mut AppState) {
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
            state.send(Command::New);
        }
        if input.consume_shortcut(&shortcut(Key::F)) {
            state.send(Command::FocusSearch);
        }
        if input.consume_shortcut(&shortcut(Key::S)) {
            state.send(Command::Save { then: None });
        }
        if in_search && input.consume_key(Modifiers::NONE, Key::ArrowDown) {
            state.send(Command::FocusList);
        }
        if !on_list {
            return;
        }
        if input.consume_key(Modifiers::NONE, Key::Delete) {
            state.send(Command::AskDelete);
        }
        let moves = [
            (Key::ArrowDown, 1),
            (Key::ArrowUp, -1),
            (Key::Home, isize::MIN),
            (Key::End, isize::MAX),
        ];
        for (key, step) in moves {
            if input.consume_key(Modifiers::NONE, key) {
                state.send(Command::SelectNeighbour(step));
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

fn theme_menu(ui: &mut Ui, state: &mut AppState) {
    let mut picked = state.prefs.theme;
    super::widgets::choice(ui, "theme", 90.0, &mut picked, &ThemeChoice::ALL)
        .accessible_name("Theme")
        .on_hover_text("Follow the desktop, or always light or dark");
    if picked != state.prefs.theme {
        state.send(Command::SetTheme(picked));
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
                theme_menu(ui, state);
                ui.separator();
                test_all_ui(ui, state);
                let new = ui.button("New connection").on_hover_text("Ctrl+N");
                if new.clicked() {
                    state.send(Command::New);
                }
            });
        });
        ui.add_space(2.0);
    });
}

/// "Test all", or its progress and Cancel while it runs.
fn test_all_ui(ui: &mut Ui, state: &mut AppState) {
    if let Some(run) = &state.test_all {
        let cancel = ui
            .button("Cancel")
            .on_hover_text("Stop testing the connections not tested yet")
            .accessible_name("Cancel test all");
        let progress = format!("Testing {} of {}…", run.done(), run.total);
        ui.add_enabled(false, egui::Button::new("Test all"));
        ui.label(progress);
        ui.spinner();
        if cancel.clicked() {
            state.send(Command::CancelTestAll);
        }
        return;
    }
    let any = !state.connections.is_empty();
    let test_all = ui
        .add_enabled(any, egui::Button::new("Test all"))
        .on_hover_text("Test every saved connection, four at a time");
    if test_all.clicked() {
        state.send(Command::TestAll);
    }
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
fn toast(ctx: &egui::Context, state: &mut AppState) {
    let now = ctx.input(|input| input.time);
    let Some(notice) = state.notice.as_mut() else {
        return;
    };
    let shown_at = *notice.shown_at.get_or_insert(now);
    let left = notice.lifetime_secs() - (now - shown_at);
    if left <= 0.0 {
        state.notice = None;
        return;
    }
    ctx.request_repaint_after(std::time::Duration::from_secs_f64(left));
    let notice = notice.clone();
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
        state.notice = None;
    }
}
