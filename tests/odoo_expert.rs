//! The expert diagnoses against the Odoo test server: a JSON-2 key of
//! another user, a database hidden by dbfilter, JSON-2 on older releases,
//! and the Odoo 20 readiness warnings.

mod support;

use odoo_connections::model::Protocol;
use odoo_connections::odoo::DiagnosisCode;
use support::odoo_server::{OdooServer, OdooVersion, User};
use support::odoo_target::{Target, assert_code, standard};

/// The admin's API key in the login-mismatch test.
const ADMIN_KEY: &str = "ak-7f3e9c2d1b40";

#[tokio::test]
async fn a_json2_key_of_another_user_is_a_login_mismatch() {
    // A key that is no English word: the report is scrubbed of the secret,
    // and a key spelled "key" would also blank the word in the message.
    let server = OdooServer::builder()
        .version(OdooVersion::V19)
        .database("acme")
        .user(User::new("admin").password("pw").api_key(ADMIN_KEY))
        .user(User::new("marie").password("m-pw").api_key("m-key").totp())
        .start()
        .await;
    for (login, protocol) in [
        ("marie", Protocol::Json2),
        ("marie", Protocol::Auto),
        ("nobody@x", Protocol::Json2),
    ] {
        let report = Target::new(&server)
            .login(login)
            .api_key(ADMIN_KEY)
            .protocol(protocol)
            .test()
            .await;
        assert_code(&report, DiagnosisCode::LoginMismatch);
        assert_eq!(report.protocol, Some(Protocol::Json2));
        assert!(
            report.message.contains(&format!(
                "this API key belongs to \"admin\", not to \"{login}\". Change the connection's login"
            )),
            "{}",
            report.message
        );
    }
    let over_xmlrpc = Target::new(&server)
        .login("marie")
        .api_key(ADMIN_KEY)
        .protocol(Protocol::Xmlrpc)
        .test()
        .await;
    assert_code(&over_xmlrpc, DiagnosisCode::ApiKeyInvalid);
    let own_key = Target::new(&server)
        .login("marie")
        .api_key("m-key")
        .test()
        .await;
    assert_code(&own_key, DiagnosisCode::Ok);
    assert_eq!(own_key.uid, Some(3));
}

#[tokio::test]
async fn a_database_hidden_from_json2_by_dbfilter_says_jsonrpc_reaches_it() {
    let server = standard(OdooVersion::V19).dbfilter("^acme$").start().await;
    for protocol in [Protocol::Auto, Protocol::Json2] {
        let report = Target::new(&server)
            .database("demo")
            .api_key("key")
            .protocol(protocol)
            .test()
            .await;
        assert_code(&report, DiagnosisCode::DatabaseHidden);
        assert!(
            report.message.contains(
                "is reachable over JSON-RPC, but hidden from JSON-2 by the server's dbfilter"
            ),
            "{}",
            report.message
        );
        assert!(
            report.message.contains(
                "Set the connection's protocol to jsonrpc, or ask the administrator to fix dbfilter"
            ),
            "{}",
            report.message
        );
    }
    let over_jsonrpc = Target::new(&server)
        .database("demo")
        .api_key("key")
        .protocol(Protocol::Jsonrpc)
        .test()
        .await;
    assert_code(&over_jsonrpc, DiagnosisCode::Ok);
}

/// Odoo's UTC datetime `days` from now.
fn odoo_datetime_in(days: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    (time::OffsetDateTime::now_utc() + time::Duration::days(days))
        .format(&format)
        .unwrap()
}

#[tokio::test]
async fn on_a_nightly_19_the_old_rpc_apis_warn_about_odoo_20() {
    let server = standard(OdooVersion::V19)
        .enterprise()
        .build_stamp("20251227")
        .password_delay(std::time::Duration::from_millis(150))
        .start()
        .await;
    for protocol in [Protocol::Xmlrpc, Protocol::Jsonrpc] {
        let report = Target::new(&server).protocol(protocol).test().await;
        assert_code(&report, DiagnosisCode::Ok);
        assert_eq!(report.server_version.as_deref(), Some("19.0+e-20251227"));
        assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
        assert!(
            report.warnings[0].contains("but it is removed in Odoo 20; use an API key with JSON-2"),
            "{:?}",
            report.warnings
        );
        assert!(
            report
                .message
                .contains("Warning: Odoo 19.0+e-20251227 still answers")
        );
    }
    let json2 = Target::new(&server).api_key("key").test().await;
    assert_code(&json2, DiagnosisCode::Ok);
    assert_eq!(json2.protocol, Some(Protocol::Json2));
    assert!(json2.warnings.is_empty(), "{:?}", json2.warnings);
    let older = standard(OdooVersion::V18).start().await;
    let report = Target::new(&older).protocol(Protocol::Xmlrpc).test().await;
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[tokio::test]
async fn an_api_key_expiring_soon_is_shown_and_warned_about() {
    let soon = odoo_datetime_in(5);
    let later = odoo_datetime_in(60);
    let server = standard(OdooVersion::V19)
        .user(support::odoo_server::User::new("bot").api_key_expiring("bot-key", &soon))
        .user(support::odoo_server::User::new("cron").api_key_expiring("cron-key", &later))
        .start()
        .await;
    for protocol in [Protocol::Json2, Protocol::Xmlrpc] {
        let report = Target::new(&server)
            .login("bot")
            .api_key("bot-key")
            .protocol(protocol)
            .test()
            .await;
        assert_code(&report, DiagnosisCode::Ok);
        let expires = report.api_key_expires.expect("expiry");
        assert_eq!(expires.date().to_string(), soon[..10]);
        let warned = report
            .warnings
            .iter()
            .find(|warning| warning.contains("expires on"))
            .expect("an expiry warning");
        assert!(
            warned.starts_with(&format!(
                "The API key of \"bot\" expires on {} (in 4 days)",
                &soon[..10]
            )) || warned.starts_with(&format!(
                "The API key of \"bot\" expires on {} (in 5 days)",
                &soon[..10]
            )),
            "{warned}"
        );
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(
            json["api_key_expires"],
            format!("{}T{}Z", &soon[..10], &soon[11..])
        );
    }
    let report = Target::new(&server)
        .login("cron")
        .api_key("cron-key")
        .test()
        .await;
    assert_code(&report, DiagnosisCode::Ok);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert!(
        report
            .message
            .contains(&format!("The API key expires on {}.", &later[..10])),
        "{}",
        report.message
    );
}
