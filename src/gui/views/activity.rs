//! The Activity view: the launcher's audit log, newest first.

use eframe::egui;

use egui::{RichText, Ui};

use crate::policy::audit::{AuditEntry, Decision};

use super::super::command::Command;
use super::super::state::AppState;
use super::super::theme::{self, Outcome};
use super::super::widgets::{error_text, utc_time};

/// Draws the Activity view.
pub(super) fn show(ui: &mut Ui, state: &mut AppState) {
    egui::CentralPanel::default().show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.heading("Activity");
            if ui.button("Refresh").clicked() {
                state.send(Command::RefreshActivity);
            }
        });
        ui.label(
            RichText::new(
                "Every request to open a tool through the launcher, and what the policy decided",
            )
            .weak(),
        );
        ui.add_space(theme::SECTION_GAP);
        if let Some(error) = &state.activity.error {
            error_text(ui, error);
        }
        if state.activity.loaded && state.activity.entries.is_empty() {
            ui.label(RichText::new("Nothing recorded yet").weak());
            return;
        }
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("activity")
                .num_columns(5)
                .striped(true)
                .spacing([16.0, 6.0])
                .show(ui, |ui| {
                    for title in ["Time (UTC)", "Tool", "Caller", "Decision", "Why"] {
                        ui.label(RichText::new(title).strong());
                    }
                    ui.end_row();
                    for entry in state.activity.entries.iter().rev() {
                        entry_row(ui, entry);
                    }
                });
        });
    });
}

fn entry_row(ui: &mut Ui, entry: &AuditEntry) {
    ui.label(RichText::new(utc_time(entry.time)).monospace());
    ui.label(&entry.tool);
    ui.label(format!("{:?}", entry.caller).to_lowercase());
    let (text, outcome) = match entry.decision {
        Decision::Allow => ("allowed", Outcome::Ok),
        Decision::Deny => ("denied", Outcome::Failed),
    };
    let colour = theme::outcome_colour(outcome, ui.visuals());
    ui.label(RichText::new(text).color(colour).strong());
    let mut why: Vec<String> = Vec::new();
    if let Some(reason) = &entry.reason {
        why.push(reason.clone());
    }
    if let Some(rule) = &entry.rule {
        why.push(format!("rule {rule}"));
    }
    if let Some(secs) = entry.retry_after_secs {
        why.push(format!("retry in {secs} s"));
    }
    ui.label(why.join(" · "));
    ui.end_row();
}
