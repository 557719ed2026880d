//! Frame figures of the real window state (egui_kittest harness, release
//! build) with 10 000 connections: the CPU time of one frame (egui run +
//! tessellation; the GPU's share is not included) idle with a connection
//! open in the editor, and while typing in the search box. Prints figures, asserts nothing.

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use eframe::egui;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use odoo_connections::gui::{Window as AppWindow, show};
use support::{BenchSandbox as _, Sandbox, Target, count, figure, heading, median, ms};

const CONNECTIONS: usize = 10_000;
const FRAMES: usize = 200;
const TYPING_ROUNDS: usize = 5;
const FRAME_TARGET_MS: f64 = 4.0;
/// Typed into the search box, then erased, one frame per keystroke.
const TYPED: &str = "client-09";

type Window = Harness<'static, AppWindow>;

/// The window on `sandbox`, with the connections loaded and the first one
/// open in the editor.
fn open(sandbox: &Sandbox) -> Window {
    let state =
        AppWindow::new(sandbox.paths(), PathBuf::from("odoo-connections")).expect("window state");
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1100.0, 720.0))
        .build_ui_state(|ui, state: &mut AppWindow| show(ui, state), state);
    while harness.state().is_busy() {
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    harness
        .get_by_role_and_label(Role::ListBoxOption, "client-00000")
        .click();
    harness.run_steps(4);
    harness
}

/// One frame, as the window does it: run the UI, then tessellate.
fn frame(harness: &mut Window) -> Duration {
    let started = Instant::now();
    harness.step();
    let shapes = harness.output().shapes.clone();
    std::hint::black_box(
        harness
            .ctx
            .tessellate(shapes, harness.ctx.pixels_per_point()),
    );
    started.elapsed()
}

fn key(harness: &Window, key: egui::Key) {
    harness.event(egui::Event::Key {
        key,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: egui::Modifiers::NONE,
    });
}

/// Frame times of typing [`TYPED`] and erasing it, [`TYPING_ROUNDS`] times.
fn typing(harness: &mut Window) -> Vec<Duration> {
    harness.get_by_label("Search connections").focus();
    harness.run_steps(2);
    let mut samples = Vec::new();
    for _ in 0..TYPING_ROUNDS {
        for letter in TYPED.chars() {
            harness.event(egui::Event::Text(letter.to_string()));
            samples.push(frame(harness));
        }
        for _ in TYPED.chars() {
            key(harness, egui::Key::Backspace);
            samples.push(frame(harness));
        }
    }
    samples
}

fn main() {
    let sandbox = Sandbox::new();
    sandbox.seed_connections(CONNECTIONS);
    let mut harness = open(&sandbox);
    let idle = median((0..FRAMES).map(|_| frame(&mut harness)).collect());
    let typed = typing(&mut harness);
    let worst_typed = typed.iter().max().copied().unwrap_or_default();
    let typed = median(typed);

    let target = Target::Below(FRAME_TARGET_MS);
    heading(&format!(
        "Frames with {} connections (kittest harness, CPU: egui run + tessellation)",
        count(CONNECTIONS)
    ));
    figure(
        "frame, idle, a connection open (median)",
        ms(idle),
        "ms",
        target,
    );
    figure(
        "frame, typing in the search box (median)",
        ms(typed),
        "ms",
        target,
    );
    figure(
        "frame, typing in the search box (slowest)",
        ms(worst_typed),
        "ms",
        Target::None,
    );
}
