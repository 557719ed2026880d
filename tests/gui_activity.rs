//! The Activity view, driven by its labels: real audit lines written by
//! the policy's own writer, filtered by tool and by decision, with each
//! rule said in words and the whole reason kept for screen readers.
#![cfg(feature = "gui")]

mod gui_support;
mod support;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use odoo_connections::gui::Window;
use odoo_connections::policy::audit::{self, AuditEntry, Caller, Decision};

use eframe::egui;
use egui::accesskit::Role;

use gui_support::{clean_up, click, open, settle};
use support::sandbox::Sandbox;

const LONG_REASON: &str = "the policy refuses partner_delete on production connections unless a reason is given, and this call gave none; add a reason and call again";

fn write_lines(sandbox: &Sandbox) {
    let lines = [
        (
            "open_connection_manager",
            Caller::Mcp,
            Decision::Allow,
            "tools.open_connection_manager",
            None,
        ),
        (
            "open_connection_manager",
            Caller::Mcp,
            Decision::Deny,
            "tools.open_connection_manager.limits[0]",
            Some("limit 10 per minute reached; try again in 21 s"),
        ),
        (
            "partner_delete",
            Caller::Gateway,
            Decision::Deny,
            "tools.partner_delete.require[0]",
            Some(LONG_REASON),
        ),
        (
            "search_read",
            Caller::Gateway,
            Decision::Allow,
            "default",
            None,
        ),
    ];
    for (minute, (tool, caller, decision, rule, reason)) in lines.into_iter().enumerate() {
        let entry = AuditEntry {
            time: time::macros::datetime!(2026-11-25 09:00 UTC)
                + time::Duration::minutes(minute as i64),
            tool: tool.into(),
            caller,
            decision,
            rule: Some(rule.into()),
            reason: reason.map(str::to_owned),
            retry_after_secs: None,
            args_keys: None,
            args_sha256: None,
        };
        audit::append(&sandbox.paths(), &entry).unwrap();
    }
}

/// The tool of each row shown, grouped by tool.
fn shown_tools(harness: &Harness<'_, Window>) -> Vec<String> {
    ["open_connection_manager", "partner_delete", "search_read"]
        .iter()
        .flat_map(|tool| {
            let rows = harness.query_all_by_label(tool).count();
            std::iter::repeat_n((*tool).to_owned(), rows)
        })
        .collect()
}

fn pick(harness: &mut Harness<'_, Window>, label: &str, option: &str) {
    harness.get_by_role_and_label(Role::ComboBox, label).click();
    settle(harness);
    // The option, not a row's label of the same text.
    harness.get_by_role_and_label(Role::Button, option).click();
    settle(harness);
}

#[test]
fn the_log_filters_by_tool_and_decision_and_says_each_rule_in_words() {
    let sandbox = Sandbox::new();
    write_lines(&sandbox);
    let mut harness = open(&sandbox);
    click(&mut harness, "Activity");
    assert_eq!(
        shown_tools(&harness),
        [
            "open_connection_manager",
            "open_connection_manager",
            "partner_delete",
            "search_read"
        ]
    );
    harness.get_by_label_contains("limit 1 of open_connection_manager · limit 10 per minute");
    harness.get_by_label_contains("the policy's default (the tool is not listed)");
    // The long reason is cut on screen, but whole for screen readers.
    harness.get_by_label_contains(LONG_REASON);

    pick(&mut harness, "Decision", "Denied");
    assert_eq!(
        shown_tools(&harness),
        ["open_connection_manager", "partner_delete"]
    );
    pick(&mut harness, "Tool", "partner_delete");
    assert_eq!(shown_tools(&harness), ["partner_delete"]);
    harness.get_by_label_contains("required argument rule 1 of partner_delete");

    pick(&mut harness, "Decision", "Allowed");
    harness.get_by_label("No line matches these filters");
    pick(&mut harness, "Tool", "All tools");
    assert_eq!(
        shown_tools(&harness),
        ["open_connection_manager", "search_read"]
    );
    clean_up(&sandbox);
}
