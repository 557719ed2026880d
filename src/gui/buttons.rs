//! The editor's two emphasised buttons: the one primary action, filled
//! with the accent colour, and the destructive one, in the danger red.
//! Each keeps its plain words as its accessible name, without the icon.

use eframe::egui;

use egui::{Button, Response, RichText, Stroke, Ui};

use super::theme;

/// How a button stands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Emphasis {
    /// An ordinary button.
    Plain,
    /// The action the form is for right now (one per form).
    Primary,
    /// It destroys something (asks first).
    Destructive,
}

/// Adds a button showing `icon` before `words`, named `words` for screen
/// readers and tests, enabled when `enabled`.
pub(crate) fn add(
    ui: &mut Ui,
    enabled: bool,
    icon: &str,
    words: &str,
    emphasis: Emphasis,
) -> Response {
    let text = format!("{icon}  {words}");
    let visuals = ui.visuals();
    let button = match emphasis {
        Emphasis::Plain => Button::new(text),
        Emphasis::Primary => {
            let (fill, on_fill) = theme::accent(visuals);
            Button::new(RichText::new(text).color(on_fill)).fill(fill)
        }
        Emphasis::Destructive => {
            let danger = theme::danger(visuals);
            Button::new(RichText::new(text).color(danger)).stroke(Stroke::new(1.0, danger))
        }
    };
    ui.add_enabled(enabled, button).accessible_name(words)
}

/// The icon glyphs (all in assets/fonts/icons.ttf).
pub(crate) mod icons {
    /// Save.
    pub(crate) const SAVE: &str = "\u{1F4BE}";
    /// Revert.
    pub(crate) const REVERT: &str = "\u{27F2}";
    /// Duplicate.
    pub(crate) const DUPLICATE: &str = "\u{1F5D0}";
    /// Rename.
    pub(crate) const RENAME: &str = "\u{270F}";
    /// Delete.
    pub(crate) const DELETE: &str = "\u{1F5D1}";
    /// Test a connection.
    pub(crate) const TEST: &str = "\u{1F50C}";
    /// A new connection.
    pub(crate) const NEW: &str = "\u{271A}";
    /// Test every connection.
    pub(crate) const TEST_ALL: &str = "\u{27F3}";
    /// Done, or a good outcome.
    pub(crate) const DONE: &str = "\u{2714}";
    /// Stop what runs.
    pub(crate) const STOP: &str = "\u{23F9}";
    /// Copy to the clipboard.
    pub(crate) const COPY: &str = "\u{1F4CB}";
    /// The form's Server section.
    pub(crate) const SERVER: &str = "\u{1F310}";
    /// The form's Sign-in section.
    pub(crate) const SIGN_IN: &str = "\u{1F464}";
    /// The form's Safety section.
    pub(crate) const SAFETY: &str = "\u{1F6E1}";
    /// The form's Notes section.
    pub(crate) const NOTES: &str = "\u{1F3F7}";
}
