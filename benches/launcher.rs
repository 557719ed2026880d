//! Launcher figures, each a whole `odoo-connections` process (release
//! build) in a private sandbox: the decision of `policy check` and `open` on
//! the allow and deny paths, the whole allowed `open` including the start of
//! a stand-in window that prints `ready`, and 200 simultaneous `open`s
//! against a limit of 10. Prints figures, asserts nothing.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use support::{BenchSandbox as _, Sandbox, Target, figure, heading, measure, median, ms};

const ROUNDS: usize = 60;
const WARM_UP: usize = 5;
const DECISION_TARGET_MS: f64 = 5.0;
const SIMULTANEOUS: usize = 200;
const LIMIT: u32 = 10;

/// A default-deny policy allowing `open_connection_manager` `max` times a minute.
fn open_limit_policy(max: u32) -> String {
    format!(
        r#"{{"version": "1", "default": "deny", "tools": {{"open_connection_manager": {{"limits": [{{"counter": "opens", "window": "minute", "max": {max}, "scope": "grant"}}]}}}}}}"#
    )
}

/// Runs `command` and checks its exit code (a wrong code means the bench
/// measures the wrong path).
fn run_expecting(command: &mut Command, code: i32) {
    let status = command.status().expect("run odoo-connections");
    assert_eq!(status.code(), Some(code), "unexpected exit: {command:?}");
}

/// Median wall time of `rounds` whole processes of `args`, expecting `code`.
fn process_time(sandbox: &Sandbox, args: &[&str], code: i32) -> Duration {
    let window = sandbox.ready_window();
    let run = || {
        run_expecting(
            sandbox
                .quiet_command()
                .args(args)
                .env("ODOO_CONNECTIONS_GUI_COMMAND", &window),
            code,
        );
    };
    // Unmeasured runs first: the binary's pages in the cache, the files created.
    for _ in 0..WARM_UP {
        run();
    }
    measure(ROUNDS, run)
}

/// Median wall time of a whole `/bin/true` process: the least any process
/// costs on this machine, the baseline of the others.
fn true_time() -> Duration {
    let run = || run_expecting(&mut Command::new("/bin/true"), 0);
    for _ in 0..WARM_UP {
        run();
    }
    measure(ROUNDS, run)
}

/// Median time from spawning an allowed `open` to the moment its decision
/// is in force: the policy evaluated, the call counted and `counters.json`
/// saved durably. The launcher stamps that moment in `gui.log` ("starting
/// the window") just before it starts the window process.
fn time_to_decision_in_force(sandbox: &Sandbox) -> Duration {
    let window = sandbox.ready_window();
    let log = sandbox.paths().gui_log();
    let samples = (0..WARM_UP + ROUNDS)
        .map(|_| {
            let spawned = OffsetDateTime::now_utc();
            run_expecting(
                sandbox
                    .quiet_command()
                    .arg("open")
                    .env("ODOO_CONNECTIONS_GUI_COMMAND", &window),
                0,
            );
            Duration::try_from(last_window_start(&log) - spawned)
                .expect("the launcher stamps the window start after it was spawned")
        })
        .skip(WARM_UP)
        .collect();
    median(samples)
}

/// The stamp of the last "--- <time> starting the window" line of `gui.log`.
fn last_window_start(log: &Path) -> OffsetDateTime {
    let text = std::fs::read_to_string(log).expect("read gui.log");
    let stamp = text
        .lines()
        .rev()
        .find_map(|line| line.strip_prefix("--- "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("gui.log has a window start line");
    OffsetDateTime::parse(stamp, &Rfc3339).expect("an RFC 3339 stamp")
}

/// `count` simultaneous `open`s under a limit: (admitted, wall time).
fn simultaneous_opens(count: usize, limit: u32) -> (usize, Duration) {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(limit));
    let window = sandbox.ready_window();
    let started = Instant::now();
    let children: Vec<_> = (0..count)
        .map(|_| {
            sandbox
                .quiet_command()
                .arg("open")
                .env("ODOO_CONNECTIONS_GUI_COMMAND", &window)
                .spawn()
                .expect("spawn open")
        })
        .collect();
    let admitted = children
        .into_iter()
        .map(|mut child| child.wait().expect("wait open"))
        .filter(|status| status.success())
        .count();
    (admitted, started.elapsed())
}

fn main() {
    let target = Target::Below(DECISION_TARGET_MS);

    let allowing = Sandbox::new();
    allowing.write_policy(&open_limit_policy(u32::MAX));
    let check_allow = process_time(
        &allowing,
        &["policy", "check", "open_connection_manager"],
        0,
    );
    let open_allow = process_time(&allowing, &["open"], 0);
    let open_allow_decided = time_to_decision_in_force(&allowing);

    let full = Sandbox::new();
    full.write_policy(&open_limit_policy(1));
    run_expecting(
        full.quiet_command()
            .arg("open")
            .env("ODOO_CONNECTIONS_GUI_COMMAND", full.ready_window()),
        0,
    );
    let check_deny = process_time(&full, &["policy", "check", "open_connection_manager"], 7);
    let open_deny = process_time(&full, &["open"], 7);

    let version = process_time(&allowing, &["--version"], 0);
    let baseline = true_time();

    heading(&format!(
        "Launcher (whole process, release build, median of {ROUNDS})"
    ));
    figure(
        "`/bin/true`, start and exit (baseline)",
        ms(baseline),
        "ms",
        Target::None,
    );
    figure(
        "process start and exit (`--version`, for reference)",
        ms(version),
        "ms",
        Target::None,
    );
    figure(
        "decision: `policy check`, allowed",
        ms(check_allow),
        "ms",
        target,
    );
    figure(
        "decision: `policy check`, denied (limit full)",
        ms(check_deny),
        "ms",
        target,
    );
    figure(
        "decision: `open`, allowed (counted and saved)",
        ms(open_allow_decided),
        "ms",
        target,
    );
    figure(
        "decision: `open`, denied (limit full)",
        ms(open_deny),
        "ms",
        target,
    );

    figure(
        "decision: `open`, denied, ÷ `/bin/true`",
        open_deny.as_secs_f64() / baseline.as_secs_f64(),
        "×",
        Target::None,
    );

    figure(
        "whole `open`, allowed, with a stand-in window (reference)",
        ms(open_allow),
        "ms",
        Target::None,
    );

    let (admitted, wall) = simultaneous_opens(SIMULTANEOUS, LIMIT);
    heading(&format!(
        "{SIMULTANEOUS} simultaneous `open`s, limit {LIMIT} a minute"
    ));
    figure(
        "admitted",
        admitted as f64,
        "",
        Target::Exactly(f64::from(LIMIT)),
    );
    figure(
        "wall time, first start to last exit",
        ms(wall),
        "ms",
        Target::None,
    );
}
