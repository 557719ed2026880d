//! "Trust this certificate?": shows the SHA-256 fingerprint of a server
//! certificate that the system does not trust; accepting pins it in the form.

use eframe::egui;

use egui::TextEdit;

use crate::model::{ConnectionId, Fingerprint};

use super::super::command::Command;

/// Shows the prompt for `host`'s certificate.
pub(super) fn show(
    ctx: &egui::Context,
    id: ConnectionId,
    host: &str,
    fingerprint: Fingerprint,
    commands: &mut Vec<Command>,
) -> bool {
    let mut trusted = false;
    let keep_open = super::modal(ctx, "trust_dialog", "Trust this certificate?", |ui| {
        ui.label(format!(
            "The certificate of {host} is not trusted by this system, or does not match the pinned one."
        ));
        ui.label(
            "Compare this SHA-256 fingerprint with the one the server's administrator \
             gives you. Trust it only if they match.",
        );
        ui.add_space(8.0);
        let mut text = fingerprint.to_string();
        ui.add(
            TextEdit::multiline(&mut text)
                .code_editor()
                .interactive(false)
                .desired_rows(2)
                .desired_width(f32::INFINITY),
        )
        .accessible_name("Certificate fingerprint");
        ui.add_space(12.0);
        ui.horizontal(|ui| {
            if ui.button("Trust and pin").clicked() {
                trusted = true;
                return Some(false);
            }
            ui.button("Don't trust").clicked().then_some(false)
        })
        .inner
    });
    if trusted {
        commands.push(Command::Trust(id, fingerprint));
    }
    keep_open
}
