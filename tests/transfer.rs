//! Import from the odoo-claude-mcp files, export without secrets, `exec`
//! injecting the connection into a real child process, and the generated
//! setup outputs (MCP snippet, completions, man page).

mod support;

use std::process::Command;

use support::sandbox::{Sandbox, assert_exit, keyring_lookup, stderr, stdout};

fn keyring_secret_of(sandbox: &Sandbox, name: &str) -> Option<String> {
    let shown = sandbox.run(&["show", name, "--json"]);
    assert_exit(&shown, 0);
    let value: serde_json::Value = serde_json::from_str(&stdout(&shown)).unwrap();
    keyring_lookup(value["secret"]["keyring_account"].as_str().unwrap())
}

const DESKTOP_FILE: &str = r#"{
  "acme": {"url": "https://erp.acme.example/", "db": "acme", "user": "bot@acme.example",
           "api_key": "0123abcd-acme-key", "verify_ssl": false,
           "web_session": {"url": "https:", "db": "acme", "login": "bot@acme.example", "password": "web-pass-77"},
           "ssh": {"host": "203.0.113.10", "user": "odoo", "port": 2222, "auth": "agent"},
           "portainer": {"url": "https://portainer.acme.example", "token": "ptr_secret_token", "read_only": true}},
  "nokey": {"url": "https://x.example", "db": "x", "user": "u"},
  "bad name!": {"url": "https://y.example", "db": "y", "user": "u", "api_key": "k"}
}"#;

#[test]
fn import_moves_every_secret_into_the_keyring_and_reports_what_it_did() {
    let sandbox = Sandbox::new();
    let file = sandbox.root().join("connections.json");
    std::fs::write(&file, DESKTOP_FILE).unwrap();
    let file = file.to_str().unwrap();

    let dry = sandbox.run(&["import", file, "--dry-run"]);
    assert_exit(&dry, 0);
    assert!(stdout(&dry).contains("Would import"), "{}", stdout(&dry));
    assert!(
        !sandbox.paths().connections_file().exists(),
        "a dry run writes nothing"
    );

    let imported = sandbox.run(&["import", file]);
    assert_exit(&imported, 0);
    let report = stdout(&imported);
    assert!(report.contains("added 2: acme, acme-web"), "{report}");
    assert!(report.contains("skipped 2"), "{report}");
    assert!(
        report.contains("nokey: it has no api_key or password"),
        "{report}"
    );
    assert!(
        report.contains("bad name!: Name: the name may not contain '!'"),
        "{report}"
    );
    let notes = stderr(&imported);
    assert!(
        notes.contains("portainer.token") && notes.contains("insecure"),
        "{notes}"
    );

    assert_eq!(
        keyring_secret_of(&sandbox, "acme").as_deref(),
        Some("0123abcd-acme-key")
    );
    assert_eq!(
        keyring_secret_of(&sandbox, "acme-web").as_deref(),
        Some("web-pass-77")
    );
    let config = sandbox.paths().connections_file();
    let saved = std::fs::read_to_string(&config).unwrap();
    for secret in ["0123abcd-acme-key", "web-pass-77", "ptr_secret_token"] {
        assert!(!saved.contains(secret), "{secret} leaked into {saved}");
    }

    let again = sandbox.run(&["import", file]);
    assert_exit(&again, 0);
    assert!(
        stdout(&again).contains("updated 2: acme, acme-web"),
        "{}",
        stdout(&again)
    );
}

#[test]
fn import_refuses_a_file_that_is_not_an_odoo_claude_mcp_file() {
    let sandbox = Sandbox::new();
    let file = sandbox.root().join("x.json");
    std::fs::write(&file, "{\"schema\": 1,").unwrap();
    let output = sandbox.run(&["import", file.to_str().unwrap()]);
    assert_exit(&output, 3);
    assert!(
        stderr(&output).contains("not JSON (line 1"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn export_never_contains_a_secret() {
    let sandbox = Sandbox::new();
    let secret = "exp0rt-n3ver-shows-me";
    assert_exit(
        &sandbox.add(
            "acme",
            "https://erp.acme.example",
            secret,
            &["--tls", "insecure"],
        ),
        0,
    );
    let native = sandbox.run(&["export"]);
    assert_exit(&native, 0);
    let value: serde_json::Value = serde_json::from_str(&stdout(&native)).unwrap();
    assert_eq!(value["connections"][0]["name"], "acme");
    assert_eq!(stdout(&sandbox.run(&["export", "--json"])), stdout(&native));
    let old = sandbox.run(&["export", "--format", "odoo-claude-mcp"]);
    assert_exit(&old, 0);
    let value: serde_json::Value = serde_json::from_str(&stdout(&old)).unwrap();
    assert_eq!(value["acme"]["user"], "admin");
    assert_eq!(value["acme"]["verify_ssl"], false);
    let target = sandbox.root().join("out/export.json");
    assert_exit(&sandbox.run(&["export", "-o", target.to_str().unwrap()]), 0);
    for text in [
        stdout(&native),
        stdout(&old),
        std::fs::read_to_string(&target).unwrap(),
    ] {
        assert!(!text.contains(secret));
    }
}

#[test]
fn exec_gives_the_child_the_connection_and_nothing_stale() {
    let sandbox = Sandbox::new();
    let secret = "ex3c-api-key-42";
    assert_exit(
        &sandbox.add("acme", "https://erp.acme.example", secret, &[]),
        0,
    );
    let script = r#"printf '%s|%s|%s|%s|%s|%s|%s\n' "$ODOO_URL" "$ODOO_DB" "$ODOO_USER" "$ODOO_USERNAME" "$ODOO_API_KEY" "${ODOO_PASSWORD-unset}" "${ODOO_STALE-unset}"; tr '\0' ' ' < /proc/$$/cmdline"#;
    let output = sandbox
        .command()
        .args(["exec", "acme", "--", "sh", "-c", script])
        .env("ODOO_STALE", "from-the-parent")
        .env("ODOO_PASSWORD", "old-password")
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let text = stdout(&output);
    let (values, cmdline) = text.split_once('\n').unwrap();
    assert_eq!(
        values,
        // Only what exec sets itself is replaced or removed (the inherited
        // password of another connection); other ODOO_* settings pass on.
        format!("https://erp.acme.example|acme|admin|admin|{secret}|unset|from-the-parent")
    );
    assert!(
        cmdline.starts_with("sh -c") && !cmdline.contains(secret),
        "{cmdline}"
    );
    assert!(!stderr(&output).contains(secret));

    let exit_code = sandbox.run(&["exec", "acme", "--", "sh", "-c", "exit 42"]);
    assert_eq!(
        exit_code.status.code(),
        Some(42),
        "the child's exit code passes through"
    );
}

#[test]
fn exec_refuses_to_nest_and_explains_a_missing_command() {
    let sandbox = Sandbox::new();
    assert_exit(
        &sandbox.add("acme", "https://erp.acme.example", "s", &[]),
        0,
    );
    let nested = sandbox
        .command()
        .args(["exec", "acme", "--", "true"])
        .env("ODOO_CONNECTIONS_EXEC", "outer")
        .output()
        .unwrap();
    assert_exit(&nested, 2);
    assert!(stderr(&nested).contains("already running inside `odoo-connections exec outer`"));
    let missing = sandbox.run(&["exec", "acme", "--", "no-such-command-here"]);
    assert_exit(&missing, 1);
    assert!(stderr(&missing).contains("cannot run no-such-command-here"));
}

#[test]
fn setup_outputs_are_generated_from_the_real_definitions() {
    let sandbox = Sandbox::new();
    let desktop = sandbox.run(&["mcp-config"]);
    assert_exit(&desktop, 0);
    let value: serde_json::Value = serde_json::from_str(&stdout(&desktop)).unwrap();
    let server = &value["mcpServers"]["odoo-connections"];
    let paths = sandbox.paths();
    assert_eq!(
        server["args"],
        serde_json::json!([
            "--config-dir",
            paths.config_dir(),
            "--state-dir",
            paths.state_dir(),
            "mcp"
        ]),
        "the entry carries the directories this command was given"
    );
    assert!(
        server["command"]
            .as_str()
            .unwrap()
            .ends_with("odoo-connections")
    );
    let code = sandbox.run(&["mcp-config", "--client", "claude-code"]);
    let line = stdout(&code);
    assert!(
        line.starts_with("claude mcp add ")
            && line.contains(" odoo-connections -- ")
            && line.trim_end().ends_with(" mcp"),
        "{line}"
    );

    let bash = sandbox.run(&["completions", "bash"]);
    assert_exit(&bash, 0);
    assert!(stdout(&bash).contains("duplicate") && stdout(&bash).contains("--secret-stdin"));
    let man = sandbox.run(&["man"]);
    assert!(stdout(&man).contains(".TH odoo-connections 1"));
    let pages = sandbox.root().join("man");
    assert_exit(
        &sandbox.run(&["man", "--output", pages.to_str().unwrap()]),
        0,
    );
    assert!(pages.join("odoo-connections-exec.1").exists());
}

#[test]
fn install_puts_a_valid_menu_entry_and_icons_in_place_and_uninstall_removes_them() {
    let sandbox = Sandbox::new();
    let data_home = sandbox.root().join("data-home");
    let run = |args: &[&str]| {
        sandbox
            .command()
            .args(args)
            .env("XDG_DATA_HOME", &data_home)
            .output()
            .unwrap()
    };
    let installed = run(&["install"]);
    assert_exit(&installed, 0);
    let entry = data_home.join("applications/odoo-connections.desktop");
    let validation = Command::new("desktop-file-validate")
        .arg(&entry)
        .output()
        .unwrap();
    assert!(
        validation.status.success(),
        "{}",
        String::from_utf8_lossy(&validation.stdout)
    );
    let text = std::fs::read_to_string(&entry).unwrap();
    let binary = env!("CARGO_BIN_EXE_odoo-connections");
    assert!(
        text.contains(&format!("Exec={binary} open --caller menu")),
        "{text}"
    );
    for icon in [
        "scalable/apps/odoo-connections.svg",
        "48x48/apps/odoo-connections.png",
        "256x256/apps/odoo-connections.png",
    ] {
        assert!(
            data_home.join("icons/hicolor").join(icon).exists(),
            "{icon}"
        );
    }

    let prefix = sandbox.root().join("prefix");
    assert_exit(&run(&["install", "--prefix", prefix.to_str().unwrap()]), 0);
    assert!(
        prefix
            .join("share/applications/odoo-connections.desktop")
            .exists()
    );

    let removed = run(&["uninstall"]);
    assert_exit(&removed, 0);
    assert!(!entry.exists());
    assert!(
        stderr(&removed).contains("Removed 9 files"),
        "{}",
        stderr(&removed)
    );
}

#[test]
fn the_shipped_desktop_entry_is_valid() {
    let entry = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/odoo-connections.desktop"
    );
    let output = Command::new("desktop-file-validate")
        .arg(entry)
        .output()
        .unwrap();
    assert!(
        output.status.success() && output.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}
