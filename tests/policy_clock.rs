//! Wall-clock steps free no quota: after ten admitted opens, real `open`
//! processes run with the wall clock stepped by libfaketime (back an hour,
//! a day ahead, back to 1970, each followed by real time) and every one is
//! refused. `FAKETIME_DONT_FAKE_MONOTONIC=1` leaves the monotonic and boot
//! clocks alone, exactly like an NTP step or a person setting the clock.

mod support;

use std::process::Output;

use odoo_connections::policy::audit::Decision;
use support::policy::{PolicySandbox as _, open_limit_policy};
use support::sandbox::{Sandbox, assert_exit, stderr};

const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

/// `open` with the wall clock at `faketime` (libfaketime's syntax), or real.
fn open_at(sandbox: &Sandbox, faketime: Option<&str>) -> Output {
    let mut command = sandbox.command();
    command
        .arg("open")
        .env("ODOO_CONNECTIONS_GUI_COMMAND", sandbox.ready_window());
    if let Some(faketime) = faketime {
        assert!(
            std::path::Path::new(LIBFAKETIME).exists(),
            "libfaketime is installed (Debian package faketime)"
        );
        command
            .env("LD_PRELOAD", LIBFAKETIME)
            .env("FAKETIME", faketime)
            .env("FAKETIME_DONT_FAKE_MONOTONIC", "1");
    }
    command.output().unwrap()
}

#[test]
fn stepping_the_wall_clock_back_ahead_or_to_1970_admits_no_extra_open() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(10, ""));
    for _ in 0..10 {
        assert_exit(&open_at(&sandbox, None), 0);
    }
    let now = time::OffsetDateTime::now_utc();
    let steps = [
        ("-1h", "back an hour"),
        ("+1d", "a day ahead"),
        ("-1h", "back an hour again"),
        ("+1d", "a day ahead again"),
        ("@1970-01-01 00:00:01", "1970"),
    ];
    for (faketime, what) in steps {
        for stepped in [Some(faketime), None] {
            let output = open_at(&sandbox, stepped);
            assert_exit(&output, 7);
            assert!(
                stderr(&output).contains("limit 10 per minute reached"),
                "{what}: {}",
                stderr(&output)
            );
            let logged = sandbox.audit().pop().unwrap();
            assert_eq!(logged.decision, Decision::Deny);
            // The process really ran on the stepped wall clock.
            let skew = logged.time - now;
            match stepped {
                Some("-1h") => assert!(skew < -time::Duration::minutes(50), "{what}: {skew}"),
                Some("+1d") => assert!(skew > time::Duration::hours(23), "{what}: {skew}"),
                Some(_) => assert_eq!(logged.time.year(), 1970, "{what}"),
                None => assert!(skew.abs() < time::Duration::minutes(5), "{what}: {skew}"),
            }
        }
    }
    let opened = sandbox
        .audit()
        .iter()
        .filter(|entry| entry.decision == Decision::Allow)
        .count();
    assert_eq!(opened, 10);
    assert_eq!(sandbox.window_args().len(), 10);
}

#[test]
fn a_wall_clock_step_is_written_to_the_audit_log() {
    let sandbox = Sandbox::new();
    sandbox.write_policy(&open_limit_policy(1, ""));
    assert_exit(&open_at(&sandbox, None), 0);
    assert_exit(&open_at(&sandbox, Some("+1d")), 7);
    let logged = sandbox.audit().pop().unwrap();
    let reason = logged.reason.unwrap();
    assert!(
        reason.contains("the system clock was stepped by +86400 s")
            || reason.contains("the system clock was stepped by +86399 s"),
        "{reason}"
    );
}
