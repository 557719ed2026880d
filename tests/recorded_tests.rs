//! A test run by an agent through the MCP server is remembered like one run
//! from the command line or the window (`last-tests.json`), through the
//! catalog's one test-and-record function. Needs the keyring: run under
//! scripts/with-session.sh.

mod support;

use odoo_connections::catalog::Catalog;
use odoo_connections::store::TestResults;
use rmcp::ServiceExt as _;
use rmcp::transport::TokioChildProcess;
use support::mcp_client::{call, text};
use support::sandbox::{Sandbox, assert_exit};

#[tokio::test(flavor = "multi_thread")]
async fn an_mcp_test_is_recorded_as_the_last_test() {
    let sandbox = Sandbox::new();
    assert_exit(&sandbox.add("acme", "http://127.0.0.1:9", "k", &[]), 0);
    let id = Catalog::new(&sandbox.paths())
        .load()
        .unwrap()
        .get("acme")
        .unwrap()
        .id;
    let mut command = sandbox.command();
    command.arg("mcp");
    let transport = TokioChildProcess::new(tokio::process::Command::from(command)).unwrap();
    let client = ().serve(transport).await.unwrap();
    let tested = call(
        &client,
        "test_connection",
        serde_json::json!({"name": "acme"}),
    )
    .await;
    client.cancel().await.unwrap();
    let report = tested
        .structured_content
        .clone()
        .unwrap_or_else(|| panic!("{}", text(&tested)));
    let history = TestResults::load(&sandbox.paths()).unwrap();
    let last = history.get(id).expect("the MCP test was not recorded");
    assert!(!last.ok);
    assert_eq!(serde_json::json!(last.code), report["code"]);
}
