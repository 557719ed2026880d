//! The eframe application: draws [`AppState`] each frame and prints the
//! readiness line once the first frame is on screen.

use eframe::egui;

use super::command::Command;
use super::state::AppState;

/// The Connection Manager as an eframe app.
pub(crate) struct App {
    state: AppState,
    /// Frames left before announcing `ready` (`None`: nothing to announce).
    announce_in: Option<u8>,
}

impl App {
    pub(crate) fn new(mut state: AppState, announce: bool) -> Self {
        // When announcing, the list is read right after the `ready` line, so
        // reading a large connections file does not compete with the first
        // frame for the CPU (the first frame shows no list either way).
        state.started = announce;
        Self {
            state,
            announce_in: announce.then_some(1),
        }
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        super::views::show(ui, &mut self.state);
        // The first frame is presented after this call returns: announce at
        // the start of the second one, which one extra repaint brings about.
        match self.announce_in {
            Some(0) => {
                super::announce_line("ready");
                self.announce_in = None;
                self.state.send(Command::Reload);
                ui.ctx().request_repaint();
            }
            Some(left) => {
                self.announce_in = Some(left - 1);
                ui.ctx().request_repaint();
            }
            None => {}
        }
    }
}
