//! kill -9 in the middle of the state-dir writers: a launcher updating the
//! policy counters and a connection test recording its result. After every
//! kill the file is whole and holds the old or the new version, and the
//! next run works. `test` needs the keyring: run under `scripts/test --test crash_safety`.

mod support;

use std::collections::BTreeMap;

use odoo_connections::paths::Paths;
use odoo_connections::policy::clock::{Clock as _, SystemClock};
use odoo_connections::policy::rate_limit::CounterState;
use odoo_connections::store::{ConnectionStore, TestResults};
use support::crash::{kill_when_touched, leftovers};
use support::odoo_server::{OdooServer, OdooVersion, User, server_runtime};
use support::policy::PolicySandbox as _;
use support::sandbox::{Sandbox, assert_exit};

const OPENS: &str = "open_connection_manager/opens";

/// The admitted opens in `counters.json`; panics when the file is torn.
fn counted_opens(paths: &Paths) -> usize {
    let bytes = std::fs::read(paths.counters_file()).expect("counters.json exists");
    let state: CounterState = serde_json::from_slice(&bytes)
        .unwrap_or_else(|err| panic!("counters.json is torn ({err}): {bytes:?}"));
    state.counters.get(OPENS).map_or(0, Vec::len)
}

/// Seeds `counters.json` with `calls` opens in the last hour: a file large
/// enough that a kill often lands inside its rewrite.
fn seed_counters(paths: &Paths, calls: u64) {
    let now = SystemClock.now().wall_ms;
    let stamps = (0..calls)
        .map(|index| now - 3_600_000 + index * 100)
        .collect();
    let state = CounterState {
        schema: 1,
        high_water_ms: now,
        counters: BTreeMap::from([(OPENS.to_owned(), stamps)]),
        ..CounterState::default()
    };
    std::fs::create_dir_all(paths.state_dir()).unwrap();
    std::fs::write(paths.counters_file(), serde_json::to_vec(&state).unwrap()).unwrap();
}

#[test]
fn a_launcher_killed_while_counting_leaves_the_old_or_the_new_count() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(
        r#"{"version": "1", "default": "deny", "tools": {"open_connection_manager":
            {"limits": [{"counter": "opens", "window": "day", "max": 1000000}]}}}"#,
    );
    let paths = sandbox.paths();
    seed_counters(&paths, 20_000);
    let window = sandbox.ready_window();
    let mut count = counted_opens(&paths);
    for round in 0..20 {
        kill_when_touched(
            sandbox
                .command()
                .arg("open")
                .env("ODOO_CONNECTIONS_GUI_COMMAND", &window),
            paths.state_dir(),
            &|name| name.contains("counters.json"),
        );
        let after = counted_opens(&paths);
        assert!(
            after == count || after == count + 1,
            "round {round}: {after} opens counted, expected {count} or {}",
            count + 1
        );
        assert_exit(&sandbox.open(&window), 0);
        assert_eq!(counted_opens(&paths), after + 1, "round {round}");
        count = after + 1;
    }
    assert_eq!(leftovers(paths.state_dir()), Vec::<String>::new());
}

/// The history in `last-tests.json`; panics when the file is torn.
fn history(paths: &Paths) -> TestResults {
    match std::fs::read(paths.last_tests_file()) {
        Err(_) => TestResults::default(),
        Ok(bytes) => serde_json::from_slice(&bytes)
            .unwrap_or_else(|err| panic!("last-tests.json is torn ({err}): {bytes:?}")),
    }
}

#[test]
fn a_test_killed_while_recording_leaves_the_old_or_the_new_history() {
    let runtime = server_runtime();
    let server = runtime.block_on(
        OdooServer::builder()
            .version(OdooVersion::V17)
            .database("acme")
            .user(User::new("admin").password("pw"))
            .start(),
    );
    let sandbox = Sandbox::new();
    let paths = sandbox.paths();
    assert_exit(
        &sandbox.add("acme", &server.url(), "pw", &["--auth", "password"]),
        0,
    );
    let id = ConnectionStore::new(&paths)
        .load()
        .unwrap()
        .find("acme")
        .unwrap()
        .id;
    let mut previous = history(&paths);
    for round in 0..12 {
        kill_when_touched(
            sandbox.command().args(["test", "acme"]),
            paths.state_dir(),
            &|name| name.contains("last-tests.json"),
        );
        let after = history(&paths);
        if after != previous {
            let recorded = after.get(id).expect("the new history holds the test");
            assert!(recorded.ok, "round {round}: {recorded:?}");
            assert!(
                previous
                    .get(id)
                    .is_none_or(|before| recorded.time > before.time),
                "round {round}: neither the old history nor a newer test"
            );
        }
        assert_exit(&sandbox.run(&["test", "acme"]), 0);
        let next = history(&paths);
        assert!(
            after
                .get(id)
                .is_none_or(|before| next.get(id).unwrap().time > before.time),
            "round {round}: the next test was recorded"
        );
        previous = next;
    }
    assert_eq!(leftovers(paths.state_dir()), Vec::<String>::new());
}
