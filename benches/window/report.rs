//! The window bench's figures and how they are printed: a Markdown table,
//! ours next to the Qt app's with the ratio and the goal met or missed, or
//! two builds side by side with the ratio B/A.

use std::path::PathBuf;

use super::Start;
use super::support::{median, ms};

/// The PySide6 Connection Manager's figures (issue 14) at 0 / 100 / 10 000
/// connections, measured the same way on the same kind of machine.
const QT_ON_SCREEN_WARM_MS: [f64; 3] = [197.0, 214.0, 372.0];
const QT_ON_SCREEN_COLD_MS: [f64; 3] = [350.0, 348.0, 524.0];
const QT_CPU_TO_SETTLE_MS: [f64; 3] = [180.0, 190.0, 320.0];
const QT_RSS_MIB: [f64; 3] = [74.5, 75.0, 87.0];
const QT_KEY_MS: [f64; 1] = [2.0];
const QT_THREADS: [f64; 1] = [5.0];
const QT_IDLE_CPU_PERCENT: [f64; 1] = [0.0];

/// "0 %" as `top` shows it.
const IDLE_CPU_ZERO_PERCENT: f64 = 0.05;

/// Medians for one program, one value per store size (in the order measured).
#[derive(Default)]
pub struct Measured {
    pub first_paint_ms: Vec<f64>,
    pub on_screen_warm_ms: Vec<f64>,
    pub on_screen_cold_ms: Vec<f64>,
    pub cpu_to_settle_ms: Vec<f64>,
    pub rss_mib: Vec<f64>,
    pub pss_mib: Vec<f64>,
    pub threads: Vec<f64>,
    pub idle_cpu_percent: Vec<f64>,
    pub key_ms: Vec<f64>,
}

impl Measured {
    /// Adds the medians of one store size's warm and cold starts.
    pub fn add_starts(&mut self, warm: &[Start], cold: &[Start]) {
        let median_ms = |starts: &[Start], of: fn(&Start) -> std::time::Duration| {
            ms(median(starts.iter().map(of).collect()))
        };
        (self.first_paint_ms).push(median_ms(warm, |start| start.first_paint));
        (self.on_screen_warm_ms).push(median_ms(warm, |start| start.on_screen));
        (self.on_screen_cold_ms).push(median_ms(cold, |start| start.on_screen));
        (self.cpu_to_settle_ms).push(median_ms(warm, |start| start.cpu_to_settle));
    }

    fn rows(&self) -> [Row<'_>; 9] {
        [
            Row::new(
                "First paint, warm",
                "ms",
                &self.first_paint_ms,
                None,
                Goal::None,
            ),
            Row::new(
                "List on screen, warm",
                "ms",
                &self.on_screen_warm_ms,
                Some(&QT_ON_SCREEN_WARM_MS),
                Goal::TimesQt(0.5),
            ),
            Row::new(
                "List on screen, cold page cache",
                "ms",
                &self.on_screen_cold_ms,
                Some(&QT_ON_SCREEN_COLD_MS),
                Goal::TimesQt(0.5),
            ),
            Row::new(
                "CPU time until the screen settles",
                "ms",
                &self.cpu_to_settle_ms,
                Some(&QT_CPU_TO_SETTLE_MS),
                Goal::TimesQt(1.0),
            ),
            Row::new(
                "Resident memory after 2 s idle",
                "MiB",
                &self.rss_mib,
                Some(&QT_RSS_MIB),
                Goal::AtMostForFirst(75.0, 2),
            ),
            Row::new(
                "Proportional memory (PSS) after 2 s idle",
                "MiB",
                &self.pss_mib,
                None,
                Goal::None,
            ),
            Row::new(
                "Key in the search box → pixels",
                "ms",
                &self.key_ms,
                Some(&QT_KEY_MS),
                Goal::AtMost(8.0),
            ),
            Row::new(
                "Threads after 2 s idle",
                "",
                &self.threads,
                Some(&QT_THREADS),
                Goal::TimesQt(1.0),
            ),
            Row::new(
                "Idle CPU",
                "%",
                &self.idle_cpu_percent,
                Some(&QT_IDLE_CPU_PERCENT),
                Goal::Below(IDLE_CPU_ZERO_PERCENT),
            ),
        ]
    }
}

/// What a figure should reach, at every store size unless said otherwise.
#[derive(Clone, Copy)]
enum Goal {
    /// At most this many times the Qt app's figure.
    TimesQt(f64),
    /// At most this value.
    AtMost(f64),
    /// At most this value at the first so many sizes.
    AtMostForFirst(f64, usize),
    /// Strictly below this value.
    Below(f64),
    /// None: a figure to compare run to run.
    None,
}

impl Goal {
    fn describe(self, unit: &str) -> String {
        match self {
            Goal::TimesQt(1.0) => "≤ the Qt app's".to_owned(),
            Goal::TimesQt(factor) => format!("≤ {factor} × the Qt app's"),
            Goal::AtMost(value) => format!("≤ {value} {unit}"),
            Goal::AtMostForFirst(value, _) => format!("≤ {value} {unit} at 0–100"),
            Goal::Below(value) => format!("< {value} {unit}"),
            Goal::None => "—".to_owned(),
        }
    }

    fn met(self, ours: &[f64], qt: Option<&[f64]>) -> Option<bool> {
        let qt_at = |index: usize| qt.map(|qt| qt[index.min(qt.len() - 1)]);
        let each = |ok: &dyn Fn(usize, f64) -> bool| {
            Some(
                ours.iter()
                    .enumerate()
                    .all(|(index, &value)| ok(index, value)),
            )
        };
        match self {
            Goal::TimesQt(factor) => {
                each(&|index, value| qt_at(index).is_some_and(|qt| value <= factor * qt))
            }
            Goal::AtMost(limit) => each(&|_, value| value <= limit),
            Goal::AtMostForFirst(limit, sizes) => {
                each(&|index, value| index >= sizes || value <= limit)
            }
            Goal::Below(limit) => each(&|_, value| value < limit),
            Goal::None => None,
        }
    }
}

/// One line of the table.
struct Row<'a> {
    name: &'static str,
    unit: &'static str,
    ours: &'a [f64],
    qt: Option<&'static [f64]>,
    goal: Goal,
}

impl<'a> Row<'a> {
    fn new(
        name: &'static str,
        unit: &'static str,
        ours: &'a [f64],
        qt: Option<&'static [f64]>,
        goal: Goal,
    ) -> Self {
        Self {
            name,
            unit,
            ours,
            qt,
            goal,
        }
    }
}

/// A value as the table shows it: three significant digits or so.
fn shown(value: f64) -> String {
    match value.abs() {
        v if v == 0.0 || v >= 100.0 => format!("{value:.0}"),
        v if v >= 10.0 => format!("{value:.1}"),
        v if v >= 1.0 => format!("{value:.2}"),
        _ => format!("{value:.3}"),
    }
}

/// "184 / 273 / 565 ms".
fn values(values: &[f64], unit: &str) -> String {
    let joined = (values.iter().map(|&value| shown(value)))
        .collect::<Vec<_>>()
        .join(" / ");
    format!("{joined} {unit}").trim_end().to_owned()
}

/// "0.93 / 1.28 / 1.52": each of `over` divided by `under` (the last of
/// `under` for sizes it has no figure of).
fn ratios(over: &[f64], under: &[f64]) -> String {
    (over.iter().enumerate())
        .map(|(index, &value)| {
            let base = under[index.min(under.len() - 1)];
            if base == 0.0 {
                "—".to_owned()
            } else {
                format!("{:.2}", value / base)
            }
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

/// Our figures next to the Qt app's, as a Markdown table.
pub fn print_table(ours: &Measured) {
    println!("| Figure (0 / 100 / 10 000 connections) | Ours | Qt app | Ours / Qt | Goal | |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for row in ours.rows() {
        let (qt, ratio) = match row.qt {
            Some(qt) => (values(qt, row.unit), ratios(row.ours, qt)),
            None => ("—".to_owned(), "—".to_owned()),
        };
        let verdict = match row.goal.met(row.ours, row.qt) {
            Some(true) => "met",
            Some(false) => "missed",
            None => "",
        };
        println!(
            "| {} | {} | {qt} | {ratio} | {} | {verdict} |",
            row.name,
            values(row.ours, row.unit),
            row.goal.describe(row.unit),
        );
    }
}

/// Two builds' figures side by side with the ratio B/A, as a Markdown table.
pub fn print_comparison(programs: &[PathBuf], a: &Measured, b: &Measured) {
    println!("A: {}", programs[0].display());
    println!("B: {}", programs[1].display());
    println!("| Figure (0 / 100 / 10 000 connections) | A | B | B / A |");
    println!("| --- | --- | --- | --- |");
    for (row_a, row_b) in a.rows().iter().zip(b.rows()) {
        println!(
            "| {} | {} | {} | {} |",
            row_a.name,
            values(row_a.ours, row_a.unit),
            values(row_b.ours, row_b.unit),
            ratios(row_b.ours, row_a.ours),
        );
    }
}
