//! The Activity view: the audit log, newest first, in local time, filtered
//! by tool and decision, each rule said in words.

use eframe::egui;

use egui::{RichText, Ui};

use crate::policy::audit::{AuditEntry, Decision};

use super::super::command::Command;
use super::super::state::{ActivityFilter, AppState};
use super::super::theme::{self, Outcome};
use super::super::widgets::{choice, error_text, local_time};

/// Draws the Activity view.
pub(super) fn show(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    egui::CentralPanel::default().show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.heading("Activity");
            if ui.button("Refresh").clicked() {
                commands.push(Command::RefreshActivity);
            }
        });
        ui.label(
            RichText::new(
                "Every tool call the policy decided (launcher, MCP server and gateway), and why",
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
        let mut filter = state.activity.filter.clone();
        filters(ui, &mut filter, &state.activity.entries);
        if filter != state.activity.filter {
            commands.push(Command::FilterActivity(filter.clone()));
        }
        ui.add_space(theme::SECTION_GAP);
        let shown: Vec<&AuditEntry> = (state.activity.entries.iter().rev())
            .filter(|entry| filter.keeps(entry))
            .collect();
        if shown.is_empty() {
            ui.label(RichText::new("No line matches these filters").weak());
            return;
        }
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("activity")
                .num_columns(5)
                .striped(true)
                .spacing([16.0, 6.0])
                .show(ui, |ui| {
                    for title in ["Time", "Tool", "Caller", "Decision", "Why"] {
                        ui.label(RichText::new(title).strong());
                    }
                    ui.end_row();
                    for entry in shown {
                        entry_row(ui, entry);
                    }
                });
        });
    });
}

fn filters(ui: &mut Ui, filter: &mut ActivityFilter, entries: &[AuditEntry]) {
    let mut tools: Vec<&str> = entries.iter().map(|entry| entry.tool.as_str()).collect();
    tools.sort_unstable();
    tools.dedup();
    let tool_options: Vec<(Option<String>, &str)> = std::iter::once((None, "All tools"))
        .chain(tools.iter().map(|tool| (Some((*tool).to_owned()), *tool)))
        .collect();
    ui.horizontal(|ui| {
        let label = ui.label("Tool");
        choice(ui, "activity_tool", 220.0, &mut filter.tool, &tool_options).labelled_by(label.id);
        ui.add_space(theme::SECTION_GAP);
        let label = ui.label("Decision");
        choice(
            ui,
            "activity_decision",
            140.0,
            &mut filter.decision,
            &[
                (None, "All decisions"),
                (Some(Decision::Allow), "Allowed"),
                (Some(Decision::Deny), "Denied"),
            ],
        )
        .labelled_by(label.id);
    });
}

fn entry_row(ui: &mut Ui, entry: &AuditEntry) {
    ui.label(RichText::new(local_time(entry.time)).monospace());
    ui.label(&entry.tool);
    ui.label(entry.caller.as_str());
    let (text, outcome) = match entry.decision {
        Decision::Allow => ("allowed", Outcome::Ok),
        Decision::Deny => ("denied", Outcome::Failed),
    };
    let colour = theme::outcome_colour(outcome, ui.visuals());
    ui.label(RichText::new(text).color(colour).strong());
    let why = why(entry);
    // One line per entry; the whole reason is on hover and read by screen readers.
    ui.add(egui::Label::new(&why).truncate())
        .on_hover_text(&why);
    ui.end_row();
}

/// The rule in words, then the reason and the retry hint.
fn why(entry: &AuditEntry) -> String {
    let mut why: Vec<String> = Vec::new();
    if let Some(rule) = &entry.rule {
        why.push(rule_in_words(rule));
    }
    if let Some(reason) = &entry.reason {
        why.push(reason.clone());
    }
    if let Some(secs) = entry.retry_after_secs {
        why.push(format!("retry in {secs} s"));
    }
    why.join(" · ")
}

/// A rule id of the audit log (`tools.X.limits[0]`, `default`, …) in words.
fn rule_in_words(rule: &str) -> String {
    let fixed = match rule {
        "default" => Some("the policy's default (the tool is not listed)"),
        "hide" => Some("hidden by the policy"),
        "policy" => Some("the policy file could not be used"),
        "counters" => Some("the call counters could not be used"),
        "audit" => Some("the audit log could not be written"),
        "policy.unknown_tool" => Some("named in the policy, but the server does not offer it"),
        "gateway.child_exit" => Some("the server behind the gateway exited"),
        _ => None,
    };
    if let Some(words) = fixed {
        return words.to_owned();
    }
    if let Some(index) = indexed(rule, "all_tools.limits") {
        return format!("limit {index} on all tools");
    }
    let Some(entry) = rule.strip_prefix("tools.") else {
        return format!("rule {rule}");
    };
    for (part, words) in [
        ("limits", "limit"),
        ("deny_if", "refusing argument rule"),
        ("require", "required argument rule"),
    ] {
        if let Some((tool, rest)) = entry.rsplit_once('.')
            && let Some(index) = indexed(rest, part)
        {
            return format!("{words} {index} of {tool}");
        }
    }
    if let Some(tool) = entry.strip_suffix(".deny") {
        return format!("{tool} is refused by the policy");
    }
    if let Some(tool) = entry.strip_suffix(".require_approval") {
        return format!("{tool} needs your approval");
    }
    format!("allowed by the policy's entry for {entry}")
}

/// `N + 1` for `name[N]`, counted from 1 for people.
fn indexed(text: &str, name: &str) -> Option<usize> {
    let index = text
        .strip_prefix(name)?
        .strip_prefix('[')?
        .strip_suffix(']')?;
    index.parse::<usize>().ok().map(|index| index + 1)
}

#[cfg(test)]
mod tests {
    use super::rule_in_words;

    #[test]
    fn every_kind_of_rule_is_said_in_words() {
        for (rule, words) in [
            ("default", "the policy's default (the tool is not listed)"),
            ("hide", "hidden by the policy"),
            ("all_tools.limits[0]", "limit 1 on all tools"),
            (
                "tools.open_connection_manager.limits[1]",
                "limit 2 of open_connection_manager",
            ),
            (
                "tools.execute_kw.deny_if[0]",
                "refusing argument rule 1 of execute_kw",
            ),
            (
                "tools.*_delete.require[2]",
                "required argument rule 3 of *_delete",
            ),
            (
                "tools.partner_delete.deny",
                "partner_delete is refused by the policy",
            ),
            (
                "tools.write_partner.require_approval",
                "write_partner needs your approval",
            ),
            ("tools.odoo_*", "allowed by the policy's entry for odoo_*"),
            ("tools.a.b", "allowed by the policy's entry for a.b"),
            ("something.new", "rule something.new"),
        ] {
            assert_eq!(rule_in_words(rule), words, "{rule}");
        }
    }
}
