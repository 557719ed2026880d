//! Where odoo-connections keeps its files: one config dir (settings, no
//! secrets) and one state dir (counters, audit log, last test results).
//!
//! Both follow the XDG base directories (or the platform equivalent) and can
//! be overridden with `--config-dir`/`ODOO_CONNECTIONS_CONFIG_DIR` and
//! `--state-dir`/`ODOO_CONNECTIONS_STATE_DIR`.

use std::path::{Path, PathBuf};

/// The project directory name under the XDG base directories.
pub const APP_DIR_NAME: &str = "odoo-connections";

/// The resolved directories of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    config_dir: PathBuf,
    state_dir: PathBuf,
}

/// No home directory could be found to place the files in.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot find your home directory to store settings; set HOME, or pass --config-dir and --state-dir"
)]
pub struct NoHomeDir;

impl Paths {
    /// Uses the overrides when given, else the platform directories.
    pub fn resolve(
        config_dir: Option<PathBuf>,
        state_dir: Option<PathBuf>,
    ) -> Result<Self, NoHomeDir> {
        let project = || directories::ProjectDirs::from("", "", APP_DIR_NAME).ok_or(NoHomeDir);
        let config_dir = match config_dir {
            Some(dir) => dir,
            None => project()?.config_dir().to_owned(),
        };
        let state_dir = match state_dir {
            Some(dir) => dir,
            None => {
                let project = project()?;
                project
                    .state_dir()
                    .unwrap_or_else(|| project.data_local_dir())
                    .to_owned()
            }
        };
        Ok(Self {
            config_dir,
            state_dir,
        })
    }

    /// Explicit directories (tests, and child processes told where to look).
    pub fn new(config_dir: PathBuf, state_dir: PathBuf) -> Self {
        Self {
            config_dir,
            state_dir,
        }
    }

    /// The settings directory.
    pub fn config_dir(&self) -> &Path {
        &self.config_dir
    }

    /// The state directory.
    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// `connections.json`: every connection, without secrets.
    pub fn connections_file(&self) -> PathBuf {
        self.config_dir.join("connections.json")
    }

    /// The lock serialising writers of `connections.json`.
    pub fn connections_lock(&self) -> PathBuf {
        self.config_dir.join("connections.lock")
    }

    /// `last-tests.json`: the last test result of each connection.
    pub fn last_tests_file(&self) -> PathBuf {
        self.state_dir.join("last-tests.json")
    }

    /// The lock serialising writers of `last-tests.json`.
    pub fn last_tests_lock(&self) -> PathBuf {
        self.state_dir.join("last-tests.lock")
    }

    /// `policy.json`: which tools the launcher may run and how often.
    pub fn policy_file(&self) -> PathBuf {
        self.config_dir.join("policy.json")
    }

    /// `counters.json`: the policy's rolling-window call log.
    pub fn counters_file(&self) -> PathBuf {
        self.state_dir.join("counters.json")
    }

    /// The lock serialising every reader-writer of `counters.json`.
    pub fn counters_lock(&self) -> PathBuf {
        self.state_dir.join("counters.lock")
    }

    /// `gui.log`: the window's stderr, appended by every launch.
    pub fn gui_log(&self) -> PathBuf {
        self.state_dir.join("gui.log")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_win_and_files_live_under_them() {
        let paths = Paths::resolve(Some("/c".into()), Some("/s".into())).unwrap();
        assert_eq!(paths.connections_file(), Path::new("/c/connections.json"));
        assert_eq!(paths.state_dir(), Path::new("/s"));
    }
}
