//! The window's X11 `WM_CLASS`: egui-winit names only its class
//! (`odoo-connections`) and leaves the instance empty, so a window manager or
//! dock that matches windows to desktop entries by instance did not find
//! ours. Both are set here, before the window is first shown.

use winit::raw_window_handle::{HasWindowHandle as _, RawWindowHandle};
use x11rb::protocol::xproto::{AtomEnum, PropMode};
use x11rb::wrapper::ConnectionExt as _;

/// Sets the `WM_CLASS` instance and class of `window` to `app_id` (nothing
/// to do on Wayland, where the app id is already `app_id`).
pub(crate) fn name_window(window: &winit::window::Window, app_id: &str) {
    let Ok(handle) = window.window_handle() else {
        return;
    };
    let id = match handle.as_raw() {
        RawWindowHandle::Xlib(xlib) => u32::try_from(xlib.window).ok(),
        RawWindowHandle::Xcb(xcb) => Some(xcb.window.get()),
        _ => return,
    };
    let named = id
        .ok_or_else(|| "the window id is not an X11 id".to_owned())
        .and_then(|id| set_class(id, app_id));
    if let Err(err) = named {
        tracing::warn!("could not set the window's WM_CLASS: {err}");
    }
}

fn set_class(window: u32, app_id: &str) -> Result<(), String> {
    let (conn, _) = x11rb::connect(None).map_err(|err| err.to_string())?;
    // Two strings, each ending in NUL: the instance, then the class.
    let value = format!("{app_id}\0{app_id}\0");
    (conn.change_property8(
        PropMode::REPLACE,
        window,
        AtomEnum::WM_CLASS,
        AtomEnum::STRING,
        value.as_bytes(),
    ))
    .map_err(|err| err.to_string())?
    .check()
    .map_err(|err| err.to_string())
}
