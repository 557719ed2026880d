//! The real binary's `test` and `databases` commands against the Odoo test
//! server. `test` reads secrets from the keyring: run with
//! `scripts/test --test odoo_cli`.

mod support;

use odoo_connections::catalog::Catalog;
use odoo_connections::store::TestResults;
use serde_json::Value;
use support::odoo_server::{
    Frontend, OdooServer, OdooServerBuilder, OdooVersion, User, server_runtime,
};
use support::sandbox::{Sandbox, assert_exit, stderr, stdout};

fn odoo17() -> OdooServerBuilder {
    OdooServer::builder()
        .version(OdooVersion::V17)
        .database("acme")
        .database("demo")
        .user(User::new("admin").password("pw").api_key("key"))
}

fn json(output: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(output)).unwrap_or_else(|err| panic!("{err}: {}", stdout(output)))
}

#[test]
fn test_reports_json_records_history_and_exits_by_outcome() {
    let runtime = server_runtime();
    let server = runtime.block_on(odoo17().start());
    let sandbox = Sandbox::new();
    assert_exit(
        &sandbox.add("good", &server.url(), "key", &["--auth", "api-key"]),
        0,
    );
    assert_exit(
        &sandbox.add("bad", &server.url(), "stale", &["--auth", "api-key"]),
        0,
    );

    let good = sandbox.run(&["test", "good", "--json"]);
    assert_exit(&good, 0);
    let report = json(&good);
    assert_eq!(report["name"], "good");
    assert_eq!(report["ok"], true);
    assert_eq!(report["code"], "ok");
    assert_eq!(report["protocol"], "jsonrpc");
    assert_eq!(report["server_version"], "17.0");
    assert_eq!(report["uid"], 2);
    assert_eq!(report["database"], "acme");
    assert!(report["latency_ms"].is_u64(), "{report}");
    assert!(
        report["message"]
            .as_str()
            .unwrap()
            .starts_with("Connected to Odoo 17.0")
    );

    let bad = sandbox.run(&["test", "bad"]);
    assert_exit(&bad, 6);
    assert!(
        stdout(&bad).starts_with("api_key_invalid: Odoo at"),
        "{}",
        stdout(&bad)
    );
    assert!(
        stderr(&bad).contains("the test of \"bad\" failed"),
        "{}",
        stderr(&bad)
    );

    let all = sandbox.run(&["test", "--all", "--json"]);
    assert_exit(&all, 6);
    let codes: Vec<(String, String)> = json(&all)
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["name"].as_str().unwrap().into(),
                entry["code"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("good".into(), "ok".into()),
            ("bad".into(), "api_key_invalid".into())
        ]
    );
    let table = sandbox.run(&["test", "--all"]);
    assert_exit(&table, 6);
    let text = stdout(&table);
    assert!(
        text.lines()
            .any(|line| line.starts_with("good") && line.contains(" ok ")),
        "{text}"
    );
    assert!(text.contains("bad: Odoo at"), "{text}");
    assert!(
        stderr(&table).contains("1 of 2 tests failed: bad"),
        "{}",
        stderr(&table)
    );

    let document = Catalog::new(&sandbox.paths()).load().unwrap();
    let history = TestResults::load(&sandbox.paths()).unwrap();
    let last_good = history.get(document.get("good").unwrap().id).unwrap();
    assert!(last_good.ok);
    assert_eq!(last_good.server_version.as_deref(), Some("17.0"));
    let last_bad = history.get(document.get("bad").unwrap().id).unwrap();
    assert_eq!(last_bad.code.as_str(), "api_key_invalid");
    assert!(
        sandbox.files_containing("stale").is_empty(),
        "a secret reached a file"
    );

    for name in ["good", "bad"] {
        assert_exit(&sandbox.run(&["rm", name, "--yes"]), 0);
    }
}

#[test]
fn test_all_goes_on_when_a_secret_is_missing() {
    let runtime = server_runtime();
    let server = runtime.block_on(odoo17().start());
    let sandbox = Sandbox::new();
    assert_exit(
        &sandbox.add("kept", &server.url(), "key", &["--auth", "api-key"]),
        0,
    );
    assert_exit(
        &sandbox.add("lost", &server.url(), "key", &["--auth", "api-key"]),
        0,
    );
    let lost = Catalog::new(&sandbox.paths())
        .load()
        .unwrap()
        .get("lost")
        .unwrap()
        .id;
    support::keyring::delete_secrets_of(&lost.to_string());

    let all = sandbox.run(&["test", "--all"]);
    assert_exit(&all, 6);
    assert!(
        stdout(&all)
            .lines()
            .any(|line| line.starts_with("kept") && line.contains(" ok ")),
        "{}",
        stdout(&all)
    );
    assert!(
        stdout(&all)
            .lines()
            .any(|line| line.starts_with("lost") && line.contains(" secret_missing ")),
        "{}",
        stdout(&all)
    );
    assert!(
        stdout(&all).contains("lost: the keyring has no secret for \"lost\""),
        "{}",
        stdout(&all)
    );
    assert!(
        stderr(&all).contains("1 of 2 tests failed: lost"),
        "{}",
        stderr(&all)
    );
    let all_json = sandbox.run(&["test", "--all", "--json"]);
    assert_exit(&all_json, 6);
    let reports = json(&all_json);
    let names: Vec<&str> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|report| report["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["kept", "lost"]);
    assert_eq!(reports[0]["code"], "ok");
    assert_eq!(reports[1]["code"], "secret_missing");
    assert_eq!(reports[1]["ok"], false);
    assert!(
        reports[1]["message"]
            .as_str()
            .unwrap()
            .starts_with("the keyring has no secret for \"lost\""),
        "{reports}"
    );
    let single = sandbox.run(&["test", "lost"]);
    assert_exit(&single, 5);
    let single_json = sandbox.run(&["test", "lost", "--json"]);
    assert_exit(&single_json, 5);
    let report = json(&single_json);
    assert_eq!(report["name"], "lost");
    assert_eq!(report["code"], "secret_missing");
    for name in ["kept", "lost"] {
        assert_exit(&sandbox.run(&["rm", name, "--yes"]), 0);
    }
}

#[test]
fn test_honours_the_timeout_flag() {
    let runtime = server_runtime();
    let server = runtime.block_on(odoo17().frontend(Frontend::NeverAnswers).start());
    let sandbox = Sandbox::new();
    assert_exit(
        &sandbox.add("silent", &server.url(), "pw", &["--auth", "password"]),
        0,
    );
    let output = sandbox.run(&["test", "silent", "--json", "--timeout", "1"]);
    assert_exit(&output, 6);
    let report = json(&output);
    assert_eq!(report["code"], "timeout");
    assert!(
        report["message"].as_str().unwrap().contains("within 1 s"),
        "{report}"
    );
    assert_exit(&sandbox.run(&["rm", "silent", "--yes"]), 0);
}

#[test]
fn a_refused_password_on_odoo_online_suggests_an_api_key() {
    // The binary reaches "acme.odoo.com" through the test server acting as
    // its HTTP proxy, so the host name is real in every request.
    let runtime = server_runtime();
    let server = runtime.block_on(odoo17().start());
    let sandbox = Sandbox::new();
    assert_exit(
        &sandbox.add(
            "online",
            "http://acme.odoo.com",
            "account-pw",
            &["--auth", "password"],
        ),
        0,
    );
    let output = sandbox
        .command()
        .args(["test", "online", "--json"])
        .env("HTTP_PROXY", server.url())
        .env("http_proxy", server.url())
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .unwrap();
    assert_exit(&output, 6);
    let report = json(&output);
    assert_eq!(report["code"], "api_key_required", "{report}");
    assert!(
        report["message"]
            .as_str()
            .unwrap()
            .contains("On *.odoo.com your odoo.com account password"),
        "{report}"
    );
    assert_exit(&sandbox.run(&["rm", "online", "--yes"]), 0);
}

#[test]
fn databases_lists_names_and_explains_refusals() {
    let runtime = server_runtime();
    let sandbox = Sandbox::new();
    let open = runtime.block_on(odoo17().start());
    let listed = sandbox.run(&["databases", "--url", &open.url(), "--json"]);
    assert_exit(&listed, 0);
    let listed = json(&listed);
    assert_eq!(listed["databases"], serde_json::json!(["acme", "demo"]));
    assert_eq!(listed["server_version"], "17.0");
    let plain = sandbox.run(&["databases", "--url", &open.url()]);
    assert_exit(&plain, 0);
    assert_eq!(stdout(&plain), "acme\ndemo\n");

    let closed = runtime.block_on(odoo17().list_db(false).start());
    let refused = sandbox.run(&["databases", "--url", &closed.url(), "--json"]);
    assert_exit(&refused, 6);
    assert_eq!(json(&refused)["code"], "database_list_disabled");
    assert!(
        stderr(&refused).contains("does not list its databases"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn databases_on_a_self_signed_server_needs_a_pin_or_insecure() {
    let runtime = server_runtime();
    let sandbox = Sandbox::new();
    let server = runtime.block_on(odoo17().tls().start());
    let fingerprint = server.certificate_sha256().to_string();

    let untrusted = sandbox.run(&["databases", "--url", &server.url()]);
    assert_exit(&untrusted, 6);
    assert!(
        stderr(&untrusted).contains(&format!("--pin-sha256 {fingerprint}")),
        "{}",
        stderr(&untrusted)
    );
    assert!(
        !stderr(&untrusted).contains("ERROR"),
        "verifier noise: {}",
        stderr(&untrusted)
    );

    let pinned = sandbox.run(&[
        "databases",
        "--url",
        &server.url(),
        "--pin-sha256",
        &fingerprint,
    ]);
    assert_exit(&pinned, 0);
    assert_eq!(stdout(&pinned), "acme\ndemo\n");

    let insecure = sandbox.run(&["databases", "--url", &server.url(), "--insecure"]);
    assert_exit(&insecure, 0);
    assert!(
        stderr(&insecure).contains("warning: --insecure"),
        "{}",
        stderr(&insecure)
    );

    let wrong_pin = "00".repeat(32);
    let mismatch = sandbox.run(&[
        "databases",
        "--url",
        &server.url(),
        "--pin-sha256",
        &wrong_pin,
        "--json",
    ]);
    assert_exit(&mismatch, 6);
    assert_eq!(json(&mismatch)["code"], "tls_fingerprint_mismatch");
}
