//! What the window remembers between runs: the theme choice, the list's
//! sort order and grouping, the window's size and position and the
//! selected connection, in `window.json` in the state dir. Only the one open window (see
//! `single_instance`) writes it, atomically; a missing or unreadable file
//! means the defaults, and never stops the window from opening.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::files;
use crate::model::ConnectionId;
use crate::paths::Paths;

mod arrangement;

pub(crate) use arrangement::{Arrangement, Grouping, SortOrder};

use super::geometry::WindowGeometry;

/// Which theme the window uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ThemeChoice {
    /// The desktop's light or dark preference.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ThemeChoice {
    /// Every choice, in menu order, with its label.
    pub(crate) const ALL: [(Self, &'static str); 3] = [
        (Self::System, "System"),
        (Self::Light, "Light"),
        (Self::Dark, "Dark"),
    ];
}

/// The remembered settings (unknown keys of a newer version are dropped).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Prefs {
    /// The theme choice.
    pub theme: ThemeChoice,
    /// The list's sort order and grouping.
    #[serde(default)]
    pub list: Arrangement,
    /// The window's size and position when last seen.
    #[serde(default)]
    pub geometry: Option<WindowGeometry>,
    /// The saved connection open in the editor when last seen.
    #[serde(default)]
    pub selected: Option<ConnectionId>,
}

fn file(paths: &Paths) -> PathBuf {
    paths.state_dir().join("window.json")
}

impl Prefs {
    /// These settings but the window's size and position (which change
    /// every frame while dragged, and are written on close).
    pub(crate) fn without_geometry(&self) -> Self {
        Self {
            geometry: None,
            ..self.clone()
        }
    }

    /// The remembered settings, or the defaults (with a warning in the log
    /// when the file exists but cannot be read).
    pub(crate) fn load(paths: &Paths) -> Self {
        let path = file(paths);
        let parsed = files::read_if_exists(&path)
            .map_err(|err| err.to_string())
            .and_then(|bytes| {
                bytes
                    .map(|bytes| serde_json::from_slice(&bytes).map_err(|err| err.to_string()))
                    .transpose()
            });
        match parsed {
            Ok(prefs) => prefs.unwrap_or_default(),
            Err(err) => {
                tracing::warn!(
                    "{}: {err}; using the default window settings",
                    path.display()
                );
                Self::default()
            }
        }
    }

    /// Writes the settings.
    pub(crate) fn save(&self, paths: &Paths) -> Result<(), String> {
        let mut bytes = serde_json::to_vec_pretty(self).map_err(|err| err.to_string())?;
        bytes.push(b'\n');
        files::write_atomic(&file(paths), &bytes)
            .map_err(|err| format!("the window settings were not remembered: {err}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_survive_a_save_and_a_damaged_file_gives_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path().join("config"), dir.path().join("state"));
        assert_eq!(Prefs::load(&paths), Prefs::default());
        let prefs = Prefs {
            theme: ThemeChoice::Dark,
            list: Arrangement {
                sort: SortOrder::LastTest,
                group: Grouping::Tag,
            },
            ..Prefs::default()
        };
        prefs.save(&paths).unwrap();
        assert_eq!(Prefs::load(&paths), prefs);
        std::fs::write(file(&paths), b"{not json").unwrap();
        assert_eq!(Prefs::load(&paths), Prefs::default());
    }

    #[test]
    fn the_window_s_place_and_selection_survive_a_save() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path().join("config"), dir.path().join("state"));
        let prefs = Prefs {
            geometry: Some(WindowGeometry {
                size: [900.0, 600.0],
                position: Some([-1200, 40]),
                scale: 1.5,
                maximized: true,
            }),
            selected: Some(ConnectionId::random()),
            ..Prefs::default()
        };
        prefs.save(&paths).unwrap();
        assert_eq!(Prefs::load(&paths), prefs);
    }
}
