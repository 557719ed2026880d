//! Shared helpers for the benchmark programs: medians, one printed line per
//! figure (name, value, unit, target, met or not), a sandbox of private
//! directories and a store seeded with many connections. Each bench uses
//! only some of them.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use odoo_connections::model::{ConnectionDraft, ConnectionId};
use odoo_connections::store::ConnectionStore;

/// The middle value (the upper one of an even count).
pub fn median<T: Ord + Copy>(mut samples: Vec<T>) -> T {
    samples.sort();
    samples[samples.len() / 2]
}

/// The median wall time of `rounds` runs of `work`.
pub fn measure(rounds: usize, mut work: impl FnMut()) -> Duration {
    median(
        (0..rounds)
            .map(|_| {
                let started = Instant::now();
                work();
                started.elapsed()
            })
            .collect(),
    )
}

/// What a figure should reach.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// Strictly below the value.
    Below(f64),
    /// Exactly the value.
    Exactly(f64),
    /// No target: a figure to compare run to run.
    None,
}

/// Prints a block heading.
pub fn heading(title: &str) {
    println!("\n{title}");
}

/// Prints one figure: name, value, unit, target and whether it is met.
pub fn figure(name: &str, value: f64, unit: &str, target: Target) {
    let shown = |value: f64| match value.abs() {
        v if unit.is_empty() || v == 0.0 => format!("{value:.0}"),
        v if v >= 100.0 => format!("{value:.0}"),
        v if v >= 10.0 => format!("{value:.1}"),
        v if v >= 1.0 => format!("{value:.2}"),
        _ => format!("{value:.3}"),
    };
    let (goal, verdict) = match target {
        Target::Below(limit) => (format!("< {} {unit}", shown(limit)), value < limit),
        Target::Exactly(goal) => (format!("= {} {unit}", shown(goal)), value == goal),
        Target::None => (String::new(), true),
    };
    let verdict = match target {
        Target::None => "",
        _ if verdict => "met",
        _ => "MISSED",
    };
    println!(
        "  {name:<58} {:>9} {unit:<3}  {goal:<12} {verdict}",
        shown(value)
    );
}

/// Milliseconds of a duration, for [`figure`].
pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// A count with thin groups of three digits: `10 000`.
pub fn count(value: usize) -> String {
    let digits = value.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(digit);
    }
    grouped
}

#[path = "../../tests/support/sandbox.rs"]
mod sandbox;

pub use sandbox::Sandbox;

#[path = "../../tests/support/gateway.rs"]
pub mod gateway;

/// What the benchmarks need beyond the tests' [`Sandbox`].
pub trait BenchSandbox {
    /// The release binary pointed at this sandbox, with no standard streams.
    fn quiet_command(&self) -> Command;
    /// An executable stand-in window that only prints `ready` (no file I/O
    /// of its own, so it adds nothing to the launcher's timings).
    fn ready_window(&self) -> PathBuf;
    /// Saves `count` connections (no secrets) in the connections file.
    fn seed_connections(&self, count: usize);
}

impl BenchSandbox for Sandbox {
    fn quiet_command(&self) -> Command {
        let mut command = self.command();
        command.stdout(Stdio::null()).stderr(Stdio::null());
        command
    }

    fn ready_window(&self) -> PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let path = self.root().join("window-ready");
        std::fs::write(&path, "#!/bin/sh\necho ready\n").expect("write stand-in");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .expect("make stand-in executable");
        path
    }

    fn seed_connections(&self, count: usize) {
        ConnectionStore::new(&self.paths())
            .update(|document| {
                for index in 0..count {
                    let draft = ConnectionDraft {
                        name: format!("client-{index:05}"),
                        url: format!("https://erp{index}.example.com"),
                        database: format!("db_{index}"),
                        login: format!("user{index}@example.com"),
                        tags: format!("region-{},tier-{}", index % 7, index % 3),
                        ..ConnectionDraft::new()
                    };
                    let connection = draft
                        .build(ConnectionId::random(), Default::default())
                        .expect("valid draft");
                    document.insert(connection)?;
                }
                Ok(())
            })
            .expect("seed connections");
    }
}
