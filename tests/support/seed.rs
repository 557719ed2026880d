//! Connections written straight into `connections.json` through the store,
//! with no secret in the keyring: for scenes set up below the CLI.

use odoo_connections::model::{ConnectionDraft, ConnectionId};
use odoo_connections::store::ConnectionStore;

use crate::support::sandbox::Sandbox;

/// Saves connection `acme` (https://erp.acme.example, database `acme`,
/// login `admin`) without a secret; returns its id.
pub fn store_acme_without_secret(sandbox: &Sandbox) -> ConnectionId {
    let id = ConnectionId::random();
    ConnectionStore::new(&sandbox.paths())
        .update(|document| {
            let draft = ConnectionDraft {
                name: "acme".into(),
                url: "https://erp.acme.example".into(),
                database: "acme".into(),
                login: "admin".into(),
                ..ConnectionDraft::new()
            };
            document.insert(draft.build(id, Default::default()).unwrap())
        })
        .expect("save acme");
    id
}
