//! The Connection Manager window, driven through its accessibility tree
//! (egui_kittest) on the real window state: real connections file in a
//! sandbox, real keyring (run under `scripts/test`), real background jobs.
#![cfg(feature = "gui")]

mod gui_support;
mod support;

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use odoo_connections::gui::{Window, secret_field_id};
use odoo_connections::model::Environment;
use support::odoo_server::{serve_acme, serve_unanswering, server_runtime};
use support::sandbox::Sandbox;

use gui_support::{
    MAX_JOB_STEPS, add, clean_up, click, draft, is_enabled, open, open_themed, patient_draft,
    replace_text, row_exists, saved, secret_of, seed, select, settle, step_frames, type_into,
};

use eframe::egui;
use egui::accesskit::Role;

#[test]
fn adding_a_connection_stores_it_and_its_secret_in_the_keyring() {
    let sandbox = Sandbox::new();
    let mut harness = open(&sandbox);
    harness.get_by_label_contains("No connections yet");
    click(&mut harness, "New connection");
    assert!(
        !is_enabled(&harness, "Save"),
        "an empty form cannot be saved"
    );
    type_into(&mut harness, "Name", "acme-gui");
    type_into(&mut harness, "Server URL", "https://erp.acme.example");
    type_into(&mut harness, "Database", "acme");
    type_into(&mut harness, "Login", "admin");
    harness.get_by_label_contains("a secret is required");
    assert!(
        !is_enabled(&harness, "Save"),
        "a new connection needs a secret"
    );
    type_into(&mut harness, "Secret", "k3y-from-the-window");
    assert!(is_enabled(&harness, "Save"));
    click(&mut harness, "Save");

    assert!(row_exists(&harness, "acme-gui"));
    harness.get_by_label_contains("Saved “acme-gui”");
    let stored = saved(&sandbox);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].url.to_string(), "https://erp.acme.example");
    assert_eq!(
        secret_of(stored[0].id).as_deref(),
        Some("k3y-from-the-window")
    );
    let file = std::fs::read_to_string(sandbox.paths().connections_file()).unwrap();
    assert!(!file.contains("k3y-from-the-window"));
    assert!(!is_enabled(&harness, "Save"), "nothing left to save");
    clean_up(&sandbox);
}

#[test]
fn the_secret_field_keeps_no_undo_history() {
    let sandbox = Sandbox::new();
    let mut harness = open(&sandbox);
    click(&mut harness, "New connection");
    type_into(&mut harness, "Secret", "first-secret");
    // Two seconds of frames: long enough for egui to keep an undo point.
    harness.run_steps(8);
    replace_text(&mut harness, "Secret", "second-secret");
    let undoer = egui::TextEdit::load_state(&harness.ctx, secret_field_id())
        .expect("the secret field is on screen")
        .undoer();
    assert_eq!(
        format!("{undoer:?}"),
        "Undoer { undo count: 0, redo count: 0 }",
        "egui holds no copy of the secret between frames"
    );
    assert!(!undoer.is_in_flux(), "not even of the one being typed");
    harness.get_by_label("Secret").focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    settle(&mut harness);
    click(&mut harness, "Show");
    assert_eq!(
        harness.get_by_label("Secret").value().as_deref(),
        Some("second-secret"),
        "undo has nothing to go back to"
    );
}

#[test]
fn live_validation_explains_the_problem_and_keeps_save_disabled() {
    let sandbox = Sandbox::new();
    let mut harness = open(&sandbox);
    click(&mut harness, "New connection");
    type_into(&mut harness, "Name", "-bad");
    type_into(&mut harness, "Server URL", "ftp://erp.acme.example");
    click(&mut harness, "Advanced");
    replace_text(&mut harness, "Timeout (s)", "0");
    harness.get_by_label_contains("must start with a letter or a digit");
    harness.get_by_label_contains("must start with https:// or http://");
    harness.get_by_label_contains("between 1 and 300 seconds");
    assert!(!is_enabled(&harness, "Save"));
    harness.snapshot("editor_validation");

    replace_text(&mut harness, "Server URL", "https://erp.acme.example");
    assert!(
        harness
            .query_by_label_contains("must start with https:// or http://")
            .is_none(),
        "the message goes away once the URL is fixed"
    );
}

#[test]
fn editing_a_connection_saves_the_change_and_keeps_the_secret() {
    let sandbox = Sandbox::new();
    let original = seed(
        &sandbox,
        "acme-edit",
        "https://erp.acme.example",
        Environment::Staging,
        "",
    );
    let mut harness = open(&sandbox);
    select(&mut harness, "acme-edit");
    assert_eq!(
        harness.get_by_label("Login").value().as_deref(),
        Some("admin")
    );
    assert!(!is_enabled(&harness, "Save"), "nothing changed yet");
    replace_text(&mut harness, "Login", "bot@acme.example");
    harness.get_by_label("unsaved changes");
    click(&mut harness, "Save");

    let stored = saved(&sandbox);
    assert_eq!(stored[0].login.as_str(), "bot@acme.example");
    assert_eq!(stored[0].id, original.id);
    assert_eq!(
        secret_of(original.id).as_deref(),
        Some("secret-of-acme-edit")
    );
    assert!(harness.query_by_label("unsaved changes").is_none());
    clean_up(&sandbox);
}

#[test]
fn the_secret_is_read_from_the_keyring_only_when_revealed() {
    let sandbox = Sandbox::new();
    seed(
        &sandbox,
        "acme-secret",
        "https://erp.acme.example",
        Environment::Production,
        "",
    );
    let mut harness = open(&sandbox);
    select(&mut harness, "acme-secret");
    assert_eq!(harness.get_by_label("Secret").value().as_deref(), Some(""));
    click(&mut harness, "Show");
    assert_eq!(
        harness.get_by_label("Secret").value().as_deref(),
        Some("secret-of-acme-secret")
    );
    harness.get_by_label("Hide");
    clean_up(&sandbox);
}

#[test]
fn deleting_asks_for_confirmation_naming_the_connection() {
    let sandbox = Sandbox::new();
    let doomed = seed(
        &sandbox,
        "acme-doomed",
        "https://erp.acme.example",
        Environment::Development,
        "",
    );
    let mut harness = open(&sandbox);
    select(&mut harness, "acme-doomed");
    click(&mut harness, "Delete…");
    harness.get_by_label_contains(
        "“acme-doomed” and its secret in the system keyring will be deleted",
    );
    click(&mut harness, "Cancel");
    assert!(row_exists(&harness, "acme-doomed"));
    assert_eq!(saved(&sandbox).len(), 1);

    click(&mut harness, "Delete…");
    click(&mut harness, "Delete");
    assert!(!row_exists(&harness, "acme-doomed"));
    assert!(saved(&sandbox).is_empty());
    assert_eq!(secret_of(doomed.id), None);
}

#[test]
fn search_filters_by_name_url_database_and_tag() {
    let sandbox = Sandbox::new();
    seed(
        &sandbox,
        "alpha",
        "https://alpha.example",
        Environment::Production,
        "client-a",
    );
    seed(
        &sandbox,
        "beta",
        "https://erp.beta.example",
        Environment::Staging,
        "eu",
    );
    seed(
        &sandbox,
        "gamma",
        "https://gamma.example",
        Environment::Development,
        "eu",
    );
    let mut harness = open(&sandbox);
    type_into(&mut harness, "Search connections", "eu");
    assert!(!row_exists(&harness, "alpha"));
    assert!(row_exists(&harness, "beta") && row_exists(&harness, "gamma"));
    replace_text(&mut harness, "Search connections", "erp.beta");
    assert!(row_exists(&harness, "beta"));
    assert!(!row_exists(&harness, "gamma"));
    replace_text(&mut harness, "Search connections", "nothing-like-this");
    harness.get_by_label("No connection matches the search.");
    click(&mut harness, "Clear search");
    assert!(row_exists(&harness, "alpha") && row_exists(&harness, "gamma"));

    // Typing on narrows what is left; erasing brings the others back.
    type_into(&mut harness, "Search connections", "e");
    assert!(row_exists(&harness, "alpha") && row_exists(&harness, "beta"));
    type_into(&mut harness, "Search connections", "u");
    assert!(!row_exists(&harness, "alpha") && row_exists(&harness, "beta"));
    harness.key_press(egui::Key::Backspace);
    settle(&mut harness);
    assert!(row_exists(&harness, "alpha") && row_exists(&harness, "gamma"));
    // Esc leaves the search box, keeping what it holds.
    harness.key_press(egui::Key::Escape);
    settle(&mut harness);
    click(&mut harness, "Clear search");

    // Keyboard: arrows move the selection, Ctrl+N starts a new connection.
    harness.key_press(egui::Key::ArrowDown);
    settle(&mut harness);
    assert_eq!(harness.state().editor_name(), Some("alpha"));
    harness.key_press(egui::Key::ArrowDown);
    settle(&mut harness);
    assert_eq!(harness.state().editor_name(), Some("beta"));
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    settle(&mut harness);
    harness.get_by_label("Add a connection");
    clean_up(&sandbox);
}

#[test]
fn unsaved_changes_guard_offers_save_discard_and_keep_editing() {
    let sandbox = Sandbox::new();
    seed(
        &sandbox,
        "first",
        "https://first.example",
        Environment::Production,
        "",
    );
    seed(
        &sandbox,
        "second",
        "https://second.example",
        Environment::Staging,
        "",
    );
    let mut harness = open(&sandbox);
    select(&mut harness, "first");
    replace_text(&mut harness, "Login", "changed-first");

    select(&mut harness, "second");
    harness.get_by_role_and_label(Role::Dialog, "Save changes?");
    click(&mut harness, "Keep editing");
    assert_eq!(harness.state().editor_name(), Some("first"));
    assert_eq!(
        harness.get_by_label("Login").value().as_deref(),
        Some("changed-first")
    );

    select(&mut harness, "second");
    click(&mut harness, "Discard changes");
    assert_eq!(harness.state().editor_name(), Some("second"));
    assert_eq!(saved(&sandbox)[0].login.as_str(), "admin");

    replace_text(&mut harness, "Login", "changed-second");
    click(&mut harness, "New connection");
    click(&mut harness, "Save changes");
    harness.get_by_label("Add a connection");
    let second = saved(&sandbox)
        .into_iter()
        .find(|c| c.name.as_str() == "second")
        .unwrap();
    assert_eq!(second.login.as_str(), "changed-second");
    clean_up(&sandbox);
}

#[test]
fn duplicate_and_rename_ask_for_the_new_name() {
    let sandbox = Sandbox::new();
    let original = seed(
        &sandbox,
        "acme",
        "https://erp.acme.example",
        Environment::Production,
        "",
    );
    let mut harness = open(&sandbox);
    select(&mut harness, "acme");

    click(&mut harness, "Duplicate…");
    assert_eq!(
        harness.get_by_label("New name").value().as_deref(),
        Some("acme copy")
    );
    replace_text(&mut harness, "New name", "ACME");
    harness.get_by_label_contains("already exists");
    replace_text(&mut harness, "New name", "acme-staging");
    click(&mut harness, "Duplicate");
    assert!(row_exists(&harness, "acme-staging"));
    assert_eq!(harness.state().editor_name(), Some("acme-staging"));
    let copy = saved(&sandbox)
        .into_iter()
        .find(|c| c.name.as_str() == "acme-staging")
        .unwrap();
    assert_ne!(copy.id, original.id);
    assert_eq!(secret_of(copy.id).as_deref(), Some("secret-of-acme"));

    click(&mut harness, "Rename");
    replace_text(&mut harness, "Name", "acme-preprod");
    click(&mut harness, "Save");
    assert!(row_exists(&harness, "acme-preprod"));
    assert!(!row_exists(&harness, "acme-staging"));
    let renamed = saved(&sandbox)
        .into_iter()
        .find(|c| c.id == copy.id)
        .unwrap();
    assert_eq!(renamed.name.as_str(), "acme-preprod");
    assert_eq!(secret_of(copy.id).as_deref(), Some("secret-of-acme"));
    clean_up(&sandbox);
}

#[test]
fn snapshots_of_the_main_screens() {
    use odoo_connections::policy::audit::{self, AuditEntry, Caller, Decision};
    let sandbox = Sandbox::new();
    seed(
        &sandbox,
        "acme-prod",
        "https://erp.acme.example",
        Environment::Production,
        "eu",
    );
    seed(
        &sandbox,
        "acme-staging",
        "https://staging.acme.example",
        Environment::Staging,
        "eu",
    );
    seed(
        &sandbox,
        "local-dev",
        "http://localhost:8069",
        Environment::Development,
        "",
    );
    let entries = [
        (Caller::Mcp, Decision::Allow, None, None),
        (
            Caller::Mcp,
            Decision::Deny,
            Some("at most 3 opens per hour"),
            Some(1260),
        ),
        (Caller::Cli, Decision::Allow, None, None),
    ];
    for (minute, (caller, decision, reason, retry)) in entries.into_iter().enumerate() {
        let entry = AuditEntry {
            time: time::macros::datetime!(2026-11-25 09:00 UTC)
                + time::Duration::minutes(minute as i64 * 7),
            tool: "open_connection_manager".into(),
            caller,
            decision,
            rule: Some("tools.open_connection_manager.limits[0]".into()),
            reason: reason.map(str::to_owned),
            retry_after_secs: retry,
            args_keys: None,
            args_sha256: None,
        };
        audit::append(&sandbox.paths(), &entry).unwrap();
    }
    let mut harness = open(&sandbox);
    select(&mut harness, "acme-prod");
    harness.snapshot("main_screen");
    click(&mut harness, "Activity");
    harness.get_by_label("denied");
    harness.snapshot("activity");
    clean_up(&sandbox);
}

#[test]
fn snapshot_of_the_dark_theme() {
    let sandbox = Sandbox::new();
    seed(
        &sandbox,
        "acme-prod",
        "https://erp.acme.example",
        Environment::Production,
        "",
    );
    seed(
        &sandbox,
        "acme-staging",
        "https://staging.acme.example",
        Environment::Staging,
        "",
    );
    seed(
        &sandbox,
        "local-dev",
        "http://localhost:8069",
        Environment::Development,
        "",
    );
    let mut harness = open_themed(&sandbox, egui::Theme::Dark);
    select(&mut harness, "acme-staging");
    harness.snapshot("main_screen_dark");
    clean_up(&sandbox);
}

/// Reads the first stdout line of `child` on a helper thread; `None` if the
/// stream ends first. The wait is a generous bound for a failure report.
fn first_line(child: &mut std::process::Child) -> Option<String> {
    use std::io::BufRead as _;
    let stdout = child.stdout.take().expect("piped stdout");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = std::io::BufReader::new(stdout).read_line(&mut line);
        sender.send(read.ok().filter(|n| *n > 0).map(|_| line)).ok();
    });
    receiver
        .recv_timeout(Duration::from_secs(120))
        .expect("the window printed nothing within the bound")
}

#[test]
fn gui_prints_ready_and_a_second_start_focuses_the_first_window() {
    use std::process::Stdio;
    let sandbox = Sandbox::new();
    let mut first = sandbox
        .command()
        .arg("gui")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the window");
    assert_eq!(first_line(&mut first).as_deref(), Some("ready\n"));

    let second = sandbox.run(&["gui"]);
    support::sandbox::assert_exit(&second, 0);
    assert_eq!(support::sandbox::stdout(&second), "focused\n");

    first.kill().expect("close the first window");
    first.wait().expect("reap the first window");
}

#[test]
fn keyboard_saves_with_ctrl_s_and_deletes_with_the_delete_key() {
    let sandbox = Sandbox::new();
    seed(
        &sandbox,
        "acme-keys",
        "https://erp.acme.example",
        Environment::Production,
        "",
    );
    let mut harness = open(&sandbox);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    settle(&mut harness);
    assert!(harness.get_by_label("Search connections").is_focused());
    harness.key_press(egui::Key::Escape);
    harness.key_press(egui::Key::ArrowDown);
    settle(&mut harness);
    assert_eq!(harness.state().editor_name(), Some("acme-keys"));

    replace_text(&mut harness, "Login", "saved-by-keyboard");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    settle(&mut harness);
    assert_eq!(saved(&sandbox)[0].login.as_str(), "saved-by-keyboard");

    harness.key_press(egui::Key::Escape);
    harness.key_press(egui::Key::Delete);
    settle(&mut harness);
    harness.get_by_role_and_label(Role::Dialog, "Delete connection?");
    click(&mut harness, "Delete");
    assert!(saved(&sandbox).is_empty());
}

#[test]
fn an_idle_window_asks_for_no_repaint() {
    let sandbox = Sandbox::new();
    seed(
        &sandbox,
        "acme-idle",
        "https://erp.acme.example",
        Environment::Staging,
        "",
    );
    let mut harness = open(&sandbox);
    select(&mut harness, "acme-idle");
    harness.step();
    let root = &harness.output().viewport_output[&egui::ViewportId::ROOT];
    assert_eq!(
        root.repaint_delay,
        Duration::MAX,
        "idle frames must not repaint"
    );
    clean_up(&sandbox);
}

/// Asks the window to close, as the window manager's close button does.
fn request_close(harness: &mut Harness<'_, Window>) {
    harness
        .input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    harness.step();
}

fn root_commands(harness: &Harness<'_, Window>) -> Vec<egui::ViewportCommand> {
    harness.output().viewport_output[&egui::ViewportId::ROOT]
        .commands
        .clone()
}

#[test]
fn closing_with_unsaved_changes_asks_first() {
    let sandbox = Sandbox::new();
    seed(
        &sandbox,
        "acme-close",
        "https://erp.acme.example",
        Environment::Production,
        "",
    );
    let mut harness = open(&sandbox);
    select(&mut harness, "acme-close");

    request_close(&mut harness);
    assert!(
        !root_commands(&harness).contains(&egui::ViewportCommand::CancelClose),
        "nothing to lose: the window closes"
    );

    replace_text(&mut harness, "Login", "unsaved-login");
    request_close(&mut harness);
    assert!(root_commands(&harness).contains(&egui::ViewportCommand::CancelClose));
    settle(&mut harness);
    harness.get_by_role_and_label(Role::Dialog, "Save changes?");
    harness.get_by_label("Save changes").click();
    for _ in 0..MAX_JOB_STEPS {
        harness.step();
        if root_commands(&harness).contains(&egui::ViewportCommand::Close) {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(root_commands(&harness).contains(&egui::ViewportCommand::Close));
    assert_eq!(saved(&sandbox)[0].login.as_str(), "unsaved-login");
    clean_up(&sandbox);
}

#[test]
fn testing_against_an_odoo_server_shows_the_diagnosis_and_pins_an_untrusted_certificate() {
    use support::odoo_server::{OdooServer, User};
    let runtime = server_runtime();
    let server = runtime.block_on(
        OdooServer::builder()
            .database("acme")
            .user(User::new("admin").password("pw").api_key("k3y"))
            .tls()
            .start(),
    );
    let sandbox = Sandbox::new();
    let connection = add(
        &sandbox,
        draft("acme-tls", &server.url(), Environment::Production),
        "k3y",
    );
    let mut harness = open(&sandbox);
    select(&mut harness, "acme-tls");

    // The self-signed certificate is not trusted: the prompt shows its fingerprint.
    click(&mut harness, "Test connection");
    harness.get_by_role_and_label(Role::Dialog, "Trust this certificate?");
    let fingerprint = server.certificate_sha256().to_string();
    assert_eq!(
        harness
            .get_by_label("Certificate fingerprint")
            .value()
            .as_deref(),
        Some(fingerprint.as_str())
    );
    let plain = harness.query_by_label_contains("openssl").is_none()
        && harness.query_by_label_contains("`").is_none();
    assert!(plain, "the prompt has no command line and no backticks");
    click(&mut harness, "Trust and pin");
    assert!(
        harness.query_by_label("Trust this certificate…").is_none(),
        "the refusal of the certificate now pinned is gone"
    );
    harness.get_by_label("Certificate pinned in the form; save to keep it");
    assert_eq!(
        harness.get_by_label("Fingerprint").value().as_deref(),
        Some(fingerprint.as_str())
    );
    click(&mut harness, "Save");
    let stored = saved(&sandbox);
    assert_eq!(
        stored[0].tls,
        odoo_connections::model::TlsMode::Pinned {
            sha256: server.certificate_sha256()
        }
    );

    // Pinned: the test connects, the diagnosis sentence is shown in place
    // and remembered as the connection's last test.
    click(&mut harness, "Test connection");
    harness.get_by_label_contains("Connected to Odoo 17.0");
    let history = odoo_connections::store::TestResults::load(&sandbox.paths()).unwrap();
    let last = history.get(connection.id).expect("remembered");
    assert!(last.ok, "{}", last.message);

    // Database discovery fills the dropdown (and the only database).
    replace_text(&mut harness, "Database", "");
    click(&mut harness, "Discover databases");
    assert_eq!(
        harness.get_by_label("Database").value().as_deref(),
        Some("acme")
    );
    harness.get_by_label("Discovered databases");
    clean_up(&sandbox);
}

#[test]
fn test_all_reports_each_connection_and_a_wrong_key_is_diagnosed() {
    let runtime = server_runtime();
    let server = serve_acme(&runtime);
    let sandbox = Sandbox::new();
    for (name, secret) in [("good", "k3y"), ("wrong-key", "not-the-key")] {
        add(
            &sandbox,
            draft(name, &server.url(), Environment::Production),
            secret,
        );
    }
    let mut harness = open(&sandbox);
    click(&mut harness, "Test all");
    let history = odoo_connections::store::TestResults::load(&sandbox.paths()).unwrap();
    let stored = saved(&sandbox);
    let outcome = |name: &str| {
        let id = stored.iter().find(|c| c.name.as_str() == name).unwrap().id;
        history.get(id).expect("tested").clone()
    };
    assert!(outcome("good").ok);
    assert!(!outcome("wrong-key").ok);
    select(&mut harness, "wrong-key");
    let message = outcome("wrong-key").message.replace('→', ">");
    harness.get_by_label(message.as_str());
    clean_up(&sandbox);
}

#[test]
fn a_running_test_keeps_the_window_responsive_stays_with_its_connection_and_can_be_cancelled() {
    let runtime = server_runtime();
    let stuck = serve_unanswering(&runtime);
    let good = serve_acme(&runtime);
    let sandbox = Sandbox::new();
    for (name, url) in [("stuck", stuck.url()), ("good", good.url())] {
        add(
            &sandbox,
            patient_draft(name, &url, Environment::Production),
            "k3y",
        );
    }
    let mut harness = open(&sandbox);
    select(&mut harness, "stuck");
    harness.get_by_label("Test connection").click();
    step_frames(&mut harness);
    harness.get_by_label("Testing…");

    // While it runs, the window answers: another connection can be shown and tested.
    harness
        .get_by_role_and_label(Role::ListBoxOption, "good")
        .click();
    step_frames(&mut harness);
    assert_eq!(harness.state().editor_name(), Some("good"));
    assert!(harness.query_by_label("Testing…").is_none());
    harness.get_by_label("Test connection").click();
    for _ in 0..MAX_JOB_STEPS {
        harness.step();
        if harness
            .query_by_label_contains("Connected to Odoo")
            .is_some()
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    harness.get_by_label_contains("Connected to Odoo");

    // Back on the stuck one: still testing, and the other result is not shown here.
    harness
        .get_by_role_and_label(Role::ListBoxOption, "stuck")
        .click();
    step_frames(&mut harness);
    harness.get_by_label("Testing…");
    assert!(
        harness
            .query_by_label_contains("Connected to Odoo")
            .is_none()
    );
    harness.get_by_label("Cancel test").click();
    settle(&mut harness);
    harness.get_by_label("Test cancelled; nothing was recorded");
    assert!(harness.query_by_label("Testing…").is_none());
    harness.get_by_label("Test connection");
    let history = odoo_connections::store::TestResults::load(&sandbox.paths()).unwrap();
    let stuck_id = saved(&sandbox)
        .into_iter()
        .find(|c| c.name.as_str() == "stuck")
        .unwrap()
        .id;
    assert!(
        history.get(stuck_id).is_none(),
        "a cancelled test leaves no result"
    );
    clean_up(&sandbox);
}

/// The ids of `odoo-connections gui` processes started for `sandbox` (the
/// launcher detaches the window, so the test finds it by its arguments).
fn window_pids(sandbox: &Sandbox) -> Vec<i32> {
    let state_dir = sandbox.paths().state_dir().to_string_lossy().into_owned();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let arguments: Vec<String> = cmdline
                .split(|byte| *byte == 0)
                .map(|part| String::from_utf8_lossy(part).into_owned())
                .collect();
            let is_window = arguments.iter().any(|a| a == "gui") && arguments.contains(&state_dir);
            is_window.then_some(pid)
        })
        .collect()
}

#[test]
fn the_launcher_opens_the_real_window_and_then_focuses_it() {
    let sandbox = Sandbox::new();
    let opened = sandbox.run(&["open", "--caller", "cli"]);
    support::sandbox::assert_exit(&opened, 0);
    assert!(support::sandbox::stderr(&opened).contains("opened the window"));
    let focused = sandbox.run(&["open", "--caller", "cli"]);
    support::sandbox::assert_exit(&focused, 0);
    assert!(support::sandbox::stderr(&focused).contains("focused the window"));
    // The process that handed over printed `focused` and is now exiting;
    // give it a bounded moment to leave before counting windows.
    let mut windows = window_pids(&sandbox);
    for _ in 0..100 {
        if windows.len() <= 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        windows = window_pids(&sandbox);
    }
    assert_eq!(windows.len(), 1, "one window for one state dir");
    for pid in windows {
        std::process::Command::new("kill")
            .arg(pid.to_string())
            .status()
            .expect("close the window");
    }
}

#[test]
fn a_secret_missing_from_the_keyring_is_explained_and_can_be_set_again() {
    let sandbox = Sandbox::new();
    let connection = seed(
        &sandbox,
        "acme-lost",
        "https://erp.acme.example",
        Environment::Production,
        "",
    );
    support::keyring::delete_secrets_of(&connection.id.to_string());
    let mut harness = open(&sandbox);
    select(&mut harness, "acme-lost");
    click(&mut harness, "Show");
    harness.get_by_label_contains("the keyring has no secret for this connection");
    type_into(&mut harness, "Secret", "found-again");
    click(&mut harness, "Save");
    assert_eq!(secret_of(connection.id).as_deref(), Some("found-again"));
    clean_up(&sandbox);
}
