//! Connection tests against the Odoo test server (real HTTP on loopback):
//! logins with passwords and API keys on Odoo 15–19 over every protocol,
//! two-factor users, protocol choice and server-side failures.

mod support;

use odoo_connections::model::{Protocol, TlsMode};
use odoo_connections::odoo::{self, DiagnosisCode};
use support::odoo_server::{Frontend, OdooServer, OdooVersion, User};
use support::odoo_target::{TIMEOUT, Target, assert_code, standard};

#[tokio::test]
async fn every_version_and_protocol_logs_in_with_a_password_or_an_api_key() {
    for version in OdooVersion::ALL {
        let server = standard(version).start().await;
        let major = version.major();
        let mut protocols = vec![Protocol::Auto, Protocol::Xmlrpc, Protocol::Jsonrpc];
        if major >= 19 {
            protocols.push(Protocol::Json2);
        }
        for protocol in protocols {
            for with_key in [false, true] {
                if protocol == Protocol::Json2 && !with_key {
                    continue;
                }
                let target = Target::new(&server).protocol(protocol);
                let target = if with_key {
                    target.api_key("key")
                } else {
                    target
                };
                let report = target.test().await;
                let case = format!("Odoo {major}, {protocol}, key {with_key}");
                assert_code(&report, DiagnosisCode::Ok);
                assert_eq!(report.uid, Some(2), "{case}");
                assert_eq!(
                    report.server_version.as_deref(),
                    Some(&*format!("{major}.0")),
                    "{case}"
                );
                let expected = match protocol {
                    Protocol::Auto if major >= 19 && with_key => Protocol::Json2,
                    Protocol::Auto => Protocol::Jsonrpc,
                    explicit => explicit,
                };
                assert_eq!(report.protocol, Some(expected), "{case}");
                assert_eq!(report.database, "acme");
                assert!(report.certificate_sha256.is_none(), "{case}");
            }
        }
    }
}

#[tokio::test]
async fn success_reads_well_and_names_the_enterprise_version() {
    let server = standard(OdooVersion::V17).enterprise().start().await;
    let report = Target::new(&server).test().await;
    assert_code(&report, DiagnosisCode::Ok);
    assert_eq!(report.server_version.as_deref(), Some("17.0+e"));
    assert_eq!(
        report.message,
        format!(
            "Connected to Odoo 17.0+e at {} as \"admin\" (uid 2) on database \"acme\", using JSON-RPC.",
            server.url()
        )
    );
}

#[tokio::test]
async fn a_wrong_password_is_bad_credentials_on_every_version() {
    for version in OdooVersion::ALL {
        let server = standard(version).start().await;
        for protocol in [Protocol::Xmlrpc, Protocol::Jsonrpc] {
            for (login, password) in [("admin", "wrong"), ("nobody", "pw"), ("admin", "")] {
                let report = Target::new(&server)
                    .login(login)
                    .password(password)
                    .protocol(protocol)
                    .test()
                    .await;
                assert_code(&report, DiagnosisCode::BadCredentials);
                assert!(
                    report
                        .message
                        .contains(&format!("refused login \"{login}\"")),
                    "{}",
                    report.message
                );
                assert!(
                    report.message.contains("database \"acme\""),
                    "{}",
                    report.message
                );
            }
        }
    }
}

#[tokio::test]
async fn an_inactive_user_is_refused_like_a_wrong_password() {
    let server = OdooServer::builder()
        .database("acme")
        .user(User::new("admin").password("pw").inactive())
        .start()
        .await;
    assert_code(
        &Target::new(&server).test().await,
        DiagnosisCode::BadCredentials,
    );
}

#[tokio::test]
async fn a_two_factor_user_with_a_password_is_told_to_use_an_api_key() {
    for version in OdooVersion::ALL {
        let server = standard(version).start().await;
        for protocol in [Protocol::Auto, Protocol::Xmlrpc, Protocol::Jsonrpc] {
            let report = Target::new(&server)
                .login("marie")
                .password("m-pw")
                .protocol(protocol)
                .test()
                .await;
            assert_code(&report, DiagnosisCode::ApiKeyRequired);
            assert!(
                report.message.contains("two-step verification"),
                "{}",
                report.message
            );
            assert!(report.message.contains("New API Key"), "{}", report.message);
        }
        let with_key = Target::new(&server)
            .login("marie")
            .api_key("m-key")
            .test()
            .await;
        assert_code(&with_key, DiagnosisCode::Ok);
        assert_eq!(with_key.uid, Some(3));
    }
}

#[tokio::test]
async fn a_two_factor_user_with_a_wrong_password_is_bad_credentials() {
    let server = standard(OdooVersion::V18).start().await;
    let report = Target::new(&server)
        .login("marie")
        .password("nope")
        .test()
        .await;
    assert_code(&report, DiagnosisCode::BadCredentials);
}

#[tokio::test]
async fn json2_refuses_a_stored_password_before_sending_it() {
    let server = standard(OdooVersion::V19).start().await;
    let report = Target::new(&server).protocol(Protocol::Json2).test().await;
    assert_code(&report, DiagnosisCode::ApiKeyRequired);
    assert!(
        report.message.contains("JSON-2 accepts only API keys"),
        "{}",
        report.message
    );
    assert_eq!(report.protocol, Some(Protocol::Json2));
}

#[tokio::test]
async fn a_wrong_api_key_is_api_key_invalid_over_every_protocol() {
    let server = standard(OdooVersion::V19).start().await;
    for protocol in [
        Protocol::Auto,
        Protocol::Xmlrpc,
        Protocol::Jsonrpc,
        Protocol::Json2,
    ] {
        let report = Target::new(&server)
            .api_key("stale")
            .protocol(protocol)
            .test()
            .await;
        assert_code(&report, DiagnosisCode::ApiKeyInvalid);
        assert!(
            report
                .message
                .contains("refused the API key for login \"admin\""),
            "{}",
            report.message
        );
    }
    let older = standard(OdooVersion::V15).start().await;
    let report = Target::new(&older).api_key("stale").test().await;
    assert_code(&report, DiagnosisCode::ApiKeyInvalid);
    assert_eq!(report.protocol, Some(Protocol::Jsonrpc));
}

#[tokio::test]
async fn json2_on_an_older_server_is_protocol_unsupported_naming_the_version() {
    for version in [
        OdooVersion::V15,
        OdooVersion::V16,
        OdooVersion::V17,
        OdooVersion::V18,
    ] {
        let server = standard(version).start().await;
        let report = Target::new(&server)
            .api_key("key")
            .protocol(Protocol::Json2)
            .test()
            .await;
        let text = format!("{}.0", version.major());
        assert_code(&report, DiagnosisCode::ProtocolUnsupported);
        assert_eq!(report.server_version.as_deref(), Some(&*text));
        assert_eq!(report.protocol, Some(Protocol::Json2));
        assert!(
            report
                .message
                .contains(&format!("runs Odoo {text}, and JSON-2 needs Odoo 19")),
            "{}",
            report.message
        );
    }
}

#[tokio::test]
async fn postgres_down_behind_odoo_is_a_server_error_naming_the_cause() {
    let server = standard(OdooVersion::V17).postgres_down().start().await;
    let report = Target::new(&server).test().await;
    assert_code(&report, DiagnosisCode::ServerError);
    assert!(
        report
            .message
            .contains("failed while logging in (OperationalError: connection to server"),
        "{}",
        report.message
    );
    assert_eq!(report.server_version.as_deref(), Some("17.0"));
}

#[tokio::test]
async fn auto_falls_back_to_xmlrpc_when_only_xmlrpc_is_reachable() {
    let server = standard(OdooVersion::V18)
        .frontend(Frontend::XmlrpcOnly)
        .start()
        .await;
    let report = Target::new(&server).test().await;
    assert_code(&report, DiagnosisCode::Ok);
    assert_eq!(report.protocol, Some(Protocol::Xmlrpc));
    assert!(
        report.message.ends_with("using XML-RPC."),
        "{}",
        report.message
    );
    let listed = odoo::list_databases(&server.url().parse().unwrap(), TlsMode::System, TIMEOUT)
        .await
        .unwrap();
    assert_eq!(listed.databases, ["acme", "demo"]);
    assert_eq!(listed.server_version.as_deref(), Some("18.0"));
    let jsonrpc = Target::new(&server)
        .protocol(Protocol::Jsonrpc)
        .test()
        .await;
    assert_code(&jsonrpc, DiagnosisCode::NotOdoo);
}

#[tokio::test]
async fn an_odoo_online_build_is_recognised_as_19_and_uses_json2() {
    let server = standard(OdooVersion::V19).saas(4).start().await;
    let report = Target::new(&server).api_key("key").test().await;
    assert_code(&report, DiagnosisCode::Ok);
    assert_eq!(report.server_version.as_deref(), Some("saas~19.4+e"));
    assert_eq!(report.protocol, Some(Protocol::Json2));
    let explicit = Target::new(&server)
        .api_key("key")
        .protocol(Protocol::Json2)
        .test()
        .await;
    assert_code(&explicit, DiagnosisCode::Ok);
    assert_eq!(explicit.server_version.as_deref(), Some("saas~19.4+e"));
}
