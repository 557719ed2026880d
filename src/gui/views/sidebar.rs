//! The connection list: search box, and one row per connection with its
//! environment badge, URL and last-test dot. Arrow keys move the selection.

use eframe::egui;

use egui::{
    Align2, Button, Color32, CornerRadius, EventFilter, FontId, Rect, Role, Sense, Shape,
    StrokeKind, TextEdit, Ui, UiBuilder, WidgetInfo, pos2, vec2,
};

use crate::model::{Connection, ConnectionId};
use crate::odoo::TestReport;
use crate::store::LastTest;

use super::super::command::Command;
use super::super::state::AppState;
use super::super::theme::{self, Outcome};
use super::super::widgets::{displayable, paint_outcome_dot, utc_time};

/// Shown until the connections file was read.
pub(super) const LOADING: &str = "Loading connections…";
const ROW_HEIGHT: f32 = 46.0;
/// Extra space under each row (besides the item spacing).
const ROW_GAP: f32 = 2.0;

/// Draws the sidebar.
pub(super) fn show(ui: &mut Ui, state: &mut AppState) {
    // Narrower in a small window, so the form keeps room down to 640×480.
    let width = (ui.available_width() * 0.34).clamp(200.0, theme::SIDEBAR_WIDTH);
    egui::Panel::left("sidebar")
        .resizable(false)
        .exact_size(width)
        .show(ui, |ui| {
            ui.add_space(8.0);
            let search = ui
                .horizontal(|ui| {
                    let clear_width = 24.0 + ui.spacing().item_spacing.x;
                    let search = ui.add(
                        TextEdit::singleline(&mut state.search)
                            .id(search_id())
                            .hint_text("Search name, URL, database, tag")
                            .desired_width(ui.available_width() - clear_width),
                    );
                    let clear = ui
                        .add_enabled(!state.search.is_empty(), Button::new("×"))
                        .on_hover_text("Clear the search")
                        .accessible_name("Clear search");
                    if clear.clicked() {
                        state.search.clear();
                    }
                    search
                })
                .inner;
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
    if !state.list_loaded {
        ui.add_space(12.0);
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(egui::RichText::new(LOADING).weak());
        });
        return;
    }
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
    let list = ui.scope_builder(
        UiBuilder::new()
            .scope_id(list_id())
            .sense(Sense::focusable_noninteractive())
            .accessibility_role(Role::ListBox)
            .accessibility_label("Connections"),
        |ui| {
            let mut area = egui::ScrollArea::vertical().id_salt("connection_rows");
            if std::mem::take(&mut state.scroll_to_selection)
                && let Some(offset) = offset_showing_selection(ui, state)
            {
                area = area.vertical_scroll_offset(offset);
            }
            area.show_rows(ui, ROW_HEIGHT + ROW_GAP, count, |ui, range| {
                clicked = visible_rows(ui, state, range);
            });
        },
    );
    if list.response.has_focus() {
        // Up/Down, Home/End move the selection instead of the focus.
        ui.memory_mut(|memory| {
            memory.set_focus_lock_filter(
                list_id(),
                EventFilter {
                    vertical_arrows: true,
                    ..EventFilter::default()
                },
            );
        });
    }
    if let Some(id) = clicked {
        list.response.request_focus();
        state.send(Command::Select(id));
    }
}

/// The scroll offset that brings the selected row into view, if it is out of it.
fn offset_showing_selection(ui: &Ui, state: &AppState) -> Option<f32> {
    let selected = state.editor.as_ref()?.id;
    let index = (state.visible_positions().iter())
        .position(|&position| state.connections[position].id == selected)?;
    let pitch = ROW_HEIGHT + ROW_GAP + ui.spacing().item_spacing.y;
    let top = index as f32 * pitch;
    let scroll_id = ui.make_persistent_id("connection_rows");
    let shown =
        egui::scroll_area::State::load(ui.ctx(), scroll_id).map_or(0.0, |s| s.clamped_offset().y);
    let height = ui.available_height();
    if top < shown {
        Some(top)
    } else if top + pitch > shown + height {
        Some(top + pitch - height)
    } else {
        None
    }
}

/// The connection list: one stop for Tab, with the arrow keys inside it.
pub(crate) fn list_id() -> egui::Id {
    egui::Id::unique("connection-list")
}

/// The id of the search box.
pub(crate) fn search_id() -> egui::Id {
    egui::Id::unique("connection-search")
}

/// Draws the rows at `range` of the visible list; returns the clicked one.
fn visible_rows(
    ui: &mut Ui,
    state: &AppState,
    range: std::ops::Range<usize>,
) -> Option<ConnectionId> {
    let selected = state.editor.as_ref().map(|editor| editor.id);
    let list_focused = ui.memory(|memory| memory.has_focus(list_id()));
    let selection_visible = selected.is_some_and(|id| {
        (state.visible_positions().iter()).any(|&position| state.connections[position].id == id)
    });
    let mut clicked = None;
    for (index, &position) in state.visible_positions()[range.clone()].iter().enumerate() {
        let connection = &state.connections[position];
        let status = if state.is_testing_saved(connection.id) {
            (Outcome::Unknown, "testing now".to_owned())
        } else {
            last_test(
                state.saved_test(connection.id),
                state.history.get(connection.id),
            )
        };
        let is_selected = selected == Some(connection.id);
        let current = if selection_visible {
            is_selected
        } else {
            range.start + index == 0
        };
        let response = row(ui, connection, is_selected, list_focused && current, status);
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
    focus_ring: bool,
    (outcome, explanation): (Outcome, String),
) -> egui::Response {
    let width = ui.available_width();
    let id = ui.scope_id().with(("connection-row", connection.id));
    let (rect, _) = ui.allocate_exact_size(vec2(width, ROW_HEIGHT), Sense::hover());
    // Clickable, not focusable: the list takes the focus as a whole.
    let response = ui.interact(rect, id, Sense::CLICK);
    let visuals = ui.visuals().clone();
    let fill = if selected {
        visuals.selection.bg_fill
    } else if response.hovered() {
        theme::row_hover_fill(&visuals)
    } else {
        Color32::TRANSPARENT
    };
    let painter = ui.painter_at(rect);
    painter.add(Shape::rect_filled(rect, CornerRadius::same(6), fill));
    if focus_ring {
        painter.rect_stroke(
            rect.shrink(1.0),
            CornerRadius::same(6),
            theme::focus_stroke(&visuals),
            StrokeKind::Inside,
        );
    }
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
            text_colour
        } else {
            visuals.weak_text_color()
        },
    );
    let description = format!(
        "{}, {}, {}",
        connection.environment, connection.url, explanation
    );
    response
        .widget_info(|| WidgetInfo::labeled(Role::ListBoxOption, true, connection.name.as_str()));
    // A list option is selected, not checked (egui's `selected` means toggled).
    ui.ctx().accesskit_node_builder(response.id, |node| {
        node.set_description(description);
        node.set_selected(selected);
    });
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
