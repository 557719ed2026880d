//! The connection list: the search (environment included) with its count
//! and highlighted matches, tags on rows, the sort orders and groupings
//! (remembered across runs, arrows following the shown order), the
//! scrollbar kept off the badges, a test run in the window reordering
//! "last test" at once, and what a screen reader learns: the
//! list's size, each row's place, selected rather than checked.
#![cfg(feature = "gui")]

mod gui_support;
mod support;

use std::os::unix::fs::PermissionsExt as _;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _, by};
use odoo_connections::gui::Window;
use odoo_connections::model::{ConnectionDraft, ConnectionId, Environment};
use odoo_connections::store::ConnectionStore;

use eframe::egui;
use egui::accesskit::Role;
use egui::{Key, Modifiers};

use gui_support::{
    add, builder, clean_up, click, combo_value, draft, open, press, press_with, row_description,
    seed, select, settle, state,
};
use support::odoo_server::{serve_acme, server_runtime};
use support::sandbox::Sandbox;

/// `c-prod` (Production, tags `eu, client-a`), `a-stage` (Staging, no tag)
/// and `b-dev` (Development, tag `client-b`), in this file order.
fn seed_three(sandbox: &Sandbox) -> [ConnectionId; 3] {
    [
        ("c-prod", Environment::Production, "eu, client-a"),
        ("a-stage", Environment::Staging, ""),
        ("b-dev", Environment::Development, "client-b"),
    ]
    .map(|(name, environment, tags)| {
        seed(
            sandbox,
            name,
            &format!("https://{name}.example"),
            environment,
            tags,
        )
        .id
    })
}

/// Remembers a last test of each of `ids`, the first the newest.
fn remember_tests(sandbox: &Sandbox, ids: &[ConnectionId]) {
    let results: serde_json::Map<String, serde_json::Value> = ids
        .iter()
        .enumerate()
        .map(|(age, id)| {
            let time = format!("2026-11-25T09:{:02}:00Z", 50 - age);
            let entry = serde_json::json!({
                "time": time, "ok": true, "code": "ok", "message": "connected", "latency_ms": 5
            });
            (id.to_string(), entry)
        })
        .collect();
    let dir = sandbox.paths().state_dir().to_path_buf();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let file = dir.join("last-tests.json");
    std::fs::write(&file, serde_json::json!({ "results": results }).to_string()).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// The list's lines in the order a screen reader meets them: rows by
/// name, headers as `# title`.
fn lines(harness: &Harness<'_, Window>) -> Vec<String> {
    let list = harness.get_by_role_and_label(Role::ListBox, "Connections");
    list.query_all(
        by().predicate(|node| matches!(node.role(), Role::ListBoxOption | Role::Heading)),
    )
    .map(|node| {
        let label = node.accesskit_node().label().unwrap_or_default();
        match node.accesskit_node().role() {
            Role::Heading => format!("# {label}"),
            _ => label,
        }
    })
    .collect()
}

fn rows(harness: &Harness<'_, Window>) -> Vec<String> {
    lines(harness)
        .into_iter()
        .filter(|line| !line.starts_with('#'))
        .collect()
}

/// Picks `option` in the dropdown `label`.
fn pick(harness: &mut Harness<'_, Window>, label: &str, option: &str) {
    click(harness, label);
    click(harness, option);
    assert_eq!(combo_value(harness, label), option);
}

fn search_for(harness: &mut Harness<'_, Window>, text: &str) {
    press_with(harness, Modifiers::COMMAND, Key::F);
    harness.event(egui::Event::Text(text.into()));
    settle(harness);
}

#[test]
fn the_search_finds_the_environment_counts_and_marks_its_matches() {
    let sandbox = Sandbox::new();
    seed_three(&sandbox);
    let mut harness = open(&sandbox);
    let list = harness.get_by_role_and_label(Role::ListBox, "Connections");
    assert_eq!(
        list.accesskit_node().description().as_deref(),
        Some("3 connections")
    );

    search_for(&mut harness, "PROD");
    assert_eq!(rows(&harness), ["c-prod"], "production matches “PROD”");
    harness.get_by_label("1 of 3 connections");
    let description = row_description(&harness, "c-prod");
    assert!(
        description.contains("search matches the name, the URL, the environment"),
        "{description}"
    );

    click(&mut harness, "Clear search");
    search_for(&mut harness, "client");
    assert_eq!(rows(&harness), ["b-dev", "c-prod"]);
    harness.get_by_label("2 of 3 connections");
    assert!(row_description(&harness, "b-dev").ends_with("search matches the tag"));

    click(&mut harness, "Clear search");
    search_for(&mut harness, "ADMIN");
    harness.get_by_label("3 of 3 connections");
    assert!(row_description(&harness, "a-stage").ends_with("search matches the login"));
    click(&mut harness, "Clear search");
    search_for(&mut harness, "client");
    harness.snapshot("list_search_marks_matches");
    clean_up(&sandbox);
}

#[test]
fn rows_show_their_tags_cut_short_when_long() {
    let sandbox = Sandbox::new();
    seed_three(&sandbox);
    let long_name = "d-a-connection-name-longer-than-the-sidebar";
    seed(
        &sandbox,
        long_name,
        "https://a-server-with-a-long-host-name.example.com:8443",
        Environment::Production,
        "a-tag-longer-than-its-share-32, second, third",
    );
    seed(
        &sandbox,
        "e-many-tags",
        "https://e.example",
        Environment::Staging,
        "one, two, three, four, five, six",
    );
    let mut harness = open(&sandbox);
    assert!(row_description(&harness, "c-prod").contains("tags: eu, client-a"));
    assert!(!row_description(&harness, "a-stage").contains("tags"));
    assert!(
        row_description(&harness, long_name)
            .contains("tags: a-tag-longer-than-its-share-32, second")
    );
    // Seen in the snapshot: names, URLs and tags end in "…" before the
    // badge and the dot; the tags that do not fit are counted ("+4").
    harness.snapshot("list_long_names_and_tags");
    clean_up(&sandbox);
}

#[test]
fn each_sort_order_changes_the_order_and_the_arrows_follow_it() {
    let sandbox = Sandbox::new();
    let [prod, _stage, dev] = seed_three(&sandbox);
    remember_tests(&sandbox, &[dev, prod]);
    let mut harness = open(&sandbox);
    assert_eq!(combo_value(&harness, "Sort by"), "Name");
    assert_eq!(rows(&harness), ["a-stage", "b-dev", "c-prod"]);

    pick(&mut harness, "Sort by", "Environment");
    assert_eq!(rows(&harness), ["c-prod", "a-stage", "b-dev"]);
    pick(&mut harness, "Sort by", "Last test");
    assert_eq!(
        rows(&harness),
        ["b-dev", "c-prod", "a-stage"],
        "newest test first, never tested last"
    );

    press_with(&mut harness, Modifiers::COMMAND, Key::F);
    press(&mut harness, Key::ArrowDown);
    assert_eq!(harness.state().editor_name(), Some("b-dev"));
    press(&mut harness, Key::ArrowDown);
    assert_eq!(harness.state().editor_name(), Some("c-prod"));
    press(&mut harness, Key::ArrowDown);
    assert_eq!(harness.state().editor_name(), Some("a-stage"));
    clean_up(&sandbox);
}

#[test]
fn a_test_run_in_the_window_moves_its_connection_up_the_last_test_order_at_once() {
    let runtime = server_runtime();
    let server = serve_acme(&runtime);
    let sandbox = Sandbox::new();
    let [older, _never] = ["older", "never"].map(|name| {
        add(
            &sandbox,
            draft(name, &server.url(), Environment::Staging),
            "k3y",
        )
        .id
    });
    remember_tests(&sandbox, &[older]);
    let mut harness = open(&sandbox);
    pick(&mut harness, "Sort by", "Last test");
    assert_eq!(rows(&harness), ["older", "never"]);

    select(&mut harness, "never");
    click(&mut harness, "Test connection");
    settle(&mut harness);
    assert_eq!(
        rows(&harness),
        ["never", "older"],
        "the fresh test is the newest, without reading the files again"
    );
    clean_up(&sandbox);
}

#[test]
fn grouping_shows_headers_that_the_arrows_skip() {
    let sandbox = Sandbox::new();
    seed_three(&sandbox);
    let mut harness = open(&sandbox);
    pick(&mut harness, "Group by", "Environment");
    assert_eq!(
        lines(&harness),
        [
            "# Production, 1 connection",
            "c-prod",
            "# Staging, 1 connection",
            "a-stage",
            "# Development, 1 connection",
            "b-dev"
        ]
    );
    press_with(&mut harness, Modifiers::COMMAND, Key::F);
    press(&mut harness, Key::ArrowDown);
    assert_eq!(harness.state().editor_name(), Some("c-prod"));
    press(&mut harness, Key::ArrowDown);
    assert_eq!(harness.state().editor_name(), Some("a-stage"));
    press(&mut harness, Key::End);
    assert_eq!(harness.state().editor_name(), Some("b-dev"));
    press(&mut harness, Key::ArrowUp);
    assert_eq!(harness.state().editor_name(), Some("a-stage"));

    pick(&mut harness, "Group by", "Tag");
    assert_eq!(
        lines(&harness),
        [
            "# client-b, 1 connection",
            "b-dev",
            "# eu, 1 connection",
            "c-prod",
            "# No tag, 1 connection",
            "a-stage"
        ],
        "under the first tag, the untagged last"
    );
    harness.snapshot("list_grouped_by_tag");
    clean_up(&sandbox);
}

#[test]
fn the_sort_and_grouping_are_remembered_after_reopening() {
    let sandbox = Sandbox::new();
    seed_three(&sandbox);
    let mut harness = open(&sandbox);
    pick(&mut harness, "Sort by", "Environment");
    pick(&mut harness, "Group by", "Tag");
    drop(harness);

    let mut harness =
        builder(egui::Theme::Light).build_ui_state(odoo_connections::gui::show, state(&sandbox));
    settle(&mut harness);
    assert_eq!(combo_value(&harness, "Sort by"), "Environment");
    assert_eq!(combo_value(&harness, "Group by"), "Tag");
    assert_eq!(rows(&harness), ["b-dev", "c-prod", "a-stage"]);
    clean_up(&sandbox);
}

/// Stores `count` connections `conn-000`… straight in the file (no secrets).
fn store_many(sandbox: &Sandbox, count: usize) {
    ConnectionStore::new(&sandbox.paths())
        .update(|document| {
            for index in 0..count {
                let draft = ConnectionDraft {
                    name: format!("conn-{index:03}"),
                    url: format!("https://erp{index}.example"),
                    database: "erp".into(),
                    login: "admin".into(),
                    ..ConnectionDraft::new()
                };
                document.insert(
                    draft
                        .build(ConnectionId::random(), Default::default())
                        .unwrap(),
                )?;
            }
            Ok(())
        })
        .expect("store connections");
}

#[test]
fn the_list_tells_its_size_and_each_row_its_place_and_selection() {
    let sandbox = Sandbox::new();
    store_many(&sandbox, 60);
    let mut harness = open(&sandbox);
    let list = harness.get_by_role_and_label(Role::ListBox, "Connections");
    assert_eq!(list.accesskit_node().size_of_set(), Some(60));
    assert_eq!(
        list.accesskit_node().description().as_deref(),
        Some("60 connections")
    );
    let laid_out = rows(&harness).len();
    assert!(
        laid_out < 60,
        "only the rows in view are laid out ({laid_out})"
    );

    select(&mut harness, "conn-002");
    let row = harness.get_by_role_and_label(Role::ListBoxOption, "conn-002");
    assert_eq!(row.accesskit_node().position_in_set(), Some(2));
    assert_eq!(row.accesskit_node().is_selected(), Some(true));
    assert!(
        row.accesskit_node().toggled().is_none(),
        "selected, not checked"
    );
    let other = harness.get_by_role_and_label(Role::ListBoxOption, "conn-003");
    assert_eq!(other.accesskit_node().is_selected(), Some(false));

    search_for(&mut harness, "conn-05");
    let list = harness.get_by_role_and_label(Role::ListBox, "Connections");
    assert_eq!(list.accesskit_node().size_of_set(), Some(10));
}

#[test]
fn the_rows_stay_inside_the_sidebar_and_off_the_scrollbar() {
    let sandbox = Sandbox::new();
    store_many(&sandbox, 60);
    // The smallest window: the sidebar is at its narrowest, 34% of the width.
    for (width, height) in [(1100.0, 720.0), (640.0, 480.0)] {
        let mut harness = builder(egui::Theme::Light)
            .with_size(egui::vec2(width, height))
            .build_ui_state(odoo_connections::gui::show, state(&sandbox));
        settle(&mut harness);
        // The longest choices.
        pick(&mut harness, "Sort by", "Environment");
        pick(&mut harness, "Group by", "Environment");
        let sidebar = f32::min(width * 0.34, 280.0);
        // The search line spans the sidebar's width, as the scroll area does.
        let content_right = harness.get_by_label("Clear search").rect().right();
        assert!(
            content_right <= sidebar,
            "{content_right} in a {sidebar} sidebar"
        );
        let row = harness
            .get_by_role_and_label(Role::ListBoxOption, "conn-000")
            .rect();
        let bar = harness.ctx.global_style().spacing.scroll.bar_width;
        assert!(
            row.right() + bar <= content_right,
            "the row {row:?} leaves the scrollbar its {bar} points left of {content_right}"
        );
    }
}
