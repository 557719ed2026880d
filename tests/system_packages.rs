//! `scripts/need-packages`, the set-up step of `scripts/test` and
//! `scripts/package`: with tools hidden from PATH (and apt-get and sudo, so
//! that it cannot install), it names exactly the missing packages and the one
//! command to run.
#![cfg(target_os = "linux")]

use std::os::unix::fs::{PermissionsExt as _, symlink};
use std::path::Path;
use std::process::{Command, Output};

/// A directory that holds a link to every command on the current PATH except
/// `hidden`: the machine as it would be without those packages' commands.
fn path_without(hidden: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let path = std::env::var_os("PATH").expect("PATH is set");
    for entry in std::env::split_paths(&path).filter_map(|d| std::fs::read_dir(d).ok()) {
        for file in entry.flatten() {
            let name = file.file_name();
            let link = dir.path().join(&name);
            let executable = file
                .path()
                .metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
            if executable && !hidden.iter().any(|h| name == **h) && !link.exists() {
                symlink(file.path(), link).unwrap();
            }
        }
    }
    dir
}

/// How the script must spell the install command for this account: root
/// runs apt-get itself, anyone else through sudo.
fn install_prefix() -> &'static str {
    let uid = Command::new("id").arg("-u").output().unwrap();
    if String::from_utf8_lossy(&uid.stdout).trim() == "0" {
        ""
    } else {
        "sudo "
    }
}

/// Runs `scripts/need-packages SET` with PATH replaced by `path_dir`. The
/// callers always hide `apt-get` and `sudo`, so that the script cannot
/// install anything, as on an account without those rights.
fn run(path_dir: &Path, set: &str) -> Output {
    Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/need-packages"))
        .arg(set)
        .env("PATH", path_dir)
        .output()
        .expect("scripts/need-packages runs")
}

#[test]
fn missing_tools_are_named_with_the_one_command_that_installs_them() {
    let path = path_without(&["xdotool", "faketime", "apt-get", "sudo"]);
    let output = run(path.path(), "tests");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "scripts/test needs packages that are not installed (not found: xdotool faketime).\n\
             Run this once, then scripts/test again:\n  \
             {}apt-get install -y --no-install-recommends xdotool faketime\n",
            install_prefix()
        )
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn a_package_is_named_once_however_many_of_its_commands_are_missing() {
    let path = path_without(&["xvfb-run", "Xvfb", "dbus-send", "apt-get", "sudo"]);
    let output = run(path.path(), "tests");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with(
            "scripts/test needs packages that are not installed (not found: xvfb-run Xvfb dbus-send)."
        ),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(&format!(
            "  {}apt-get install -y --no-install-recommends xvfb dbus-bin\n",
            install_prefix()
        )),
        "{stderr}"
    );
}

#[test]
fn nothing_is_said_or_installed_when_everything_is_there() {
    // scripts/test ran the same check (and installed what was missing) first.
    let path = path_without(&["apt-get", "sudo"]);
    let output = run(path.path(), "tests");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stderr.is_empty() && output.stdout.is_empty());
}
