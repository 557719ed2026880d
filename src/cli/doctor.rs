//! `doctor [--fix] [--json]`: checks that the keyring and the files agree
//! (entries no connection owns, connections without their secret), file
//! modes, the policy, and damaged or set-aside files; `--fix` removes the
//! orphaned entries and tightens the modes.

use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;

use crate::catalog::{Catalog, CatalogError};
use crate::files;
use crate::paths::Paths;
use crate::policy::PolicySource;
use crate::store::{StoreError, TestResults};

use super::exit::{CliError, Exit};
use super::output;

/// `doctor` arguments.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Remove keyring entries that no connection owns and tighten loose
    /// file modes.
    #[arg(long)]
    fix: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// One finding.
#[derive(Debug, Serialize)]
struct Finding {
    /// orphaned_secret, missing_secret, loose_mode, invalid_policy,
    /// damaged_file, set_aside_file or keyring_unreachable.
    kind: &'static str,
    /// What is wrong and what to do.
    detail: String,
    /// True when `--fix` repaired it.
    fixed: bool,
    /// For a loose mode: the path and the mode it should have.
    #[serde(skip)]
    tighten_to: Option<(PathBuf, u32)>,
}

impl Finding {
    fn new(kind: &'static str, detail: String) -> Self {
        Self {
            kind,
            detail,
            fixed: false,
            tighten_to: None,
        }
    }
}

/// `doctor`.
pub fn doctor(paths: &Paths, policy: &PolicySource, args: &DoctorArgs) -> Result<(), CliError> {
    let catalog = Catalog::new(paths);
    let mut findings = Vec::new();
    let keyring_checked = check_keyring(&catalog, args.fix, &mut findings);
    check_files(paths, &mut findings);
    if args.fix {
        for finding in &mut findings {
            if let Some((path, mode)) = &finding.tighten_to {
                finding.fixed = tighten(path, *mode);
            }
        }
    }
    if let Err(err) = policy.load() {
        findings.push(Finding::new("invalid_policy", err.to_string()));
    }
    let left = findings.iter().filter(|finding| !finding.fixed).count();
    if args.json {
        output::json(&serde_json::json!({ "ok": left == 0, "findings": findings }))?;
    } else {
        for finding in &findings {
            let state = if finding.fixed { "fixed" } else { "problem" };
            output::line(format_args!(
                "{state}: {}: {}",
                finding.kind, finding.detail
            ));
        }
        if findings.is_empty() {
            output::line("Everything is in order.");
        }
    }
    match (keyring_checked, left) {
        (false, _) => Err(CliError::new(
            Exit::KeyringUnavailable,
            "the keyring could not be checked; see above",
        )),
        (true, 0) => Ok(()),
        (true, left) => Err(CliError::new(
            Exit::DoctorFound,
            format!(
                "{left} problem(s) found{}",
                if args.fix {
                    " that --fix cannot repair"
                } else {
                    "; `odoo-connections doctor --fix` repairs orphaned secrets and file modes"
                }
            ),
        )),
    }
}

/// False when the keyring could not be asked.
fn check_keyring(catalog: &Catalog, fix: bool, findings: &mut Vec<Finding>) -> bool {
    let check = match catalog.check_keyring() {
        Ok(check) => check,
        Err(CatalogError::Store(StoreError::Corrupt { .. })) => return true,
        Err(err) => {
            findings.push(Finding::new("keyring_unreachable", err.to_string()));
            return false;
        }
    };
    let removed = if fix && !check.orphans.is_empty() {
        match catalog.remove_orphans() {
            Ok(removed) => removed,
            Err(err) => {
                findings.push(Finding::new("keyring_unreachable", err.to_string()));
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };
    for account in check.orphans {
        let fixed = removed.contains(&account);
        findings.push(Finding {
            kind: "orphaned_secret",
            detail: format!(
                "the keyring entry {account} (service {}) belongs to no connection",
                crate::secrets::KEYRING_SERVICE
            ),
            fixed,
            tighten_to: None,
        });
    }
    for name in check.missing {
        findings.push(Finding::new(
            "missing_secret",
            format!(
                "the keyring has no secret for {name:?}; set it with `odoo-connections edit {name} --ask-secret`"
            ),
        ));
    }
    true
}

fn check_files(paths: &Paths, findings: &mut Vec<Finding>) {
    if let Err(err) = Catalog::new(paths).store().inspect() {
        findings.push(Finding::new("damaged_file", err.to_string()));
    }
    if let Ok(bytes) = std::fs::read(paths.last_tests_file())
        && serde_json::from_slice::<TestResults>(&bytes).is_err()
    {
        findings.push(Finding::new(
            "damaged_file",
            format!(
                "{} cannot be read; the next test sets it aside and starts a new history",
                paths.last_tests_file().display()
            ),
        ));
    }
    if let Ok(bytes) = std::fs::read(paths.counters_file())
        && serde_json::from_slice::<serde_json::Value>(&bytes).is_err()
    {
        findings.push(Finding::new(
            "damaged_file",
            format!(
                "{} is not JSON; every policy call is refused until it is set aside by the next call",
                paths.counters_file().display()
            ),
        ));
    }
    for dir in [paths.config_dir(), paths.state_dir()] {
        check_dir(dir, findings);
    }
}

fn check_dir(dir: &Path, findings: &mut Vec<Finding>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    if let Some(loose) = loose_mode(dir, files::PRIVATE_DIR_MODE) {
        findings.push(loose);
    }
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.contains(".corrupt-") {
            findings.push(Finding::new(
                "set_aside_file",
                format!(
                    "{} was set aside as damaged; fix it and move it back, or delete it",
                    path.display()
                ),
            ));
        }
        let is_file = entry.file_type().is_ok_and(|kind| kind.is_file());
        if is_file && let Some(loose) = loose_mode(&path, files::PRIVATE_FILE_MODE) {
            findings.push(loose);
        }
    }
}

#[cfg(unix)]
fn loose_mode(path: &Path, wanted: u32) -> Option<Finding> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::symlink_metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & !wanted != 0).then(|| Finding {
        tighten_to: Some((path.to_owned(), wanted)),
        ..Finding::new(
            "loose_mode",
            format!(
                "{} is readable by others (mode {mode:04o}); it should be {wanted:04o}",
                path.display()
            ),
        )
    })
}

#[cfg(not(unix))]
fn loose_mode(_path: &Path, _wanted: u32) -> Option<Finding> {
    None
}

#[cfg(unix)]
fn tighten(path: &Path, mode: u32) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).is_ok()
}

#[cfg(not(unix))]
fn tighten(_path: &Path, _mode: u32) -> bool {
    false
}
