//! The real window's accessibility tree as a Linux screen reader gets it:
//! the built binary on the session's Xvfb display (scripts/with-session.sh),
//! accessibility switched on on the session's AT-SPI bus, keys typed with
//! xdotool, and the tree read over AT-SPI by tests/python/atspi_tree.py
//! (libatspi through the system python3). The frame, a dialog and the
//! dropdowns must have names, the dropdowns their values, and a refused
//! field its message; a connection test's result must be announced
//! (AT-SPI `object:announcement` events, read by
//! tests/python/atspi_announcements.py), a failure assertively.
#![cfg(feature = "gui")]

mod gui_support;
mod support;

use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use odoo_connections::model::Environment;
use serde_json::Value;

use support::odoo_server::{serve_acme, server_runtime};
use support::sandbox::Sandbox;

/// The window's title, and the name its frame must have.
const TITLE: &str = "Odoo Connection Manager";

/// How many times the tree is read while waiting for what a key brought
/// about (a cap on reads, with a short pause between them).
const MAX_READS: usize = 120;

/// Taken by each test for its whole run: they share the session's
/// accessibility switch and its keyboard.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Switches accessibility on the session's AT-SPI bus (org.a11y.Status
/// IsEnabled, what a screen reader sets) on for its lifetime, and off
/// again after, so later window tests in the session run as before.
/// Asking for org.a11y.Bus starts at-spi-bus-launcher on the session bus.
struct Accessibility;

impl Accessibility {
    fn on() -> Self {
        set_accessibility(true);
        Self
    }
}

impl Drop for Accessibility {
    fn drop(&mut self) {
        set_accessibility(false);
    }
}

fn set_accessibility(enabled: bool) {
    let output = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.a11y.Bus",
            "/org/a11y/bus",
            "org.freedesktop.DBus.Properties.Set",
            "string:org.a11y.Status",
            "string:IsEnabled",
            &format!("variant:boolean:{enabled}"),
        ])
        .output()
        .expect("dbus-send (scripts/need-packages tests installs it)");
    assert!(
        output.status.success(),
        "could not set org.a11y.Status IsEnabled={enabled} on the session bus \
         (is at-spi2-core installed, and does this run inside scripts/with-session.sh?): {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The nodes of the AT-SPI tree of process `pid`, in document order, each
/// with `depth`, `role`, `name`, `description` and `states`; `None` while
/// the process is not on the AT-SPI desktop yet (or when its tree changed
/// while it was read). Panics when the tree cannot be read at all.
fn read_tree(pid: u32) -> Option<Vec<Value>> {
    run_tree_script(pid, &[])
}

/// Runs tests/python/atspi_tree.py on `pid` with `args`: the tree, or
/// `None` while the process (or the node `--press` names) is not there yet.
fn run_tree_script(pid: u32, args: &[&str]) -> Option<Vec<Value>> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/atspi_tree.py");
    let output = Command::new("/usr/bin/python3")
        .arg(script)
        .arg(pid.to_string())
        .args(args)
        .output()
        .expect("/usr/bin/python3 (scripts/need-packages tests installs python3-gi)");
    match output.status.code() {
        Some(0) => {
            let tree: Value = serde_json::from_slice(&output.stdout).expect("the script's JSON");
            Some(tree["nodes"].as_array().expect("nodes").clone())
        }
        Some(3 | 4) => None,
        _ => panic!(
            "the AT-SPI tree could not be read: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

/// Does the default action of the node with AT-SPI `role` named `name`
/// (what a screen reader's "activate" does), once it is there.
fn press(window: &Window, role: &str, name: &str) {
    for _ in 0..MAX_READS {
        if run_tree_script(window.0.id(), &["--press", role, name]).is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let nodes = read_tree(window.0.id()).unwrap_or_default();
    panic!("no {role} named {name:?} to press:\n{}", dump(&nodes));
}

/// Reads the tree of `window` until `ready` holds for it; panics with the
/// last tree read when it does not within [`MAX_READS`] reads.
fn tree_when(window: &Window, what: &str, ready: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let mut last = None;
    for _ in 0..MAX_READS {
        if let Some(nodes) = read_tree(window.0.id()) {
            if ready(&nodes) {
                return nodes;
            }
            last = Some(nodes);
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    match last {
        None => panic!("the window never appeared on the AT-SPI desktop (waiting for {what})"),
        Some(nodes) => panic!("{what} did not show in the AT-SPI tree:\n{}", dump(&nodes)),
    }
}

/// The tree as indented lines, for failure messages.
fn dump(nodes: &[Value]) -> String {
    nodes
        .iter()
        .map(|node| {
            let depth = node["depth"].as_u64().unwrap_or(0) as usize;
            format!(
                "{}{} {:?} ({:?})",
                "  ".repeat(depth),
                node["role"].as_str().unwrap_or("?"),
                node["name"].as_str().unwrap_or(""),
                node["description"].as_str().unwrap_or(""),
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The nodes with AT-SPI role `role` (e.g. "frame", "combo box").
fn with_role<'a>(nodes: &'a [Value], role: &str) -> Vec<&'a Value> {
    nodes.iter().filter(|node| node["role"] == role).collect()
}

/// The first node with `role` named `name`.
fn named<'a>(nodes: &'a [Value], role: &str, name: &str) -> Option<&'a Value> {
    with_role(nodes, role)
        .into_iter()
        .find(|node| node["name"] == name)
}

/// The nodes below the node at `index` of `nodes` (document order).
fn subtree(nodes: &[Value], index: usize) -> &[Value] {
    let depth = nodes[index]["depth"].as_u64();
    let end = nodes[index + 1..]
        .iter()
        .position(|node| node["depth"].as_u64() <= depth)
        .map_or(nodes.len(), |offset| index + 1 + offset);
    &nodes[index + 1..end]
}

/// The window's process, closed on drop (also when an assertion failed).
struct Window(Child);

impl Drop for Window {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// Whether `node` has the AT-SPI state `state` (e.g. "focused", "modal").
fn has_state(node: &Value, state: &str) -> bool {
    node["states"]
        .as_array()
        .is_some_and(|states| states.iter().any(|s| s == state))
}

/// Starts `odoo-connections gui` on `sandbox` and waits for its `ready`.
fn start_window(sandbox: &Sandbox) -> Window {
    let mut window = sandbox
        .command()
        .arg("gui")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the window");
    let mut line = String::new();
    std::io::BufReader::new(window.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("read the window's first line");
    assert_eq!(line, "ready\n", "the window started");
    Window(window)
}

/// Types `keys` into `window` (xdotool, on the session's Xvfb), paced
/// like a person types: egui takes in one key per frame.
fn type_keys(window: &Window, keys: &[&str]) {
    let search = Command::new("xdotool")
        .args(["search", "--onlyvisible", "--pid"])
        .arg(window.0.id().to_string())
        .output()
        .expect("xdotool (scripts/need-packages tests installs it)");
    let x_window = String::from_utf8_lossy(&search.stdout)
        .lines()
        .next()
        .expect("the window is visible")
        .to_owned();
    let status = Command::new("xdotool")
        .args(["windowfocus", "--sync", &x_window, "key", "--delay", "400"])
        .args(keys)
        .status()
        .expect("xdotool");
    assert!(status.success(), "xdotool could not type into the window");
}

/// What the window's process asks screen readers to announce, as
/// tests/python/atspi_announcements.py hears it; stops listening on drop.
struct Announcements {
    listener: Child,
    heard: Receiver<Value>,
    /// Everything heard so far, for failure messages.
    log: Vec<Value>,
}

impl Announcements {
    /// Listens to `window`'s announcements from now on.
    fn listen(window: &Window) -> Self {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/python/atspi_announcements.py"
        );
        let mut listener = Command::new("/usr/bin/python3")
            .arg(script)
            .arg(window.0.id().to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("/usr/bin/python3 (scripts/need-packages tests installs python3-gi)");
        let mut lines = std::io::BufReader::new(listener.stdout.take().expect("piped")).lines();
        let first = lines.next().and_then(Result::ok);
        assert_eq!(
            first.as_deref(),
            Some("listening"),
            "the announcement listener started"
        );
        let (send, heard) = mpsc::channel();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let announcement = serde_json::from_str(&line).expect("the listener's JSON");
                if send.send(announcement).is_err() {
                    break;
                }
            }
        });
        Self {
            listener,
            heard,
            log: Vec::new(),
        }
    }

    /// The first announcement heard (also before) that `wanted` accepts;
    /// panics with everything heard when none came within [`MAX_READS`]
    /// pauses.
    fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(found) = self.log.iter().find(|heard| wanted(heard)) {
            return found.clone();
        }
        for _ in 0..MAX_READS {
            if let Ok(announcement) = self.heard.recv_timeout(Duration::from_millis(250)) {
                self.log.push(announcement.clone());
                if wanted(&announcement) {
                    return announcement;
                }
            }
        }
        panic!(
            "{what} was not announced; announcements heard: {:#?}",
            self.log
        );
    }
}

impl Drop for Announcements {
    fn drop(&mut self) {
        self.listener.kill().ok();
        self.listener.wait().ok();
    }
}

/// Tests connection `name` by its "Test connection" button, and waits for
/// its result region (AT-SPI role `role`) to show `diagnosis`.
fn test_and_wait_for_result(window: &Window, name: &str, role: &str, diagnosis: &str) {
    press(window, "list item", name);
    tree_when(window, &format!("{name} selected"), |nodes| {
        named(nodes, "list item", name).is_some_and(|row| has_state(row, "selected"))
    });
    press(window, "push button", "Test connection");
    let what = format!("a {role} named \"Test result\" saying {diagnosis:?}");
    tree_when(window, &what, |nodes| {
        nodes.iter().enumerate().any(|(index, node)| {
            node["role"] == role
                && node["name"] == "Test result"
                && subtree(nodes, index).iter().any(|inner| {
                    inner["name"]
                        .as_str()
                        .is_some_and(|n| n.contains(diagnosis))
                })
        })
    });
}

/// Whether `announcement` says `text` with `politeness`.
fn says(announcement: &Value, text: &str, politeness: &str) -> bool {
    announcement["politeness"] == politeness
        && announcement["text"]
            .as_str()
            .is_some_and(|said| said.contains(text))
}

#[test]
fn a_test_result_is_announced_a_failure_assertively_a_success_politely() {
    let runtime = server_runtime();
    let server = serve_acme(&runtime);
    let sandbox = Sandbox::new();
    // The server knows API key k3y; `seed` stores "secret-of-acme-refused".
    gui_support::seed(
        &sandbox,
        "acme-refused",
        &server.url(),
        Environment::Staging,
        "",
    );
    gui_support::seed_with_secret(
        &sandbox,
        "acme-ok",
        &server.url(),
        Environment::Staging,
        "k3y",
    );
    let _alone = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let accessibility = Accessibility::on();
    let window = start_window(&sandbox);
    tree_when(&window, "the frame", |nodes| {
        !with_role(nodes, "frame").is_empty()
    });
    let mut announcements = Announcements::listen(&window);

    // A refused login: an alert (AT-SPI "notification"), read out at once,
    // diagnosis and all.
    let refused = "refused the API key";
    test_and_wait_for_result(&window, "acme-refused", "notification", refused);
    announcements.wait_for("the refused login, assertively", |heard| {
        says(heard, refused, "assertive")
    });
    announcements.wait_for("the failed result's region, assertively", |heard| {
        says(heard, "Test result", "assertive") && heard["role"] == "notification"
    });

    // A login that works: a status, read out when the reader is idle.
    let connected = "Connected to Odoo";
    test_and_wait_for_result(&window, "acme-ok", "status bar", connected);
    announcements.wait_for("the working login, politely", |heard| {
        says(heard, connected, "polite")
    });
    assert!(
        !announcements
            .log
            .iter()
            .any(|heard| says(heard, connected, "assertive")),
        "a success does not interrupt: {:#?}",
        announcements.log
    );

    // The same result once more is news too: the person pressed Test again.
    announcements.log.clear();
    press(&window, "push button", "Test connection");
    announcements.wait_for("the same result a second time", |heard| {
        says(heard, connected, "polite")
    });

    drop(announcements);
    drop(window);
    drop(accessibility);
    gui_support::clean_up(&sandbox);
}

#[test]
fn the_frame_a_dialog_the_dropdowns_and_a_refused_field_read_right_over_atspi() {
    let sandbox = Sandbox::new();
    gui_support::seed(
        &sandbox,
        "acme",
        "https://erp.acme.example",
        Environment::Staging,
        "",
    );
    let _alone = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let accessibility = Accessibility::on();
    let window = start_window(&sandbox);

    let nodes = tree_when(&window, "the frame", |nodes| {
        !with_role(nodes, "frame").is_empty()
    });
    let frames = with_role(&nodes, "frame");
    assert_eq!(
        frames[0]["name"],
        TITLE,
        "the frame is named after the window:\n{}",
        dump(&nodes)
    );

    // Down selects the first connection: the editor and its dropdowns
    // (Protocol under "Advanced", opened as a screen reader user would).
    type_keys(&window, &["Down"]);
    press(&window, "toggle button", "Advanced");
    let nodes = tree_when(&window, "the editor's dropdowns", |nodes| {
        named(nodes, "combo box", "Environment").is_some()
            && named(nodes, "combo box", "Protocol").is_some()
    });
    for (name, value) in [
        ("Theme", "System"),
        ("Environment", "Staging"),
        ("Protocol", "Automatic (best available)"),
        ("Certificate check", "Trusted authorities (system)"),
        ("Secret kind", "API key"),
    ] {
        let combo = named(&nodes, "combo box", name)
            .unwrap_or_else(|| panic!("a dropdown named {name:?}:\n{}", dump(&nodes)));
        assert_eq!(
            combo["description"],
            value,
            "the {name} dropdown says its value:\n{}",
            dump(&nodes)
        );
    }
    let unnamed: Vec<_> = with_role(&nodes, "combo box")
        .into_iter()
        .filter(|combo| combo["name"] == "")
        .collect();
    assert!(unnamed.is_empty(), "unnamed dropdowns:\n{}", dump(&nodes));

    // Delete asks first, in a modal dialog named after its question.
    type_keys(&window, &["Delete"]);
    let nodes = tree_when(&window, "a dialog", |nodes| {
        !with_role(nodes, "dialog").is_empty()
    });
    let dialog = named(&nodes, "dialog", "Delete connection?")
        .unwrap_or_else(|| panic!("the Delete dialog by name:\n{}", dump(&nodes)));
    assert!(has_state(dialog, "modal"), "the dialog is modal: {dialog}");

    // Esc cancels; Ctrl+N puts the cursor in Name, and a refused name's
    // message is read with the field.
    type_keys(&window, &["Escape"]);
    tree_when(&window, "the dialog closed", |nodes| {
        with_role(nodes, "dialog").is_empty()
    });
    type_keys(&window, &["ctrl+n"]);
    tree_when(&window, "the cursor in Name", |nodes| {
        named(nodes, "entry", "Name").is_some_and(|name| has_state(name, "focused"))
    });
    type_keys(&window, &["minus"]);
    let message = "must start with a letter or a digit";
    let nodes = tree_when(&window, "the refused name's message", |nodes| {
        with_role(nodes, "label")
            .iter()
            .any(|label| label["name"].as_str().is_some_and(|n| n.contains(message)))
    });
    let name = named(&nodes, "entry", "Name")
        .unwrap_or_else(|| panic!("the Name field:\n{}", dump(&nodes)));
    assert!(
        name["description"]
            .as_str()
            .is_some_and(|description| description.contains(message)),
        "the Name field is described by its message:\n{}",
        dump(&nodes)
    );

    drop(window);
    drop(accessibility);
    gui_support::clean_up(&sandbox);
}
