//! The approval window the launcher shows before an AI agent may use a
//! tool the policy marks `require_approval`: it names the client, the tool,
//! what it will do, the connection and its environment, and sums up the
//! arguments (all of them behind "Show all arguments"); Allow or Deny,
//! where Esc, closing the window and letting its countdown run out deny.
//! Several windows at once are told apart: each says its request number,
//! when it was asked and how many others wait, and is placed apart.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eframe::egui;
use egui::{Button, Key, Modifiers, RichText, Ui};

use crate::launcher::request::ApprovalRequest;
use crate::launcher::slots::ApprovalSlot;

use super::GuiError;

/// The question and, once given, the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// The call asking (secret already scrubbed by the launcher).
    pub request: ApprovalRequest,
    /// `Some(true)` allowed, `Some(false)` denied, `None` not answered yet.
    pub answer: Option<bool>,
    /// When the window denies by itself.
    pub deadline: Instant,
    /// Which of the open approval windows this is, when known.
    pub place: Option<Place>,
}

/// Which of several open approval windows this one is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Its request number, from 1.
    pub number: usize,
    /// How many other approval windows are open.
    pub others: usize,
    /// When it was asked, as local time.
    pub asked_at: String,
}

impl Place {
    /// True when more than one request is, or was, waiting: the window
    /// then says which one it is.
    pub fn is_one_of_several(&self) -> bool {
        self.number > 1 || self.others > 0
    }
}

/// The window title; with other requests open, it carries the number.
fn title(place: Option<&Place>) -> String {
    match place.filter(|place| place.is_one_of_several()) {
        Some(place) => format!(
            "Allow access? (request {}) — Odoo Connection Manager",
            place.number
        ),
        None => "Allow access? — Odoo Connection Manager".to_owned(),
    }
}

impl Approval {
    /// An unanswered question that denies by itself after `wait`.
    pub fn new(request: ApprovalRequest, wait: Duration) -> Self {
        Self {
            request,
            answer: None,
            deadline: Instant::now() + wait,
            place: None,
        }
    }

    /// Draws the question and records the answer.
    pub fn ui(&mut self, ui: &mut Ui) {
        egui::CentralPanel::default().show(ui, |ui| {
            let request = &self.request;
            let asker = request.client.as_deref().unwrap_or("an AI agent");
            ui.add_space(6.0);
            if let Some(place) = self
                .place
                .as_ref()
                .filter(|place| place.is_one_of_several())
            {
                place_ui(ui, place);
            }
            ui.heading(format!("Allow {asker} to use the tool {}?", request.tool));
            ui.add_space(8.0);
            ui.label(format!("It will {}.", request.action));
            if let Some(connection) = &request.connection {
                let environment = request
                    .environment
                    .as_deref()
                    .unwrap_or("unknown environment");
                let text = format!("Connection: {connection} ({environment})");
                if request.environment.as_deref() == Some("production") {
                    ui.label(
                        RichText::new(text)
                            .strong()
                            .color(ui.visuals().error_fg_color),
                    );
                } else {
                    ui.label(text);
                }
            }
            ui.label(
                RichText::new(format!(
                    "Requested by {asker} through {} ({}).",
                    request.tool, request.caller
                ))
                .weak(),
            );
            self.arguments(ui);
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

    /// The arguments' summary, and all of them behind a disclosure.
    fn arguments(&self, ui: &mut Ui) {
        let Some(all) = &self.request.arguments else {
            return;
        };
        ui.add_space(6.0);
        if self.request.summary.is_empty() {
            ui.label("Without arguments.");
            return;
        }
        ui.label("With the arguments:");
        for line in &self.request.summary {
            ui.label(RichText::new(line).monospace());
        }
        egui::CollapsingHeader::new("Show all arguments")
            .default_open(false)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .max_height(160.0)
                    .show(ui, |ui| {
                        ui.label(RichText::new(all).monospace());
                    });
            });
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

/// "Request 2, asked at 10:14:03", and how many others wait.
fn place_ui(ui: &mut Ui, place: &Place) {
    ui.label(
        RichText::new(format!(
            "Request {}, asked at {}",
            place.number, place.asked_at
        ))
        .strong(),
    );
    let others = match place.others {
        0 => "No other request is waiting now.".to_owned(),
        1 => "1 other request waits in its own window; each is answered on its own.".to_owned(),
        n => format!("{n} other requests wait in their own windows; each is answered on its own."),
    };
    ui.label(RichText::new(others).weak());
    ui.add_space(6.0);
}

/// How far each further approval window is moved from the first.
const CASCADE_STEP: f32 = 36.0;

struct ApprovalApp {
    approval: Approval,
    slot: Option<ApprovalSlot>,
    shown_title: String,
    focused: bool,
    answer: Arc<Mutex<Option<bool>>>,
    closing: bool,
    frames: u8,
}

impl eframe::App for ApprovalApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.follow_the_others(ui.ctx());
        let focused = ui.ctx().input(|input| input.viewport().focused) == Some(true);
        if focused != self.focused {
            // Whether keys typed now reach the window (tests wait for it).
            self.focused = focused;
            let now = if focused { "has" } else { "lost" };
            tracing::info!("approval window {now} the keyboard focus");
        }
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

impl ApprovalApp {
    /// Counts the other open approval windows, retitles this one when that
    /// makes it one of several, and moves a further window off the first.
    fn follow_the_others(&mut self, ctx: &egui::Context) {
        let (Some(slot), Some(place)) = (&self.slot, self.approval.place.as_mut()) else {
            return;
        };
        place.others = slot.others_open();
        let title = title(Some(place));
        if title != self.shown_title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.shown_title = title;
        }
        let outer = ctx.input(|input| input.viewport().outer_rect);
        if self.frames == 0
            && place.number > 1
            && let Some(outer) = outer
        {
            let step = CASCADE_STEP * ((place.number - 1) % 8) as f32;
            let moved = outer.min + egui::vec2(step, step);
            ctx.send_viewport_cmd(egui::ViewportCommand::OuterPosition(moved));
        }
    }
}

/// Shows the approval window for `request`; `Ok(true)` only when the
/// person chose Allow within `wait`. `slot` tells it apart from other
/// approval windows open at the same time.
pub fn run(
    request: &ApprovalRequest,
    wait: Duration,
    slot: Option<ApprovalSlot>,
) -> Result<bool, GuiError> {
    let answer = Arc::new(Mutex::new(None));
    let mut approval = Approval::new(request.clone(), wait);
    approval.place = slot.as_ref().map(|slot| Place {
        number: slot.number(),
        others: slot.others_open(),
        asked_at: super::widgets::local_time(time::OffsetDateTime::now_utc()),
    });
    let shown_title = title(approval.place.as_ref());
    let options = window_options(&shown_title);
    let app = ApprovalApp {
        approval,
        slot,
        shown_title,
        focused: false,
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
fn window_options(title: &str) -> eframe::NativeOptions {
    let viewport = egui::ViewportBuilder::default()
        .with_title(title)
        .with_app_id(super::APP_ID)
        .with_inner_size([560.0, 400.0])
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

    fn request(arguments: Option<serde_json::Value>) -> ApprovalRequest {
        let arguments = arguments.map(|value| value.as_object().unwrap().clone());
        ApprovalRequest {
            tool: "list_connections".into(),
            caller: "mcp".into(),
            client: Some("claude-code".into()),
            connection: Some("acme-prod".into()),
            environment: Some("production".into()),
            action: "read the list of your saved connections".into(),
            summary: arguments
                .as_ref()
                .map(|arguments| crate::policy::arguments::summary(arguments, 80))
                .unwrap_or_default(),
            arguments: arguments.map(|arguments| serde_json::to_string_pretty(&arguments).unwrap()),
            grant: crate::launcher::request::Grant {
                args_sha256: None,
                nonce: "n".into(),
                expires_at_ms: 0,
            },
        }
    }

    fn harness() -> Harness<'static, Approval> {
        harness_for(request(None))
    }

    fn harness_for(request: ApprovalRequest) -> Harness<'static, Approval> {
        Harness::new_ui_state(
            |ui, approval: &mut Approval| approval.ui(ui),
            Approval::new(request, Duration::from_secs(120)),
        )
    }

    #[test]
    fn the_window_is_centred_on_top_fixed_and_has_no_maximize_button() {
        let options = window_options("Allow access?");
        assert!(options.centered, "placed in the middle of the screen");
        let viewport = options.viewport;
        assert_eq!(viewport.maximize_button, Some(false));
        assert_eq!(viewport.resizable, Some(false));
        assert_eq!(viewport.window_level, Some(egui::WindowLevel::AlwaysOnTop));
    }

    #[test]
    fn one_of_several_windows_says_which_request_it_is_and_how_many_wait() {
        let mut approval = Approval::new(request(None), Duration::from_secs(120));
        approval.place = Some(Place {
            number: 1,
            others: 0,
            asked_at: "2026-12-02 10:14:03".into(),
        });
        let mut harness =
            Harness::new_ui_state(|ui, approval: &mut Approval| approval.ui(ui), approval);
        harness.run();
        assert!(
            harness.query_by_label_contains("Request 1").is_none(),
            "alone, it needs no number"
        );
        assert_eq!(
            title(harness.state().place.as_ref()),
            "Allow access? — Odoo Connection Manager"
        );
        if let Some(place) = harness.state_mut().place.as_mut() {
            place.others = 2;
        }
        harness.run();
        harness.get_by_label("Request 1, asked at 2026-12-02 10:14:03");
        harness.get_by_label(
            "2 other requests wait in their own windows; each is answered on its own.",
        );
        assert_eq!(
            title(harness.state().place.as_ref()),
            "Allow access? (request 1) — Odoo Connection Manager"
        );
    }

    #[test]
    fn allow_is_an_explicit_click() {
        let mut harness = harness();
        harness.run();
        harness.get_by_label_contains("Requested by claude-code through list_connections (mcp)");
        harness.get_by_label("Allow claude-code to use the tool list_connections?");
        harness.get_by_label("It will read the list of your saved connections.");
        harness.get_by_label("Connection: acme-prod (production)");
        assert_eq!(harness.state().answer, None);
        harness.get_by_label("Allow").click();
        harness.run();
        assert_eq!(harness.state().answer, Some(true));
    }

    #[test]
    fn the_arguments_are_summed_up_and_all_of_them_open_on_request() {
        let long = "x".repeat(100);
        let mut harness = harness_for(request(Some(
            serde_json::json!({"partner_id": 7, "note": long, "nested": {"deep": "hidden-until-opened"}}),
        )));
        harness.run();
        harness.get_by_label("partner_id: 7");
        harness.get_by_label(&format!("note: {}…", "x".repeat(80)));
        assert!(
            harness
                .query_by_label_contains("\"deep\": \"hidden-until-opened\"")
                .is_none(),
            "the full arguments start closed"
        );
        harness.get_by_label("Show all arguments").click();
        harness.run();
        harness.get_by_label_contains("\"deep\": \"hidden-until-opened\"");
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
