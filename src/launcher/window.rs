//! Starting the window as a detached process and waiting for its one line
//! on stdout: `ready` (first frame shown) or `focused` (another window was
//! already open and was brought to the front).

use std::io::{BufRead as _, BufReader, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::files::{self, FileError};
use crate::paths::Paths;

/// Test and fault-injection hook: a program run instead of
/// `odoo-connections gui`, with the same arguments and the same stdout
/// contract (`ready` or `focused`).
pub const GUI_COMMAND_ENV: &str = "ODOO_CONNECTIONS_GUI_COMMAND";

/// How long the window may take to show its first frame.
pub const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// The window is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowOutcome {
    /// A new window showed its first frame.
    Opened,
    /// A window was already open; it was brought to the front.
    Focused,
}

impl WindowOutcome {
    /// For the audit log and replies.
    pub fn describe(self) -> &'static str {
        match self {
            WindowOutcome::Opened => "opened the window",
            WindowOutcome::Focused => "focused the window that was already open",
        }
    }
}

/// The window did not come up.
#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    /// The log file could not be opened.
    #[error("the window could not start: {0}")]
    Log(#[from] FileError),
    /// The program could not be started.
    #[error(
        "the window could not start: running {program} failed: {source}; reinstall odoo-connections"
    )]
    Spawn {
        /// The program.
        program: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// It ended (or closed stdout) without saying `ready`.
    #[error("the window did not start ({how}); its log {log} ends with:\n{tail}")]
    Failed {
        /// What happened ("it exited with exit status: 1").
        how: String,
        /// The log file.
        log: PathBuf,
        /// The log's last lines.
        tail: String,
    },
}

impl WindowError {
    /// One line, for the audit log.
    pub fn summary(&self) -> String {
        match self {
            WindowError::Failed { how, .. } => format!("the window did not start: {how}"),
            other => other.to_string(),
        }
    }
}

/// Starts the window for `paths` and waits up to `timeout` for it to report.
pub fn start(paths: &Paths, timeout: Duration) -> Result<WindowOutcome, WindowError> {
    let program = match std::env::var_os(GUI_COMMAND_ENV) {
        Some(program) => PathBuf::from(program),
        None => std::env::current_exe().map_err(|source| WindowError::Spawn {
            program: "odoo-connections".into(),
            source,
        })?,
    };
    let log_path = paths.gui_log();
    let mut log = files::open_append_private(&log_path)?;
    // One write, so launchers starting at once never interleave their lines.
    let banner = format!(
        "--- {} starting the window (launcher pid {})\n",
        time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        std::process::id()
    );
    log.write_all(banner.as_bytes())
        .map_err(|source| FileError::io("could not write", &log_path, source))?;
    let mut command = Command::new(&program);
    command
        .arg("gui")
        .arg("--config-dir")
        .arg(paths.config_dir())
        .arg("--state-dir")
        .arg(paths.state_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log);
    detach(&mut command);
    let mut child = command
        .spawn()
        .map_err(|source| WindowError::Spawn { program, source })?;
    let failure = |how: String| WindowError::Failed {
        how,
        tail: log_tail(&log_path),
        log: log_path.clone(),
    };
    let outcome = match first_line(&mut child, timeout) {
        FirstLine::Said(line) if line == "ready" => Ok(WindowOutcome::Opened),
        FirstLine::Said(line) if line == "focused" => Ok(WindowOutcome::Focused),
        FirstLine::Said(line) => {
            stop(&mut child);
            Err(failure(format!("it printed {line:?} instead of `ready`")))
        }
        FirstLine::Ended => {
            // Killing a process that already exited changes nothing, so the
            // status below is its own unless it was still running.
            child.kill().ok();
            let how = match child.wait() {
                Ok(status) => format!("it ended ({status}) before showing a frame"),
                Err(error) => format!("it closed its output before showing a frame ({error})"),
            };
            Err(failure(how))
        }
        FirstLine::TimedOut => {
            stop(&mut child);
            Err(failure(format!(
                "it showed no frame within {} s and was stopped",
                timeout.as_secs()
            )))
        }
    };
    if outcome.is_ok() {
        reap_in_background(child);
    }
    outcome
}

/// The window gets its own process group, so it outlives the launcher and
/// the MCP server and ignores their terminal's Ctrl-C.
fn detach(command: &mut Command) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        command.process_group(0);
    }
    #[cfg(not(unix))]
    let _ = command;
}

/// What the window said first.
enum FirstLine {
    /// One line (trimmed).
    Said(String),
    /// Its output ended without a line.
    Ended,
    /// Nothing within the timeout.
    TimedOut,
}

fn first_line(child: &mut Child, timeout: Duration) -> FirstLine {
    let Some(stdout) = child.stdout.take() else {
        return FirstLine::Ended;
    };
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let said = match reader.read_line(&mut line) {
            Ok(0) | Err(_) => FirstLine::Ended,
            Ok(_) => FirstLine::Said(line.trim().to_owned()),
        };
        sender.send(said).ok();
        // Keep the pipe open while this process lives (the MCP server), so
        // a stray later write by the window does not fail.
        std::io::copy(&mut reader, &mut std::io::sink()).ok();
    });
    receiver
        .recv_timeout(timeout)
        .unwrap_or(FirstLine::TimedOut)
}

/// Stops a window that failed, so it cannot appear after the rollback.
fn stop(child: &mut Child) {
    child.kill().ok();
    child.wait().ok();
}

/// Waits for the window's exit on a thread, so a long-lived launcher (the
/// MCP server) leaves no zombie behind.
fn reap_in_background(mut child: Child) {
    std::thread::spawn(move || child.wait().ok());
}

/// The last lines of the log (at most 2 KiB), for error messages.
fn log_tail(path: &Path) -> String {
    const TAIL_BYTES: u64 = 2048;
    let Ok(Some(mut file)) = files::open_read_private(path) else {
        return "(no log)".into();
    };
    let length = file.metadata().map(|meta| meta.len()).unwrap_or(0);
    file.seek(SeekFrom::Start(length.saturating_sub(TAIL_BYTES)))
        .ok();
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok();
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().rev().take(10).collect();
    if lines.is_empty() {
        return "(empty)".into();
    }
    lines.into_iter().rev().collect::<Vec<_>>().join("\n")
}
