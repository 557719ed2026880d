//! What the store tells the person besides its answer: a set-aside copy of
//! `connections.json` newer than the file itself (their latest connections
//! may be in it), and a file written by a newer version, which is read-only.

use std::path::Path;

use crate::files;

use super::{ConnectionsDocument, SCHEMA_VERSION, StoreError};

/// Warns on stderr about a newer set-aside copy and about a newer schema.
pub(super) fn warn(file: &Path, document: &ConnectionsDocument) {
    if let Some(aside) = files::newer_set_aside(file) {
        tracing::warn!(
            "{} holds connections set aside because they could not be read, and it is newer than {}; fix it and restore it with `mv '{}' '{}'`, or delete it once you no longer need it",
            aside.display(),
            file.display(),
            aside.display(),
            file.display()
        );
    }
    if let Some(schema) = document.newer_schema() {
        tracing::warn!(
            "{} was written by a newer version of odoo-connections (schema {schema}; this one reads schema {SCHEMA_VERSION}); showing what this version understands, and refusing every change: upgrade odoo-connections",
            file.display()
        );
    }
}

/// Refuses to write a file that a newer version wrote.
pub(super) fn refuse_newer(file: &Path, document: &ConnectionsDocument) -> Result<(), StoreError> {
    match document.newer_schema() {
        Some(schema) => Err(StoreError::NewerSchema {
            path: file.to_owned(),
            schema,
        }),
        None => Ok(()),
    }
}
