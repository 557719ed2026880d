//! Real processes racing on one connection: two `edit`s of different
//! fields, and `edit` against `rename`. No change is ever lost.

mod support;

use std::process::{Child, Stdio};

use odoo_connections::model::ConnectionId;
use odoo_connections::store::ConnectionStore;
use support::sandbox::{Sandbox, assert_exit, stderr};
use support::seed::store_acme_without_secret;

const TRIALS: usize = 20;

fn seed(sandbox: &Sandbox) -> (ConnectionStore, ConnectionId) {
    let id = store_acme_without_secret(sandbox);
    (ConnectionStore::new(&sandbox.paths()), id)
}

fn spawn(sandbox: &Sandbox, args: &[&str]) -> Child {
    sandbox
        .command()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn two_edits_of_different_fields_both_stay() {
    for trial in 0..TRIALS {
        let sandbox = Sandbox::new();
        let (store, id) = seed(&sandbox);
        let notes = format!("notes-{trial}");
        let first = spawn(&sandbox, &["edit", "acme", "--notes", &notes]);
        let second = spawn(&sandbox, &["edit", "acme", "--tags", "eu,racing"]);
        for child in [first, second] {
            assert_exit(&child.wait_with_output().unwrap(), 0);
        }
        let document = store.load().unwrap();
        let stored = document.by_id(id).unwrap();
        assert_eq!(stored.notes, notes, "trial {trial}: the notes were lost");
        let tags: Vec<&str> = stored.tags.iter().map(|tag| tag.as_str()).collect();
        assert_eq!(tags, ["eu", "racing"], "trial {trial}: the tags were lost");
    }
}

#[test]
fn an_edit_never_undoes_a_concurrent_rename() {
    let mut edits_after_the_rename = 0;
    for trial in 0..TRIALS {
        let sandbox = Sandbox::new();
        let (store, id) = seed(&sandbox);
        let notes = format!("notes-{trial}");
        let edit = spawn(&sandbox, &["edit", "acme", "--notes", &notes]);
        let rename = spawn(&sandbox, &["rename", "acme", "acme-renamed"]);
        assert_exit(&rename.wait_with_output().unwrap(), 0);
        let edited = edit.wait_with_output().unwrap();
        let stored = store.load().unwrap().by_id(id).unwrap().clone();
        assert_eq!(
            stored.name.as_str(),
            "acme-renamed",
            "trial {trial}: the rename was undone"
        );
        if edited.status.code() == Some(4) {
            // The rename was complete before the edit looked the name up:
            // the edit found no "acme" and said so; nothing was lost.
            assert!(
                stderr(&edited).contains("no connection is named"),
                "{}",
                stderr(&edited)
            );
            assert_eq!(stored.notes, "");
            edits_after_the_rename += 1;
        } else {
            assert_exit(&edited, 0);
            assert_eq!(stored.notes, notes, "trial {trial}: the edit was lost");
        }
    }
    assert!(edits_after_the_rename < TRIALS, "the two never overlapped");
}
