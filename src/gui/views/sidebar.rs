//! The connection list: search box, and one row per connection with its
//! environment badge, URL and last-test dot. Arrow keys move the selection.

use eframe::egui;

use egui::{
    Align2, Color32, CornerRadius, FontId, Rect, Role, Sense, Shape, TextEdit, Ui, WidgetInfo,
    pos2, vec2,
};

use crate::model::{Connection, ConnectionId};
use crate::odoo::TestReport;
use crate::store::LastTest;

use super::super::command::Command;
use super::super::state::AppState;
use super::super::theme::{self, Outcome};
use super::super::widgets::{displayable, paint_outcome_dot, utc_time};

const ROW_HEIGHT: f32 = 46.0;
/// Extra space under each row (besides the item spacing).
const ROW_GAP: f32 = 2.0;

/// Draws the sidebar.
pub(super) fn show(ui: &mut Ui, state: &mut AppState) {
    egui::Panel::left("sidebar")
        .resizable(false)
        .exact_size(theme::SIDEBAR_WIDTH)
        .show(ui, |ui| {
            ui.add_space(8.0);
            let search = ui.add(
                TextEdit::singleline(&mut state.search)
                    .hint_text("Search name, URL, database, tag")
                    .desired_width(f32::INFINITY),
            );
            let search = search.accessible_name("Search connections");
            if std::mem::take(&mut state.focus_search) {
                search.request_focus();
            }
            ui.add_space(6.0);
            if let Some(error) = &state.list_error {
                super::super::widgets::error_text(ui, error);
            }
            rows(ui, state);
        });
}

/// Only the rows in view are laid out, so 10 000 connections cost no more
/// per frame than a screenful.
fn rows(ui: &mut Ui, state: &mut AppState) {
    state.refresh_matches();
    let count = state.visible_positions().len();
    if count == 0 {
        let text = if state.connections.is_empty() {
            "No connections yet. Choose “New connection” to add one."
        } else {
            "No connection matches the search."
        };
        ui.add_space(12.0);
        ui.label(egui::RichText::new(text).weak());
        return;
    }
    let mut clicked = None;
    egui::ScrollArea::vertical().show_rows(ui, ROW_HEIGHT + ROW_GAP, count, |ui, range| {
        clicked = visible_rows(ui, state, range);
    });
    if let Some(id) = clicked {
        state.send(Command::Select(id));
    }
}

/// Draws the rows at `range` of the visible list; returns the clicked one.
fn visible_rows(
    ui: &mut Ui,
    state: &AppState,
    range: std::ops::Range<usize>,
) -> Option<ConnectionId> {
    let selected = state.editor.as_ref().map(|editor| editor.id);
    let mut clicked = None;
    for &position in &state.visible_positions()[range] {
        let connection = &state.connections[position];
        let status = if state.jobs.is_testing(connection.id) {
            (Outcome::Unknown, "testing now".to_owned())
        } else {
            last_test(
                state.last_tests.get(&connection.id),
                state.history.get(connection.id),
            )
        };
        let response = row(ui, connection, selected == Some(connection.id), status);
        if response.clicked() {
            clicked = Some(connection.id);
        }
    }
    clicked
}

fn row(
    ui: &mut Ui,
    connection: &Connection,
    selected: bool,
    (outcome, explanation): (Outcome, String),
) -> egui::Response {
    let width = ui.available_width();
    let id = ui.scope_id().with(("connection-row", connection.id));
    let (rect, _) = ui.allocate_exact_size(vec2(width, ROW_HEIGHT), Sense::hover());
    let response = ui.interact(rect, id, Sense::click());
    let visuals = ui.visuals().clone();
    let fill = if selected {
        visuals.selection.bg_fill
    } else if response.hovered() {
        visuals.widgets.hovered.weak_bg_fill
    } else {
        Color32::TRANSPARENT
    };
    let painter = ui.painter_at(rect);
    painter.add(Shape::rect_filled(rect, CornerRadius::same(6), fill));
    let text_colour = if selected {
        visuals.selection.stroke.color
    } else {
        visuals.strong_text_color()
    };
    let inner = rect.shrink2(vec2(8.0, 6.0));
    let badge = badge_rect(ui, inner, connection);
    painter.rect_filled(
        badge,
        CornerRadius::same(4),
        theme::environment_fill(connection.environment, &visuals),
    );
    painter.text(
        badge.center(),
        Align2::CENTER_CENTER,
        connection.environment.as_str(),
        FontId::proportional(10.5),
        theme::badge_text(&visuals),
    );
    let name_clip = painter.with_clip_rect(Rect::from_min_max(
        inner.min,
        pos2(badge.left() - 6.0, inner.bottom()),
    ));
    name_clip.text(
        inner.left_top(),
        Align2::LEFT_TOP,
        connection.name.as_str(),
        FontId::proportional(14.0),
        text_colour,
    );
    let dot = pos2(inner.right() - theme::DOT_SIZE / 2.0, inner.bottom() - 6.0);
    paint_outcome_dot(&painter, dot, outcome, &visuals);
    let url_clip = painter.with_clip_rect(Rect::from_min_max(
        inner.min,
        pos2(inner.right() - theme::DOT_SIZE - 6.0, inner.bottom()),
    ));
    url_clip.text(
        inner.left_bottom(),
        Align2::LEFT_BOTTOM,
        connection.url.to_string(),
        FontId::proportional(11.5),
        if selected {
            text_colour.gamma_multiply(0.8)
        } else {
            visuals.weak_text_color()
        },
    );
    let description = format!(
        "{}, {}, {}",
        connection.environment, connection.url, explanation
    );
    response.widget_info(|| {
        WidgetInfo::selected(
            Role::ListBoxOption,
            true,
            selected,
            connection.name.as_str(),
        )
    });
    ui.ctx().accesskit_node_builder(response.id, |node| {
        node.set_description(description);
    });
    if response.has_focus() {
        response.scroll_to_me(None);
    }
    ui.add_space(ROW_GAP);
    response.on_hover_text(displayable(&explanation))
}

fn badge_rect(ui: &Ui, inner: Rect, connection: &Connection) -> Rect {
    let galley = ui.painter().layout_no_wrap(
        connection.environment.as_str().to_owned(),
        FontId::proportional(10.5),
        Color32::PLACEHOLDER,
    );
    let size = galley.size() + vec2(10.0, 3.0);
    Rect::from_min_size(pos2(inner.right() - size.x, inner.top()), size)
}

/// The dot and its explanation: this session's result, else the remembered one.
fn last_test(
    session: Option<&Result<TestReport, String>>,
    remembered: Option<&LastTest>,
) -> (Outcome, String) {
    let outcome = |ok| if ok { Outcome::Ok } else { Outcome::Failed };
    match (session, remembered) {
        (Some(Ok(report)), _) => (outcome(report.ok), format!("last test: {}", report.message)),
        (Some(Err(message)), _) => (Outcome::Failed, format!("last test: {message}")),
        (None, Some(last)) => (
            outcome(last.ok),
            format!("last test ({} UTC): {}", utc_time(last.time), last.message),
        ),
        (None, None) => (Outcome::Unknown, "not tested yet".to_owned()),
    }
}
