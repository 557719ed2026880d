//! Policy engine: the pure rolling-window decision with injected wall and
//! boot clocks, strict parsing with line/column, `policy check` / `policy
//! validate`, and faults (unwritable state, held lock, invalid policy) that
//! must refuse with a reason naming the cause.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use odoo_connections::files::LockFile;
use odoo_connections::policy::audit::{Caller, Decision};
use odoo_connections::policy::clock::{BootTime, Clock, Reading};
use odoo_connections::policy::rate_limit::{self, ClockNote, CounterState, Verdict};
use odoo_connections::policy::rules::Limit;
use odoo_connections::policy::source::BUILT_IN_POLICY;
use odoo_connections::policy::spec::{PolicySpec, Window};
use odoo_connections::policy::{Guard, PolicySource, ToolCall, ToolName};
use support::policy::{PolicySandbox as _, open_limit_policy};
use support::sandbox::{Sandbox, stderr};

const T0: u64 = 1_800_000_000_000;
const MINUTE: u64 = 60_000;

fn per_minute(max: u32) -> Vec<Limit> {
    vec![Limit {
        key: "open_connection_manager/opens".into(),
        rule: "tools.open_connection_manager.limits[0]".into(),
        window: Window::Minute,
        max,
    }]
}

/// Calls at each time in turn, returning every verdict and the final state.
fn run(state: CounterState, times: &[u64], limits: &[Limit]) -> (Vec<Verdict>, CounterState) {
    let mut state = state;
    let mut verdicts = Vec::new();
    for &now in times {
        let (verdict, next) = rate_limit::decide(&state, &wall(now), limits);
        verdicts.push(verdict);
        state = next;
    }
    (verdicts, state)
}

/// A reading of a system without a boot clock (or just after a reboot).
fn wall(wall_ms: u64) -> Reading {
    Reading {
        wall_ms,
        boot: None,
    }
}

/// A reading within boot `boot_id`, `elapsed_ms` after it started.
fn booted(wall_ms: u64, boot_id: &str, elapsed_ms: u64) -> Reading {
    Reading {
        wall_ms,
        boot: Some(BootTime {
            boot_id: boot_id.into(),
            elapsed_ms,
        }),
    }
}

fn admitted(verdict: &Verdict) -> bool {
    matches!(verdict, Verdict::Admit { .. })
}

fn retry_ms(verdict: &Verdict) -> u64 {
    match verdict {
        Verdict::Refuse { retry_after_ms, .. } => *retry_after_ms,
        Verdict::Admit { .. } => panic!("expected a refusal, got {verdict:?}"),
    }
}

fn fill(max: u32) -> CounterState {
    let times: Vec<u64> = (0..u64::from(max)).map(|i| T0 + i).collect();
    let (verdicts, state) = run(CounterState::default(), &times, &per_minute(max));
    assert!(verdicts.iter().all(admitted));
    state
}

#[test]
fn max_calls_pass_and_the_next_is_refused_until_the_first_leaves_the_window() {
    let limits = per_minute(10);
    let state = fill(10);
    let (refused, after) = rate_limit::decide(&state, &wall(T0 + 30_000), &limits);
    assert_eq!(
        retry_ms(&refused),
        30_000,
        "the call at T0 leaves at T0+60s"
    );
    // One millisecond before the window end: still full.
    let (refused, _) = rate_limit::decide(&after, &wall(T0 + MINUTE - 1), &limits);
    assert_eq!(retry_ms(&refused), 1);
    // Exactly at the window end the first call no longer counts.
    let (verdict, after) = rate_limit::decide(&after, &wall(T0 + MINUTE), &limits);
    assert!(admitted(&verdict), "{verdict:?}");
    // ...but only one slot was freed.
    let (refused, _) = rate_limit::decide(&after, &wall(T0 + MINUTE), &limits);
    assert_eq!(
        retry_ms(&refused),
        1,
        "the call at T0+1 leaves at T0+60.001s"
    );
}

#[test]
fn denied_calls_are_not_recorded() {
    let limits = per_minute(3);
    let state = fill(3);
    let hammering: Vec<u64> = (1..=500).map(|i| T0 + 100 * i).collect();
    let (verdicts, after) = run(state.clone(), &hammering, &limits);
    assert!(verdicts.iter().all(|verdict| !admitted(verdict)));
    assert_eq!(after.counters, state.counters, "refusals left no trace");
    let (verdict, _) = rate_limit::decide(&after, &wall(T0 + MINUTE), &limits);
    assert!(admitted(&verdict), "hammering did not extend the lockout");
}

#[test]
fn no_window_ever_holds_more_than_max_admitted_calls() {
    let limits = per_minute(10);
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut now = T0;
    let mut times = Vec::new();
    for _ in 0..5_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        now += seed % 9_000;
        times.push(now);
    }
    let (verdicts, _) = run(CounterState::default(), &times, &limits);
    let allowed: Vec<u64> = times
        .iter()
        .zip(&verdicts)
        .filter(|(_, verdict)| admitted(verdict))
        .map(|(&time, _)| time)
        .collect();
    assert!(allowed.len() > 100, "the test exercises real admissions");
    for (index, &start) in allowed.iter().enumerate() {
        let in_window = allowed[index..]
            .iter()
            .take_while(|&&t| t < start + MINUTE)
            .count();
        assert!(
            in_window <= 10,
            "{in_window} calls within 60 s from {start}"
        );
    }
}

#[test]
fn without_a_boot_clock_a_small_backward_skew_is_clamped_and_frees_nothing() {
    let limits = per_minute(10);
    let state = fill(10);
    let (verdict, after) = rate_limit::decide(&state, &wall(T0 + 9 - 1_500), &limits);
    assert!(
        matches!(
            verdict,
            Verdict::Refuse {
                clock: ClockNote::SkewClamped,
                ..
            }
        ),
        "{verdict:?}"
    );
    assert_eq!(
        retry_ms(&verdict),
        MINUTE - 9,
        "measured from the high-water mark"
    );
    assert_eq!(after.high_water_ms, T0 + 9);
}

#[test]
fn without_a_boot_clock_a_large_backward_step_is_clamped_and_never_frees_quota() {
    let limits = per_minute(10);
    let state = fill(10);
    let stepped = T0 + 9 - 3_600_000;
    let (verdict, after) = rate_limit::decide(&state, &wall(stepped), &limits);
    assert!(
        matches!(
            verdict,
            Verdict::Refuse {
                clock: ClockNote::SteppedBack { by_ms: 3_600_000 },
                ..
            }
        ),
        "{verdict:?}"
    );
    assert_eq!(
        retry_ms(&verdict),
        MINUTE - 9,
        "the same wait as before the step"
    );
    // A minute later on the stepped clock is still before the mark.
    let (verdict, _) = rate_limit::decide(&after, &wall(stepped + MINUTE), &limits);
    assert_eq!(retry_ms(&verdict), MINUTE - 9);
    let (verdict, _) = rate_limit::decide(&after, &wall(T0 + MINUTE), &limits);
    assert!(admitted(&verdict), "{verdict:?}");
}

#[test]
fn within_one_boot_wall_clock_steps_change_nothing_and_are_noted() {
    let limits = per_minute(10);
    let mut state = CounterState::default();
    for index in 0..10 {
        let (verdict, next) = rate_limit::decide(
            &state,
            &booted(T0 + index, "boot-a", 5_000 + index),
            &limits,
        );
        assert!(admitted(&verdict), "{verdict:?}");
        state = next;
    }
    let boot = |wall_ms, elapsed| booted(wall_ms, "boot-a", 5_000 + elapsed);
    for (wall_ms, step) in [
        (T0 + 10 - 3_600_000, -3_600_000_i64),
        (T0 + 10, 3_600_000),
        (T0 + 10 + 86_400_000, 86_400_000),
        (T0 + 10, -86_400_000),
        (0, -i64::try_from(T0 + 10).unwrap()),
        (T0 + 10, i64::try_from(T0 + 10).unwrap()),
    ] {
        let (verdict, next) = rate_limit::decide(&state, &boot(wall_ms, 10), &limits);
        let Verdict::Refuse {
            clock,
            retry_after_ms,
            ..
        } = verdict
        else {
            panic!("a step to {wall_ms} freed a slot: {verdict:?}")
        };
        assert_eq!(clock, ClockNote::WallStepped { by_ms: step });
        assert_eq!(retry_after_ms, MINUTE - 10);
        state = next;
    }
    // Real time, as the boot clock measures it, frees the first slot.
    let (verdict, _) = rate_limit::decide(&state, &boot(0, MINUTE - 1), &limits);
    assert_eq!(retry_ms(&verdict), 1);
    let (verdict, _) = rate_limit::decide(&state, &boot(0, MINUTE), &limits);
    assert!(admitted(&verdict), "{verdict:?}");
}

#[test]
fn after_a_reboot_the_wall_clock_counts_but_never_below_the_high_water_mark() {
    let limits = per_minute(10);
    let mut state = CounterState::default();
    for index in 0..10 {
        let (_, next) = rate_limit::decide(
            &state,
            &booted(T0 + index, "boot-a", 90_000 + index),
            &limits,
        );
        state = next;
    }
    // Rebooted with a clock an hour behind: clamped, then the new boot's clock.
    let (verdict, after) =
        rate_limit::decide(&state, &booted(T0 - 3_600_000, "boot-b", 1_000), &limits);
    assert!(matches!(
        verdict,
        Verdict::Refuse {
            clock: ClockNote::SteppedBack { .. },
            ..
        }
    ));
    assert_eq!(retry_ms(&verdict), MINUTE - 9);
    let (verdict, _) = rate_limit::decide(
        &after,
        &booted(T0 - 3_600_000, "boot-b", 1_000 + MINUTE - 9),
        &limits,
    );
    assert!(admitted(&verdict), "{verdict:?}");
    // Rebooted a day later with a right clock: the window is empty.
    let (verdict, _) =
        rate_limit::decide(&state, &booted(T0 + 86_400_000, "boot-c", 1_000), &limits);
    assert!(admitted(&verdict), "{verdict:?}");
}

#[test]
fn release_takes_back_exactly_one_reservation() {
    let limits = per_minute(2);
    let (verdicts, state) = run(CounterState::default(), &[T0, T0], &limits);
    let Verdict::Admit { stamp_ms, .. } = verdicts[1] else {
        panic!()
    };
    let released = rate_limit::release(&state, stamp_ms, &limits);
    assert_eq!(released.counters["open_connection_manager/opens"], vec![T0]);
    assert!(admitted(
        &rate_limit::decide(&released, &wall(T0 + 1), &limits).0
    ));
}

#[test]
fn every_limit_must_have_room_and_the_longest_wait_is_reported() {
    let limits = vec![
        per_minute(5).remove(0),
        Limit {
            key: "open_connection_manager/hourly".into(),
            rule: "tools.open_connection_manager.limits[1]".into(),
            window: Window::Hour,
            max: 3,
        },
    ];
    let (verdicts, state) = run(
        CounterState::default(),
        &[T0, T0 + 1, T0 + 2, T0 + 3],
        &limits,
    );
    assert_eq!(verdicts.iter().filter(|v| admitted(v)).count(), 3);
    let Verdict::Refuse { limit, .. } = rate_limit::decide(&state, &wall(T0 + 4), &limits).0 else {
        panic!()
    };
    assert_eq!(limit.rule, "tools.open_connection_manager.limits[1]");
}

fn parse_error(text: &str) -> String {
    PolicySpec::parse(text.as_bytes()).unwrap_err().to_string()
}

#[test]
fn strict_parsing_reports_what_and_where() {
    let unknown_key = "{\n  \"version\": \"1\",\n  \"default\": \"deny\",\n  \"every_tool\": {}\n}";
    let error = parse_error(unknown_key);
    assert!(error.starts_with("line 4 column"), "{error}");
    assert!(error.contains("unknown field `every_tool`"), "{error}");

    let error = parse_error("{\"version\": \"2\", \"default\": \"deny\"}");
    assert!(error.starts_with("line 1 column"), "{error}");
    assert!(
        error.contains("unsupported policy version \"2\""),
        "{error}"
    );

    let error = parse_error(&open_limit_policy(0, ""));
    assert!(
        error.contains("max must be a whole number from 1"),
        "{error}"
    );
    assert!(error.starts_with("line 1 column"), "{error}");

    let error = parse_error(r#"{"version":"1","default":"deny","tools":{"":{}}}"#);
    assert!(error.contains("a tool name cannot be empty"), "{error}");
    let error = parse_error(r#"{"version":"1","default":"deny","tools":{"a\u001bb":{}}}"#);
    assert!(error.contains("control character"), "{error}");

    let error = parse_error(r#"{"version":"1","default":"maybe"}"#);
    assert!(error.contains("unknown variant `maybe`"), "{error}");

    let error = parse_error(&open_limit_policy(5, "").replace("minute", "week"));
    assert!(error.contains("unknown variant `week`"), "{error}");

    let twice = r#"{"version":"1","default":"deny","tools":{"open_connection_manager":{"limits":[
        {"counter":"a","window":"minute","max":1},{"counter":"a","window":"hour","max":9}]}}}"#;
    let error = parse_error(twice);
    assert!(error.starts_with("line 2 column"), "{error}");
    assert!(error.contains("counter \"a\" appears twice"), "{error}");

    let error = parse_error(r#"{"default":"deny"}"#);
    assert!(error.contains("missing field `version`"), "{error}");
}

#[test]
fn the_built_in_policy_is_default_deny_with_ten_opens_per_minute() {
    let value: serde_json::Value = serde_json::from_str(BUILT_IN_POLICY).unwrap();
    assert_eq!(value["default"], "deny");
    let open = &value["tools"]["open_connection_manager"]["limits"][0];
    assert_eq!(
        (open["window"].as_str(), open["max"].as_u64()),
        (Some("minute"), Some(10))
    );
    PolicySpec::parse(BUILT_IN_POLICY.as_bytes()).unwrap();
}

#[test]
fn policy_check_consumes_nothing() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(2, ""));
    for _ in 0..3 {
        let check = sandbox
            .command()
            .args(["policy", "check", "open_connection_manager", "--json"])
            .output()
            .unwrap();
        assert!(check.status.success(), "{}", stderr(&check));
        let reports: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
        assert_eq!(reports[0]["decision"], "allow");
        assert_eq!(reports[0]["limits"][0]["used"], 0);
    }
    let window = sandbox.ready_window();
    assert!(sandbox.open(&window).status.success());
    let check = sandbox
        .command()
        .args(["policy", "check", "open_connection_manager", "--json"])
        .output()
        .unwrap();
    let reports: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(reports[0]["limits"][0]["used"], 1);
    assert!(sandbox.open(&window).status.success());
    let check = sandbox
        .command()
        .args(["policy", "check", "open_connection_manager"])
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(7),
        "a full limit is reported as a denial"
    );
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(
        text.contains("deny (rule tools.open_connection_manager.limits[0])"),
        "{text}"
    );
    assert!(text.contains("retry-after:"), "{text}");
    assert_eq!(sandbox.audit().len(), 2, "checks are not audited as calls");
}

#[test]
fn policy_check_without_a_file_shows_the_built_in_policy() {
    let sandbox = Sandbox::new();
    let check = sandbox
        .command()
        .args(["policy", "check", "--json"])
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
    let reports: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let tools: Vec<&str> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["tool"].as_str().unwrap())
        .collect();
    assert_eq!(
        tools,
        [
            "open_connection_manager",
            "list_connections",
            "test_connection"
        ]
    );
    assert_eq!(reports[0]["policy"], "built-in");
    assert_eq!(reports[0]["limits"][0]["limit"], "10 per minute");
}

#[test]
fn policy_validate_accepts_good_files_and_points_at_bad_ones() {
    let sandbox = Sandbox::new();
    let good = sandbox.root().join("good.json");
    std::fs::write(
        &good,
        open_limit_policy(
            3,
            r#""require_approval": true, "on_deny": "Ask the user first.", "#,
        ),
    )
    .unwrap();
    let output = sandbox
        .command()
        .arg("policy")
        .arg("validate")
        .arg(&good)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));

    let bad = sandbox.root().join("bad.json");
    std::fs::write(&bad, "{\n \"version\": \"1\",\n \"default\": \"deny\",\n \"tools\": {\"open_connection_manager\": {\"limit\": []}}\n}").unwrap();
    let output = sandbox
        .command()
        .arg("policy")
        .arg("validate")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let message = stderr(&output);
    assert!(message.contains("line 4 column"), "{message}");
    assert!(message.contains("unknown field `limit`"), "{message}");
}

#[test]
fn an_invalid_policy_refuses_and_names_the_error() {
    let sandbox = Sandbox::new();
    sandbox.write_policy("{\"version\": \"1\", \"default\": \"allow\", \"tools\": {\"open_connection_manager\": {\"limits\": [{\"counter\": \"x\", \"window\": \"minute\", \"max\": 0}]}}}");
    let output = sandbox.open(&sandbox.ready_window());
    assert_eq!(output.status.code(), Some(7));
    let message = stderr(&output);
    assert!(message.contains("is invalid at line 1 column"), "{message}");
    assert!(message.contains("max must be"), "{message}");
    assert!(sandbox.window_args().is_empty(), "no window was started");
    let entry = sandbox.audit().pop().unwrap();
    assert_eq!(entry.rule.as_deref(), Some("policy"));
}

#[test]
fn an_explicit_policy_file_that_is_missing_refuses() {
    let sandbox = Sandbox::new();
    let output = sandbox
        .command()
        .arg("open")
        .env("ODOO_CONNECTIONS_POLICY", sandbox.root().join("nope.json"))
        .env("ODOO_CONNECTIONS_GUI_COMMAND", sandbox.ready_window())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7));
    assert!(
        stderr(&output).contains("nope.json does not exist"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_unwritable_state_dir_refuses() {
    let sandbox = Sandbox::new();
    let blocker = sandbox.root().join("not-a-dir");
    std::fs::write(&blocker, b"").unwrap();
    let output = sandbox
        .command()
        .arg("--state-dir")
        .arg(blocker.join("state"))
        .arg("open")
        .env("ODOO_CONNECTIONS_GUI_COMMAND", sandbox.ready_window())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("the policy counters cannot be used"),
        "{message}"
    );
    assert!(
        message.contains("make the state directory writable"),
        "{message}"
    );
    assert!(sandbox.window_args().is_empty());
}

#[test]
fn a_held_lock_refuses_as_busy() {
    let sandbox = Sandbox::new();
    let held = LockFile::acquire(
        &sandbox.paths().state_dir().join("counters.lock"),
        std::time::Duration::ZERO,
    )
    .unwrap();
    let output = sandbox.open(&sandbox.ready_window());
    drop(held);
    assert_eq!(output.status.code(), Some(7));
    let message = stderr(&output);
    assert!(
        message.contains("the policy counters are busy"),
        "{message}"
    );
    assert!(sandbox.window_args().is_empty());
}

#[test]
fn deny_and_on_deny_extensions_refuse_with_the_custom_message() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(r#"{"version":"1","default":"allow","tools":{"open_connection_manager":{"deny":true,"on_deny":"Ask Maria to open it."}}}"#);
    let output = sandbox.open(&sandbox.ready_window());
    assert_eq!(output.status.code(), Some(7));
    let message = stderr(&output);
    assert!(
        message.contains("Ask Maria to open it. (the policy refuses"),
        "{message}"
    );
    assert!(
        message.contains("rule tools.open_connection_manager.deny"),
        "{message}"
    );
}

#[test]
fn an_unlisted_tool_under_default_deny_is_refused() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(r#"{"version":"1","default":"deny","tools":{"list_connections":{}}}"#);
    let output = sandbox.open(&sandbox.ready_window());
    assert_eq!(output.status.code(), Some(7));
    assert!(
        stderr(&output).contains("(rule default)"),
        "{}",
        stderr(&output)
    );
}

/// A wall clock and a boot clock that the test sets.
#[derive(Debug)]
struct SetClock {
    wall_ms: AtomicU64,
    boot_ms: AtomicU64,
}

impl SetClock {
    fn at(wall_ms: u64) -> Arc<Self> {
        Arc::new(Self {
            wall_ms: AtomicU64::new(wall_ms),
            boot_ms: AtomicU64::new(1_000),
        })
    }

    /// Real time passes: both clocks move.
    fn pass(&self, ms: u64) {
        self.wall_ms.fetch_add(ms, Ordering::SeqCst);
        self.boot_ms.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for SetClock {
    fn now(&self) -> Reading {
        booted(
            self.wall_ms.load(Ordering::SeqCst),
            "test-boot",
            self.boot_ms.load(Ordering::SeqCst),
        )
    }
}

#[test]
fn a_wall_clock_step_between_processes_frees_nothing_and_is_audited() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(2, ""));
    let paths = sandbox.paths();
    let clock = SetClock::at(T0);
    let guard = Guard::new(&paths, PolicySource::resolve(None, &paths)).with_clock(clock.clone());
    let tool = ToolCall::new(ToolName::open_connection_manager());
    for _ in 0..2 {
        let admission = guard.admit_call(&tool, Caller::Cli).unwrap();
        guard.confirm(admission, "opened the window");
    }
    clock.wall_ms.fetch_sub(3_600_000, Ordering::SeqCst);
    let denial = guard.admit_call(&tool, Caller::Cli).unwrap_err();
    assert_eq!(denial.retry_after_secs, Some(60));
    assert!(
        denial
            .reason
            .contains("the system clock was stepped by -3600 s"),
        "{denial}"
    );
    // A fresh guard (as in the next process) reads the file; real time counts.
    let next = Guard::new(&paths, PolicySource::resolve(None, &paths)).with_clock(clock.clone());
    clock.pass(MINUTE - 1);
    assert_eq!(
        next.admit_call(&tool, Caller::Cli)
            .unwrap_err()
            .retry_after_secs,
        Some(1)
    );
    clock.pass(1);
    let admission = next.admit_call(&tool, Caller::Cli).unwrap();
    next.confirm(admission, "opened the window");
    let decisions: Vec<Decision> = sandbox.audit().iter().map(|entry| entry.decision).collect();
    use Decision::{Allow, Deny};
    assert_eq!(decisions, [Allow, Allow, Deny, Deny, Allow]);
}

#[test]
fn a_plain_refusal_leaves_the_counters_file_as_it_was() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(1, ""));
    let paths = sandbox.paths();
    let clock = SetClock::at(T0);
    let guard = Guard::new(&paths, PolicySource::resolve(None, &paths)).with_clock(clock.clone());
    let tool = ToolCall::new(ToolName::open_connection_manager());
    let admission = guard.admit_call(&tool, Caller::Cli).unwrap();
    guard.confirm(admission, "opened the window");
    let counted = std::fs::read(paths.counters_file()).unwrap();
    clock.pass(MINUTE / 2);
    let denial = guard.admit_call(&tool, Caller::Cli).unwrap_err();
    assert_eq!(denial.retry_after_secs, Some(30));
    assert_eq!(
        std::fs::read(paths.counters_file()).unwrap(),
        counted,
        "a refusal records nothing, so it does not rewrite (and fsync) the file"
    );
    clock.pass(MINUTE / 2);
    assert!(guard.admit_call(&tool, Caller::Cli).is_ok());
}
