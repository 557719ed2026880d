//! The window's behaviour as a desktop window: a change made with the
//! command line (a real `odoo-connections` process) shows at once, without
//! a focus change, and leaves the editor's unsaved edits alone (an editor
//! without edits follows the change, or closes when its connection was
//! deleted; one with edits saves them as a new connection then); the
//! selection is remembered across runs; the first size and a remembered
//! one fit the monitor, and a remembered position off every monitor is not
//! used; closing the window ends its watcher thread.
#![cfg(feature = "gui")]

mod gui_support;
mod support;

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use odoo_connections::gui::Window;
use odoo_connections::gui::geometry::{FIRST_SIZE, Monitor, WindowGeometry, place};
use odoo_connections::model::Environment;

use gui_support::{
    MAX_JOB_STEPS, clean_up, click, open, open_on_acme, replace_text, row_exists, saved, secret_of,
    seed, select, settle, type_into,
};
use support::sandbox::{Sandbox, assert_exit};

use eframe::egui::{accesskit::Role, vec2};

/// The tests that open a window take turns: one of them counts the
/// process's watcher threads.
static ONE_WINDOW_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_window_at_a_time() -> MutexGuard<'static, ()> {
    ONE_WINDOW_AT_A_TIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// Steps frames, with no focus change, until `shown` holds (a cap on steps).
fn step_until(
    harness: &mut Harness<'_, Window>,
    what: &str,
    shown: impl Fn(&Harness<'_, Window>) -> bool,
) {
    for _ in 0..MAX_JOB_STEPS {
        harness.step();
        if shown(harness) {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("{what} within {MAX_JOB_STEPS} frames");
}

fn add_with_the_command_line(sandbox: &Sandbox, name: &str) {
    assert_exit(
        &sandbox.add(name, "https://erp.beta.example", "secret-of-beta", &[]),
        0,
    );
}

#[test]
fn a_connection_added_with_the_command_line_shows_without_a_focus_change() {
    let _turn = one_window_at_a_time();
    let sandbox = Sandbox::new();
    let mut harness = open(&sandbox);
    assert!(!row_exists(&harness, "beta"));
    add_with_the_command_line(&sandbox, "beta");
    step_until(
        &mut harness,
        "the new connection was not listed",
        |harness| row_exists(harness, "beta"),
    );
    clean_up(&sandbox);
}

#[test]
fn unsaved_edits_stay_when_the_command_line_changes_the_file() {
    let _turn = one_window_at_a_time();
    let sandbox = Sandbox::new();
    let mut harness = open_on_acme(&sandbox);
    replace_text(&mut harness, "Login", "typed@acme.example");
    add_with_the_command_line(&sandbox, "beta");
    assert_exit(
        &sandbox.run(&["edit", "acme", "--notes", "from the command line"]),
        0,
    );
    step_until(
        &mut harness,
        "the new connection was not listed",
        |harness| row_exists(harness, "beta"),
    );
    assert_eq!(
        harness.get_by_label("Login").value().as_deref(),
        Some("typed@acme.example"),
        "the typed login is still in the form"
    );
    assert_eq!(harness.state().editor_name(), Some("acme"));
    // The draft was not quietly moved onto the new record: saving asks.
    click(&mut harness, "Save");
    harness.get_by_role_and_label(Role::Dialog, "Changed elsewhere");
    clean_up(&sandbox);
}

#[test]
fn typed_text_stays_when_the_command_line_deletes_the_edited_connection_and_save_creates_it_again()
{
    let _turn = one_window_at_a_time();
    let sandbox = Sandbox::new();
    let mut harness = open_on_acme(&sandbox);
    replace_text(&mut harness, "Login", "typed@acme.example");
    assert_exit(&sandbox.run(&["rm", "acme", "--yes"]), 0);
    step_until(
        &mut harness,
        "the deleted connection stayed listed",
        |harness| !row_exists(harness, "acme"),
    );
    assert_eq!(
        harness.get_by_label("Login").value().as_deref(),
        Some("typed@acme.example")
    );
    settle(&mut harness);
    harness.get_by_label_contains("was deleted elsewhere; Save creates it again");
    // Its keyring secret went with it: the form asks for one again.
    harness.get_by_label_contains("a secret is required");
    type_into(&mut harness, "Secret", "typed-secret");
    click(&mut harness, "Save");
    settle(&mut harness);
    let stored = saved(&sandbox);
    assert_eq!(stored.len(), 1, "saved again as a new connection");
    assert_eq!(stored[0].login.as_str(), "typed@acme.example");
    assert_eq!(secret_of(stored[0].id).as_deref(), Some("typed-secret"));
    assert!(row_exists(&harness, "acme"));
    clean_up(&sandbox);
}

#[test]
fn an_editor_without_edits_shows_a_change_made_with_the_command_line() {
    let _turn = one_window_at_a_time();
    let sandbox = Sandbox::new();
    let mut harness = open_on_acme(&sandbox);
    assert_exit(
        &sandbox.run(&["edit", "acme", "--notes", "from the command line"]),
        0,
    );
    step_until(&mut harness, "the editor kept the old notes", |harness| {
        harness.get_by_label("Notes").value().as_deref() == Some("from the command line")
    });
    // An edit made now starts from the stored record: its save asks nothing.
    replace_text(&mut harness, "Login", "typed@acme.example");
    click(&mut harness, "Save");
    settle(&mut harness);
    assert!(
        (harness.query_by_role_and_label(Role::Dialog, "Changed elsewhere")).is_none(),
        "the editor follows the stored record"
    );
    let stored = &saved(&sandbox)[0];
    assert_eq!(stored.login.as_str(), "typed@acme.example");
    assert_eq!(stored.notes, "from the command line");
    clean_up(&sandbox);
}

#[test]
fn an_editor_without_edits_closes_when_the_command_line_deletes_its_connection() {
    let _turn = one_window_at_a_time();
    let sandbox = Sandbox::new();
    let mut harness = open_on_acme(&sandbox);
    assert_exit(&sandbox.run(&["rm", "acme", "--yes"]), 0);
    step_until(
        &mut harness,
        "the deleted connection stayed open",
        |harness| harness.state().editor_name().is_none(),
    );
    settle(&mut harness);
    harness.get_by_label("“acme” was deleted elsewhere");
    clean_up(&sandbox);
}

#[test]
fn the_selection_is_restored_on_the_next_run() {
    let _turn = one_window_at_a_time();
    let sandbox = Sandbox::new();
    for name in ["acme", "beta", "gamma"] {
        seed(
            &sandbox,
            name,
            "https://erp.acme.example",
            Environment::Staging,
            "",
        );
    }
    let mut harness = open(&sandbox);
    select(&mut harness, "beta");
    drop(harness);

    let harness = open(&sandbox);
    assert_eq!(harness.state().editor_name(), Some("beta"));
    drop(harness);

    // Gone since: the next run opens nothing.
    assert_exit(&sandbox.run(&["rm", "beta", "--yes"]), 0);
    let harness = open(&sandbox);
    assert_eq!(harness.state().editor_name(), None);
    clean_up(&sandbox);
}

#[test]
fn a_restored_selection_far_down_the_list_is_scrolled_into_view() {
    let _turn = one_window_at_a_time();
    let sandbox = Sandbox::new();
    let mut far_down = None;
    for number in 0..60 {
        let name = format!("conn-{number:02}");
        let url = "https://erp.acme.example";
        far_down = Some(seed(&sandbox, &name, url, Environment::Staging, ""));
    }
    let far_down = far_down.expect("seeded");
    let state_dir = sandbox.paths().state_dir().to_owned();
    std::fs::create_dir_all(&state_dir).expect("state dir");
    let remembered = serde_json::json!({ "selected": far_down.id });
    std::fs::write(state_dir.join("window.json"), remembered.to_string()).expect("write");

    let harness = open(&sandbox);
    assert_eq!(harness.state().editor_name(), Some("conn-59"));
    assert!(row_exists(&harness, "conn-59"), "its row is shown");
    assert!(!row_exists(&harness, "conn-00"), "the list scrolled to it");
    clean_up(&sandbox);
}

/// The process's threads whose name starts with `prefix` (Linux).
fn threads_named(prefix: &str) -> usize {
    let tasks = std::fs::read_dir("/proc/self/task").expect("/proc/self/task");
    tasks
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|name| name.starts_with(prefix))
        .count()
}

/// Waits (a cap on steps) until no thread named `prefix` is left.
fn until_no_thread_named(prefix: &str) -> bool {
    for _ in 0..MAX_JOB_STEPS {
        if threads_named(prefix) == 0 {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

#[test]
fn closing_the_window_ends_its_watcher_thread() {
    // notify's thread, as the kernel shows its name (15 bytes).
    const WATCHER: &str = "notify-rs inoti";
    let _turn = one_window_at_a_time();
    assert!(
        until_no_thread_named(WATCHER),
        "a window of an earlier test"
    );
    let sandbox = Sandbox::new();
    let harness = open(&sandbox);
    assert_eq!(threads_named(WATCHER), 1, "the window watches the file");
    drop(harness);
    assert!(
        until_no_thread_named(WATCHER),
        "the watcher thread outlived the window"
    );
}

/// A 1280×800 screen at scale 1.5: 853×533 points.
const SMALL_HIDPI: Monitor = Monitor {
    origin: [0, 0],
    size: [1280, 800],
    scale: 1.5,
};

/// A 1920×1080 screen at scale 1, with `SMALL_HIDPI` to its right.
const WIDE: Monitor = Monitor {
    origin: [0, 0],
    size: [1920, 1080],
    scale: 1.0,
};
const RIGHT_OF_WIDE: Monitor = Monitor {
    origin: [1920, 0],
    ..SMALL_HIDPI
};

fn remembered(size: [f32; 2], position: Option<[i32; 2]>) -> WindowGeometry {
    WindowGeometry {
        size,
        position,
        scale: 1.0,
        maximized: false,
    }
}

#[test]
fn the_first_window_fits_a_small_screen_at_scale_one_and_a_half() {
    let placement = place(None, &[SMALL_HIDPI]);
    assert_eq!(placement.size, vec2(768.0, 480.0), "90 % of 853×533 points");
    assert_eq!(placement.position, None, "the desktop places a new window");
    assert!(!placement.maximized);
    // Where it fits, the first size is kept.
    assert_eq!(place(None, &[WIDE]).size, FIRST_SIZE);
}

#[test]
fn a_remembered_size_is_kept_while_it_fits_and_shrinks_when_it_does_not() {
    let fits = remembered([840.0, 520.0], Some([0, 0]));
    assert_eq!(place(Some(&fits), &[SMALL_HIDPI]).size, vec2(840.0, 520.0));
    let too_large = remembered([1100.0, 720.0], Some([0, 0]));
    let placement = place(Some(&too_large), &[SMALL_HIDPI]);
    assert_eq!(placement.size, vec2(768.0, 480.0));
    assert_eq!(placement.position, Some([0, 0]));
}

#[test]
fn a_remembered_position_off_every_monitor_is_not_used() {
    let monitors = [WIDE, RIGHT_OF_WIDE];
    for off in [
        [-3000, 100],
        [5000, 100],
        [100, 2000],
        [100, -40],
        [3150, 790],
    ] {
        let geometry = remembered([1000.0, 700.0], Some(off));
        let placement = place(Some(&geometry), &monitors);
        assert_eq!(
            placement.position,
            Some([460, 190]),
            "{off:?} is off screen: centred on the primary monitor"
        );
        assert_eq!(placement.size, vec2(1000.0, 700.0));
    }
}

#[test]
fn a_remembered_position_on_a_second_monitor_is_kept_and_fits_that_monitor() {
    let geometry = remembered([1000.0, 700.0], Some([2000, 50]));
    let placement = place(Some(&geometry), &[WIDE, RIGHT_OF_WIDE]);
    assert_eq!(placement.position, Some([2000, 50]));
    assert_eq!(placement.size, vec2(768.0, 480.0), "the 1.5 monitor's 90 %");
    // Half off the left edge, the title bar still in reach: kept.
    let half_off = remembered([1000.0, 700.0], Some([-500, 50]));
    assert_eq!(place(Some(&half_off), &[WIDE]).position, Some([-500, 50]));
}

#[test]
fn a_maximized_window_opens_maximized() {
    let geometry = WindowGeometry {
        maximized: true,
        ..remembered([900.0, 600.0], Some([10, 10]))
    };
    assert!(place(Some(&geometry), &[WIDE]).maximized);
}

/// The real window under X (`scripts/with-session.sh`'s Xvfb, 1280×800, no
/// window manager), at scale 1.5: its X window, found by process id.
struct RealWindow {
    child: std::process::Child,
    conn: x11rb::rust_connection::RustConnection,
    root: u32,
    window: u32,
}

impl RealWindow {
    fn open(sandbox: &Sandbox) -> Self {
        use x11rb::connection::Connection as _;
        let child = sandbox
            .command()
            .arg("gui")
            .env("WINIT_X11_SCALE_FACTOR", "1.5")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start the window");
        let (conn, screen) =
            x11rb::connect(None).expect("an X display (run under scripts/with-session.sh)");
        let root = conn.setup().roots[screen].root;
        let mut opened = Self {
            child,
            conn,
            root,
            window: 0,
        };
        for _ in 0..MAX_JOB_STEPS {
            if let Some(window) = opened.shown_window() {
                opened.window = window;
                return opened;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("the window was not shown within {MAX_JOB_STEPS} tries");
    }

    /// The viewable window of the child process, if mapped yet.
    fn shown_window(&self) -> Option<u32> {
        use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _, MapState};
        let pid = self.atom(b"_NET_WM_PID");
        let tree = self.conn.query_tree(self.root).ok()?.reply().ok()?;
        tree.children.into_iter().find(|&window| {
            let owner = (self.conn)
                .get_property(false, window, pid, AtomEnum::CARDINAL, 0, 1)
                .ok()
                .and_then(|cookie| cookie.reply().ok())
                .and_then(|reply| reply.value32()?.next());
            let viewable = (self.conn.get_window_attributes(window).ok())
                .and_then(|cookie| cookie.reply().ok())
                .is_some_and(|attributes| attributes.map_state == MapState::VIEWABLE);
            owner == Some(self.child.id()) && viewable
        })
    }

    fn atom(&self, name: &[u8]) -> u32 {
        use x11rb::protocol::xproto::ConnectionExt as _;
        let cookie = self.conn.intern_atom(false, name).expect("intern atom");
        cookie.reply().expect("atom").atom
    }

    /// The window's `WM_CLASS`: its instance and class names.
    fn wm_class(&self) -> Vec<String> {
        use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _};
        let reply = (self.conn)
            .get_property(
                false,
                self.window,
                AtomEnum::WM_CLASS,
                AtomEnum::STRING,
                0,
                256,
            )
            .expect("WM_CLASS")
            .reply()
            .expect("WM_CLASS");
        (reply.value.split(|&byte| byte == 0))
            .filter(|name| !name.is_empty())
            .map(|name| String::from_utf8_lossy(name).into_owned())
            .collect()
    }

    /// Position and size on the screen, in pixels.
    fn geometry(&self) -> ([i32; 2], [u32; 2]) {
        use x11rb::protocol::xproto::ConnectionExt as _;
        let size = (self.conn.get_geometry(self.window).expect("geometry"))
            .reply()
            .expect("geometry");
        let corner = (self.conn)
            .translate_coordinates(self.window, self.root, 0, 0)
            .expect("translate")
            .reply()
            .expect("translate");
        (
            [corner.dst_x.into(), corner.dst_y.into()],
            [size.width.into(), size.height.into()],
        )
    }

    /// Moves and resizes the window as a person would with the mouse.
    fn move_to(&self, position: [i32; 2], size: [u32; 2]) {
        use x11rb::connection::Connection as _;
        use x11rb::protocol::xproto::{ConfigureWindowAux, ConnectionExt as _};
        let change = ConfigureWindowAux::new()
            .x(position[0])
            .y(position[1])
            .width(size[0])
            .height(size[1]);
        (self.conn.configure_window(self.window, &change)).expect("configure");
        self.conn.flush().expect("flush");
    }

    /// Closes the window as its title bar's × does, and waits for the exit.
    fn close(mut self) {
        use x11rb::connection::Connection as _;
        use x11rb::protocol::xproto::{ClientMessageEvent, ConnectionExt as _, EventMask};
        let protocols = self.atom(b"WM_PROTOCOLS");
        let delete = self.atom(b"WM_DELETE_WINDOW");
        let message = ClientMessageEvent::new(32, self.window, protocols, [delete, 0, 0, 0, 0]);
        (self
            .conn
            .send_event(false, self.window, EventMask::NO_EVENT, message))
        .expect("send");
        self.conn.flush().expect("flush");
        for _ in 0..MAX_JOB_STEPS {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "the window exited with {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.child.kill().ok();
        panic!("the window did not close within {MAX_JOB_STEPS} tries");
    }
}

fn remembered_geometry(sandbox: &Sandbox) -> serde_json::Value {
    let path = sandbox.paths().state_dir().join("window.json");
    let text = std::fs::read_to_string(path).expect("window.json");
    serde_json::from_str::<serde_json::Value>(&text).expect("window.json is JSON")["geometry"]
        .clone()
}

#[test]
fn the_real_window_fits_the_screen_and_opens_where_it_was_closed() {
    let sandbox = Sandbox::new();
    // First run at scale 1.5 on 1280×800 (853×533 points): 90 % of it.
    let window = RealWindow::open(&sandbox);
    assert_eq!(window.geometry().1, [1152, 720], "768×480 points");
    window.close();

    // A remembered position off the screen: centred instead.
    let state_dir = sandbox.paths().state_dir().to_owned();
    std::fs::write(
        state_dir.join("window.json"),
        r#"{"theme":"system","geometry":{"size":[700.0,500.0],"position":[5000,5000],"scale":1.5}}"#,
    )
    .expect("write window.json");
    let window = RealWindow::open(&sandbox);
    assert_eq!(window.geometry(), ([115, 25], [1050, 750]));

    // Moved and resized, then closed: remembered, and the next run opens there.
    window.move_to([60, 30], [1020, 735]);
    window.close();
    let geometry = remembered_geometry(&sandbox);
    assert_eq!(geometry["size"], serde_json::json!([680.0, 490.0]));
    assert_eq!(geometry["position"], serde_json::json!([60, 30]));
    let window = RealWindow::open(&sandbox);
    assert_eq!(window.geometry(), ([60, 30], [1020, 735]));
    window.close();
}

#[test]
fn the_x11_window_class_names_the_desktop_entry_twice() {
    let sandbox = Sandbox::new();
    let window = RealWindow::open(&sandbox);
    // Instance, then class: a window manager matches either to
    // odoo-connections.desktop (StartupWMClass).
    assert_eq!(window.wm_class(), ["odoo-connections", "odoo-connections"]);
    window.close();
}
