//! Watches `connections.json` for changes made by another process (the
//! command line, the MCP server) and has the list read again at once. The
//! file is replaced by a rename (`files::write_atomic`), so the watch is on
//! its directory and keeps only the events that name the file. notify's
//! thread only sends a message and wakes the window; the window reads the
//! list once a burst of changes has been quiet for [`QUIET_SECS`]. Dropping
//! the watch ends notify's thread.

use std::ffi::OsString;
use std::path::Path;
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, OnceLock};

use eframe::egui;
use notify::event::{EventKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::files;

/// How long a burst of changes must have been quiet before the list is
/// read again (seconds).
const QUIET_SECS: f64 = 0.15;

/// The watch on the directory of the connections file.
pub(crate) struct FileWatch {
    /// Stops notify's thread when dropped.
    _watcher: RecommendedWatcher,
    /// One message per change of the file.
    changes: Receiver<()>,
    /// The window to wake, once it has one.
    window: Arc<OnceLock<egui::Context>>,
    /// When the last change was seen (egui time), until the list is read.
    last_change: Option<f64>,
}

impl FileWatch {
    /// Watches `file`, creating its directory (private) when missing.
    pub(crate) fn start(file: &Path) -> Result<Self, String> {
        let (Some(dir), Some(name)) = (file.parent(), file.file_name()) else {
            return Err(format!("{} is not a file path", file.display()));
        };
        files::create_private_dir(dir).map_err(|err| err.to_string())?;
        let name = name.to_owned();
        let (sender, changes) = mpsc::channel();
        let window: Arc<OnceLock<egui::Context>> = Arc::default();
        let wake = Arc::clone(&window);
        let mut watcher = notify::recommended_watcher(move |event| {
            if names_the_file(event, &name) && sender.send(()).is_ok() {
                // Looked at after sending: a window attached after this
                // look polls after it was attached, and finds the message.
                if let Some(ctx) = wake.get() {
                    ctx.request_repaint();
                }
            }
        })
        .map_err(|err| err.to_string())?;
        watcher
            .watch(dir, RecursiveMode::NonRecursive)
            .map_err(|err| format!("{}: {err}", dir.display()))?;
        Ok(Self {
            _watcher: watcher,
            changes,
            window,
            last_change: None,
        })
    }

    /// True once a change was seen and none came for [`QUIET_SECS`];
    /// otherwise asks for the frame that will tell.
    pub(crate) fn settled(&mut self, ctx: &egui::Context) -> bool {
        self.window.get_or_init(|| ctx.clone());
        let now = ctx.input(|input| input.time);
        if self.changes.try_iter().count() > 0 {
            self.last_change = Some(now);
        }
        let Some(last) = self.last_change else {
            return false;
        };
        let quiet = now - last;
        if quiet >= QUIET_SECS {
            self.last_change = None;
            return true;
        }
        ctx.request_repaint_after_secs((QUIET_SECS - quiet) as f32);
        false
    }
}

/// True when `event` may have changed the file `name` (its content, or
/// which file has that name); reading and metadata do not count, so the
/// window's own reads do not wake it. A lost event counts.
fn names_the_file(event: notify::Result<notify::Event>, name: &OsString) -> bool {
    match event {
        Ok(event) if event.need_rescan() => true,
        Ok(event) => {
            let changes = !matches!(
                event.kind,
                EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_))
            );
            changes && (event.paths.iter()).any(|path| path.file_name() == Some(name.as_os_str()))
        }
        Err(err) => {
            tracing::warn!("watching the connections file: {err}");
            false
        }
    }
}
