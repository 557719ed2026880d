//! Database tests against the Odoo test server (real HTTP on loopback):
//! unknown and empty databases, discovery, list_db and dbfilter.

mod support;

use odoo_connections::model::{Protocol, TlsMode};
use odoo_connections::odoo::{self, DiagnosisCode};
use support::odoo_server::OdooVersion;
use support::odoo_target::{TIMEOUT, Target, assert_code, standard};

#[tokio::test]
async fn an_unknown_database_names_the_existing_ones() {
    for version in [OdooVersion::V15, OdooVersion::V17, OdooVersion::V19] {
        let server = standard(version).start().await;
        for (protocol, secret) in [
            (Protocol::Xmlrpc, "pw"),
            (Protocol::Jsonrpc, "pw"),
            (Protocol::Auto, "key"),
        ] {
            let target = Target::new(&server).database("acme2").protocol(protocol);
            let target = if secret == "key" {
                target.api_key(secret)
            } else {
                target
            };
            let report = target.test().await;
            assert_code(&report, DiagnosisCode::DatabaseNotFound);
            assert!(
                report
                    .message
                    .starts_with(&format!("The server at {} answered", server.url())),
                "{}",
                report.message
            );
            assert!(
                report.message.contains("database \"acme2\""),
                "{}",
                report.message
            );
            assert!(
                report
                    .message
                    .ends_with("Databases on this server: acme, demo."),
                "{}",
                report.message
            );
        }
    }
}

#[tokio::test]
async fn an_unknown_database_with_listing_disabled_says_to_ask_for_the_name() {
    let server = standard(OdooVersion::V16).list_db(false).start().await;
    let report = Target::new(&server).database("acme2").test().await;
    assert_code(&report, DiagnosisCode::DatabaseNotFound);
    assert!(
        report.message.ends_with(
            "The server does not list its databases; ask its administrator for the exact name."
        ),
        "{}",
        report.message
    );
}

#[tokio::test]
async fn a_database_without_odoo_is_not_initialized() {
    let server = standard(OdooVersion::V18)
        .uninitialized_database("postgres_copy")
        .start()
        .await;
    for protocol in [Protocol::Xmlrpc, Protocol::Jsonrpc] {
        let report = Target::new(&server)
            .database("postgres_copy")
            .protocol(protocol)
            .test()
            .await;
        assert_code(&report, DiagnosisCode::DatabaseNotInitialized);
        assert!(
            report.message.contains("Odoo is not set up in it"),
            "{}",
            report.message
        );
    }
}

#[tokio::test]
async fn dbfilter_hides_databases_from_the_web_list_and_json2_but_not_from_rpc() {
    let server = standard(OdooVersion::V19).dbfilter("^acme$").start().await;
    let listed = odoo::list_databases(&server.url().parse().unwrap(), TlsMode::System, TIMEOUT)
        .await
        .unwrap();
    assert_eq!(listed.databases, ["acme"]);
    let over_rpc = Target::new(&server).database("demo").test().await;
    assert_code(&over_rpc, DiagnosisCode::Ok);
    let over_json2 = Target::new(&server)
        .database("demo")
        .api_key("key")
        .test()
        .await;
    assert_code(&over_json2, DiagnosisCode::DatabaseHidden);
    let missing = Target::new(&server)
        .database("nope")
        .api_key("key")
        .test()
        .await;
    assert_code(&missing, DiagnosisCode::DatabaseNotFound);
    assert!(
        missing.message.ends_with("Databases on this server: acme."),
        "{}",
        missing.message
    );
    let allowed = Target::new(&server).api_key("key").test().await;
    assert_code(&allowed, DiagnosisCode::Ok);
}

#[tokio::test]
async fn dbfilter_host_placeholders_follow_the_address() {
    let server = standard(OdooVersion::V17)
        .database("127")
        .dbfilter("^%d$")
        .start()
        .await;
    let listed = odoo::list_databases(&server.url().parse().unwrap(), TlsMode::System, TIMEOUT)
        .await
        .unwrap();
    assert_eq!(listed.databases, ["127"]);
}

#[tokio::test]
async fn databases_are_listed_with_the_server_version() {
    for version in OdooVersion::ALL {
        let server = standard(version).start().await;
        let listed = odoo::list_databases(&server.url().parse().unwrap(), TlsMode::System, TIMEOUT)
            .await
            .unwrap();
        assert_eq!(listed.databases, ["acme", "demo"]);
        assert_eq!(
            listed.server_version,
            Some(format!("{}.0", version.major()))
        );
    }
}

#[tokio::test]
async fn disabled_listing_is_database_list_disabled() {
    let server = standard(OdooVersion::V17).list_db(false).start().await;
    let error = odoo::list_databases(&server.url().parse().unwrap(), TlsMode::System, TIMEOUT)
        .await
        .unwrap_err();
    assert_eq!(error.code, DiagnosisCode::DatabaseListDisabled);
    assert!(
        error.message.contains("Type the database name yourself"),
        "{}",
        error.message
    );
}
