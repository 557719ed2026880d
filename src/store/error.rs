//! What can go wrong reading or changing the connections file.

use std::path::PathBuf;

use crate::files::FileError;

use super::document::Problem;

/// A store failure, each with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file could not be read or written.
    #[error(transparent)]
    File(#[from] FileError),
    /// The file is not a connections file this version can read.
    #[error("{}", corrupt_message(path, set_aside_as.as_ref(), problem))]
    Corrupt {
        /// The connections file.
        path: PathBuf,
        /// Where the damaged file was moved, so it is never overwritten.
        set_aside_as: Option<PathBuf>,
        /// What is wrong with it.
        problem: Problem,
    },
    /// A newer version of odoo-connections wrote the file: this one reads
    /// it but never writes it (nor sets it aside).
    #[error(
        "{} was written by a newer version of odoo-connections (schema {schema}); this version can only read it, so nothing was changed; upgrade odoo-connections to make changes",
        path.display()
    )]
    NewerSchema {
        /// The connections file.
        path: PathBuf,
        /// The file's schema.
        schema: u64,
    },
    /// No connection has that name.
    #[error("no connection is named {0:?}; `odoo-connections list` shows the names")]
    NotFound(String),
    /// The name is used by another connection (names are unique ignoring case).
    #[error("a connection named {0:?} already exists; choose another name")]
    NameTaken(String),
}

fn corrupt_message(path: &std::path::Path, aside: Option<&PathBuf>, problem: &Problem) -> String {
    let mut message = format!("{} cannot be read: {problem}", path.display());
    if let Some(aside) = aside {
        message.push_str(&format!(
            ". It was moved to {} and was not changed; fix it and move it back, or start over with an empty list",
            aside.display()
        ));
    }
    if let Some(hint) = problem.hint() {
        message.push_str(". ");
        message.push_str(hint);
    }
    message
}
