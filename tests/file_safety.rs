//! The state and config files under attack, as real processes: a symbolic
//! link in a file's place is refused and nothing is written through it,
//! loose modes are tightened with a note, damaged files are set aside
//! without ever overwriting an earlier copy (and warned about while newer
//! than the file), and a file from a newer schema is read but never moved
//! or written.

mod support;

use std::fs;
use std::os::unix::fs::{PermissionsExt as _, symlink};
use std::path::{Path, PathBuf};
use std::process::Output;

use support::policy::{PolicySandbox as _, open_limit_policy};
use support::sandbox::{Sandbox, assert_exit, stderr, stdout};

const ACME: &str = r#"{"id": "0b6a3c4e-95f4-4a8e-9d43-1b6f0c1f7a10", "name": "acme", "url": "https://erp.acme.example", "database": "acme", "login": "admin"}"#;

fn connections_json(schema: u64) -> String {
    format!("{{\"schema\": {schema}, \"connections\": [{ACME}], \"future\": true}}\n")
}

/// A file outside the sandbox's dirs that a link points to, and its bytes.
fn victim(sandbox: &Sandbox, bytes: &str) -> PathBuf {
    let path = sandbox.root().join("victim");
    fs::write(&path, bytes).unwrap();
    path
}

fn link(target: &Path, at: &Path) {
    fs::create_dir_all(at.parent().unwrap()).unwrap();
    symlink(target, at).unwrap();
}

fn assert_untouched_link(target: &Path, at: &Path, bytes: &str) {
    assert_eq!(
        fs::read_to_string(target).unwrap(),
        bytes,
        "written through"
    );
    assert!(fs::symlink_metadata(at).unwrap().file_type().is_symlink());
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// The `.corrupt-*` copies of `file`, with their bytes, in no order.
fn set_aside_copies(file: &Path) -> Vec<(PathBuf, String)> {
    let prefix = format!("{}.corrupt-", file.file_name().unwrap().to_string_lossy());
    fs::read_dir(file.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(&prefix))
        .map(|entry| {
            let text = fs::read_to_string(entry.path()).unwrap();
            (entry.path(), text)
        })
        .collect()
}

#[test]
fn a_linked_connections_file_is_refused_and_never_written_through() {
    let sandbox = Sandbox::new();
    let theirs = connections_json(1);
    let target = victim(&sandbox, &theirs);
    let file = sandbox.paths().connections_file();
    link(&target, &file);
    let listed = sandbox.run(&["list"]);
    assert_exit(&listed, 1);
    assert!(
        stderr(&listed).contains(&format!("{} is a symbolic link", file.display())),
        "{}",
        stderr(&listed)
    );
    assert!(stderr(&listed).contains("replace the link with the file itself"));
    assert!(!stdout(&listed).contains("acme"), "read through the link");
    let renamed = sandbox.run(&["rename", "acme", "taken-over"]);
    assert_exit(&renamed, 1);
    let added = sandbox.add("other", "https://other.example", "s3cret-link", &[]);
    assert!(!added.status.success(), "{}", stderr(&added));
    assert!(
        stderr(&added).contains("is a symbolic link"),
        "{}",
        stderr(&added)
    );
    assert_untouched_link(&target, &file, &theirs);
    assert!(set_aside_copies(&file).is_empty());
}

/// Puts a link to a victim holding `theirs` at `file`, opens a window, and
/// checks the open names the link and wrote nothing through it.
fn open_with_a_link_at(sandbox: &Sandbox, file: &Path, theirs: &str) -> Output {
    sandbox.write_policy(&open_limit_policy(5, ""));
    let target = victim(sandbox, theirs);
    link(&target, file);
    let opened = sandbox.open(&sandbox.ready_window());
    assert!(
        stderr(&opened).contains(&format!("{} is a symbolic link", file.display())),
        "{}",
        stderr(&opened)
    );
    assert_untouched_link(&target, file, theirs);
    opened
}

#[track_caller]
fn assert_refused_without_a_window(sandbox: &Sandbox, opened: &Output) {
    assert!(!opened.status.success(), "{}", stderr(opened));
    assert!(sandbox.window_args().is_empty(), "the window was started");
}

#[test]
fn a_linked_counters_file_is_refused_and_the_call_with_it() {
    let sandbox = Sandbox::new();
    let file = sandbox.paths().counters_file();
    let opened = open_with_a_link_at(&sandbox, &file, "{\"schema\": 1}\n");
    assert_refused_without_a_window(&sandbox, &opened);
}

#[test]
fn a_linked_audit_log_is_refused_and_never_written_through() {
    let sandbox = Sandbox::new();
    let file = sandbox.paths().state_dir().join("audit.jsonl");
    open_with_a_link_at(&sandbox, &file, "their log\n");
}

#[test]
fn a_linked_window_log_is_refused_and_the_window_not_started() {
    let sandbox = Sandbox::new();
    let file = sandbox.paths().gui_log();
    let opened = open_with_a_link_at(&sandbox, &file, "their log\n");
    assert_refused_without_a_window(&sandbox, &opened);
}

#[test]
fn loose_dirs_and_files_are_tightened_with_a_note() {
    let sandbox = Sandbox::new();
    let paths = sandbox.paths();
    sandbox.write_policy(&open_limit_policy(5, ""));
    assert_exit(&sandbox.open(&sandbox.ready_window()), 0);
    fs::write(paths.connections_file(), connections_json(1)).unwrap();
    fs::write(paths.last_tests_file(), "{\"results\": {}}\n").unwrap();
    let audit = paths.state_dir().join("audit.jsonl");
    let files = [
        paths.policy_file(),
        paths.connections_file(),
        paths.last_tests_file(),
        paths.counters_file(),
        audit.clone(),
        paths.gui_log(),
    ];
    for file in &files {
        set_mode(file, 0o644);
    }
    set_mode(paths.state_dir(), 0o777);
    set_mode(paths.config_dir(), 0o777);

    let listed = sandbox.run(&["list"]);
    assert_exit(&listed, 0);
    let opened = sandbox.open(&sandbox.ready_window());
    assert_exit(&opened, 0);
    let renamed = sandbox.run(&["rename", "acme", "acme-2"]);
    assert_exit(&renamed, 0);

    let notes = [stderr(&listed), stderr(&opened), stderr(&renamed)].concat();
    for file in &files {
        assert_eq!(mode(file), 0o600, "{}", file.display());
        assert!(
            notes.contains(&format!(
                "{} had mode 0644, so others could use it; tightened it to 0600",
                file.display()
            )),
            "{}: {notes}",
            file.display()
        );
    }
    for dir in [paths.state_dir(), paths.config_dir()] {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
        assert!(
            notes.contains(&format!("{} had mode 0777", dir.display())),
            "{}: {notes}",
            dir.display()
        );
    }
    let again = sandbox.run(&["list"]);
    assert!(!stderr(&again).contains("tightened"), "{}", stderr(&again));
}

#[test]
fn damaged_files_set_aside_in_the_same_second_keep_every_copy() {
    let sandbox = Sandbox::new();
    let file = sandbox.paths().connections_file();
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    let damages = ["{damaged one", "{damaged two", "{damaged three"];
    for damage in damages {
        fs::write(&file, damage).unwrap();
        let listed = sandbox.run(&["list"]);
        assert_exit(&listed, 1);
        assert!(
            stderr(&listed).contains("It was moved to"),
            "{}",
            stderr(&listed)
        );
    }
    let mut kept: Vec<String> = set_aside_copies(&file)
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    kept.sort();
    let mut expected = damages.map(str::to_owned).to_vec();
    expected.sort();
    assert_eq!(kept, expected);
}

#[test]
fn a_set_aside_copy_newer_than_the_file_is_warned_about_with_how_to_restore_it() {
    let sandbox = Sandbox::new();
    let file = sandbox.paths().connections_file();
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::write(&file, connections_json(1).replace("\"name\"", "\"nom\"")).unwrap();
    assert_exit(&sandbox.run(&["list"]), 1);
    let [(aside, _)] = set_aside_copies(&file).try_into().unwrap();

    let listed = sandbox.run(&["list"]);
    assert_exit(&listed, 0);
    let warning = stderr(&listed);
    assert!(
        warning.contains(&format!(
            "{} holds connections set aside because they could not be read, and it is newer than {}",
            aside.display(),
            file.display()
        )),
        "{warning}"
    );
    assert!(
        warning.contains(&format!("mv '{}' '{}'", aside.display(), file.display())),
        "{warning}"
    );
    let as_json = sandbox.run(&["list", "--json"]);
    assert!(stderr(&as_json).contains("holds connections set aside"));

    // Once the person has a newer file, the old copy is no longer news.
    fs::write(&file, connections_json(1)).unwrap();
    let listed = sandbox.run(&["list"]);
    assert_exit(&listed, 0);
    assert!(stdout(&listed).contains("acme"));
    assert!(
        !stderr(&listed).contains("set aside"),
        "{}",
        stderr(&listed)
    );
    assert!(aside.exists(), "the copy is kept");
}

#[test]
fn a_file_from_a_newer_schema_is_read_but_never_moved_or_written() {
    let sandbox = Sandbox::new();
    let file = sandbox.paths().connections_file();
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    let newer = connections_json(2);
    fs::write(&file, &newer).unwrap();

    let listed = sandbox.run(&["list"]);
    assert_exit(&listed, 0);
    assert!(stdout(&listed).contains("acme"), "{}", stdout(&listed));
    assert!(
        stderr(&listed).contains("written by a newer version of odoo-connections (schema 2"),
        "{}",
        stderr(&listed)
    );
    for change in [
        sandbox.run(&["rename", "acme", "acme-2"]),
        sandbox.run(&["rm", "acme", "--yes"]),
        sandbox.add("other", "https://other.example", "s3cret-newer", &[]),
    ] {
        assert_exit(&change, 1);
        assert!(
            stderr(&change).contains(
                "was written by a newer version of odoo-connections (schema 2); this version can only read it, so nothing was changed; upgrade"
            ),
            "{}",
            stderr(&change)
        );
    }
    assert_eq!(fs::read_to_string(&file).unwrap(), newer);
    assert!(set_aside_copies(&file).is_empty());

    // A newer shape this version cannot read is refused, but still kept.
    let unreadable = "{\"schema\": 3, \"connections\": {\"acme\": {}}}";
    fs::write(&file, unreadable).unwrap();
    let listed = sandbox.run(&["list"]);
    assert_exit(&listed, 1);
    assert!(
        stderr(&listed).contains("written by a newer version of odoo-connections (schema 3")
            && stderr(&listed).contains("upgrade odoo-connections"),
        "{}",
        stderr(&listed)
    );
    assert_exit(&sandbox.run(&["rename", "acme", "acme-2"]), 1);
    assert_eq!(fs::read_to_string(&file).unwrap(), unreadable);
    assert!(set_aside_copies(&file).is_empty());
}
