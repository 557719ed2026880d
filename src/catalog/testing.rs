//! "Test a connection and record the result": the one function the command
//! line, the window and the MCP server call for a saved connection.

use std::time::Duration;

use crate::model::{Connection, SecretString};
use crate::odoo::{self, TestReport};
use crate::store::TestResults;

use super::Catalog;

impl Catalog {
    /// Tests `connection` with `secret` within `limit`, and remembers the
    /// report as its last test in `last-tests.json` (a failure to remember
    /// is logged: the test itself still counts).
    pub async fn test_and_record(
        &self,
        connection: &Connection,
        secret: &SecretString,
        limit: Duration,
    ) -> TestReport {
        let report = odoo::test_connection(connection, secret, limit).await;
        let (paths, id, kept) = (self.paths.clone(), connection.id, report.clone());
        let recorded =
            tokio::task::spawn_blocking(move || TestResults::record(&paths, id, &kept)).await;
        match recorded {
            Ok(Ok(())) => {}
            Ok(Err(err)) => tracing::warn!(
                "the result of {} was not remembered: {err}",
                connection.name
            ),
            Err(err) => tracing::warn!(
                "the result of {} was not remembered: {err}",
                connection.name
            ),
        }
        report
    }
}
