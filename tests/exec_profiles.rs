//! `exec --profile`: the exact variables each Odoo MCP server expects, set
//! from the connection and the real keyring; inherited non-secret settings
//! pass through, a stale secret never does, and an unset variable is unset
//! (not empty). Also the error when an MCP client's minimal environment
//! leaves the keyring unreachable. Run under `scripts/test --test exec_profiles`.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest as _, Sha256};
use support::sandbox::{Sandbox, assert_exit, stderr, stdout};

/// Prints the child's ODOO_* variables as {name: sha256(value)} and its cwd.
const SHOW_ENV: &str = "import os, json, hashlib; print(json.dumps({'cwd': os.getcwd(), 'env': {k: hashlib.sha256(v.encode()).hexdigest() for k, v in os.environ.items() if k.startswith('ODOO_') and (not k.startswith('ODOO_CONNECTIONS_') or k == 'ODOO_CONNECTIONS_EXEC')}}))";

fn digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Runs `exec NAME --profile PROFILE -- python3 -c SHOW_ENV` with a stale
/// secret and non-secret settings in the inherited environment.
fn child_env(sandbox: &Sandbox, name: &str, profile: &str) -> (BTreeMap<String, String>, String) {
    let output = sandbox
        .command()
        .args([
            "exec",
            name,
            "--profile",
            profile,
            "--env",
            "ODOO_MCP_ENABLE_WRITES=1",
        ])
        .args(["--", "python3", "-c", SHOW_ENV])
        .env("ODOO_PASSWORD", "stale-password")
        .env("ODOO_API_KEY", "stale-key")
        .env("ODOO_YOLO", "read")
        .env("ODOO_TRANSPORT", "json2")
        .env("ODOO_LOCALE", "de_DE")
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let seen: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    let env = seen["env"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(key, value)| (key.clone(), value.as_str().unwrap().to_owned()))
        .collect();
    (env, seen["cwd"].as_str().unwrap().to_owned())
}

/// The inherited non-secret settings that every profile passes through.
const PASSED_THROUGH: [&str; 3] = ["ODOO_LOCALE", "ODOO_MCP_ENABLE_WRITES", "ODOO_YOLO"];

/// What every profile sets: the connection's URL, database and transport,
/// and the mark of a child of `exec`.
const EVERY_PROFILE_SETS: [&str; 4] = [
    "ODOO_CONNECTIONS_EXEC",
    "ODOO_DB",
    "ODOO_TRANSPORT",
    "ODOO_URL",
];

/// Asserts the child saw exactly [`EVERY_PROFILE_SETS`], `own` and
/// [`PASSED_THROUGH`], no more.
#[track_caller]
fn assert_exactly(env: &BTreeMap<String, String>, own: &[&str], why: &str) {
    let mut expected = own.to_vec();
    expected.extend(EVERY_PROFILE_SETS);
    expected.extend(PASSED_THROUGH);
    expected.sort_unstable();
    let names: Vec<&str> = env.keys().map(String::as_str).collect();
    assert_eq!(names, expected, "{why}");
}

#[test]
fn each_profile_sets_exactly_its_variables_and_passes_other_settings_through() {
    let sandbox = Sandbox::new();
    let key = format!("key-{}", uuid::Uuid::new_v4().simple());
    let password = format!("pw-{}", uuid::Uuid::new_v4().simple());
    assert_exit(
        &sandbox.add("acme", "https://odoo.example.com", &key, &[]),
        0,
    );
    assert_exit(
        &sandbox.add(
            "acme-pw",
            "https://odoo.example.com",
            &password,
            &["--auth", "password", "--protocol", "xmlrpc"],
        ),
        0,
    );

    let (generic, generic_cwd) = child_env(&sandbox, "acme", "generic");
    assert_exactly(
        &generic,
        &["ODOO_API_KEY", "ODOO_USER", "ODOO_USERNAME"],
        "generic",
    );
    assert_eq!(generic["ODOO_API_KEY"], digest(&key));
    assert_eq!(generic["ODOO_YOLO"], digest("read"));
    assert_eq!(
        generic_cwd,
        std::env::current_dir().unwrap().display().to_string()
    );

    let (ivnvxd, ivnvxd_cwd) = child_env(&sandbox, "acme", "mcp-server-odoo");
    assert_exactly(
        &ivnvxd,
        &["ODOO_API_KEY", "ODOO_USER"],
        "no ODOO_PASSWORD, not even empty",
    );
    assert_eq!(ivnvxd["ODOO_API_KEY"], digest(&key));
    assert_eq!(ivnvxd["ODOO_USER"], digest("admin"));
    assert_eq!(
        Path::new(&ivnvxd_cwd),
        sandbox.paths().state_dir().join("child-cwd"),
        "a clean working directory, so no ./.env is read"
    );

    let (tuanle96, _) = child_env(&sandbox, "acme", "odoo-mcp");
    assert_exactly(
        &tuanle96,
        &["ODOO_PASSWORD", "ODOO_USERNAME"],
        "no ODOO_API_KEY, not even empty",
    );
    assert_eq!(
        tuanle96["ODOO_PASSWORD"],
        digest(&key),
        "the API key goes in ODOO_PASSWORD"
    );
    assert_eq!(
        tuanle96["ODOO_TRANSPORT"],
        digest("json2"),
        "auto leaves the inherited choice"
    );

    let (xml, _) = child_env(&sandbox, "acme-pw", "odoo-mcp");
    assert_eq!(xml["ODOO_PASSWORD"], digest(&password));
    assert_eq!(
        xml["ODOO_TRANSPORT"],
        digest("xmlrpc"),
        "the connection's protocol wins"
    );
    let (xml, _) = child_env(&sandbox, "acme-pw", "mcp-server-odoo");
    assert_eq!(xml["ODOO_PASSWORD"], digest(&password));
    assert_eq!(xml["ODOO_RPC_TRANSPORT"], digest("xmlrpc"));
    assert!(!xml.contains_key("ODOO_API_KEY"), "{xml:?}");
}

#[test]
fn a_bad_profile_or_setting_is_a_usage_error_naming_the_choices() {
    let sandbox = Sandbox::new();
    let output = sandbox.run(&["exec", "acme", "--profile", "ivnvxd", "--", "true"]);
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("generic, mcp-server-odoo, odoo-mcp"),
        "{}",
        stderr(&output)
    );
    let output = sandbox.run(&["exec", "acme", "--env", "ODOO_YOLO", "--", "true"]);
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("NAME=VALUE"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn without_a_session_bus_the_error_says_the_client_must_pass_its_address() {
    let sandbox = Sandbox::new();
    assert_exit(
        &sandbox.add("acme", "https://odoo.example.com", "key-bus", &[]),
        0,
    );
    let bus = odoo_connections::inject::default_bus_socket().unwrap();
    assert!(
        !bus.exists(),
        "this test needs a machine without {}",
        bus.display()
    );
    for subcommand in ["exec", "gateway"] {
        let output = sandbox
            .command()
            .args([subcommand, "acme", "--", "true"])
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("XDG_RUNTIME_DIR")
            .output()
            .unwrap();
        assert_exit(&output, 5);
        let message = stderr(&output);
        assert!(
            message.contains("add DBUS_SESSION_BUS_ADDRESS") && message.contains("\"env\""),
            "{subcommand}: {message}"
        );
    }
}
