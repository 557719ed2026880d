//! Connection tests against the Odoo test server: every diagnosis code,
//! versions 15–19, every protocol, list_db, dbfilter and the TLS modes.

mod support;

#[tokio::test]
async fn placeholder() {
    let server = support::odoo_server::OdooServer::builder()
        .database("acme")
        .start()
        .await;
    assert!(server.url().starts_with("http://127.0.0.1:"));
}
