//! The packages, as part of `scripts/test`: `scripts/package` builds the
//! .deb and .rpm from this checkout (the release build and the pinned cargo
//! tools included), then `scripts/check-package` checks them (lintian, the
//! unpacked files, the .rpm's list, `apt-get install` of the .deb and
//! `/usr/bin/odoo-connections --version`). Either script failing fails the
//! test, with everything both printed.
#![cfg(target_os = "linux")]

use std::io::Read as _;
use std::path::Path;
use std::process::Command;

/// Runs `script` from the checkout with stdout and stderr in one pipe, in
/// the order written; returns whether it succeeded and what it printed.
fn run(script: &str) -> (bool, String) {
    let (mut reader, writer) = std::io::pipe().expect("a pipe");
    let mut child = Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join(script))
        .stdout(writer.try_clone().expect("the pipe's writer, twice"))
        .stderr(writer)
        .spawn()
        .unwrap_or_else(|e| panic!("{script} starts: {e}"));
    let mut output = String::new();
    // Ends when the script and everything it started have closed the pipe.
    reader
        .read_to_string(&mut output)
        .unwrap_or_else(|e| panic!("{script}'s output: {e}"));
    let status = child.wait().expect("the script is reaped");
    (status.success(), output)
}

#[test]
fn the_deb_and_rpm_build_and_pass_every_check() {
    for script in ["scripts/package", "scripts/check-package"] {
        let (succeeded, output) = run(script);
        assert!(succeeded, "{script} failed:\n{output}");
    }
}
