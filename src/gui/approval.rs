//! The approval window the launcher shows before an AI agent may use a
//! tool the policy marks `require_approval`: it names the tool and what it
//! will do; Allow or Deny, where Esc, closing the window and letting its
//! countdown run out deny.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eframe::egui;
use egui::{Button, Key, Modifiers, RichText, Ui};

use super::GuiError;

/// The question and, once given, the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// The tool asking (e.g. `open_connection_manager`).
    pub tool: String,
    /// Who asks (e.g. `mcp`).
    pub caller: String,
    /// What the tool will do, in a person's words.
    pub action: String,
    /// `Some(true)` allowed, `Some(false)` denied, `None` not answered yet.
    pub answer: Option<bool>,
    /// When the window denies by itself.
    pub deadline: Instant,
}

impl Approval {
    /// An unanswered question that denies by itself after `wait`.
    pub fn new(
        tool: impl Into<String>,
        caller: impl Into<String>,
        action: impl Into<String>,
        wait: Duration,
    ) -> Self {
        Self {
            tool: tool.into(),
            caller: caller.into(),
            action: action.into(),
            answer: None,
            deadline: Instant::now() + wait,
        }
    }

    /// Draws the question and records the answer.
    pub fn ui(&mut self, ui: &mut Ui) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(6.0);
            ui.heading(format!("Allow an AI agent to use the tool {}?", self.tool));
            ui.add_space(8.0);
            ui.label(format!("It will {}.", self.action));
            ui.label(
                RichText::new(format!(
                    "Requested by {} through the tool {}.",
                    self.caller, self.tool
                ))
                .weak(),
            );
            ui.add_space(8.0);
            self.count_down(ui);
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.add(Button::new("Deny")).clicked() {
                    self.answer = Some(false);
                }
                if ui.add(Button::new("Allow")).clicked() {
                    self.answer = Some(true);
                }
            });
        });
        if ui.input_mut(|input| input.consume_key(Modifiers::NONE, Key::Escape)) {
            self.answer = Some(false);
        }
    }

    /// Shows the time left and denies once it has run out; repaints only
    /// when the shown second changes.
    fn count_down(&mut self, ui: &mut Ui) {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            self.answer.get_or_insert(false);
            return;
        }
        let shown_secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        ui.label(format!(
            "Denied automatically in {}:{:02} if nobody answers.",
            shown_secs / 60,
            shown_secs % 60
        ));
        let until_next_second = left.saturating_sub(Duration::from_secs(shown_secs - 1));
        ui.ctx().request_repaint_after(until_next_second);
    }
}

struct ApprovalApp {
    approval: Approval,
    answer: Arc<Mutex<Option<bool>>>,
    closing: bool,
    frames: u8,
}

impl eframe::App for ApprovalApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.approval.ui(ui);
        // The first frame is on screen when the second starts (one extra repaint).
        if self.frames < 2 {
            self.frames += 1;
            if self.frames == 2 {
                tracing::info!("approval window ready");
            } else {
                ui.ctx().request_repaint();
            }
        }
        if let Ok(mut answer) = self.answer.lock() {
            *answer = self.approval.answer;
        }
        if self.approval.answer.is_some() && !self.closing {
            self.closing = true;
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }
}

/// Shows the approval window; `Ok(true)` only when the person chose Allow
/// within `wait`.
pub fn run(tool: &str, caller: &str, action: &str, wait: Duration) -> Result<bool, GuiError> {
    let answer = Arc::new(Mutex::new(None));
    let options = window_options();
    let app = ApprovalApp {
        approval: Approval::new(tool, caller, action, wait),
        answer: Arc::clone(&answer),
        closing: false,
        frames: 0,
    };
    eframe::run_native(
        "odoo-connections-approval",
        options,
        Box::new(move |_| Ok(Box::new(app))),
    )
    .map_err(|err| GuiError::Window(err.to_string()))?;
    let allowed = answer.lock().ok().and_then(|answer| *answer) == Some(true);
    Ok(allowed)
}

/// A small fixed window in the middle of the screen, above the others,
/// that cannot be maximized.
fn window_options() -> eframe::NativeOptions {
    let viewport = egui::ViewportBuilder::default()
        .with_title("Allow access? — Odoo Connection Manager")
        .with_app_id(super::APP_ID)
        .with_inner_size([520.0, 190.0])
        .with_resizable(false)
        .with_maximize_button(false)
        .with_always_on_top()
        .with_icon(super::icon());
    eframe::NativeOptions {
        viewport,
        centered: true,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;

    use super::*;

    fn harness() -> Harness<'static, Approval> {
        Harness::new_ui_state(
            |ui, approval: &mut Approval| approval.ui(ui),
            Approval::new(
                "list_connections",
                "mcp",
                "read the list of your saved connections",
                Duration::from_secs(120),
            ),
        )
    }

    #[test]
    fn the_window_is_centred_on_top_fixed_and_has_no_maximize_button() {
        let options = window_options();
        assert!(options.centered, "placed in the middle of the screen");
        let viewport = options.viewport;
        assert_eq!(viewport.maximize_button, Some(false));
        assert_eq!(viewport.resizable, Some(false));
        assert_eq!(viewport.window_level, Some(egui::WindowLevel::AlwaysOnTop));
    }

    #[test]
    fn allow_is_an_explicit_click() {
        let mut harness = harness();
        harness.run();
        harness.get_by_label_contains("Requested by mcp");
        harness.get_by_label("Allow an AI agent to use the tool list_connections?");
        harness.get_by_label("It will read the list of your saved connections.");
        assert_eq!(harness.state().answer, None);
        harness.get_by_label("Allow").click();
        harness.run();
        assert_eq!(harness.state().answer, Some(true));
    }

    #[test]
    fn deny_and_escape_both_deny() {
        let mut harness = harness();
        harness.get_by_label("Deny").click();
        harness.run();
        assert_eq!(harness.state().answer, Some(false));
        let mut harness = self::harness();
        harness.run();
        harness.key_press(Key::Escape);
        harness.run();
        assert_eq!(harness.state().answer, Some(false));
    }

    #[test]
    fn the_countdown_shows_the_time_left_and_denies_when_it_runs_out() {
        let mut harness = harness();
        harness.run();
        let shown = |time: &str| {
            harness
                .query_by_label(&format!(
                    "Denied automatically in {time} if nobody answers."
                ))
                .is_some()
        };
        // 1:59 on a machine slow enough to lose a second before the first frame.
        assert!(shown("2:00") || shown("1:59"), "the countdown is shown");
        assert_eq!(harness.state().answer, None);

        harness.state_mut().deadline = Instant::now();
        harness.run();
        assert_eq!(harness.state().answer, Some(false));
    }
}
