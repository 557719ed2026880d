//! Applying only what a caller changed onto the record as it is now, so two
//! writers that change different fields of one connection both keep theirs.

use crate::model::Connection;

/// `fresh` (the stored record, read under the lock) with every field that
/// differs between `opened` (what the caller started from) and `edited`
/// (what the caller wants) taken from `edited`. The keyring account is the
/// catalog's, never the caller's.
pub(super) fn apply_changes(
    opened: &Connection,
    edited: &Connection,
    fresh: &Connection,
) -> Connection {
    let mut merged = fresh.clone();
    macro_rules! take_changed {
        ($($field:ident),+) => {
            $(if edited.$field != opened.$field {
                merged.$field.clone_from(&edited.$field);
            })+
        };
    }
    take_changed!(
        name,
        url,
        database,
        login,
        auth,
        protocol,
        tls,
        environment,
        tags,
        notes,
        timeout_secs
    );
    let keys: Vec<String> = opened
        .extra
        .keys()
        .chain(edited.extra.keys())
        .cloned()
        .collect();
    for key in keys {
        match (opened.extra.get(&key), edited.extra.get(&key)) {
            (before, after) if before == after => {}
            (_, Some(after)) => {
                merged.extra.insert(key, after.clone());
            }
            (_, None) => {
                merged.extra.remove(&key);
            }
        }
    }
    merged
}

/// True when the settings of `a` and `b` differ (the keyring account aside).
pub(super) fn settings_differ(a: &Connection, b: &Connection) -> bool {
    let without_account = |connection: &Connection| Connection {
        keyring_account: None,
        ..connection.clone()
    };
    without_account(a) != without_account(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConnectionDraft, ConnectionId};

    fn connection() -> Connection {
        let draft = ConnectionDraft {
            name: "acme".into(),
            url: "https://erp.acme.example".into(),
            database: "acme".into(),
            login: "admin".into(),
            ..ConnectionDraft::new()
        };
        draft
            .build(ConnectionId::random(), serde_json::Map::new())
            .unwrap()
    }

    #[test]
    fn only_the_changed_fields_move_onto_the_fresh_record() {
        let opened = connection();
        let mut edited = opened.clone();
        edited.notes = "mine".into();
        edited.extra.insert("colour".into(), "teal".into());
        let mut fresh = opened.clone();
        fresh.name = "acme-renamed".parse().unwrap();
        fresh.keyring_account = Some("elsewhere".into());
        let merged = apply_changes(&opened, &edited, &fresh);
        assert_eq!(merged.name.as_str(), "acme-renamed");
        assert_eq!(merged.notes, "mine");
        assert_eq!(merged.extra["colour"], "teal");
        assert_eq!(merged.keyring_account.as_deref(), Some("elsewhere"));
        assert!(!settings_differ(
            &merged,
            &Connection {
                keyring_account: None,
                ..merged.clone()
            }
        ));
        assert!(settings_differ(&merged, &fresh));
    }
}
