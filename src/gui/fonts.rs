//! Fonts beyond egui's bundled ones: the window's few icons (a 7 KB subset,
//! see scripts/make-icon-font), and for what no bundled font can draw (CJK, Arabic,
//! Devanagari … in a connection's name): the system's, enumerated only when
//! such a character is first drawn, not at every start.

use eframe::egui;

use std::sync::{Arc, OnceLock};

use egui::FontProvider as _;
use egui_system_font_provider::SystemFontProvider;

/// Makes `ctx` look up system fonts for a character the bundled fonts lack,
/// the first time one is drawn (that first time waits for the enumeration).
pub(crate) fn install_system_fallback(ctx: &egui::Context) {
    let system = OnceLock::new();
    ctx.add_font_provider(Arc::new(move |request: &egui::FallbackRequest<'_>| {
        system
            .get_or_init(SystemFontProvider::new)
            .font_for(request)
    }));
}

/// The name of the icon font in egui's font list.
const ICON_FONT: &str = "odoo-connections-icons";

/// Adds the window's icon glyphs (and "→") after egui's bundled fonts, in
/// both families; a second call changes nothing.
pub(crate) fn install_icons(ctx: &egui::Context) {
    let data = egui::FontData::from_static(include_bytes!("../../assets/fonts/icons.ttf"));
    let families = [egui::FontFamily::Proportional, egui::FontFamily::Monospace]
        .into_iter()
        .map(|family| egui::InsertFontFamily {
            family,
            priority: egui::FontPriority::Lowest,
        })
        .collect();
    ctx.add_font(egui::FontInsert::new(ICON_FONT, data, families));
}
