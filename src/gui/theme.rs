//! Design tokens: the light and dark palettes (every text colour meets WCAG
//! AA, 4.5:1, on the backgrounds it is drawn on; the tests below compute
//! it), the one red for danger, the colours of environments and test
//! outcomes, and the window's spacing.

use eframe::egui;

use egui::{Color32, Theme, Visuals};

use crate::model::Environment;

/// Width of the connection list.
pub(crate) const SIDEBAR_WIDTH: f32 = 280.0;
/// Width of the editor's text fields.
pub(crate) const FIELD_WIDTH: f32 = 380.0;
/// Width of the form's label column (the same in every section).
pub(crate) const LABEL_WIDTH: f32 = 120.0;
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

/// The colours of one theme that egui's defaults do not give.
struct Palette {
    /// Secondary text (hints, details, URLs).
    weak_text: Color32,
    /// Danger: errors, the production badge, the Delete button.
    danger: Color32,
    /// A good outcome, and the development badge.
    success: Color32,
    /// The staging badge.
    caution: Color32,
    /// Text on a badge.
    on_badge: Color32,
    /// A list row under the pointer.
    row_hover: Color32,
    /// The fill of the one primary button.
    accent: Color32,
    /// Text on the accent fill.
    on_accent: Color32,
    /// Behind the text a search matched.
    match_fill: Color32,
    /// The text a search matched.
    match_text: Color32,
    /// A tag chip on a list row.
    tag_fill: Color32,
    /// The text of a tag chip.
    tag_text: Color32,
}

const LIGHT: Palette = Palette {
    weak_text: Color32::from_gray(92),
    danger: Color32::from_rgb(0xB3, 0x26, 0x1E),
    success: Color32::from_rgb(0x1E, 0x6B, 0x24),
    caution: Color32::from_rgb(0x8A, 0x53, 0x00),
    on_badge: Color32::WHITE,
    row_hover: Color32::from_gray(236),
    accent: Color32::from_rgb(0x1C, 0x5F, 0xB0),
    on_accent: Color32::WHITE,
    match_fill: Color32::from_rgb(0xFF, 0xE3, 0x8A),
    match_text: Color32::from_gray(20),
    tag_fill: Color32::from_gray(228),
    tag_text: Color32::from_gray(64),
};

const DARK: Palette = Palette {
    weak_text: Color32::from_gray(150),
    danger: Color32::from_rgb(0xF2, 0x8B, 0x82),
    success: Color32::from_rgb(0x81, 0xC9, 0x95),
    caution: Color32::from_rgb(0xF2, 0xB1, 0x3C),
    on_badge: Color32::from_gray(16),
    row_hover: Color32::from_gray(40),
    accent: Color32::from_rgb(0x78, 0xAE, 0xED),
    on_accent: Color32::from_gray(16),
    match_fill: Color32::from_rgb(0x6B, 0x53, 0x00),
    match_text: Color32::WHITE,
    tag_fill: Color32::from_gray(56),
    tag_text: Color32::from_gray(205),
};

fn palette(visuals: &Visuals) -> &'static Palette {
    if visuals.dark_mode { &DARK } else { &LIGHT }
}

/// The window's visuals for `theme`: egui's, with the palette's text and
/// danger colours (egui's secondary text and red miss 4.5:1).
pub(crate) fn visuals(theme: Theme) -> Visuals {
    let (mut visuals, palette) = match theme {
        Theme::Light => (Visuals::light(), &LIGHT),
        Theme::Dark => (Visuals::dark(), &DARK),
    };
    visuals.weak_text_color = Some(palette.weak_text);
    visuals.error_fg_color = palette.danger;
    if theme == Theme::Dark {
        // egui's dark body text (gray 140) is hardly brighter than 4.5:1
        // and no brighter than secondary text must be.
        visuals.widgets.noninteractive.fg_stroke.color = Color32::from_gray(200);
    }
    visuals
}

/// Gives the window both themes' visuals (the theme in use picks one).
pub(crate) fn install(ctx: &egui::Context) {
    for theme in [Theme::Light, Theme::Dark] {
        ctx.set_visuals_of(theme, visuals(theme));
    }
}

/// The one red: errors, the production badge and destructive buttons.
pub(crate) fn danger(visuals: &Visuals) -> Color32 {
    palette(visuals).danger
}

/// The badge colour of an environment: production is the danger red.
pub(crate) fn environment_fill(environment: Environment, visuals: &Visuals) -> Color32 {
    let palette = palette(visuals);
    match environment {
        Environment::Production => palette.danger,
        Environment::Staging => palette.caution,
        Environment::Development => palette.success,
    }
}

/// Text colour on an environment badge.
pub(crate) fn badge_text(visuals: &Visuals) -> Color32 {
    palette(visuals).on_badge
}

/// The fill of a list row under the pointer.
pub(crate) fn row_hover_fill(visuals: &Visuals) -> Color32 {
    palette(visuals).row_hover
}

/// The fill and text colour of the text a search matched.
pub(crate) fn search_match(visuals: &Visuals) -> (Color32, Color32) {
    let palette = palette(visuals);
    (palette.match_fill, palette.match_text)
}

/// The fill and text colour of a tag chip on a list row.
pub(crate) fn tag_chip(visuals: &Visuals) -> (Color32, Color32) {
    let palette = palette(visuals);
    (palette.tag_fill, palette.tag_text)
}

/// The colour of a test outcome (dot and message).
pub(crate) fn outcome_colour(outcome: Outcome, visuals: &Visuals) -> Color32 {
    match outcome {
        Outcome::Ok => palette(visuals).success,
        Outcome::Failed => palette(visuals).danger,
        Outcome::Unknown => visuals.weak_text_color(),
    }
}

/// The fill of the primary button, and its text colour.
pub(crate) fn accent(visuals: &Visuals) -> (Color32, Color32) {
    let palette = palette(visuals);
    (palette.accent, palette.on_accent)
}

/// The ring around the keyboard-focused item of a list.
pub(crate) fn focus_stroke(visuals: &Visuals) -> egui::Stroke {
    egui::Stroke::new(2.0, visuals.selection.stroke.color)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The WCAG 2 contrast ratio of two opaque colours (1 to 21).
    fn contrast_ratio(a: Color32, b: Color32) -> f32 {
        let (a, b) = (relative_luminance(a), relative_luminance(b));
        let (light, dark) = if a > b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }

    fn relative_luminance(colour: Color32) -> f32 {
        let channel = |value: u8| {
            let c = f32::from(value) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(colour.r()) + 0.7152 * channel(colour.g()) + 0.0722 * channel(colour.b())
    }

    /// WCAG AA for normal text.
    const AA: f32 = 4.5;

    fn assert_aa(what: &str, theme: Theme, text: Color32, background: Color32) {
        let ratio = contrast_ratio(text, background);
        assert!(
            ratio >= AA,
            "{what} in the {theme:?} theme: {ratio:.2}:1 ({text:?} on {background:?})"
        );
    }

    #[test]
    fn the_ratio_is_the_wcag_one() {
        let ratio = contrast_ratio(Color32::BLACK, Color32::WHITE);
        assert!((ratio - 21.0).abs() < 0.01, "{ratio}");
        assert!((contrast_ratio(Color32::RED, Color32::RED) - 1.0).abs() < 0.01);
        // The lightest gray that passes AA on white.
        let gray = contrast_ratio(Color32::from_gray(0x76), Color32::WHITE);
        assert!((gray - 4.54).abs() < 0.01, "{gray}");
    }

    #[test]
    fn every_text_colour_meets_aa_on_its_backgrounds_in_both_themes() {
        for theme in [Theme::Light, Theme::Dark] {
            let visuals = visuals(theme);
            let panel = visuals.panel_fill;
            let field = visuals.text_edit_bg_color();
            let hover = row_hover_fill(&visuals);
            for (name, background) in [("panel", panel), ("field", field), ("hover", hover)] {
                assert_aa(
                    &format!("text on {name}"),
                    theme,
                    visuals.text_color(),
                    background,
                );
                let weak = visuals.weak_text_color();
                assert_aa(
                    &format!("secondary text on {name}"),
                    theme,
                    weak,
                    background,
                );
                assert_aa(
                    &format!("errors on {name}"),
                    theme,
                    danger(&visuals),
                    background,
                );
                let ok = outcome_colour(Outcome::Ok, &visuals);
                assert_aa(&format!("success on {name}"), theme, ok, background);
            }
            let selection = visuals.selection;
            assert_aa(
                "a selected row",
                theme,
                selection.stroke.color,
                selection.bg_fill,
            );
            for environment in [
                Environment::Production,
                Environment::Staging,
                Environment::Development,
            ] {
                assert_aa(
                    &format!("the {environment} badge"),
                    theme,
                    badge_text(&visuals),
                    environment_fill(environment, &visuals),
                );
            }
            let (accent, on_accent) = accent(&visuals);
            assert_aa("the primary button", theme, on_accent, accent);
            let (fill, text) = search_match(&visuals);
            assert_aa("matched search text", theme, text, fill);
            let (fill, text) = tag_chip(&visuals);
            assert_aa("a tag", theme, text, fill);
            let button = visuals.widgets.inactive;
            assert_aa(
                "button text",
                theme,
                button.text_color(),
                button.weak_bg_fill,
            );
        }
    }

    #[test]
    fn danger_has_one_red_per_theme() {
        for theme in [Theme::Light, Theme::Dark] {
            let visuals = visuals(theme);
            assert_eq!(visuals.error_fg_color, danger(&visuals));
            assert_eq!(
                environment_fill(Environment::Production, &visuals),
                danger(&visuals)
            );
            assert_eq!(outcome_colour(Outcome::Failed, &visuals), danger(&visuals));
        }
    }
}
