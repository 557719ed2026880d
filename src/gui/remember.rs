//! When the window writes `window.json`: on a change of the selection, the
//! theme or the list's arrangement (off the window thread, the newest
//! settings written last), and on close (the size and position, which
//! change every frame while they are dragged); and the remembered
//! selection, opened once the list is read.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use eframe::egui;

use crate::model::ConnectionId;

use super::jobs::JobDone;
use super::prefs::Prefs;
use super::state::AppState;
use super::window::Window;

/// What this window wrote, and the settings waiting to be written.
#[derive(Debug)]
pub(crate) struct Remembering {
    /// What `window.json` holds, as read at start or last handed to a write.
    written: Prefs,
    /// The newest settings not written yet, and the lock a write holds
    /// while it takes and writes them: writes end in the order their
    /// settings were made, and one that finds nothing has nothing to do.
    pending: Arc<(Mutex<Option<Prefs>>, Mutex<()>)>,
    /// True once the remembered selection was restored (or found gone).
    selection_restored: bool,
}

impl Remembering {
    /// `written`: what `window.json` held when the window opened.
    pub(crate) fn new(written: Prefs) -> Self {
        Self {
            written,
            pending: Arc::default(),
            selection_restored: false,
        }
    }
}

impl Window {
    /// Once a frame: restores the remembered selection once the list was
    /// read, and writes the settings when the selection, the theme or the
    /// list's arrangement changed.
    pub(crate) fn remember(&mut self, ctx: &egui::Context) {
        let state = &mut self.state;
        if !self.remembering.selection_restored {
            if !state.list_loaded || state.list_error.is_some() {
                return;
            }
            state.restore_selection();
            self.remembering.selection_restored = true;
        }
        state.prefs.selected = selected_saved_connection(state);
        let written = &self.remembering.written;
        // The size and position wait for the close.
        if state.prefs.without_geometry() == written.without_geometry() {
            return;
        }
        self.remembering.written = state.prefs.clone();
        *lock(&self.remembering.pending.0) = Some(state.prefs.clone());
        let (pending, paths) = (Arc::clone(&self.remembering.pending), state.paths.clone());
        self.jobs.blocking(ctx, move || {
            let (newest, writing) = &*pending;
            let _writing = lock(writing);
            let taken = lock(newest).take();
            JobDone::Remembered(taken.map_or(Ok(()), |prefs| prefs.save(&paths)))
        });
    }

    /// Writes what changed since the last write, on the calling thread
    /// (the window is closing).
    pub(crate) fn remember_now(&mut self) {
        let prefs = &self.state.prefs;
        if *prefs == self.remembering.written {
            return;
        }
        let pending = Arc::clone(&self.remembering.pending);
        let (newest, writing) = &*pending;
        let _writing = lock(writing);
        lock(newest).take();
        if let Err(message) = prefs.save(&self.state.paths) {
            tracing::warn!("{message}");
        }
        self.remembering.written = prefs.clone();
    }
}

/// The saved connection open in the editor.
fn selected_saved_connection(state: &AppState) -> Option<ConnectionId> {
    (state.editor.as_ref())
        .filter(|editor| editor.saved)
        .map(|editor| editor.id)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
