//! Window figures to the pixel, next to the Qt app's (issue 14): the
//! release `odoo-connections gui` on the X display in `DISPLAY`
//! (`scripts/bench` gives a private Xvfb with software GL), watched by a
//! small X client ([`screen`]). At 0, 100 and 10 000 connections: first
//! paint; the list on screen (the last change of the pixels before 600 ms of
//! stillness) with a warm and a cold page cache; the CPU time until then;
//! memory and threads after 2 s idle; idle CPU; a key in the search box to
//! its pixels. With `BENCH_WINDOW_VS=PROGRAM` another build of the program
//! runs in turn with this one (A B A B …) and each figure is printed for
//! both with the ratio B/A. Prints figures and a table, asserts nothing.

#[path = "../support/mod.rs"]
mod support;

mod process;
mod report;
mod screen;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use report::{Measured, print_comparison, print_table};
use screen::{Screen, Watched, keysym};
use support::{BenchSandbox as _, Sandbox, heading, median};

/// The store sizes measured.
const COUNTS: [usize; 3] = [0, 100, 10_000];
/// Starts measured with a warm page cache, and with a cold one, per size.
const WARM_STARTS: usize = 7;
const COLD_STARTS: usize = 5;
/// The pixels count as settled after this long without a change.
const STILL: Duration = Duration::from_millis(600);
/// How long a window may take to appear, to draw, to settle.
const PATIENCE: Duration = Duration::from_secs(20);
/// Idle time before memory and threads are read.
const IDLE_BEFORE_MEMORY: Duration = Duration::from_secs(2);
/// Span over which idle CPU is measured.
const IDLE_SPAN: Duration = Duration::from_secs(3);
/// Keystrokes timed in the search box (typing `e`, erasing it, …).
const KEYSTROKES: usize = 12;
/// A blinking text cursor changes the pixels twice a second: each key is
/// pressed right after a blink (or this long without one), so the next
/// blink is far off.
const BLINK_WAIT: Duration = Duration::from_millis(700);

/// A started window process, killed on drop.
struct Running {
    child: Child,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// What one start gave.
struct Start {
    first_paint: Duration,
    on_screen: Duration,
    cpu_to_settle: Duration,
}

/// Starts `program`'s window on `sandbox` and watches it until its pixels settle.
fn start<'s>(
    screen: &'s Screen,
    sandbox: &Sandbox,
    program: &Path,
) -> (Running, Watched<'s>, Start) {
    screen.forget_events();
    let log = std::fs::File::create(sandbox.root().join("gui.log")).expect("window log");
    let started = Instant::now();
    let child = sandbox
        .command_of(program)
        .arg("gui")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start the window");
    let pid = child.id();
    let running = Running { child };
    let mut watched = screen
        .window_of(pid, PATIENCE)
        .unwrap_or_else(|err| panic!("{err}; see {}", sandbox.root().join("gui.log").display()));
    let first = watched
        .first_paint(PATIENCE)
        .expect("the window drew nothing");
    let last = watched.settle(first, STILL, PATIENCE);
    let start = Start {
        first_paint: first - started,
        on_screen: last - started,
        cpu_to_settle: process::cpu_time(pid),
    };
    (running, watched, start)
}

/// Median time from a key press in the search box to the changed pixels
/// (the search box is focused with Ctrl+F first).
fn keystroke_latency(screen: &Screen, watched: &mut Watched<'_>) -> Duration {
    watched.focus();
    screen.press(&[keysym::CONTROL, keysym::F]);
    watched.next_change(Instant::now() + BLINK_WAIT);
    let samples = (0..KEYSTROKES)
        .filter_map(|index| {
            watched.next_change(Instant::now() + BLINK_WAIT);
            let key = if index % 2 == 0 {
                keysym::E
            } else {
                keysym::BACKSPACE
            };
            let sent = screen.press(&[key]);
            std::iter::from_fn(|| watched.next_change(sent + BLINK_WAIT))
                .find(|&seen| seen >= sent)
                .map(|seen| seen - sent)
        })
        .collect::<Vec<_>>();
    assert!(
        !samples.is_empty(),
        "no key in the search box changed a pixel"
    );
    median(samples)
}

/// The figures of one program at one store size.
fn measure_once_idle(
    screen: &Screen,
    sandbox: &Sandbox,
    program: &Path,
    measured: &mut Measured,
) -> BTreeSet<PathBuf> {
    let (running, mut watched, _) = start(screen, sandbox, program);
    let pid = running.child.id();
    std::thread::sleep(IDLE_BEFORE_MEMORY);
    let (rss, pss) = process::rss_pss_kib(pid);
    measured.rss_mib.push(rss as f64 / 1024.0);
    measured.pss_mib.push(pss as f64 / 1024.0);
    measured.threads.push(process::threads(pid) as f64);
    measured
        .idle_cpu_percent
        .push(process::cpu_share_over(pid, IDLE_SPAN) * 100.0);
    let mapped = process::mapped_files(pid);
    measured
        .key_ms
        .push(support::ms(keystroke_latency(screen, &mut watched)));
    mapped
}

fn main() {
    if std::env::var_os("DISPLAY").is_none() {
        heading("Window: skipped (no X display; run scripts/bench, which provides Xvfb)");
        return;
    }
    let screen = Screen::connect().expect("connect to the X server");
    let mut programs = vec![PathBuf::from(env!("CARGO_BIN_EXE_odoo-connections"))];
    programs.extend(std::env::var_os("BENCH_WINDOW_VS").map(PathBuf::from));
    let mut measured: Vec<Measured> = programs.iter().map(|_| Measured::default()).collect();
    let began = Instant::now();
    for count in COUNTS {
        let sandbox = Sandbox::new();
        sandbox.seed_connections(count);
        let mut cold_files = Vec::new();
        for (program, measured) in programs.iter().zip(&mut measured) {
            let mut files = measure_once_idle(&screen, &sandbox, program, measured);
            files.insert(program.clone());
            cold_files.push(files);
        }
        let mut warm: Vec<Vec<Start>> = programs.iter().map(|_| Vec::new()).collect();
        for _ in 0..WARM_STARTS {
            for (program, starts) in programs.iter().zip(&mut warm) {
                starts.push(start(&screen, &sandbox, program).2);
            }
        }
        let mut cold: Vec<Vec<Start>> = programs.iter().map(|_| Vec::new()).collect();
        for _ in 0..COLD_STARTS {
            for ((program, starts), files) in programs.iter().zip(&mut cold).zip(&cold_files) {
                let config = process::files_under(sandbox.root());
                process::drop_from_page_cache(
                    files
                        .iter()
                        .map(PathBuf::as_path)
                        .chain(config.iter().map(PathBuf::as_path)),
                );
                starts.push(start(&screen, &sandbox, program).2);
            }
        }
        for ((measured, warm), cold) in measured.iter_mut().zip(&warm).zip(&cold) {
            measured.add_starts(warm, cold);
        }
    }
    heading(&format!(
        "Window, to the pixel (release; median of {WARM_STARTS} warm and {COLD_STARTS} cold \
         starts per size; Qt: the PySide6 app, issue 14; {:.0} s)",
        began.elapsed().as_secs_f64()
    ));
    match measured.as_slice() {
        [ours] => print_table(ours),
        [a, b] => print_comparison(&programs, a, b),
        _ => unreachable!("one or two programs"),
    }
}
