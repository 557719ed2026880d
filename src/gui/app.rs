//! The eframe application: draws [`AppState`] each frame and prints the
//! readiness line once the first frame is on screen.

use eframe::egui;

use super::state::AppState;

/// The Connection Manager as an eframe app.
pub(crate) struct App {
    state: AppState,
    /// Frames left before announcing `ready` (`None`: nothing to announce).
    announce_in: Option<u8>,
}

impl App {
    pub(crate) fn new(state: AppState, announce: bool) -> Self {
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
            }
            Some(left) => {
                self.announce_in = Some(left - 1);
                ui.ctx().request_repaint();
            }
            None => {}
        }
    }
}
