//! The connection list: search box, sort and group choices, the match
//! count, and the rows (one per connection, with group headers when
//! grouped). Arrow keys move the selection in the shown order.

use eframe::egui;

use egui::{
    Align2, Button, EventFilter, Rect, RichText, Role, Sense, TextEdit, Ui, UiBuilder, vec2,
};

use crate::model::ConnectionId;

use super::super::command::Command;
use super::super::prefs::{Grouping, SortOrder};
use super::super::state::{AppState, ListItem};
use super::super::theme::{self, Outcome};
use super::super::widgets::choice;

mod row;

/// Shown until the connections file was read.
pub(super) const LOADING: &str = "Loading connections…";
const ROW_HEIGHT: f32 = 46.0;
/// Extra space under each row (besides the item spacing).
const ROW_GAP: f32 = 2.0;
/// Height of a group header.
const HEADER_HEIGHT: f32 = 20.0;
/// Width of the labels before the sort and group dropdowns.
const CHOICE_LABEL_WIDTH: f32 = 42.0;

/// Draws the sidebar.
pub(super) fn show(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    // Narrower in a small window, so the form keeps room down to 640×480.
    let width = (ui.available_width() * 0.34).clamp(200.0, theme::SIDEBAR_WIDTH);
    egui::Panel::left("sidebar")
        .resizable(false)
        .exact_size(width)
        .show(ui, |ui| {
            ui.add_space(8.0);
            // Above the search box: Tab goes from the search to the list.
            arrangement_choices(ui, state, commands);
            ui.add_space(2.0);
            let search = ui
                .horizontal(|ui| {
                    let clear_width = 24.0 + ui.spacing().item_spacing.x;
                    let mut typed = state.search.clone();
                    let search = ui.add(
                        TextEdit::singleline(&mut typed)
                            .id(search_id())
                            .hint_text("Search name, URL, database, tag")
                            .desired_width(ui.available_width() - clear_width),
                    );
                    let clear = ui
                        .add_enabled(!state.search.is_empty(), Button::new("×"))
                        .on_hover_text("Clear the search")
                        .accessible_name("Clear search");
                    if clear.clicked() {
                        typed.clear();
                    }
                    if typed != state.search {
                        commands.push(Command::Search(typed));
                    }
                    search
                })
                .inner;
            let search = search.accessible_name("Search connections");
            if state.requests.focus_search {
                search.request_focus();
            }
            if let Some(error) = &state.list_error {
                super::super::widgets::error_text(ui, error);
            }
            rows(ui, state, commands);
        });
}

/// The sort and group dropdowns, one a line (so the longest choice fits
/// down to the narrowest sidebar).
fn arrangement_choices(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let mut picked = state.prefs.list;
    labelled_choice(ui, ("Sort", "Sort by"), &mut picked.sort, &SortOrder::ALL);
    labelled_choice(ui, ("Group", "Group by"), &mut picked.group, &Grouping::ALL);
    // Applied at once (like the search text), and remembered.
    if picked != state.prefs.list {
        commands.push(Command::ArrangeList(picked));
    }
}

/// A dropdown after a short label; `(label, name)`: the shown label and
/// the dropdown's accessible name.
fn labelled_choice<T: Clone + PartialEq>(
    ui: &mut Ui,
    (label, name): (&str, &str),
    value: &mut T,
    options: &[(T, &str)],
) {
    ui.horizontal(|ui| {
        // Drawn, not a widget: the dropdown is named after it for screen readers.
        let size = vec2(CHOICE_LABEL_WIDTH, ui.spacing().interact_size.y);
        let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
        ui.painter().text(
            rect.left_center(),
            Align2::LEFT_CENTER,
            label,
            egui::TextStyle::Body.resolve(ui.style()),
            ui.visuals().weak_text_color(),
        );
        let width = ui.available_width() - ui.spacing().icon_width;
        choice(ui, name, width, value, options).accessible_name(name);
    });
}

/// "52 connections", or "3 of 52 connections" while searching.
fn count_text(shown: usize, total: usize, searching: bool) -> String {
    let noun = if total == 1 {
        "connection"
    } else {
        "connections"
    };
    if searching {
        format!("{shown} of {total} {noun}")
    } else {
        format!("{total} {noun}")
    }
}

/// Where the lines of the list are: headers and rows have their own
/// heights, so the top of line `index` counts the headers before it.
struct Pitches {
    row: f32,
    header: f32,
}

impl Pitches {
    fn new(ui: &Ui) -> Self {
        let spacing = ui.spacing().item_spacing.y;
        Self {
            row: ROW_HEIGHT + ROW_GAP + spacing,
            header: HEADER_HEIGHT + spacing,
        }
    }

    fn top(&self, state: &AppState, index: usize) -> f32 {
        let headers = state.headers_before(index);
        headers as f32 * self.header + (index - headers) as f32 * self.row
    }

    /// The first line whose bottom is below `y`.
    fn first_below(&self, state: &AppState, y: f32) -> usize {
        let (mut low, mut high) = (0, state.list_items().len());
        while low < high {
            let middle = (low + high) / 2;
            if self.top(state, middle + 1) <= y {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        low
    }
}

/// Only the lines in view are laid out, so 10 000 connections cost no more
/// per frame than a screenful.
fn rows(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    if !state.list_loaded {
        ui.add_space(12.0);
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new(LOADING).weak());
        });
        return;
    }
    let count = state.visible_positions().len();
    let total = state.connections.len();
    let searching = !state.search.trim().is_empty();
    let counted = count_text(count, total, searching);
    // The line is kept while not searching (the status bar has the total),
    // so the rows do not move when a search starts.
    let line = if searching { counted.as_str() } else { " " };
    ui.label(RichText::new(line).weak());
    if count == 0 {
        let text = if state.connections.is_empty() {
            "No connections yet. Choose “New connection” to add one."
        } else {
            "No connection matches the search."
        };
        ui.add_space(12.0);
        ui.label(RichText::new(text).weak());
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
            if state.requests.scroll_to_selection
                && let Some(offset) = offset_showing_selection(ui, state)
            {
                area = area.vertical_scroll_offset(offset);
            }
            area.show_viewport(ui, |ui, viewport| {
                clicked = visible_lines(ui, state, viewport);
            });
        },
    );
    // The size of the whole list, not only of the rows laid out.
    ui.ctx().accesskit_node_builder(list.response.id, |node| {
        node.set_size_of_set(count);
        node.set_description(counted);
    });
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
        commands.push(Command::Select(id));
    }
}

/// The scroll offset that brings the selected row into view, if it is out of it.
fn offset_showing_selection(ui: &Ui, state: &AppState) -> Option<f32> {
    let selected = state.editor.as_ref()?.id;
    let index = state.list_items().iter().position(|item| {
        matches!(item, ListItem::Row(position) if state.connections[*position].id == selected)
    })?;
    let pitches = Pitches::new(ui);
    let top = pitches.top(state, index);
    let scroll_id = ui.make_persistent_id("connection_rows");
    let shown =
        egui::scroll_area::State::load(ui.ctx(), scroll_id).map_or(0.0, |s| s.clamped_offset().y);
    let height = ui.available_height();
    if top < shown {
        Some(top)
    } else if top + pitches.row > shown + height {
        Some(top + pitches.row - height)
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

/// Draws the lines in `viewport` (relative to the list's top); returns the
/// clicked row's connection.
fn visible_lines(ui: &mut Ui, state: &AppState, viewport: Rect) -> Option<ConnectionId> {
    let pitches = Pitches::new(ui);
    let items = state.list_items();
    let end = pitches.top(state, items.len());
    ui.set_height((end - ui.spacing().item_spacing.y).max(0.0));
    // The overlay scrollbar gets its own strip, off the badges and dots.
    let scroll = &ui.spacing().scroll;
    let width = ui.available_width() - scroll.bar_width - scroll.bar_inner_margin;
    let origin = ui.max_rect().left_top();
    let selected = state.editor.as_ref().map(|editor| editor.id);
    let list_focused = ui.memory(|memory| memory.has_focus(list_id()));
    let selection_visible = selected.is_some_and(|id| state.shown_place_of(id).is_some());
    let first_row = state.visible_positions().first().copied();
    let mut clicked = None;
    let mut index = pitches.first_below(state, viewport.min.y);
    while index < items.len() && pitches.top(state, index) < viewport.max.y {
        let top = origin.y + pitches.top(state, index);
        match &items[index] {
            ListItem::Header { title, rows } => {
                let rect =
                    Rect::from_min_size(egui::pos2(origin.x, top), vec2(width, HEADER_HEIGHT));
                row::header(ui, rect, title, *rows);
            }
            &ListItem::Row(position) => {
                let connection = &state.connections[position];
                let is_selected = selected == Some(connection.id);
                let current = if selection_visible {
                    is_selected
                } else {
                    first_row == Some(position)
                };
                let look = row::RowLook {
                    selected: is_selected,
                    focus_ring: list_focused && current,
                    status: status(state, connection.id),
                    search: &state.search,
                    position_in_list: index - state.headers_before(index),
                };
                let rect = Rect::from_min_size(egui::pos2(origin.x, top), vec2(width, ROW_HEIGHT));
                if row::connection_row(ui, rect, connection, look).clicked() {
                    clicked = Some(connection.id);
                }
            }
        }
        index += 1;
    }
    clicked
}

/// The dot of `id`: testing now, this session's result or the remembered one.
fn status(state: &AppState, id: ConnectionId) -> (Outcome, String) {
    if state.is_testing_saved(id) {
        (Outcome::Unknown, "testing now".to_owned())
    } else {
        row::last_test(state.saved_test(id), state.history.get(id))
    }
}
