//! The expert diagnoses against the Odoo test server: a JSON-2 key of
//! another user, a database hidden by dbfilter, JSON-2 on older releases,
//! and the Odoo 20 readiness warnings.

mod support;

use odoo_connections::model::Protocol;
use odoo_connections::odoo::DiagnosisCode;
use support::odoo_server::OdooVersion;
use support::odoo_target::{Target, assert_code, standard};

#[tokio::test]
async fn a_json2_key_of_another_user_is_a_login_mismatch() {
    let server = standard(OdooVersion::V19).start().await;
    for (login, protocol) in [
        ("marie", Protocol::Json2),
        ("marie", Protocol::Auto),
        ("nobody@x", Protocol::Json2),
    ] {
        let report = Target::new(&server)
            .login(login)
            .api_key("key")
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
        .api_key("key")
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
