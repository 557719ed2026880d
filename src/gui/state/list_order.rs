//! The connection list as shown: which connections the search keeps (name,
//! URL, database, login, tag or environment), in the chosen sort order and
//! grouping, with a header item before each group, and the spans of a text
//! the search matched. Cached until the search, the list or the choice
//! changes, so a frame does not sort or filter 10 000 connections again.

use std::cmp::Reverse;
use std::ops::Range;

use crate::model::{Connection, ConnectionId, Environment};
use crate::odoo::TestReport;
use crate::store::TestResults;

use super::super::prefs::{Arrangement, Grouping, SortOrder};
use super::AppState;

/// One line of the shown list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ListItem {
    /// The title of a group, and how many shown rows it holds.
    Header {
        /// "Production", a tag, or "No tag".
        title: String,
        /// Rows under it.
        rows: usize,
    },
    /// The connection at this position of [`AppState::connections`].
    Row(usize),
}

/// The shown list, kept until the search text, the list or the arrangement
/// changes.
#[derive(Debug, Default)]
pub(crate) struct Matches {
    /// Every position in [`AppState::connections`], sorted and grouped, and
    /// the arrangement it is for (`None`: not computed).
    arranged: Option<(Arrangement, Vec<usize>)>,
    /// The search text `positions` are for (`None`: not computed).
    search: Option<String>,
    /// The positions the search kept, in the shown order.
    positions: Vec<usize>,
    /// The shown lines: the rows of `positions`, headers between groups.
    items: Vec<ListItem>,
    /// Indices in `items` of the headers, ascending.
    headers: Vec<usize>,
}

impl AppState {
    /// Replaces the connection list (as read from the file).
    pub(crate) fn set_connections(&mut self, connections: Vec<Connection>) {
        self.index = super::ListIndex::of(&connections);
        self.connections = connections;
        self.matches = Matches::default();
    }

    /// Takes the recorded test of `id` into the history, so that the
    /// status and the "last test" order follow it before the next read.
    pub(crate) fn record_test(&mut self, id: ConnectionId, report: &TestReport) {
        self.history.insert(id, report);
        if self.prefs.list.sort == SortOrder::LastTest {
            self.matches = Matches::default();
        }
    }

    /// Sorts, groups and filters again what changed since the last call;
    /// read the result with [`AppState::visible_positions`] and
    /// [`AppState::list_items`].
    pub(crate) fn refresh_matches(&mut self) {
        let arrangement = self.prefs.list;
        let matches = &mut self.matches;
        if (matches.arranged.as_ref()).is_none_or(|(done_for, _)| *done_for != arrangement) {
            let arranged = arrange(&self.connections, &self.history, arrangement);
            matches.arranged = Some((arrangement, arranged));
            matches.search = None;
        }
        let narrowing = match matches.search.as_deref() {
            Some(previous) if previous == self.search => return,
            // Text that contains the previous search matches only what the
            // previous search matched: typing on filters what is left.
            Some(previous) => self.search.trim().contains(previous.trim()),
            None => false,
        };
        let connections = &self.connections;
        let needle = self.search.trim().to_lowercase();
        let keeps = |position: &usize| {
            let connection = &connections[*position];
            // The environment counts too: "prod" finds the production ones.
            connection.matches(&needle) || connection.environment.as_str().contains(&needle)
        };
        if narrowing {
            matches.positions.retain(keeps);
        } else {
            let arranged = matches.arranged.as_ref().map_or(&[][..], |(_, all)| all);
            matches.positions = arranged.iter().copied().filter(keeps).collect();
        }
        (matches.items, matches.headers) =
            items(connections, &matches.positions, arrangement.group);
        matches.search = Some(self.search.clone());
    }

    /// Positions in `connections` of those the search kept at the last
    /// [`AppState::refresh_matches`], in the shown order (headers left out).
    pub(crate) fn visible_positions(&self) -> &[usize] {
        &self.matches.positions
    }

    /// Where connection `id` stands among [`AppState::visible_positions`],
    /// if the search keeps it.
    pub(crate) fn shown_place_of(&self, id: ConnectionId) -> Option<usize> {
        let position = self.position_of(id)?;
        (self.visible_positions().iter()).position(|&shown| shown == position)
    }

    /// The shown lines at the last [`AppState::refresh_matches`].
    pub(crate) fn list_items(&self) -> &[ListItem] {
        &self.matches.items
    }

    /// How many headers come before line `index` of [`AppState::list_items`].
    pub(crate) fn headers_before(&self, index: usize) -> usize {
        (self.matches.headers).partition_point(|&header| header < index)
    }
}

/// Every position of `connections`, in the order of `arrangement`.
fn arrange(
    connections: &[Connection],
    history: &TestResults,
    arrangement: Arrangement,
) -> Vec<usize> {
    let mut positions: Vec<usize> = (0..connections.len()).collect();
    positions.sort_by_cached_key(|&position| {
        let connection = &connections[position];
        let group = match arrangement.group {
            Grouping::None => (0, String::new()),
            Grouping::Environment => (environment_rank(connection.environment), String::new()),
            Grouping::Tag => match connection.tags.first() {
                Some(tag) => (0, tag.as_str().to_lowercase()),
                None => (1, String::new()),
            },
        };
        let within = match arrangement.sort {
            SortOrder::Name => (0, Reverse(0)),
            SortOrder::LastTest => history.get(connection.id).map_or((1, Reverse(0)), |last| {
                (0, Reverse(last.time.unix_timestamp_nanos()))
            }),
            SortOrder::Environment => (environment_rank(connection.environment), Reverse(0)),
        };
        (group, within, connection.name.as_str().to_lowercase())
    });
    positions
}

fn environment_rank(environment: Environment) -> u8 {
    match environment {
        Environment::Production => 0,
        Environment::Staging => 1,
        Environment::Development => 2,
    }
}

/// The group of a connection: its environment, or its first tag (`None`: untagged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group<'a> {
    Environment(Environment),
    Tag(Option<&'a str>),
}

impl Group<'_> {
    fn of(connection: &Connection, grouping: Grouping) -> Option<Group<'_>> {
        match grouping {
            Grouping::None => None,
            Grouping::Environment => Some(Group::Environment(connection.environment)),
            Grouping::Tag => Some(Group::Tag(connection.tags.first().map(|tag| tag.as_str()))),
        }
    }

    /// "Production", the tag, or "No tag".
    fn title(self) -> String {
        match self {
            Group::Environment(environment) => {
                let name = environment.as_str();
                let mut chars = name.chars();
                (chars.next().into_iter())
                    .flat_map(char::to_uppercase)
                    .chain(chars)
                    .collect()
            }
            Group::Tag(tag) => tag.unwrap_or("No tag").to_owned(),
        }
    }
}

/// The lines for `positions`: a header before each group; and the header indices.
fn items(
    connections: &[Connection],
    positions: &[usize],
    grouping: Grouping,
) -> (Vec<ListItem>, Vec<usize>) {
    let mut items = Vec::with_capacity(positions.len());
    let mut headers = Vec::new();
    let mut current = None;
    for &position in positions {
        if let Some(group) = Group::of(&connections[position], grouping) {
            if current != Some(group) {
                current = Some(group);
                headers.push(items.len());
                let title = group.title();
                items.push(ListItem::Header { title, rows: 0 });
            }
            if let Some(&header) = headers.last()
                && let ListItem::Header { rows, .. } = &mut items[header]
            {
                *rows += 1;
            }
        }
        items.push(ListItem::Row(position));
    }
    (items, headers)
}

/// The byte ranges of `text` where `needle` occurs, ignoring case (none
/// for an empty needle).
pub(crate) fn match_spans(text: &str, needle: &str) -> Vec<Range<usize>> {
    let needle: Vec<char> = needle.trim().chars().flat_map(char::to_lowercase).collect();
    let mut spans = Vec::new();
    if needle.is_empty() {
        return spans;
    }
    let mut start = 0;
    while start < text.len() {
        if let Some(end) = match_at(&text[start..], &needle) {
            spans.push(start..start + end);
            start += end;
        } else {
            start += text[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    spans
}

/// The byte length of the start of `text` that equals `needle` (lowercase
/// characters) ignoring case.
fn match_at(text: &str, needle: &[char]) -> Option<usize> {
    let mut wanted = needle.iter();
    for (index, character) in text.char_indices() {
        for lower in character.to_lowercase() {
            if wanted.next() != Some(&lower) {
                return None;
            }
        }
        if wanted.len() == 0 {
            return Some(index + character.len_utf8());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_counts_the_rows_of_its_group() {
        let connection = |name: &str, environment, tags: &str| {
            let draft = crate::model::ConnectionDraft {
                name: name.into(),
                url: "https://erp.example".into(),
                database: "erp".into(),
                login: "admin".into(),
                environment,
                tags: tags.into(),
                ..crate::model::ConnectionDraft::new()
            };
            (draft.build(crate::model::ConnectionId::random(), Default::default())).unwrap()
        };
        let connections = [
            connection("b", Environment::Staging, "eu"),
            connection("a", Environment::Production, ""),
            connection("c", Environment::Staging, "eu, us"),
        ];
        let by_environment = Arrangement {
            group: Grouping::Environment,
            ..Arrangement::default()
        };
        let order = arrange(&connections, &TestResults::default(), by_environment);
        assert_eq!(order, [1, 0, 2]);
        let (lines, headers) = items(&connections, &order, Grouping::Environment);
        let header = |title: &str, rows| ListItem::Header {
            title: title.into(),
            rows,
        };
        assert_eq!(
            lines,
            [
                header("Production", 1),
                ListItem::Row(1),
                header("Staging", 2),
                ListItem::Row(0),
                ListItem::Row(2)
            ]
        );
        assert_eq!(headers, [0, 2]);
        let (lines, _) = items(&connections, &[0, 2, 1], Grouping::Tag);
        assert_eq!(lines[0], header("eu", 2));
        assert_eq!(lines[3], header("No tag", 1));
    }

    #[test]
    fn spans_ignore_case_and_keep_char_boundaries() {
        assert_eq!(match_spans("acme-PROD prod", "prod"), vec![5..9, 10..14]);
        assert_eq!(match_spans("Ünïcode ünï", "ÜNÏ"), vec![0..5, 10..15]);
        assert_eq!(match_spans("aaa", "aa"), vec![0..2]);
        assert!(match_spans("acme", "  ").is_empty());
        assert!(match_spans("acme", "acmes").is_empty());
    }
}
