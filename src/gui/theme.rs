//! Design tokens: the colours of environments and test outcomes, and the
//! window's spacing. Colours follow the light or dark theme in use.

use eframe::egui;

use egui::{Color32, Visuals};

use crate::model::Environment;

/// Width of the connection list.
pub(crate) const SIDEBAR_WIDTH: f32 = 280.0;
/// Width of the editor's text fields.
pub(crate) const FIELD_WIDTH: f32 = 380.0;
/// Space between groups of the form.
pub(crate) const SECTION_GAP: f32 = 12.0;
/// Diameter of the last-test dot.
pub(crate) const DOT_SIZE: f32 = 8.0;

/// How a test went, for colouring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Connected and authenticated.
    Ok,
    /// Anything else.
    Failed,
    /// Not tested in this session.
    Unknown,
}

/// The badge colour of an environment: production is red so it stands out.
pub(crate) fn environment_fill(environment: Environment, visuals: &Visuals) -> Color32 {
    match (environment, visuals.dark_mode) {
        (Environment::Production, false) => Color32::from_rgb(0xC6, 0x28, 0x28),
        (Environment::Production, true) => Color32::from_rgb(0xEF, 0x6B, 0x6B),
        (Environment::Staging, false) => Color32::from_rgb(0xB2, 0x6A, 0x00),
        (Environment::Staging, true) => Color32::from_rgb(0xF2, 0xB1, 0x3C),
        (Environment::Development, false) => Color32::from_rgb(0x2E, 0x7D, 0x32),
        (Environment::Development, true) => Color32::from_rgb(0x6C, 0xC8, 0x7A),
    }
}

/// Text colour on an environment badge.
pub(crate) fn badge_text(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_rgb(0x10, 0x10, 0x10)
    } else {
        Color32::WHITE
    }
}

/// The colour of a test outcome (dot and message).
pub(crate) fn outcome_colour(outcome: Outcome, visuals: &Visuals) -> Color32 {
    match (outcome, visuals.dark_mode) {
        (Outcome::Ok, false) => Color32::from_rgb(0x2E, 0x7D, 0x32),
        (Outcome::Ok, true) => Color32::from_rgb(0x6C, 0xC8, 0x7A),
        (Outcome::Failed, _) => visuals.error_fg_color,
        (Outcome::Unknown, _) => visuals.weak_text_color(),
    }
}
