//! The README screenshots stay current: docs/screenshots.sha256 records the
//! SHA-256 of every file that decides how the window looks (src/gui/**,
//! assets/fonts/**, scripts/screenshots) when scripts/screenshots last made
//! the pictures, in `sha256sum` format; any difference from the sources
//! fails here. The pictures themselves must be captures of the real window
//! at its first size, one light and one dark (ImageMagick's `identify`).
//! `UPDATE_SCREENSHOT_HASH=1` (scripts/screenshots sets it) rewrites the
//! record instead of comparing.
#![cfg(feature = "gui")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use odoo_connections::gui::geometry::FIRST_SIZE;
use sha2::{Digest as _, Sha256};

/// What the pictures are made from: every file under these paths.
const LOOK_INPUTS: [&str; 3] = ["src/gui", "assets/fonts", "scripts/screenshots"];

/// The record of the inputs the pictures were made from.
const RECORD: &str = "docs/screenshots.sha256";

const LIGHT: &str = "docs/screenshot-connections.png";
const DARK: &str = "docs/screenshot-connections-dark.png";
const VALIDATION: &str = "docs/screenshot-validation.png";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `path` (itself when it is a file), relative to the root.
fn files_under(path: &Path, found: &mut Vec<PathBuf>) {
    let full = root().join(path);
    if full.is_file() {
        found.push(path.to_owned());
        return;
    }
    let entries = std::fs::read_dir(&full)
        .unwrap_or_else(|err| panic!("cannot list {}: {err}", full.display()));
    for entry in entries {
        let entry = entry.expect("a directory entry");
        files_under(&path.join(entry.file_name()), found);
    }
}

/// Each input file's path and SHA-256 (hex), by path.
fn current_digests() -> BTreeMap<String, String> {
    let mut files = Vec::new();
    for input in LOOK_INPUTS {
        files_under(Path::new(input), &mut files);
    }
    files
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(root().join(&path))
                .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
            let digest = Sha256::digest(&bytes)
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect();
            (path.to_string_lossy().into_owned(), digest)
        })
        .collect()
}

/// `sha256sum` lines: `HEX  PATH`.
fn record_text(digests: &BTreeMap<String, String>) -> String {
    digests
        .iter()
        .map(|(path, digest)| format!("{digest}  {path}\n"))
        .collect()
}

fn parse_record(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(|line| {
            let (digest, path) = line
                .split_once("  ")
                .unwrap_or_else(|| panic!("{RECORD}: not a `sha256sum` line: {line:?}"));
            (path.to_owned(), digest.to_owned())
        })
        .collect()
}

/// The paths whose digests differ between `recorded` and `current`, each
/// with what happened to it.
fn differences(
    recorded: &BTreeMap<String, String>,
    current: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut paths: Vec<&String> = recorded.keys().chain(current.keys()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter_map(|path| match (recorded.get(path), current.get(path)) {
            (Some(before), Some(now)) if before == now => None,
            (Some(_), Some(_)) => Some(format!("changed: {path}")),
            (None, _) => Some(format!("new: {path}")),
            (_, None) => Some(format!("gone: {path}")),
        })
        .collect()
}

#[test]
fn the_readme_screenshots_were_made_from_the_current_window() {
    let current = current_digests();
    let record = root().join(RECORD);
    if std::env::var_os("UPDATE_SCREENSHOT_HASH").is_some_and(|value| value == "1") {
        std::fs::write(&record, record_text(&current)).expect("write the record");
        return;
    }
    let text = std::fs::read_to_string(&record).unwrap_or_else(|err| {
        panic!(
            "cannot read {RECORD} ({err}): the window changed since the README screenshots \
             were made: run scripts/screenshots"
        )
    });
    let changed = differences(&parse_record(&text), &current);
    assert!(
        changed.is_empty(),
        "the window changed since the README screenshots were made: run scripts/screenshots\n{}",
        changed.join("\n")
    );
}

/// A picture's width, height and mean luminance (0 black to 1 white).
fn measure(picture: &str) -> (u32, u32, f64) {
    let output = Command::new("identify")
        .args([
            "-format",
            "%w %h %[fx:0.2126*mean.r+0.7152*mean.g+0.0722*mean.b]",
        ])
        .arg(root().join(picture))
        .output()
        .expect("identify (scripts/need-packages tests installs imagemagick)");
    assert!(
        output.status.success(),
        "{picture} is not a picture ImageMagick can read: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("identify's output");
    let fields: Vec<&str> = text.split_whitespace().collect();
    let [width, height, luminance] = fields[..] else {
        panic!("identify said {text:?} for {picture}");
    };
    (
        width.parse().expect("a width"),
        height.parse().expect("a height"),
        luminance.parse().expect("a luminance"),
    )
}

#[test]
fn the_readme_screenshots_show_the_window_at_its_first_size_in_both_themes() {
    let size = (FIRST_SIZE.x as u32, FIRST_SIZE.y as u32);
    let mut luminance = BTreeMap::new();
    for picture in [LIGHT, DARK, VALIDATION] {
        let (width, height, mean) = measure(picture);
        assert_eq!(
            (width, height),
            size,
            "{picture} is the whole window at its first size (gui::geometry::FIRST_SIZE): \
             run scripts/screenshots"
        );
        luminance.insert(picture, mean);
    }
    for picture in [LIGHT, VALIDATION] {
        assert!(
            luminance[picture] > 0.8,
            "{picture} shows the light theme (mean luminance {:.2}): run scripts/screenshots",
            luminance[picture]
        );
    }
    assert!(
        luminance[DARK] < 0.3,
        "{DARK} shows the dark theme (mean luminance {:.2}): run scripts/screenshots",
        luminance[DARK]
    );
}
