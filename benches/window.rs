//! Window figures for `odoo-connections gui` (release build) on the display
//! in `DISPLAY` (`scripts/bench` provides a private Xvfb, where wgpu falls
//! back to software GL): time from process start to the `ready` line (first
//! frame on screen), memory and CPU once idle. Prints figures, asserts nothing.

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use support::{Sandbox, Target, count, figure, heading, median, ms, ticks_per_second};

const STARTS: usize = 7;
const CONNECTIONS: usize = 10_000;
const FIRST_FRAME_TARGET_MS: f64 = 300.0;
const SETTLE: Duration = Duration::from_secs(2);
const IDLE: Duration = Duration::from_secs(10);

/// A window process that said `ready`, stopped on drop.
struct Window {
    child: Child,
}

impl Window {
    /// Starts the window on `sandbox` and waits for its readiness line;
    /// returns it with the time that took.
    fn start(sandbox: &Sandbox) -> (Self, Duration) {
        let log = std::fs::File::create(sandbox.root().join("gui.log")).expect("window log");
        let started = Instant::now();
        let mut child = sandbox
            .command()
            .arg("gui")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start the window");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the readiness line");
        let elapsed = started.elapsed();
        let window = Self { child };
        assert_eq!(
            line.trim(),
            "ready",
            "the window did not start; see {}",
            sandbox.root().join("gui.log").display()
        );
        (window, elapsed)
    }

    /// A numeric field of /proc/PID/stat (1-based, as in proc(5)).
    fn stat_field(&self, field: usize) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))
            .expect("read /proc/PID/stat");
        // The command name (field 2) may hold spaces; count from after it.
        let after_name = &stat[stat.rfind(')').expect("stat format") + 2..];
        after_name
            .split(' ')
            .nth(field - 3)
            .and_then(|value| value.parse().ok())
            .expect("stat field")
    }

    /// User + system CPU time so far, in clock ticks.
    fn cpu_ticks(&self) -> u64 {
        self.stat_field(14) + self.stat_field(15)
    }

    /// Resident memory, in KiB.
    fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("read /proc/PID/status")
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Median time to the first frame over [`STARTS`] starts.
fn first_frame(sandbox: &Sandbox) -> Duration {
    median(
        (0..STARTS)
            .map(|_| Window::start(sandbox).1)
            .collect::<Vec<_>>(),
    )
}

/// The graphics adapter the window reported in its log, if it did.
fn adapter(sandbox: &Sandbox) -> String {
    let log = std::fs::read_to_string(sandbox.root().join("gui.log")).unwrap_or_default();
    let value_of = |key: &str, end: char| {
        let start = log.find(key)? + key.len();
        log[start..].split(end).next().map(str::to_owned)
    };
    match (value_of("backend: ", ','), value_of("name: \"", '"')) {
        (Some(backend), Some(name)) => format!("{backend}, {name}"),
        _ => "a hardware adapter".to_owned(),
    }
}

fn main() {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        heading("Window: skipped (no display; run scripts/bench, which provides Xvfb)");
        return;
    }
    let empty = Sandbox::new();
    let first_empty = first_frame(&empty);
    let large = Sandbox::new();
    large.seed_connections(CONNECTIONS);
    let first_large = first_frame(&large);

    let (window, _) = Window::start(&empty);
    std::thread::sleep(SETTLE);
    let rss_empty = window.rss_kib();
    drop(window);
    let (window, _) = Window::start(&large);
    std::thread::sleep(SETTLE);
    let rss = window.rss_kib();
    let before = window.cpu_ticks();
    std::thread::sleep(IDLE);
    let idle_cpu = (window.cpu_ticks() - before) as f64 / ticks_per_second() / IDLE.as_secs_f64();
    drop(window);

    let target = Target::Below(FIRST_FRAME_TARGET_MS);
    heading(&format!(
        "Window (release, renderer: {}; first frame: median of {STARTS} starts)",
        adapter(&large)
    ));
    figure(
        "time to first frame (start to `ready`), no connections",
        ms(first_empty),
        "ms",
        target,
    );
    figure(
        &format!("time to first frame, {} connections", count(CONNECTIONS)),
        ms(first_large),
        "ms",
        target,
    );
    figure(
        "idle resident memory, no connections",
        rss_empty as f64 / 1024.0,
        "MiB",
        Target::None,
    );
    figure(
        &format!("idle resident memory, {} connections", count(CONNECTIONS)),
        rss as f64 / 1024.0,
        "MiB",
        Target::None,
    );
    figure(
        &format!(
            "idle CPU over {} s, window open, {} connections",
            IDLE.as_secs(),
            count(CONNECTIONS)
        ),
        idle_cpu * 100.0,
        "%",
        Target::Exactly(0.0),
    );
}
