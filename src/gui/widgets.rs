//! Small widgets shared by the views: labelled form rows with their error
//! line (tied to the field for screen readers), dropdowns, the environment
//! badge and the last-test dot.

use eframe::egui;

use egui::{
    Align2, CornerRadius, FontId, Painter, Pos2, Response, RichText, Role, Sense, Ui, Visuals,
    WidgetInfo, vec2,
};

use crate::model::Environment;

use super::theme::{self, Outcome};

/// One row of a two-column form grid: the label, then the widget tied to
/// it (so screen readers and tests find it by the label).
pub(crate) fn form_row(
    ui: &mut Ui,
    label: &str,
    add: impl FnOnce(&mut Ui) -> Response,
) -> Response {
    let label = ui.label(label);
    let response = add(ui).labelled_by(label.id);
    ui.end_row();
    response
}

/// A form row whose widget can be refused: one line under it is always
/// kept for the message, so a message coming or going moves no field (a
/// message longer than the line is cut, and shown whole on hover).
pub(crate) fn checked_row(
    ui: &mut Ui,
    label: &str,
    error: Option<&str>,
    add: impl FnOnce(&mut Ui) -> Response,
) -> Response {
    noted_row(ui, label, error.map(|text| (text, true)), add)
}

/// A form row whose accepted value carries a warning on the line under it
/// (read with the field, but the field is not marked invalid).
pub(crate) fn warned_row(
    ui: &mut Ui,
    label: &str,
    warning: Option<&str>,
    add: impl FnOnce(&mut Ui) -> Response,
) -> Response {
    noted_row(ui, label, warning.map(|text| (text, false)), add)
}

/// A form row with its message line; `note` is the message and whether it
/// refuses the value.
fn noted_row(
    ui: &mut Ui,
    label: &str,
    note: Option<(&str, bool)>,
    add: impl FnOnce(&mut Ui) -> Response,
) -> Response {
    let line_height = ui.text_style_height(&egui::TextStyle::Body);
    // The label's cell keeps the same empty line, so it stays level with the field.
    let label = ui
        .vertical(|ui| {
            ui.spacing_mut().item_spacing.y = 2.0;
            let label = ui.label(label);
            ui.allocate_space(vec2(0.0, line_height));
            label
        })
        .inner;
    let response = ui
        .vertical(|ui| {
            ui.spacing_mut().item_spacing.y = 2.0;
            let response = add(ui).labelled_by(label.id);
            let line = vec2(
                response.rect.width().max(super::theme::FIELD_WIDTH),
                line_height,
            );
            let (rect, _) = ui.allocate_exact_size(line, egui::Sense::hover());
            if let Some((note, refuses)) = note {
                let colour = super::theme::danger(ui.visuals());
                let note = displayable(note);
                let text = RichText::new(&note).color(colour);
                let layout = egui::Layout::left_to_right(egui::Align::Center);
                let mut line = ui.new_child(egui::UiBuilder::new().max_rect(rect).layout(layout));
                let message = line.add(egui::Label::new(text).truncate());
                tie_message(&response, &message, &note, refuses);
            }
            response
        })
        .inner;
    ui.end_row();
    response
}

/// Ties `field` to the `message` line under it in the accessibility tree
/// (described-by; when it `refuses` the value, also its error message and
/// the invalid state), so the message is read with the field. AccessKit's
/// AT-SPI adapter passes neither relation on, so on Linux the field's
/// description carries `text` (unless the field has one already, as a
/// dropdown has its value).
fn tie_message(field: &Response, message: &Response, text: &str, refuses: bool) {
    let message = message.id.accesskit_id();
    field.ctx.accesskit_node_builder(field.id, |node| {
        if refuses {
            node.set_invalid(egui::accesskit::Invalid::True);
            node.set_error_message(message);
        }
        node.push_described_by(message);
        if node.description().is_none() {
            node.set_description(text);
        }
    });
}

/// A validation or failure message in the error colour.
pub(crate) fn error_text(ui: &mut Ui, text: &str) -> Response {
    let colour = super::theme::danger(ui.visuals());
    ui.label(RichText::new(displayable(text)).color(colour).small())
}

/// A filled badge naming the environment; production is red.
pub(crate) fn environment_badge(ui: &mut Ui, environment: Environment) -> Response {
    let text = environment.as_str();
    let font = FontId::proportional(11.0);
    let galley =
        ui.painter()
            .layout_no_wrap(text.to_owned(), font.clone(), egui::Color32::PLACEHOLDER);
    let size = galley.size() + vec2(10.0, 4.0);
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let visuals = ui.visuals();
    ui.painter().rect_filled(
        rect,
        CornerRadius::same(4),
        theme::environment_fill(environment, visuals),
    );
    ui.painter().text(
        rect.center(),
        Align2::CENTER_CENTER,
        text,
        font,
        theme::badge_text(visuals),
    );
    response.widget_info(|| WidgetInfo::labeled(Role::Label, true, text));
    response
}

/// Paints the last-test dot: filled for a result, a ring when unknown.
pub(crate) fn paint_outcome_dot(
    painter: &Painter,
    center: Pos2,
    outcome: Outcome,
    visuals: &Visuals,
) {
    let colour = theme::outcome_colour(outcome, visuals);
    if outcome == Outcome::Unknown {
        painter.circle_stroke(center, theme::DOT_SIZE / 2.0 - 0.5, (1.0, colour));
    } else {
        painter.circle_filled(center, theme::DOT_SIZE / 2.0, colour);
    }
}

/// A moment as `2026-11-25 10:14:00` in the computer's time zone (from
/// `TZ` or `/etc/localtime`).
pub(crate) fn local_time(moment: time::OffsetDateTime) -> String {
    use chrono::{Offset as _, TimeZone as _};
    let seconds_east = chrono::Local
        .timestamp_opt(moment.unix_timestamp(), 0)
        .single()
        .map_or(0, |local| local.offset().fix().local_minus_utc());
    time_at(moment, seconds_east)
}

/// `moment` as `[year]-[month]-[day] [hour]:[minute]:[second]` at
/// `seconds_east` of UTC.
fn time_at(moment: time::OffsetDateTime, seconds_east: i32) -> String {
    let offset = time::UtcOffset::from_whole_seconds(seconds_east).unwrap_or(time::UtcOffset::UTC);
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    moment.to_offset(offset).format(&format).unwrap_or_default()
}

/// `text` with the few symbols egui's built-in font cannot draw replaced
/// (core messages write menu paths as "Settings → Developer").
pub(crate) fn displayable(text: &str) -> String {
    text.replace('→', ">")
}

/// A dropdown of `options` for `value`; a pick (click, Space or Enter)
/// closes it.
pub(crate) fn choice<T: Clone + PartialEq>(
    ui: &mut Ui,
    id: &str,
    width: f32,
    value: &mut T,
    options: &[(T, &str)],
) -> Response {
    let selected = options
        .iter()
        .find(|(option, _)| option == value)
        .map_or("", |(_, label)| *label);
    let combo = egui::ComboBox::from_id_salt(id)
        .selected_text(selected)
        .width(width)
        .show_ui(ui, |ui| {
            for (option, label) in options {
                // A pick by Space or Enter closes the list as a click does.
                if ui.selectable_value(value, option.clone(), *label).clicked() {
                    ui.close();
                }
            }
        });
    // egui gives the dropdown its value, but AccessKit's AT-SPI adapter
    // passes no text value of a combo box on: on Linux the description
    // carries it, so a screen reader says what is chosen.
    ui.ctx()
        .accesskit_node_builder(combo.response.id, |node| node.set_description(selected));
    // Esc closes the list; the focus goes back to the dropdown.
    if combo.inner.is_some() && ui.input(|input| input.key_pressed(egui::Key::Escape)) {
        combo.response.request_focus();
    }
    combo.response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_at_the_offset_asked_for() {
        let moment = time::macros::datetime!(2026-11-25 09:14:00 UTC);
        assert_eq!(time_at(moment, 0), "2026-11-25 09:14:00");
        assert_eq!(time_at(moment, 3600), "2026-11-25 10:14:00");
        assert_eq!(time_at(moment, -9 * 3600 - 1800), "2026-11-24 23:44:00");
    }
}
