//! The catalog on the in-memory secret store, failing at every call in turn:
//! each connection stays fully old or fully new, a failure before the file
//! changes leaves the file as it was, and the next write leaves no keyring
//! entry that no connection owns. Also: concurrent edits merge, the window's
//! save refuses a record changed elsewhere, and `rm` forgets the last test.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use odoo_connections::catalog::{Catalog, CatalogError};
use odoo_connections::model::{Connection, ConnectionDraft, ConnectionId, SecretString};
use odoo_connections::paths::Paths;
use odoo_connections::secrets::MemorySecrets;
use odoo_connections::store::{ConnectionsDocument, TestResults};

struct World {
    _dir: tempfile::TempDir,
    paths: Paths,
    memory: Arc<MemorySecrets>,
}

impl World {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path().join("config"), dir.path().join("state"));
        let world = Self {
            _dir: dir,
            paths,
            memory: Arc::new(MemorySecrets::new()),
        };
        let catalog = world.catalog();
        catalog.add(draft("acme"), &secret("old")).unwrap();
        catalog.add(draft("other"), &secret("other")).unwrap();
        world
    }

    /// A fresh catalog, as a new process would have.
    fn catalog(&self) -> Catalog {
        Catalog::with_secrets(&self.paths, self.memory.clone())
    }

    fn document(&self) -> ConnectionsDocument {
        self.catalog().load().unwrap()
    }
}

fn draft(name: &str) -> Connection {
    let draft = ConnectionDraft {
        name: name.into(),
        url: "https://erp.acme.example".into(),
        database: "acme".into(),
        login: "admin".into(),
        notes: "old".into(),
        ..ConnectionDraft::new()
    };
    draft
        .build(ConnectionId::random(), serde_json::Map::new())
        .unwrap()
}

fn secret(text: &str) -> SecretString {
    SecretString::new(text.to_owned())
}

type Operation = fn(&Catalog) -> Result<(), CatalogError>;

fn edit_secret(catalog: &Catalog) -> Result<(), CatalogError> {
    let opened = catalog.load()?.get("acme")?.clone();
    let mut edited = opened.clone();
    edited.notes = "new".into();
    catalog.apply_changes(&opened, &edited, Some(&secret("new")))?;
    Ok(())
}

const OPERATIONS: &[(&str, Operation)] = &[
    ("add", |catalog| {
        catalog.add(draft("fresh"), &secret("new")).map(drop)
    }),
    ("duplicate", |catalog| {
        catalog
            .duplicate("acme", "acme-copy".parse().unwrap())
            .map(drop)
    }),
    ("edit with a new secret", edit_secret),
    ("rm", |catalog| catalog.remove("acme").map(drop)),
];

/// Every connection is whole: its secret is there and matches its settings.
fn assert_whole(world: &World, what: &str) {
    let entries = world.memory.entries();
    for connection in world.document().connections() {
        let account = Catalog::keyring_account(connection);
        let stored = entries
            .get(&account)
            .unwrap_or_else(|| panic!("{what}: {} lost its secret", connection.name))
            .expose()
            .to_owned();
        let expected = match (connection.name.as_str(), connection.notes.as_str()) {
            ("other", _) => "other",
            ("fresh" | "later", _) | ("acme", "new") => "new",
            _ => "old",
        };
        assert_eq!(
            stored, expected,
            "{what}: {} is half old, half new",
            connection.name
        );
    }
}

fn assert_no_orphans(world: &World, what: &str) {
    let owned: BTreeSet<String> = world
        .document()
        .connections()
        .iter()
        .map(Catalog::keyring_account)
        .collect();
    let stored: BTreeSet<String> = world.memory.entries().into_keys().collect();
    assert_eq!(stored, owned, "{what}: keyring entries no connection owns");
}

#[test]
fn a_failure_at_any_keyring_call_leaves_each_connection_old_or_new() {
    for (name, operation) in OPERATIONS {
        let calls = {
            let world = World::new();
            let before = world.memory.calls();
            operation(&world.catalog()).unwrap();
            world.memory.calls() - before
        };
        assert!(calls >= 2, "{name} makes {calls} keyring calls");
        for failing in 0..calls {
            let what = format!("{name}, call {failing} failing");
            let world = World::new();
            let before = world.document();
            world.memory.fail_at(Some(failing));
            let outcome = operation(&world.catalog());
            world.memory.fail_at(None);
            if outcome.is_err() {
                assert_eq!(world.document(), before, "{what}: the file changed");
            }
            assert_whole(&world, &what);
            world.catalog().add(draft("later"), &secret("new")).unwrap();
            assert_whole(&world, &what);
            assert_no_orphans(&world, &what);
        }
    }
}

#[test]
fn rm_asks_the_keyring_before_it_changes_the_file() {
    let world = World::new();
    let before = world.document();
    world.memory.fail_at(Some(0));
    let refused = world.catalog().remove("acme").unwrap_err();
    assert!(matches!(refused, CatalogError::Secret(_)), "{refused}");
    assert_eq!(world.document(), before);
    assert_whole(&world, "rm refused");
}

#[test]
fn doctor_finds_and_removes_entries_no_connection_owns() {
    let world = World::new();
    let catalog = world.catalog();
    let acme = catalog.load().unwrap().get("acme").unwrap().clone();
    let scope = catalog.keyring_scope().unwrap();
    let stray = format!("{}:{scope}:000000000000", ConnectionId::random());
    let foreign = format!("{}:ffffffffffff:000000000000", ConnectionId::random());
    let legacy = acme.id.to_string();
    for account in [&stray, &foreign, &legacy] {
        use odoo_connections::secrets::SecretStore as _;
        world.memory.save(account, &secret("stray")).unwrap();
    }
    let check = catalog.check_keyring().unwrap();
    let mut found = check.orphans.clone();
    found.sort();
    let mut expected = vec![stray.clone(), legacy.clone()];
    expected.sort();
    assert_eq!(found, expected, "another config dir's entry is not ours");
    assert!(check.missing.is_empty());
    catalog.remove_orphans().unwrap();
    let left: BTreeSet<String> = world.memory.entries().into_keys().collect();
    assert!(left.contains(&foreign) && !left.contains(&stray) && !left.contains(&legacy));
    assert!(catalog.check_keyring().unwrap().orphans.is_empty());
}

#[test]
fn concurrent_edits_of_different_fields_both_stay() {
    let world = World::new();
    let catalog = world.catalog();
    let opened = catalog.load().unwrap().get("acme").unwrap().clone();
    let mut notes = opened.clone();
    notes.notes = "from A".into();
    let mut renamed = opened.clone();
    renamed.name = "acme-b".parse().unwrap();
    catalog.apply_changes(&opened, &renamed, None).unwrap();
    catalog.apply_changes(&opened, &notes, None).unwrap();
    let stored = world.document().by_id(opened.id).unwrap().clone();
    assert_eq!(
        (stored.name.as_str(), stored.notes.as_str()),
        ("acme-b", "from A")
    );
}

#[test]
fn the_window_save_refuses_a_record_changed_elsewhere_unless_told_to_overwrite() {
    let world = World::new();
    let catalog = world.catalog();
    let opened = catalog.load().unwrap().get("acme").unwrap().clone();
    let mut elsewhere = opened.clone();
    elsewhere.notes = "elsewhere".into();
    catalog.apply_changes(&opened, &elsewhere, None).unwrap();
    let mut mine = opened.clone();
    mine.login = "bot".parse().unwrap();
    let refused = catalog.save_edit(&opened, mine.clone(), None).unwrap_err();
    assert!(matches!(refused, CatalogError::ChangedElsewhere(_)));
    assert!(
        refused
            .to_string()
            .contains("changed elsewhere since you opened it; reload"),
        "{refused}"
    );
    assert_eq!(
        world.document().by_id(opened.id).unwrap().notes,
        "elsewhere"
    );
    let current = world.document().by_id(opened.id).unwrap().clone();
    let saved = catalog
        .save_edit(&current, mine.clone(), Some(&secret("new")))
        .unwrap();
    assert_eq!(saved.login.as_str(), "bot");
    assert_eq!(saved.notes, "old", "save_edit stores the window's record");
    catalog.overwrite(opened.clone(), None).unwrap();
    let stored = world.document().by_id(opened.id).unwrap().clone();
    assert_eq!(stored.login.as_str(), "admin");
    assert_eq!(
        stored.keyring_account, saved.keyring_account,
        "the secret stays the new one"
    );
    assert_eq!(
        world.memory.entries()[&Catalog::keyring_account(&stored)].expose(),
        "new"
    );
}

#[test]
fn rm_forgets_the_last_test_and_rename_keeps_it() {
    let world = World::new();
    let catalog = world.catalog();
    let document = catalog.load().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for name in ["acme", "other"] {
        let mut connection = document.get(name).unwrap().clone();
        connection.url = "http://127.0.0.1:9".parse().unwrap();
        let limit = std::time::Duration::from_secs(5);
        let report = runtime.block_on(catalog.test_and_record(&connection, &secret("x"), limit));
        assert!(!report.ok);
    }
    let (acme, other) = (
        document.get("acme").unwrap().id,
        document.get("other").unwrap().id,
    );
    catalog
        .rename("other", "other-renamed".parse().unwrap())
        .unwrap();
    catalog.remove("acme").unwrap();
    let history = TestResults::load(&world.paths).unwrap();
    assert!(
        history.get(acme).is_none(),
        "a deleted connection's result stays"
    );
    assert!(history.get(other).is_some(), "a rename lost the result");
}
