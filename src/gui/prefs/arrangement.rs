//! How the connection list is arranged: its sort order and grouping, as
//! remembered in the window settings.

use serde::{Deserialize, Serialize};

/// The order of the rows (within a group).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SortOrder {
    /// By name, ignoring case.
    #[default]
    Name,
    /// The most recently tested first (by the remembered last test), the
    /// never tested last.
    LastTest,
    /// Production first, then staging, then development; by name within.
    Environment,
}

impl SortOrder {
    /// Every order, in menu order, with its label.
    pub(crate) const ALL: [(Self, &'static str); 3] = [
        (Self::Name, "Name"),
        (Self::LastTest, "Last test"),
        (Self::Environment, "Environment"),
    ];
}

/// How the rows are grouped under headers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Grouping {
    /// One list, no headers.
    #[default]
    None,
    /// Under Production, Staging, Development.
    Environment,
    /// Under each connection's first tag (so a row is shown once), the
    /// untagged ones last.
    Tag,
}

impl Grouping {
    /// Every grouping, in menu order, with its label.
    pub(crate) const ALL: [(Self, &'static str); 3] = [
        (Self::None, "None"),
        (Self::Environment, "Environment"),
        (Self::Tag, "Tag"),
    ];
}

/// The sort order and grouping of the list (remembered in the prefs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Arrangement {
    /// The order of the rows.
    pub sort: SortOrder,
    /// The groups.
    pub group: Grouping,
}
