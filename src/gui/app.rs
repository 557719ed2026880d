//! The eframe application: draws the [`Window`] each frame, follows the
//! window's size and position (remembered on close), and prints the
//! readiness line once the first frame is on screen.

use eframe::egui;

use super::window::Window;

/// The Connection Manager as an eframe app.
pub(crate) struct App {
    window: Window,
    /// Frames left before announcing `ready` (`None`: nothing to announce).
    announce_in: Option<u8>,
    /// Maximize on the second frame, once the window is shown (X11 window
    /// managers ignore it for a window not shown yet).
    maximize: bool,
}

impl App {
    pub(crate) fn new(window: Window, announce: bool, maximize: bool) -> Self {
        Self {
            window,
            announce_in: announce.then_some(1),
            maximize,
        }
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        super::window::show(ui, &mut self.window);
        let prefs = &mut self.window.state.prefs;
        prefs.geometry = super::geometry::observe(&ctx, prefs.geometry);
        if self.maximize && ctx.cumulative_frame_nr() > 0 {
            self.maximize = false;
            ctx.send_viewport_cmd(egui::ViewportCommand::Maximized(true));
        } else if self.maximize {
            ctx.request_repaint();
        }
        // The first frame is presented after this call returns: announce at
        // the start of the second one, which one extra repaint brings about.
        match self.announce_in {
            Some(0) => {
                super::announce_line("ready");
                self.announce_in = None;
            }
            Some(left) => {
                self.announce_in = Some(left - 1);
                ctx.request_repaint();
            }
            None => {}
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.window.remember_now();
    }
}
