//! kill -9 at the worst moment: a writer is killed the moment it touches
//! the files it is about to replace (a temp file appears, or the data file
//! is truncated or replaced), which is inside the write where a non-atomic
//! writer would leave a torn file.

use std::path::Path;
use std::process::{Command, Stdio};

/// Name, size and inode of every entry of `dir` whose name passes `watched`.
pub fn fingerprint(dir: &Path, watched: &dyn Fn(&str) -> bool) -> Vec<(String, u64, u64)> {
    use std::os::unix::fs::MetadataExt as _;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut entries: Vec<_> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let metadata = entry.metadata().ok()?;
            watched(&name).then(|| (name, metadata.len(), metadata.ino()))
        })
        .collect();
    entries.sort();
    entries
}

/// Runs `command` (output discarded) and kills it with SIGKILL as soon as
/// a watched entry of `dir` changes, or lets it finish if it is faster.
pub fn kill_when_touched(command: &mut Command, dir: &Path, watched: &dyn Fn(&str) -> bool) {
    kill_when_touched_feeding(command, b"", dir, watched);
}

/// [`kill_when_touched`], with `input` written to the writer's stdin.
pub fn kill_when_touched_feeding(
    command: &mut Command,
    input: &[u8],
    dir: &Path,
    watched: &dyn Fn(&str) -> bool,
) {
    use std::io::Write as _;
    let before = fingerprint(dir, watched);
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the writer");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input).ok();
    }
    while child.try_wait().expect("poll the writer").is_none()
        && fingerprint(dir, watched) == before
    {
        std::thread::yield_now();
    }
    child.kill().ok();
    child.wait().expect("reap the writer");
}

/// Names of the entries of `dir` that a killed writer left behind and
/// nothing cleaned up: temp files (`.NAME.tmp-…`) and set-aside files.
pub fn leftovers(dir: &Path) -> Vec<String> {
    fingerprint(dir, &|name| {
        name.contains(".tmp-") || name.contains(".corrupt-")
    })
    .into_iter()
    .map(|(name, _, _)| name)
    .collect()
}
