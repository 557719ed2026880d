//! The approval window the launcher shows before an AI agent may open the
//! Connection Manager: Allow or Deny, where Esc and closing the window deny.

use std::sync::{Arc, Mutex};

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
    /// `Some(true)` allowed, `Some(false)` denied, `None` not answered yet.
    pub answer: Option<bool>,
}

impl Approval {
    /// An unanswered question.
    pub fn new(tool: impl Into<String>, caller: impl Into<String>) -> Self {
        Self {
            tool: tool.into(),
            caller: caller.into(),
            answer: None,
        }
    }

    /// Draws the question and records the answer.
    pub fn ui(&mut self, ui: &mut Ui) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(6.0);
            ui.heading("Allow an AI agent to open the Odoo Connection Manager?");
            ui.add_space(8.0);
            ui.label(format!(
                "Requested by {} through the tool {}.",
                self.caller, self.tool
            ));
            ui.label(
                RichText::new(
                    "The window shows your connections. Secrets stay hidden unless you reveal them.",
                )
                .weak(),
            );
            ui.add_space(16.0);
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

/// Shows the approval window; `Ok(true)` only when the person chose Allow.
pub fn run(tool: &str, caller: &str) -> Result<bool, GuiError> {
    let answer = Arc::new(Mutex::new(None));
    let viewport = egui::ViewportBuilder::default()
        .with_title("Allow access? — Odoo Connection Manager")
        .with_app_id(super::APP_ID)
        .with_inner_size([520.0, 150.0])
        .with_resizable(false)
        .with_always_on_top()
        .with_icon(super::icon());
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    let app = ApprovalApp {
        approval: Approval::new(tool, caller),
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

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;

    use super::*;

    fn harness() -> Harness<'static, Approval> {
        Harness::new_ui_state(
            |ui, approval: &mut Approval| approval.ui(ui),
            Approval::new("open_connection_manager", "mcp"),
        )
    }

    #[test]
    fn allow_is_an_explicit_click() {
        let mut harness = harness();
        harness.run();
        harness.get_by_label_contains("Requested by mcp");
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
}
