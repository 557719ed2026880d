//! The desktop front end (the only module that imports egui/eframe): the
//! "Odoo Connection Manager" window and the small approval window.
//!
//! The window holds no domain logic: it edits drafts from `model`, and every
//! blocking call (keyring, files, HTTP) runs as a job off the window thread.

use eframe::egui;

mod app;
mod apply;
pub mod approval;
mod buttons;
mod command;
mod dialogs;
mod fonts;
pub mod geometry;
mod jobs;
mod mcp_form;
mod prefs;
mod remember;
mod results;
mod state;
mod system_theme;
mod theme;
mod views;
mod watch;
mod widgets;
mod window;
#[cfg(target_os = "linux")]
mod x11_class;

pub use views::secret_field_id;
pub use window::{Window, show};

use std::io::Write as _;

use crate::paths::Paths;
use crate::single_instance::{self, Claim, SingleInstanceError};

/// The window title.
pub const WINDOW_TITLE: &str = "Odoo Connection Manager";

/// The application id (Wayland app id, X11 class; matches the .desktop file).
pub const APP_ID: &str = "odoo-connections";

/// Why the window could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum GuiError {
    /// No graphical session, or the graphics driver refused.
    #[error(
        "could not open the window ({0}); a graphical session is needed (DISPLAY or WAYLAND_DISPLAY). Everything is also available from the command line: `odoo-connections --help`"
    )]
    Window(String),
    /// Background workers could not start.
    #[error("could not start the window's background workers: {0}")]
    Workers(#[from] std::io::Error),
    /// The single-instance lock or socket failed.
    #[error(transparent)]
    SingleInstance(#[from] SingleInstanceError),
}

/// Opens the Connection Manager, or brings the open one to the front.
///
/// With `announce`, exactly one line goes to stdout: `ready` once the first
/// frame is on screen, or `focused` when an open window took over.
pub fn run(paths: &Paths, announce: bool) -> Result<(), GuiError> {
    let primary = match single_instance::claim(paths)? {
        Claim::Secondary => {
            if announce {
                announce_line("focused");
            }
            return Ok(());
        }
        Claim::Primary(primary) => primary,
    };
    let executable = std::env::current_exe().unwrap_or_else(|_| APP_ID.into());
    let mut window = Window::new(paths.clone(), executable)?;
    // Read while the window and its GL context are being made: a small
    // list is there for the first frame.
    window.read_list();
    window.state.system_theme = Some(system_theme::detect());
    let remembered = window.state.prefs.geometry;
    let viewport = egui::ViewportBuilder::default()
        .with_title(WINDOW_TITLE)
        .with_app_id(APP_ID)
        .with_icon(icon());
    let viewport = geometry::viewport(viewport, remembered.as_ref());
    let options = eframe::NativeOptions {
        viewport,
        // Installed lazily below instead of enumerating every system font at start.
        system_font_fallback: false,
        ..Default::default()
    };
    eframe::run_native(
        WINDOW_TITLE,
        options,
        Box::new(move |creation| {
            let ctx = creation.egui_ctx.clone();
            fonts::install_icons(&ctx);
            // The monitors are known now, and the window is not shown yet.
            let placement = (creation.winit_window()).map(|window| {
                #[cfg(target_os = "linux")]
                x11_class::name_window(window, APP_ID);
                geometry::fit_to_monitors(window, remembered.as_ref())
            });
            fonts::install_system_fallback(&ctx);
            primary.listen(move || {
                ctx.send_viewport_cmd(egui::ViewportCommand::Visible(true));
                ctx.send_viewport_cmd(egui::ViewportCommand::Minimized(false));
                ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
                ctx.request_repaint();
            })?;
            let maximize = placement.is_some_and(|placement| placement.maximized);
            Ok(Box::new(app::App::new(window, announce, maximize)))
        }),
    )
    .map_err(|err| GuiError::Window(err.to_string()))
}

/// The window icon.
pub(crate) fn icon() -> egui::IconData {
    eframe::icon_data::from_png_bytes(include_bytes!(
        "../../assets/icons/odoo-connections-256.png"
    ))
    .unwrap_or_default()
}

/// Writes the one readiness line to stdout; a closed pipe is not an error.
pub(crate) fn announce_line(line: &str) {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .ok();
}
