//! The real window under Wayland (a private headless weston, no X display):
//! it draws its first frame there, and names its xdg toplevel
//! `odoo-connections`, the desktop entry's name, as libwayland's own log of
//! the protocol (`WAYLAND_DEBUG`) shows.
#![cfg(all(feature = "gui", target_os = "linux"))]

mod support;

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use support::sandbox::Sandbox;

/// How long the window may take to show its first frame before the test
/// gives up (not a speed goal: a hung start must not hang the suite).
const START_LIMIT: Duration = Duration::from_secs(60);

/// A headless weston on a socket in its own runtime dir; ended on drop.
struct Weston {
    child: Child,
    runtime: tempfile::TempDir,
}

impl Weston {
    const SOCKET: &str = "wayland-test";

    fn start() -> Self {
        let runtime = tempfile::tempdir().expect("a runtime dir");
        let child = Command::new("weston")
            .args([
                "--backend=headless-backend.so",
                "--socket",
                Self::SOCKET,
                "--idle-time=0",
            ])
            .env("XDG_RUNTIME_DIR", runtime.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("weston (Debian: weston; scripts/test installs it)");
        let weston = Self { child, runtime };
        for _ in 0..1000 {
            if weston.display().exists() {
                return weston;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("weston made no socket at {}", weston.display().display());
    }

    /// The socket, as an absolute `WAYLAND_DISPLAY`.
    fn display(&self) -> PathBuf {
        self.runtime.path().join(Self::SOCKET)
    }
}

impl Drop for Weston {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

#[test]
fn under_wayland_the_window_shows_and_its_app_id_names_the_desktop_entry() {
    let weston = Weston::start();
    let sandbox = Sandbox::new();
    let mut window = sandbox
        .command()
        .arg("gui")
        .env_remove("DISPLAY")
        .env("WAYLAND_DISPLAY", weston.display())
        .env("WAYLAND_DEBUG", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the window");
    // The protocol log is long: read it while the window runs.
    let mut stderr = window.stderr.take().expect("stderr");
    let log = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).ok();
        text
    });
    let stdout = window.stdout.take().expect("stdout");
    let (lines, line) = mpsc::channel();
    std::thread::spawn(move || {
        for text in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(text).is_err() {
                return;
            }
        }
    });
    let ready = std::iter::from_fn(|| line.recv_timeout(START_LIMIT).ok()).any(|l| l == "ready");
    window.kill().ok();
    window.wait().ok();
    let log = log.join().expect("the log reader");
    assert!(
        ready,
        "the window did not show its first frame under Wayland; its log ends: {}",
        tail(&log)
    );
    let app_ids: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("xdg_toplevel@") && line.contains(".set_app_id("))
        .collect();
    assert!(
        !app_ids.is_empty(),
        "the window set no app id on its toplevel; its log ends: {}",
        tail(&log)
    );
    assert!(
        app_ids
            .iter()
            .all(|line| line.ends_with(".set_app_id(\"odoo-connections\")")),
        "the app id must match odoo-connections.desktop: {app_ids:#?}"
    );
}

/// The last lines of `log`, for a failure message.
fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}
