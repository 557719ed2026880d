//! "Test all": progress as "n of N", the button disabled while it runs, a
//! Cancel, and a summary at the end; against the real Odoo test server.
#![cfg(feature = "gui")]

mod gui_support;
mod support;

use egui_kittest::kittest::Queryable as _;
use odoo_connections::model::Environment;

use gui_support::{add, clean_up, click, draft, is_enabled, open, patient_draft, settle, wait_for};
use support::odoo_server::{serve_acme, serve_unanswering, server_runtime};
use support::sandbox::Sandbox;

#[test]
fn test_all_ends_with_a_summary() {
    let runtime = server_runtime();
    let server = serve_acme(&runtime);
    let sandbox = Sandbox::new();
    for (name, secret) in [("one", "k3y"), ("two", "k3y"), ("wrong", "nope")] {
        add(
            &sandbox,
            draft(name, &server.url(), Environment::Staging),
            secret,
        );
    }
    let mut harness = open(&sandbox);
    click(&mut harness, "Test all");
    harness.get_by_label("Tested 3 connections: 2 OK, 1 failed");
    assert!(is_enabled(&harness, "Test all"), "enabled again at the end");
    clean_up(&sandbox);
}

#[test]
fn test_all_shows_its_progress_is_disabled_while_running_and_can_be_cancelled() {
    let runtime = server_runtime();
    let good = serve_acme(&runtime);
    let stuck = serve_unanswering(&runtime);
    let sandbox = Sandbox::new();
    for (name, url) in [
        ("one", good.url()),
        ("two", good.url()),
        ("stuck", stuck.url()),
    ] {
        add(
            &sandbox,
            patient_draft(name, &url, Environment::Staging),
            "k3y",
        );
    }
    let mut harness = open(&sandbox);
    harness.get_by_label("Test all").click();
    wait_for(&mut harness, "Testing 2 of 3…");
    assert!(!is_enabled(&harness, "Test all"), "no second run meanwhile");

    click(&mut harness, "Cancel test all");
    harness.get_by_label("Test all cancelled after 2 of 3: 2 OK, 0 failed");
    assert!(harness.query_by_label_contains("Testing").is_none());
    assert!(is_enabled(&harness, "Test all"));
    settle(&mut harness);
    clean_up(&sandbox);
}
