//! Connection tests for what happens before Odoo answers, against the Odoo
//! test server (real HTTP and TLS on loopback): redirects, proxy and
//! non-Odoo pages, HTTP authentication, time-outs, refused ports, DNS
//! failures and the three TLS modes.

mod support;

use std::time::Duration;

use odoo_connections::model::{Fingerprint, Protocol, TlsMode};
use odoo_connections::odoo::{self, DiagnosisCode};
use support::odoo_server::{Frontend, OdooVersion, TlsCertificate};
use support::odoo_target::{TIMEOUT, Target, assert_code, standard};

#[tokio::test]
async fn a_redirect_names_its_target() {
    let server = standard(OdooVersion::V17)
        .frontend(Frontend::RedirectToHttps)
        .start()
        .await;
    let https = server.url().replace("http://", "https://");
    let report = Target::new(&server).test().await;
    assert_code(&report, DiagnosisCode::Redirect);
    assert!(
        report.message.contains(&format!(
            "redirects to {https}/web/webclient/version_info (HTTP 301)"
        )),
        "{}",
        report.message
    );
    assert!(
        report
            .message
            .ends_with(&format!("Change the connection's URL to {https}.")),
        "{}",
        report.message
    );
    let listing =
        odoo::list_databases(&server.url().parse().unwrap(), TlsMode::System, TIMEOUT).await;
    assert_eq!(listing.unwrap_err().code, DiagnosisCode::Redirect);
}

#[tokio::test]
async fn front_end_faults_have_their_own_codes() {
    let cases = [
        (
            Frontend::NginxBadGateway,
            DiagnosisCode::ProxyError,
            "answered HTTP 502 Bad Gateway",
        ),
        (
            Frontend::NotOdoo,
            DiagnosisCode::NotOdoo,
            "does not look like Odoo",
        ),
        (
            Frontend::BasicAuth,
            DiagnosisCode::HttpAuthRequired,
            "asks for an HTTP user name and password",
        ),
    ];
    for (frontend, code, phrase) in cases {
        let server = standard(OdooVersion::V17).frontend(frontend).start().await;
        for protocol in [Protocol::Auto, Protocol::Xmlrpc, Protocol::Jsonrpc] {
            let report = Target::new(&server).protocol(protocol).test().await;
            assert_code(&report, code);
            assert!(report.message.contains(phrase), "{}", report.message);
        }
        let listing =
            odoo::list_databases(&server.url().parse().unwrap(), TlsMode::System, TIMEOUT).await;
        assert_eq!(listing.unwrap_err().code, code, "{frontend:?}");
    }
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_within_the_limit() {
    let server = standard(OdooVersion::V17)
        .frontend(Frontend::NeverAnswers)
        .start()
        .await;
    let report = Target::new(&server)
        .test_within(Duration::from_millis(300))
        .await;
    assert_code(&report, DiagnosisCode::Timeout);
    assert!(
        report
            .message
            .starts_with(&format!("No answer from {} within 0.3 s.", server.url())),
        "{}",
        report.message
    );
    let listing = odoo::list_databases(
        &server.url().parse().unwrap(),
        TlsMode::System,
        Duration::from_millis(300),
    )
    .await;
    assert_eq!(listing.unwrap_err().code, DiagnosisCode::Timeout);
}

#[tokio::test]
async fn a_closed_port_is_connection_refused() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let report = Target::at(&format!("http://127.0.0.1:{port}")).test().await;
    assert_code(&report, DiagnosisCode::ConnectionRefused);
    assert!(
        report
            .message
            .contains(&format!("port {port} refused the connection")),
        "{}",
        report.message
    );
}

#[tokio::test]
async fn an_unresolvable_name_is_dns_failed() {
    // RFC 6761: `.invalid` never resolves, and resolvers answer at once.
    let report = Target::at("https://erp.odoo-connections-test.invalid")
        .test()
        .await;
    assert_code(&report, DiagnosisCode::DnsFailed);
    assert!(
        report
            .message
            .contains("erp.odoo-connections-test.invalid could not be found"),
        "{}",
        report.message
    );
}

#[tokio::test]
async fn an_unknown_certificate_is_untrusted_and_offers_its_fingerprint() {
    let server = standard(OdooVersion::V17).tls().start().await;
    let fingerprint = server.certificate_sha256();
    let report = Target::new(&server).test().await;
    assert_code(&report, DiagnosisCode::TlsUntrusted);
    assert_eq!(report.certificate_sha256, Some(fingerprint));
    assert!(
        report
            .message
            .contains(&format!("--pin-sha256 {fingerprint}")),
        "{}",
        report.message
    );
    assert!(
        report.message.contains("Trust this certificate"),
        "{}",
        report.message
    );
    assert!(
        report.message.contains(&format!(
            "is not trusted by this computer: it is self-signed. Certificate: subject CN=rcgen self signed cert, issued by CN=rcgen self signed cert, valid from 1975-01-01T00:00:00Z to 4096-01-01T00:00:00Z, SHA-256 {fingerprint}."
        )),
        "{}",
        report.message
    );
    assert!(!report.message.contains("Error("), "{}", report.message);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["certificate"],
        serde_json::json!({
            "subject": "CN=rcgen self signed cert",
            "issuer": "CN=rcgen self signed cert",
            "not_before": "1975-01-01T00:00:00Z",
            "not_after": "4096-01-01T00:00:00Z",
            "names": ["127.0.0.1", "localhost"],
            "sha256": fingerprint.to_string(),
        })
    );
    let listing =
        odoo::list_databases(&server.url().parse().unwrap(), TlsMode::System, TIMEOUT).await;
    let refusal = listing.unwrap_err();
    assert_eq!(refusal.code, DiagnosisCode::TlsUntrusted);
    assert_eq!(refusal.certificate_sha256, Some(fingerprint));
}

#[tokio::test]
async fn an_expired_or_misnamed_certificate_says_so_in_words() {
    let expired = standard(OdooVersion::V17)
        .tls_certificate(TlsCertificate::Expired)
        .start()
        .await;
    let report = Target::new(&expired).test().await;
    assert_code(&report, DiagnosisCode::TlsUntrusted);
    assert!(
        report.message.contains(
            "not trusted by this computer: it is self-signed, and it expired on 2024-01-31."
        ),
        "{}",
        report.message
    );
    let details = report.certificate.expect("certificate details");
    assert_eq!(details.not_after, "2024-01-31T00:00:00Z");
    assert_eq!(details.sha256, expired.certificate_sha256());

    let misnamed = standard(OdooVersion::V17)
        .tls_certificate(TlsCertificate::OtherHost)
        .start()
        .await;
    let report = Target::new(&misnamed).test().await;
    assert_code(&report, DiagnosisCode::TlsUntrusted);
    assert!(
        report
            .message
            .contains("it is self-signed, and it is for another host name (erp.example.com)."),
        "{}",
        report.message
    );
}

#[tokio::test]
async fn a_pinned_certificate_is_accepted_and_another_one_is_a_mismatch() {
    let server = standard(OdooVersion::V19).tls().start().await;
    let pinned = TlsMode::Pinned {
        sha256: server.certificate_sha256(),
    };
    for protocol in [Protocol::Auto, Protocol::Xmlrpc] {
        let report = Target::new(&server)
            .api_key("key")
            .protocol(protocol)
            .tls(pinned)
            .test()
            .await;
        assert_code(&report, DiagnosisCode::Ok);
        assert!(report.certificate_sha256.is_none());
    }
    let listed = odoo::list_databases(&server.url().parse().unwrap(), pinned, TIMEOUT)
        .await
        .unwrap();
    assert_eq!(listed.databases, ["acme", "demo"]);

    let other = Fingerprint::of_der(b"another certificate");
    let report = Target::new(&server)
        .tls(TlsMode::Pinned { sha256: other })
        .test()
        .await;
    assert_code(&report, DiagnosisCode::TlsFingerprintMismatch);
    assert_eq!(report.certificate_sha256, Some(server.certificate_sha256()));
    assert!(
        report.message.contains(&format!(
            "has SHA-256 fingerprint {}, not the pinned {other}",
            server.certificate_sha256()
        )),
        "{}",
        report.message
    );
}

#[tokio::test]
async fn insecure_mode_connects_with_a_warning() {
    let server = standard(OdooVersion::V18).tls().start().await;
    let report = Target::new(&server).tls(TlsMode::Insecure).test().await;
    assert_code(&report, DiagnosisCode::Ok);
    assert!(
        report
            .message
            .contains("Warning: the certificate was not checked"),
        "{}",
        report.message
    );
    assert_eq!(report.certificate_sha256, Some(server.certificate_sha256()));
}

#[tokio::test]
async fn tls_servers_report_login_failures_like_plain_ones() {
    let server = standard(OdooVersion::V17).tls().start().await;
    let pinned = TlsMode::Pinned {
        sha256: server.certificate_sha256(),
    };
    let report = Target::new(&server)
        .password("wrong")
        .tls(pinned)
        .test()
        .await;
    assert_code(&report, DiagnosisCode::BadCredentials);
}

#[tokio::test]
async fn odoo_failing_with_a_500_page_is_a_server_error() {
    let server = standard(OdooVersion::V16)
        .frontend(Frontend::InternalServerError)
        .start()
        .await;
    for protocol in [Protocol::Auto, Protocol::Xmlrpc, Protocol::Jsonrpc] {
        let report = Target::new(&server).protocol(protocol).test().await;
        assert_code(&report, DiagnosisCode::ServerError);
        assert!(
            report.message.contains("answered HTTP 500 with a web page"),
            "{}",
            report.message
        );
        assert!(
            report.message.contains("Odoo there is failing"),
            "{}",
            report.message
        );
    }
}

#[tokio::test]
async fn a_scheme_that_does_not_match_the_port_names_the_right_url() {
    let server = standard(OdooVersion::V17).tls_and_plain().start().await;
    let plain = server.plain_url();
    let tls = server.url();
    let https_to_plain = plain.replace("http://", "https://");
    let http_to_tls = tls.replace("https://", "http://");
    for protocol in [Protocol::Auto, Protocol::Xmlrpc] {
        let report = Target::at(&https_to_plain).protocol(protocol).test().await;
        assert_code(&report, DiagnosisCode::WrongScheme);
        assert!(
            report.message.contains(&format!(
                "speaks plain HTTP; use {plain} as the connection's URL"
            )),
            "{}",
            report.message
        );
        let report = Target::at(&http_to_tls).protocol(protocol).test().await;
        assert_code(&report, DiagnosisCode::WrongScheme);
        assert!(
            report
                .message
                .contains(&format!("speaks TLS; use {tls} as the connection's URL")),
            "{}",
            report.message
        );
    }
    let listing =
        odoo::list_databases(&https_to_plain.parse().unwrap(), TlsMode::System, TIMEOUT).await;
    assert_eq!(listing.unwrap_err().code, DiagnosisCode::WrongScheme);
    let right = Target::at(&plain).test().await;
    assert_code(&right, DiagnosisCode::Ok);
}
