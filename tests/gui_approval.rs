//! The real approval window, on the wrapper's Xvfb display and driven with
//! xdotool: it allows only on an explicit choice, and two requests at once
//! are two windows that say which is which (their titles and text carry
//! the request number) and are not stacked exactly on each other.
#![cfg(feature = "gui")]

mod support;

use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use support::sandbox::Sandbox;

/// An approval window's process, and the lines it logs.
struct Approval {
    child: Child,
    log: std::sync::mpsc::Receiver<String>,
    /// What the window last logged about its keyboard focus.
    focused: bool,
}

impl Approval {
    /// Notes what `line` says about the keyboard focus.
    fn note(&mut self, line: &str) {
        if line.contains("approval window has the keyboard focus") {
            self.focused = true;
        } else if line.contains("approval window lost the keyboard focus") {
            self.focused = false;
        }
    }

    /// The next line the window logs.
    fn next_line(&mut self, awaited: &str) -> String {
        let line = (self.log.recv_timeout(Duration::from_secs(120)))
            .unwrap_or_else(|_| panic!("the approval window did not log {awaited}"));
        self.note(&line);
        line
    }

    /// Focuses the window, waits until it has the keyboard focus, and
    /// types `keys`, paced like a person types: egui moves the keyboard
    /// focus once per frame, so two Tabs in one frame would count as one.
    fn type_keys(&mut self, window: &str, keys: &[&str]) {
        xdotool(&["windowfocus", "--sync", window]);
        while let Ok(line) = self.log.try_recv() {
            self.note(&line);
        }
        while !self.focused {
            self.next_line("that it has the keyboard focus");
        }
        let mut args = vec!["key", "--delay", "400"];
        args.extend_from_slice(keys);
        xdotool(&args);
    }

    fn exit_code(self) -> Option<i32> {
        self.child
            .wait_with_output()
            .expect("approval exit")
            .status
            .code()
    }
}

/// Starts an approval window for `tool` and waits until it has drawn its
/// first frame (it logs "approval window ready" at info level).
fn start_approval(sandbox: &Sandbox, tool: &str) -> Approval {
    let mut child = sandbox
        .command()
        .args(["approve", "--tool", tool, "--caller", "mcp"])
        .env("ODOO_CONNECTIONS_LOG", "odoo_connections=info")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("approval window");
    // The call to confirm comes on stdin, as the launcher sends it.
    let request = serde_json::json!({
        "tool": tool, "caller": "mcp", "client": null, "connection": null,
        "environment": null, "action": "open the window", "summary": [],
        "arguments": null,
        "grant": {"args_sha256": null, "nonce": "n", "expires_at_ms": 0},
    });
    std::io::Write::write_all(
        &mut child.stdin.take().expect("piped stdin"),
        request.to_string().as_bytes(),
    )
    .expect("send the request");
    let stderr = child.stderr.take().expect("piped stderr");
    let (sender, log) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            sender.send(line).ok();
        }
    });
    let mut approval = Approval {
        child,
        log,
        focused: false,
    };
    while !approval
        .next_line("that it is ready")
        .contains("approval window ready")
    {}
    approval
}

fn xdotool(args: &[&str]) -> String {
    let output = Command::new("xdotool")
        .args(args)
        .output()
        .expect("xdotool (see README requirements)");
    assert!(output.status.success(), "xdotool {args:?} failed");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// The visible approval windows whose title contains `title`.
fn windows(title: &str) -> Vec<String> {
    let search = Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", title])
        .output()
        .expect("xdotool");
    String::from_utf8_lossy(&search.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// How many times to look for a window title before giving up (a cap on
/// attempts, 100 ms apart, not a timed assertion).
const LOOKS: usize = 300;

/// The one visible approval window whose title contains `title`, once it
/// is there.
fn the_window(title: &str) -> String {
    for _ in 0..LOOKS {
        let found = windows(title);
        if found.len() == 1 {
            return found[0].clone();
        }
        assert!(found.len() < 2, "two windows titled {title:?}: {found:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("no window titled {title:?} after {LOOKS} looks");
}

/// One test's windows at a time: they share the display, and windows are
/// found by their titles.
static DISPLAY: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn the_approval_window_allows_only_on_an_explicit_choice() {
    let _display = DISPLAY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let sandbox = Sandbox::new();
    let mut denied = start_approval(&sandbox, "open_connection_manager");
    denied.type_keys(&the_window("Allow access"), &["Escape"]);
    assert_eq!(denied.exit_code(), Some(1), "Esc denies");

    let mut allowed = start_approval(&sandbox, "open_connection_manager");
    // Tab reaches "Deny", then "Allow"; Return presses it.
    allowed.type_keys(&the_window("Allow access"), &["Tab", "Tab", "Return"]);
    assert_eq!(allowed.exit_code(), Some(0), "Allow allows");
}

/// The window's position on screen, as xdotool reports it.
fn position(window: &str) -> String {
    let geometry = xdotool(&["getwindowgeometry", window]);
    geometry
        .lines()
        .find_map(|line| line.trim().strip_prefix("Position: "))
        .expect("a position")
        .to_owned()
}

#[test]
fn two_requests_at_once_say_which_is_which() {
    let _display = DISPLAY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let sandbox = Sandbox::new();
    let mut first = start_approval(&sandbox, "open_connection_manager");
    let mut second = start_approval(&sandbox, "list_connections");
    // The first retitles itself once the second is there (it counts the
    // open windows each time it draws, at least once a second).
    let one = the_window("(request 2)");
    let other = the_window("(request 1)");
    assert_ne!(one, other);
    assert_ne!(position(&one), position(&other), "not stacked exactly");

    second.type_keys(&one, &["Escape"]);
    assert_eq!(second.exit_code(), Some(1));
    first.type_keys(&other, &["Escape"]);
    assert_eq!(first.exit_code(), Some(1));

    // A number given back is used again: a new request alone is unnumbered.
    let mut third = start_approval(&sandbox, "open_connection_manager");
    let alone = the_window("Allow access");
    assert!(
        !xdotool(&["getwindowname", &alone]).contains("(request"),
        "a request alone carries no number"
    );
    third.type_keys(&alone, &["Escape"]);
    assert_eq!(third.exit_code(), Some(1));
}
