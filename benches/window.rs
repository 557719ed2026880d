//! Window figures for `odoo-connections gui` (release build) on the display
//! in `DISPLAY` (`scripts/bench` provides a private Xvfb, where wgpu falls
//! back to software GL): time from process start to the `ready` line (first
//! frame on screen), memory and CPU once idle. Prints figures, asserts nothing.

mod support;

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use support::{BenchSandbox as _, Sandbox, Target, count, figure, heading, median, ms};

const STARTS: usize = 7;
const CONNECTIONS: usize = 10_000;
const FIRST_FRAME_TARGET_MS: f64 = 300.0;
const SETTLE: Duration = Duration::from_secs(2);
const IDLE: Duration = Duration::from_secs(10);
/// "0 %" as `top` shows it: no repainting while nothing happens.
const IDLE_CPU_TARGET_PERCENT: f64 = 0.05;

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
            .quiet_command()
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

    /// CPU time of each of its threads so far, in nanoseconds (the first
    /// field of /proc/PID/task/TID/schedstat; exact, unlike clock ticks).
    fn cpu_nanos_by_thread(&self) -> HashMap<String, u64> {
        std::fs::read_dir(format!("/proc/{}/task", self.child.id()))
            .expect("read /proc/PID/task")
            .flatten()
            .filter_map(|task| {
                let stat = std::fs::read_to_string(task.path().join("schedstat")).ok()?;
                let nanos = stat.split(' ').next()?.parse().ok()?;
                Some((task.file_name().to_string_lossy().into_owned(), nanos))
            })
            .collect()
    }

    /// Share of one CPU its threads used while sleeping for `span` (a
    /// thread that ends meanwhile, like an idle worker, is left out).
    fn cpu_share_over(&self, span: Duration) -> f64 {
        let before = self.cpu_nanos_by_thread();
        std::thread::sleep(span);
        let used: u64 = (self.cpu_nanos_by_thread().into_iter())
            .map(|(thread, after)| after.saturating_sub(before.get(&thread).copied().unwrap_or(0)))
            .sum();
        used as f64 / span.as_nanos() as f64
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

/// Median time to the first frame over [`STARTS`] starts, after one
/// unmeasured start (which reads the program and its libraries from disk).
fn first_frame(sandbox: &Sandbox) -> Duration {
    drop(Window::start(sandbox));
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
    let idle_cpu = window.cpu_share_over(IDLE);
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
        Target::Below(IDLE_CPU_TARGET_PERCENT),
    );
}
