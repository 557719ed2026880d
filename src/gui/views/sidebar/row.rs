//! One line of the connection list: a connection's row (name, environment
//! badge, URL, tags and last-test dot, with the searched text highlighted)
//! or a group header.

use eframe::egui;

use egui::text::{LayoutJob, TextFormat, TextWrapping};
use egui::{
    Align2, Color32, CornerRadius, FontId, Painter, Rect, Role, Sense, Shape, StrokeKind, Ui,
    Visuals, WidgetInfo, pos2, vec2,
};

use crate::model::Connection;
use crate::odoo::TestReport;
use crate::store::LastTest;

use super::super::super::state::match_spans;
use super::super::super::theme::{self, Outcome};
use super::super::super::widgets::{displayable, local_time, paint_outcome_dot};

/// The most of a row's width its tags take.
const TAGS_SHARE: f32 = 0.45;
const NAME_FONT: f32 = 14.0;
const URL_FONT: f32 = 11.5;
const SMALL_FONT: f32 = 10.5;

/// How a row is drawn.
pub(super) struct RowLook<'a> {
    /// The row is the selected connection.
    pub selected: bool,
    /// The row carries the list's keyboard focus ring.
    pub focus_ring: bool,
    /// The dot's outcome and its explanation.
    pub status: (Outcome, String),
    /// The search text (highlighted where it occurs).
    pub search: &'a str,
    /// Zero-based place among the shown rows (headers left out).
    pub position_in_list: usize,
}

/// Draws the row of `connection` in `rect`; returns its response.
pub(super) fn connection_row(
    ui: &Ui,
    rect: Rect,
    connection: &Connection,
    look: RowLook<'_>,
) -> egui::Response {
    let id = ui.scope_id().with(("connection-row", connection.id));
    // Clickable, not focusable: the list takes the focus as a whole.
    let response = ui.interact(rect, id, Sense::CLICK);
    let visuals = ui.visuals();
    let fill = if look.selected {
        visuals.selection.bg_fill
    } else if response.hovered() {
        theme::row_hover_fill(visuals)
    } else {
        Color32::TRANSPARENT
    };
    let painter = ui.painter_at(rect);
    painter.add(Shape::rect_filled(rect, CornerRadius::same(6), fill));
    if look.focus_ring {
        painter.rect_stroke(
            rect.shrink(1.0),
            CornerRadius::same(6),
            theme::focus_stroke(visuals),
            StrokeKind::Inside,
        );
    }
    let text_colour = if look.selected {
        visuals.selection.stroke.color
    } else {
        visuals.strong_text_color()
    };
    let secondary_colour = if look.selected {
        text_colour
    } else {
        visuals.weak_text_color()
    };
    let inner = rect.shrink2(vec2(8.0, 6.0));
    let badge = paint_badge(&painter, inner, connection, visuals);
    let marker = Marker {
        needle: look.search,
        colours: theme::search_match(visuals),
    };
    let name = marker.job(
        connection.name.as_str(),
        FontId::proportional(NAME_FONT),
        text_colour,
        badge.left() - 6.0 - inner.left(),
    );
    painter.galley(inner.left_top(), painter.layout_job(name), text_colour);
    let dot = pos2(inner.right() - theme::DOT_SIZE / 2.0, inner.bottom() - 6.0);
    paint_outcome_dot(&painter, dot, look.status.0, visuals);
    let tags_right = inner.right() - theme::DOT_SIZE - 6.0;
    let tags_left = paint_tags(&painter, connection, &marker, tags_right, inner, visuals);
    let second_line = marker.job(
        &second_line(connection, look.search),
        FontId::proportional(URL_FONT),
        secondary_colour,
        tags_left - 6.0 - inner.left(),
    );
    let galley = painter.layout_job(second_line);
    let top = inner.bottom() - galley.size().y;
    painter.galley(pos2(inner.left(), top), galley, secondary_colour);
    describe(ui, &response, connection, &look);
    response.on_hover_text(displayable(&look.status.1))
}

/// Draws a group header in `rect`.
pub(super) fn header(ui: &Ui, rect: Rect, title: &str, rows: usize) {
    let id = ui.scope_id().with(("group-header", title));
    let response = ui.interact(rect, id, Sense::hover());
    let visuals = ui.visuals();
    let text = format!("{title} · {rows}");
    ui.painter_at(rect).text(
        pos2(rect.left() + 8.0, rect.bottom() - 3.0),
        Align2::LEFT_BOTTOM,
        text,
        FontId::proportional(URL_FONT),
        visuals.weak_text_color(),
    );
    let noun = if rows == 1 {
        "connection"
    } else {
        "connections"
    };
    response.widget_info(|| {
        WidgetInfo::labeled(Role::Heading, true, format!("{title}, {rows} {noun}"))
    });
}

/// The row's accessible description and its place in the list: selected,
/// not checked (egui's `selected` would mean toggled).
fn describe(ui: &Ui, response: &egui::Response, connection: &Connection, look: &RowLook<'_>) {
    let mut description = format!(
        "{}, {}, {}",
        connection.environment, connection.url, look.status.1
    );
    if !connection.tags.is_empty() {
        let tags: Vec<&str> = connection.tags.iter().map(|tag| tag.as_str()).collect();
        description.push_str(&format!(", tags: {}", tags.join(", ")));
    }
    let matched = matched_fields(connection, look.search);
    if !matched.is_empty() {
        description.push_str(&format!(", search matches the {}", matched.join(", the ")));
    }
    response
        .widget_info(|| WidgetInfo::labeled(Role::ListBoxOption, true, connection.name.as_str()));
    ui.ctx().accesskit_node_builder(response.id, |node| {
        node.set_description(description);
        node.set_selected(look.selected);
        node.set_position_in_set(look.position_in_list);
    });
}

/// Which fields of `connection` contain the search text.
fn matched_fields(connection: &Connection, search: &str) -> Vec<&'static str> {
    let found = |text: &str| !match_spans(text, search).is_empty();
    [
        ("name", found(connection.name.as_str())),
        ("URL", found(connection.url.url().as_str())),
        ("database", found(connection.database.as_str())),
        ("login", found(connection.login.as_str())),
        ("tag", connection.tags.iter().any(|tag| found(tag.as_str()))),
        ("environment", found(connection.environment.as_str())),
    ]
    .into_iter()
    .filter_map(|(field, found)| found.then_some(field))
    .collect()
}

/// The URL, and the database or login when only they hold the search text
/// (so the row shows why it matched).
fn second_line(connection: &Connection, search: &str) -> String {
    let url = connection.url.to_string();
    let found = |text: &str| !match_spans(text, search).is_empty();
    if found(&url) || found(connection.name.as_str()) {
        return url;
    }
    [connection.database.as_str(), connection.login.as_str()]
        .into_iter()
        .find(|text| found(text))
        .map_or_else(|| url.clone(), |hidden| format!("{url} · {hidden}"))
}

/// Lays out text with the search text highlighted.
struct Marker<'a> {
    needle: &'a str,
    /// Fill and text colour of a match.
    colours: (Color32, Color32),
}

impl Marker<'_> {
    /// `text` on one line, cut with "…" at `max_width`.
    fn job(&self, text: &str, font: FontId, colour: Color32, max_width: f32) -> LayoutJob {
        let plain = TextFormat::simple(font.clone(), colour);
        let marked = TextFormat {
            background: self.colours.0,
            ..TextFormat::simple(font, self.colours.1)
        };
        let mut job = LayoutJob {
            wrap: TextWrapping::truncate_at_width(max_width.max(0.0)),
            ..LayoutJob::default()
        };
        let mut at = 0;
        for span in match_spans(text, self.needle) {
            job.append(&text[at..span.start], 0.0, plain.clone());
            job.append(&text[span.clone()], 0.0, marked.clone());
            at = span.end;
        }
        job.append(&text[at..], 0.0, plain);
        job
    }
}

/// Draws the environment badge at the top right of `inner`; returns its rect.
fn paint_badge(painter: &Painter, inner: Rect, connection: &Connection, visuals: &Visuals) -> Rect {
    let galley = painter.layout_no_wrap(
        connection.environment.as_str().to_owned(),
        FontId::proportional(SMALL_FONT),
        theme::badge_text(visuals),
    );
    let size = galley.size() + vec2(10.0, 3.0);
    let badge = Rect::from_min_size(pos2(inner.right() - size.x, inner.top()), size);
    painter.rect_filled(
        badge,
        CornerRadius::same(4),
        theme::environment_fill(connection.environment, visuals),
    );
    let text_at = badge.center() - galley.size() / 2.0;
    painter.galley(text_at, galley, theme::badge_text(visuals));
    badge
}

/// Draws the tags as chips ending at `right` on the second line, as many
/// as fit in their share of the row ("+2" for the rest, the first cut
/// with "…" when alone too long); returns where they begin.
fn paint_tags(
    painter: &Painter,
    connection: &Connection,
    marker: &Marker<'_>,
    right: f32,
    inner: Rect,
    visuals: &Visuals,
) -> f32 {
    let (fill, text) = theme::tag_chip(visuals);
    let padding = vec2(4.0, 1.0);
    let gap = 3.0;
    let budget = inner.width() * TAGS_SHARE;
    let font = FontId::proportional(SMALL_FONT);
    let mut chips = Vec::new();
    let mut width = 0.0;
    for (index, tag) in connection.tags.iter().enumerate() {
        let left = connection.tags.len() - index - 1;
        let more = if left == 0 {
            0.0
        } else {
            gap + painter
                .layout_no_wrap(format!("+{left}"), font.clone(), text)
                .size()
                .x
        };
        let room = budget - width - more - 2.0 * padding.x;
        let galley = painter.layout_job(marker.job(tag.as_str(), font.clone(), text, room));
        if galley.elided && index > 0 {
            break;
        }
        width += galley.size().x + 2.0 * padding.x + gap;
        chips.push(galley);
    }
    let hidden = connection.tags.len() - chips.len();
    let more = (hidden > 0).then(|| painter.layout_no_wrap(format!("+{hidden}"), font, text));
    let total = width + more.as_ref().map_or(-gap, |more| more.size().x);
    let mut x = right - total.max(0.0);
    let begin = x;
    let bottom = inner.bottom();
    for galley in chips {
        let size = galley.size() + 2.0 * padding;
        let chip = Rect::from_min_size(pos2(x, bottom - size.y), size);
        painter.rect_filled(chip, CornerRadius::same(3), fill);
        painter.galley(chip.min + padding, galley, text);
        x += size.x + gap;
    }
    if let Some(more) = more {
        painter.galley(pos2(x, bottom - more.size().y - padding.y), more, text);
    }
    begin
}

/// The dot and its explanation: this session's result, else the remembered one.
pub(super) fn last_test(
    session: Option<&Result<TestReport, String>>,
    remembered: Option<&LastTest>,
) -> (Outcome, String) {
    let outcome = |ok| if ok { Outcome::Ok } else { Outcome::Failed };
    match (session, remembered) {
        (Some(Ok(report)), _) => (outcome(report.ok), format!("last test: {}", report.message)),
        (Some(Err(message)), _) => (Outcome::Failed, format!("last test: {message}")),
        (None, Some(last)) => (
            outcome(last.ok),
            format!("last test ({}): {}", local_time(last.time), last.message),
        ),
        (None, None) => (Outcome::Unknown, "not tested yet".to_owned()),
    }
}
