//! What the kernel says of a running window process (CPU time, memory,
//! threads, the files it maps), and dropping files from the page cache.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Clock ticks of /proc/PID/stat: Linux reports them in USER_HZ, 100 a
/// second on every architecture it runs on.
const TICKS_PER_SECOND: u64 = 100;

fn proc_file(pid: u32, name: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/{name}"))
        .unwrap_or_else(|err| panic!("read /proc/{pid}/{name}: {err}"))
}

/// CPU time of all its threads so far, ended ones included (utime + stime
/// of /proc/PID/stat, to 10 ms).
pub fn cpu_time(pid: u32) -> Duration {
    let stat = proc_file(pid, "stat");
    // After the command name in parentheses: field 3 (state) onwards; utime
    // and stime are fields 14 and 15.
    let fields: Vec<&str> = stat[stat.rfind(')').expect("stat") + 1..]
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11..13]
        .iter()
        .map(|field| field.parse::<u64>().expect("ticks"))
        .sum();
    Duration::from_millis(ticks * 1000 / TICKS_PER_SECOND)
}

/// CPU time of each thread so far, in nanoseconds (the first field of
/// /proc/PID/task/TID/schedstat; exact, unlike clock ticks).
fn cpu_nanos_by_thread(pid: u32) -> HashMap<String, u64> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .expect("read /proc/PID/task")
        .flatten()
        .filter_map(|task| {
            let stat = std::fs::read_to_string(task.path().join("schedstat")).ok()?;
            let nanos = stat.split(' ').next()?.parse().ok()?;
            Some((task.file_name().to_string_lossy().into_owned(), nanos))
        })
        .collect()
}

/// Share of one CPU its threads used while the bench slept for `span` (a
/// thread that ends meanwhile is left out).
pub fn cpu_share_over(pid: u32, span: Duration) -> f64 {
    let before = cpu_nanos_by_thread(pid);
    std::thread::sleep(span);
    let used: u64 = (cpu_nanos_by_thread(pid).into_iter())
        .map(|(thread, after)| after.saturating_sub(before.get(&thread).copied().unwrap_or(0)))
        .sum();
    used as f64 / span.as_nanos() as f64
}

/// The value in KiB of `key` (`Rss:`, `Pss:`, `Threads:` …) in a /proc file.
fn kib_field(text: &str, key: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {key} in {text}"))
}

/// Resident and proportional set size, in KiB (/proc/PID/smaps_rollup).
pub fn rss_pss_kib(pid: u32) -> (u64, u64) {
    let rollup = proc_file(pid, "smaps_rollup");
    (kib_field(&rollup, "Rss:"), kib_field(&rollup, "Pss:"))
}

/// How many threads it has now.
pub fn threads(pid: u32) -> u64 {
    kib_field(&proc_file(pid, "status"), "Threads:")
}

/// Every file it maps now (the program, its libraries, drivers, fonts).
pub fn mapped_files(pid: u32) -> BTreeSet<PathBuf> {
    (proc_file(pid, "maps").lines())
        .filter_map(|line| line.split_whitespace().nth(5))
        .filter(|path| path.starts_with('/') && !path.starts_with("/dev/"))
        .map(PathBuf::from)
        .collect()
}

/// Drops `files` from the page cache (flushed first, so none is kept dirty);
/// pages that another running process maps stay. Files that cannot be
/// opened are skipped.
pub fn drop_from_page_cache<'a>(files: impl IntoIterator<Item = &'a Path>) {
    for path in files {
        let Ok(file) = std::fs::File::open(path) else {
            continue;
        };
        file.sync_data().ok();
        rustix::fs::fadvise(&file, 0, None, rustix::fs::Advice::DontNeed).ok();
    }
}

/// Every regular file under `dir`.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => files_under(&entry.path()),
            Ok(kind) if kind.is_file() => vec![entry.path()],
            _ => Vec::new(),
        })
        .collect()
}
