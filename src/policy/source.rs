//! Where the policy comes from: `--policy FILE` / `ODOO_CONNECTIONS_POLICY`,
//! else `policy.json` in the config dir, else the built-in seed policy.
//! Reloaded at every decision; any problem refuses every tool.

use std::path::{Path, PathBuf};

use crate::files::{self, FileError};
use crate::paths::Paths;

use super::rules::Policy;
use super::spec::{PolicySpec, SpecError};

/// The seed policy used when no policy file exists: default deny,
/// `open_connection_manager` 10 per minute, `list_connections` allowed,
/// `test_connection` 20 per minute.
pub const BUILT_IN_POLICY: &str = include_str!("../../assets/policy.default.json");

/// The gateway's policy when no policy file exists: default allow; on a
/// production connection every tool the MCP server does not mark read-only
/// needs the person's approval; `open_connection_manager` 10 per minute.
pub const BUILT_IN_GATEWAY_POLICY: &str = include_str!("../../assets/policy.gateway.json");

/// Which policy file applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySource {
    /// Named explicitly: it must exist.
    Explicit(PathBuf),
    /// The config dir's `policy.json`; the built-in policy when it is absent.
    ConfigDir(PathBuf),
    /// The config dir's `policy.json`; the gateway's built-in policy when
    /// it is absent.
    GatewayDefault(PathBuf),
}

/// The policy could not be used; every tool is refused until it is fixed.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// `--policy FILE` names a file that does not exist.
    #[error(
        "the policy file {0} does not exist; create it, or drop --policy / ODOO_CONNECTIONS_POLICY to use the default policy"
    )]
    Missing(PathBuf),
    /// The file could not be read.
    #[error("{0}; make the policy file readable")]
    Unreadable(#[from] FileError),
    /// The file is not a valid policy.
    #[error(
        "the policy file {path} is invalid at {error}; fix it (check with `odoo-connections policy validate {path}`)"
    )]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What and where.
        error: SpecError,
    },
}

impl PolicySource {
    /// The explicit file when given, else the config dir's.
    pub fn resolve(explicit: Option<PathBuf>, paths: &Paths) -> Self {
        match explicit {
            Some(path) => PolicySource::Explicit(path),
            None => PolicySource::ConfigDir(paths.policy_file()),
        }
    }

    /// The same source for `gateway`: without a policy file, the gateway's
    /// built-in policy instead of the seed policy.
    pub fn for_gateway(self) -> Self {
        match self {
            PolicySource::ConfigDir(path) => PolicySource::GatewayDefault(path),
            other => other,
        }
    }

    /// The file this source reads.
    pub fn path(&self) -> &Path {
        match self {
            PolicySource::Explicit(path)
            | PolicySource::ConfigDir(path)
            | PolicySource::GatewayDefault(path) => path,
        }
    }

    /// Reads and parses the policy now.
    pub fn load(&self) -> Result<LoadedPolicy, PolicyError> {
        let path = self.path();
        match files::read_if_exists(path)? {
            Some(bytes) => Ok(LoadedPolicy {
                policy: parse_file(path, &bytes)?,
                origin: Some(path.to_owned()),
            }),
            None => match self {
                PolicySource::Explicit(_) => Err(PolicyError::Missing(path.to_owned())),
                PolicySource::ConfigDir(_) => Ok(LoadedPolicy {
                    policy: built_in(BUILT_IN_POLICY),
                    origin: None,
                }),
                PolicySource::GatewayDefault(_) => Ok(LoadedPolicy {
                    policy: built_in(BUILT_IN_GATEWAY_POLICY),
                    origin: None,
                }),
            },
        }
    }
}

/// A policy and the file it came from (`None`: the built-in policy).
#[derive(Debug, Clone)]
pub struct LoadedPolicy {
    /// The rules.
    pub policy: Policy,
    /// Its file.
    pub origin: Option<PathBuf>,
}

/// Parses the policy file at `path` (already read).
fn parse_file(path: &Path, bytes: &[u8]) -> Result<Policy, PolicyError> {
    PolicySpec::parse(bytes)
        .map(Policy::new)
        .map_err(|error| PolicyError::Invalid {
            path: path.to_owned(),
            error,
        })
}

fn built_in(text: &str) -> Policy {
    Policy::new(PolicySpec::parse(text.as_bytes()).expect("the built-in policies parse"))
}
