//! Bringing connections in from the odoo-claude-mcp tools (their plaintext
//! JSON files), moving every secret into the keyring.

mod legacy;

pub use legacy::{ImportItem, ImportSource, ParseError, parse};

use crate::catalog::{Catalog, CatalogError};
use crate::model::{ConnectionDraft, ConnectionId, SecretString};

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// Names added.
    pub added: Vec<String>,
    /// Names whose settings and secret were replaced.
    pub updated: Vec<String>,
    /// Names (or positions) skipped, with the reason.
    pub skipped: Vec<(String, String)>,
    /// Things the person should know (insecure TLS, dropped secret fields).
    pub warnings: Vec<String>,
    /// How many of the skipped entries failed because the keyring could
    /// not take their secret.
    pub keyring_refused: usize,
}

impl ImportReport {
    /// True when nothing was brought in and the keyring is why.
    pub fn failed_for_lack_of_keyring(&self) -> bool {
        self.added.is_empty() && self.updated.is_empty() && self.keyring_refused > 0
    }
}

/// Why one entry was not imported.
struct Refusal {
    reason: String,
    by_keyring: bool,
}

impl From<String> for Refusal {
    fn from(reason: String) -> Self {
        Self {
            reason,
            by_keyring: false,
        }
    }
}

impl From<CatalogError> for Refusal {
    fn from(error: CatalogError) -> Self {
        Self {
            by_keyring: matches!(error, CatalogError::Secret(_)),
            reason: error.to_string(),
        }
    }
}

/// Applies parsed items to the catalog. With `dry_run`, nothing is written
/// and the report says what would happen.
pub fn apply(
    catalog: &Catalog,
    items: Vec<ImportItem>,
    dry_run: bool,
) -> Result<ImportReport, CatalogError> {
    let mut report = ImportReport::default();
    for item in items {
        report.warnings.extend(item.warnings.iter().cloned());
        let (draft, secret) = match item.entry {
            Err(reason) => {
                report.skipped.push((item.label, reason));
                continue;
            }
            Ok(ready) => ready,
        };
        let existing = catalog.load()?.find(&draft.name).cloned();
        let outcome = match existing {
            Some(current) => import_over(catalog, &current, &draft, &secret, dry_run)
                .map(|()| &mut report.updated),
            None => import_new(catalog, &draft, &secret, dry_run).map(|()| &mut report.added),
        };
        match outcome {
            Ok(list) => list.push(draft.name.clone()),
            Err(refusal) => {
                report.keyring_refused += usize::from(refusal.by_keyring);
                report.skipped.push((item.label, refusal.reason));
            }
        }
    }
    Ok(report)
}

fn import_new(
    catalog: &Catalog,
    draft: &ConnectionDraft,
    secret: &SecretString,
    dry_run: bool,
) -> Result<(), Refusal> {
    let connection = draft
        .build(ConnectionId::random(), serde_json::Map::new())
        .map_err(|errors| errors.to_string().replace('\n', "; "))?;
    if !dry_run {
        catalog.add(connection, secret)?;
    }
    Ok(())
}

/// Replaces the imported settings of an existing connection, keeping what
/// the old tools do not know (environment, tags, notes, timeout, extra keys).
fn import_over(
    catalog: &Catalog,
    current: &crate::model::Connection,
    draft: &ConnectionDraft,
    secret: &SecretString,
    dry_run: bool,
) -> Result<(), Refusal> {
    let mut merged = ConnectionDraft::from_connection(current);
    merged.url.clone_from(&draft.url);
    merged.database.clone_from(&draft.database);
    merged.login.clone_from(&draft.login);
    merged.auth = draft.auth;
    merged.protocol = draft.protocol;
    merged.tls = draft.tls;
    let mut connection = merged
        .build(current.id, current.extra.clone())
        .map_err(|errors| errors.to_string().replace('\n', "; "))?;
    connection
        .keyring_account
        .clone_from(&current.keyring_account);
    if !dry_run {
        catalog.apply_changes(current, &connection, Some(secret))?;
    }
    Ok(())
}
