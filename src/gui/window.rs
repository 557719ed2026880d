//! The running window: its [`AppState`], the background jobs, the watch on
//! the connections file and what is remembered between runs. One frame
//! takes in what finished since the last one, draws the state (the views
//! only read it and push [`Command`]s), then applies the commands.

use eframe::egui;

use std::path::PathBuf;

use crate::paths::Paths;

use super::command::Command;
use super::jobs::Jobs;
use super::prefs::Prefs;
use super::remember::Remembering;
use super::state::AppState;
use super::watch::FileWatch;

/// Everything the window holds. Build it with [`Window::new`] and draw it
/// with [`show`].
pub struct Window {
    pub(crate) state: AppState,
    pub(crate) jobs: Jobs,
    /// The watch on the connections file (none when it could not start:
    /// the list is then read again when the window regains focus).
    file_watch: Option<FileWatch>,
    /// What `window.json` holds and when it is written.
    pub(crate) remembering: Remembering,
    /// True once the first frame was drawn.
    started: bool,
    /// How many reads of the connections file were started (the first
    /// before the first frame, by [`super::run`]; else by the first frame).
    reads_started: u64,
    /// Reads numbered below this one started before the window's own last
    /// write, so what they bring is outdated.
    reads_outdated_below: u64,
    /// The window's focus at the last frame.
    window_focused: Option<bool>,
}

impl Window {
    /// The window for the files under `paths`; `executable` is the program
    /// MCP clients are told to run. Nothing is read until the first frame.
    pub fn new(paths: Paths, executable: PathBuf) -> std::io::Result<Self> {
        // Started before the list is first read: no change is missed.
        let file_watch = FileWatch::start(&paths.connections_file())
            .inspect_err(|err| {
                tracing::warn!("changes to the connections file are seen only when the window regains focus: {err}");
            })
            .ok();
        let prefs = Prefs::load(&paths);
        Ok(Self {
            remembering: Remembering::new(prefs.clone()),
            state: AppState::new(paths, executable, prefs),
            jobs: Jobs::new()?,
            file_watch,
            started: false,
            reads_started: 0,
            reads_outdated_below: 0,
            window_focused: None,
        })
    }

    /// True while a background job (keyring, file, test) has not finished.
    pub fn is_busy(&self) -> bool {
        self.jobs.is_busy()
    }

    /// The name in the editor's Name field, if a connection is open.
    pub fn editor_name(&self) -> Option<&str> {
        self.state.editor_name()
    }

    /// Starts reading the connections file and the test history (also
    /// before the window has a context).
    pub(crate) fn read_list(&mut self) {
        self.reads_started += 1;
        let read = super::apply::read_list(&self.state.paths, self.reads_started);
        self.jobs.blocking_unattached(read);
    }

    /// Reads the list again after the window wrote the file: a read that
    /// started before the write (and may end after it) is then ignored.
    pub(crate) fn read_list_after_write(&mut self) {
        self.reads_outdated_below = self.reads_started + 1;
        self.read_list();
    }

    /// True when read number `read` started before the window's last write.
    pub(crate) fn is_outdated(&self, read: u64) -> bool {
        read < self.reads_outdated_below
    }

    /// Takes in what happened since the last frame: finished jobs, a
    /// change of the connections file, the focus coming back, the expiry
    /// of the notice.
    fn begin_frame(&mut self, ctx: &egui::Context) {
        self.jobs.attach(ctx);
        self.state.now = ctx.input(|input| input.time);
        let focused = ctx.input(|input| input.viewport().focused);
        // Before this frame starts any job: what a frame starts is taken in
        // by a later one, so the first frame of a window whose list was not
        // asked for yet always says it is loading, however fast the read.
        while let Some(done) = self.jobs.poll() {
            self.finish(ctx, done);
        }
        if !self.started {
            self.started = true;
            super::theme::install(ctx);
            super::fonts::install_icons(ctx);
            if self.reads_started == 0 {
                self.apply(ctx, Command::Reload);
            }
        } else if focused == Some(true) && self.window_focused == Some(false) {
            // Focus came back: another odoo-connections (CLI, MCP) may have
            // changed the file meanwhile.
            self.apply(ctx, Command::Reload);
        }
        self.window_focused = focused;
        if (self.file_watch.as_mut()).is_some_and(|watch| watch.settled(ctx)) {
            self.apply(ctx, Command::Reload);
        }
        self.state.expire_notice();
        self.remember(ctx);
        self.state.refresh_matches();
    }
}

/// Draws one frame of the whole window and applies what the person did.
pub fn show(ui: &mut egui::Ui, window: &mut Window) {
    let ctx = ui.ctx().clone();
    window.begin_frame(&ctx);
    let mut commands = Vec::new();
    super::views::show(ui, &window.state, &mut commands);
    // The one-frame requests (focus, selection, scrolling) were drawn.
    window.state.requests = Default::default();
    // What was typed this frame is in the state before this frame's actions.
    commands.sort_by_key(|command| !command.is_edit());
    for command in commands {
        window.apply(&ctx, command);
    }
    window.state.refresh_matches();
}
