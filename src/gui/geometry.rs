//! Where the window opens and how large: the size and position remembered
//! in `window.json`, fitted to the monitors the desktop has now. A size
//! larger than its monitor, and the first size, shrink to 90 % of it (in
//! points: a 1280×800 screen at scale 1.5 is 853×533 points); a position
//! that would put the title bar off every monitor is not used.

use eframe::egui::{self, Vec2, vec2};
use serde::{Deserialize, Serialize};

/// The first window's size before it fits its monitor (points).
pub const FIRST_SIZE: Vec2 = vec2(1100.0, 720.0);
/// The smallest window the layout is made for (points).
pub const MIN_SIZE: Vec2 = vec2(640.0, 480.0);
/// The share of its monitor a window that does not fit is given.
const MONITOR_SHARE: f32 = 0.9;
/// How much of the window's top edge must be on a monitor for a person to
/// grab the title bar (physical pixels).
const GRIP: [i32; 2] = [96, 24];

/// The window's size and place when it was last seen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowGeometry {
    /// The content's size in points, when neither maximized nor full screen.
    pub size: [f32; 2],
    /// The frame's top-left corner on the desktop in physical pixels (none
    /// where the desktop does not tell it, as on Wayland).
    #[serde(default)]
    pub position: Option<[i32; 2]>,
    /// The window's scale factor then (turns the position into points).
    #[serde(default = "one")]
    pub scale: f32,
    /// The window was maximized.
    #[serde(default)]
    pub maximized: bool,
}

fn one() -> f32 {
    1.0
}

/// A monitor as the desktop has it now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Monitor {
    /// Its top-left corner on the desktop (physical pixels).
    pub origin: [i32; 2],
    /// Its size in physical pixels.
    pub size: [u32; 2],
    /// Its scale factor (physical pixels per point).
    pub scale: f32,
}

impl Monitor {
    /// Its size in points.
    pub fn size_in_points(&self) -> Vec2 {
        vec2(self.size[0] as f32, self.size[1] as f32) / self.scale.max(0.1)
    }

    fn end(&self) -> [i32; 2] {
        [
            self.origin[0].saturating_add_unsigned(self.size[0]),
            self.origin[1].saturating_add_unsigned(self.size[1]),
        ]
    }

    /// True when a window `width` pixels wide with its frame's corner at
    /// `position` has enough of its title bar on this monitor to be grabbed.
    fn shows_title_bar_of(&self, position: [i32; 2], width: i32) -> bool {
        let end = self.end();
        let left = position[0].max(self.origin[0]);
        let right = position[0].saturating_add(width).min(end[0]);
        // Half the strip may be above the top edge (a frame's shadow).
        let top = position[1];
        right - left >= GRIP[0].min(width)
            && top >= self.origin[1] - GRIP[1] / 2
            && top + GRIP[1] <= end[1]
    }

    /// Where a window of `size` points is centred on this monitor.
    fn centre_for(&self, size: Vec2) -> [i32; 2] {
        let pixels = size * self.scale;
        let free = |extent: u32, used: f32| ((extent as f32 - used) / 2.0).max(0.0) as i32;
        [
            self.origin[0] + free(self.size[0], pixels.x),
            self.origin[1] + free(self.size[1], pixels.y),
        ]
    }
}

/// Where and how large the window opens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// The content's size in points.
    pub size: Vec2,
    /// The frame's top-left corner in physical pixels; `None`: where the
    /// desktop puts a new window.
    pub position: Option<[i32; 2]>,
    /// Open maximized.
    pub maximized: bool,
}

/// Fits `remembered` (none: the first size) to `monitors`, the primary one
/// first. A remembered size is kept while it fits its monitor; one that
/// does not, and the first size, get at most 90 % of it. A remembered
/// position is kept while the title bar is on a monitor; otherwise the
/// window is centred on the primary one.
pub fn place(remembered: Option<&WindowGeometry>, monitors: &[Monitor]) -> Placement {
    let wanted = remembered.map_or(FIRST_SIZE, |geometry| geometry.size.into());
    let on_screen = |position: [i32; 2]| {
        monitors.iter().find(|monitor| {
            let width = (wanted.x * monitor.scale) as i32;
            monitor.shows_title_bar_of(position, width)
        })
    };
    let kept = remembered
        .and_then(|geometry| geometry.position)
        .and_then(|position| on_screen(position).map(|monitor| (position, monitor)));
    let home = kept.map(|(_, monitor)| monitor).or(monitors.first());
    let size = match home {
        Some(monitor) => fit(wanted, monitor, remembered.is_some()),
        None => wanted,
    };
    let position = match (kept, remembered.and_then(|geometry| geometry.position)) {
        (Some((position, _)), _) => Some(position),
        // Remembered, but off every monitor now.
        (None, Some(_)) => home.map(|monitor| monitor.centre_for(size)),
        (None, None) => None,
    };
    Placement {
        size,
        position,
        maximized: remembered.is_some_and(|geometry| geometry.maximized),
    }
}

/// `wanted` if it fits `monitor` (a `remembered` one) or 90 % of it at most.
fn fit(wanted: Vec2, monitor: &Monitor, remembered: bool) -> Vec2 {
    let room = monitor.size_in_points();
    let fits = wanted.x <= room.x && wanted.y <= room.y;
    if remembered && fits {
        wanted
    } else {
        wanted.min((room * MONITOR_SHARE).round())
    }
}

/// The viewport to open: the remembered size (the monitors are not known
/// yet; [`fit_to_monitors`] corrects it once the window exists, before it
/// is shown), its position and maximized state.
pub(crate) fn viewport(
    builder: egui::ViewportBuilder,
    remembered: Option<&WindowGeometry>,
) -> egui::ViewportBuilder {
    let size = remembered.map_or(FIRST_SIZE, |geometry| geometry.size.into());
    let mut builder = builder.with_inner_size(size).with_min_inner_size(MIN_SIZE);
    if let Some(geometry) = remembered {
        if let Some([x, y]) = geometry.position {
            let scale = geometry.scale.max(0.1);
            builder = builder.with_position([x as f32 / scale, y as f32 / scale]);
        }
        builder = builder.with_maximized(geometry.maximized);
    }
    builder
}

/// Resizes and moves the new, still hidden window to fit the monitors.
pub(crate) fn fit_to_monitors(
    window: &winit::window::Window,
    remembered: Option<&WindowGeometry>,
) -> Placement {
    let primary = window.primary_monitor();
    let others = window
        .available_monitors()
        .filter(|monitor| Some(monitor) != primary.as_ref());
    let monitors: Vec<Monitor> = primary
        .iter()
        .cloned()
        .chain(others)
        .map(|monitor| Monitor {
            origin: monitor.position().into(),
            size: monitor.size().into(),
            scale: monitor.scale_factor() as f32,
        })
        .collect();
    let placement = place(remembered, &monitors);
    let now = window.inner_size().to_logical::<f32>(window.scale_factor());
    if (now.width - placement.size.x).abs() >= 1.0 || (now.height - placement.size.y).abs() >= 1.0 {
        let _ = window.request_inner_size(winit::dpi::LogicalSize::new(
            placement.size.x,
            placement.size.y,
        ));
    }
    if let Some([x, y]) = placement.position {
        window.set_outer_position(winit::dpi::PhysicalPosition::new(x, y));
    }
    placement
}

/// The window's geometry as egui sees it this frame; `last` stays while it
/// is minimized, and gives the size and position to return to while it is
/// maximized or full screen.
pub(crate) fn observe(ctx: &egui::Context, last: Option<WindowGeometry>) -> Option<WindowGeometry> {
    let (pixels_per_point, zoom) = (ctx.pixels_per_point(), ctx.zoom_factor());
    let size = ctx.viewport_rect().size() * zoom;
    ctx.input(|input| {
        let info = input.viewport();
        if info.minimized == Some(true) {
            return last;
        }
        let maximized = info.maximized == Some(true) || info.fullscreen == Some(true);
        if maximized && let Some(last) = last {
            return Some(WindowGeometry {
                maximized: true,
                ..last
            });
        }
        Some(WindowGeometry {
            size: size.round().into(),
            position: (info.outer_rect)
                .map(|rect| (rect.min * pixels_per_point).round())
                .map(|corner| [corner.x as i32, corner.y as i32]),
            scale: info
                .native_pixels_per_point
                .unwrap_or(pixels_per_point / zoom),
            maximized,
        })
    })
}
