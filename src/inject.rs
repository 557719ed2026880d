//! The environment `odoo-connections exec` gives a command (for example an
//! Odoo MCP server): the connection's settings and secret as `ODOO_*`
//! variables, with every inherited `ODOO_*` variable removed first so a
//! stale value can never mix with the chosen connection.

use std::ffi::OsString;

use crate::model::{AuthKind, Connection, SecretString};

/// Set in the child's environment to the connection name; its presence
/// means we are already inside `exec`.
pub const MARKER_VAR: &str = "ODOO_CONNECTIONS_EXEC";

/// Refusal to nest one `exec` inside another.
#[derive(Debug, thiserror::Error)]
#[error(
    "already running inside `odoo-connections exec {0}`; exit that command first, or unset {MARKER_VAR} if you really mean to nest"
)]
pub struct NestedExec(pub String);

/// Fails when called from inside another `exec`.
pub fn check_not_nested(
    environment: impl IntoIterator<Item = (OsString, OsString)>,
) -> Result<(), NestedExec> {
    match environment.into_iter().find(|(name, _)| name == MARKER_VAR) {
        Some((_, value)) => Err(NestedExec(value.to_string_lossy().into_owned())),
        None => Ok(()),
    }
}

/// True for variables an Odoo client might read (`ODOO_*`), which are
/// removed from the inherited environment.
pub fn is_odoo_variable(name: &OsString) -> bool {
    name.to_string_lossy().starts_with("ODOO_")
}

/// The variables describing `connection`, secret included. Names only go
/// to logs; values go only into the child's environment.
pub fn connection_variables(
    connection: &Connection,
    secret: &SecretString,
) -> Vec<(&'static str, String)> {
    let secret_variable = match connection.auth {
        AuthKind::Password => "ODOO_PASSWORD",
        AuthKind::ApiKey => "ODOO_API_KEY",
    };
    vec![
        ("ODOO_URL", connection.url.to_string()),
        ("ODOO_DB", connection.database.to_string()),
        ("ODOO_USER", connection.login.to_string()),
        ("ODOO_USERNAME", connection.login.to_string()),
        (secret_variable, secret.expose().to_owned()),
        (MARKER_VAR, connection.name.to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_exec_is_refused_naming_the_outer_connection() {
        let env = vec![(OsString::from(MARKER_VAR), OsString::from("acme"))];
        assert!(
            check_not_nested(env)
                .unwrap_err()
                .to_string()
                .contains("exec acme")
        );
        assert!(check_not_nested(Vec::new()).is_ok());
        assert!(is_odoo_variable(&"ODOO_PASSWORD".into()));
        assert!(!is_odoo_variable(&"PATH".into()));
    }
}
