//! Fonts for what egui's bundled fonts cannot draw (CJK, Arabic,
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
