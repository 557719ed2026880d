//! Scheme mix-ups: `https://` against a port that speaks plain HTTP, or
//! `http://` against a port that speaks TLS, told apart from a broken
//! connection by asking the same port once in the other scheme (a bare
//! `GET /`, never a secret).

use std::sync::Arc;
use std::time::Duration;

use crate::model::{ServerUrl, TlsMode};

use super::diagnosis::{Diagnosis, DiagnosisCode};
use super::tls::{self, CertificateLog};

/// The longest the second try may take.
const PROBE_LIMIT: Duration = Duration::from_secs(5);

/// The diagnosis when the port of `server` answers in the other scheme.
pub(crate) async fn mixup(server: &ServerUrl, timeout: Duration) -> Option<Diagnosis> {
    let other = swapped(server)?;
    let limit = timeout.min(PROBE_LIMIT);
    let builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(limit)
        .connect_timeout(limit);
    let port = server.url().port_or_known_default().unwrap_or_default();
    if server.is_https() {
        let client = builder.build().ok()?;
        client.get(other.join("/")).send().await.ok()?;
        Some(Diagnosis::new(
            DiagnosisCode::WrongScheme,
            format!(
                "{server} does not speak TLS: this port ({port}) speaks plain HTTP; use {other} as the connection's URL (only on a network you trust, since plain HTTP is not encrypted), or the port where the server offers https."
            ),
        ))
    } else {
        let seen = Arc::new(CertificateLog::default());
        let config = tls::client_config(TlsMode::Insecure, seen.clone()).ok()?;
        let client = builder.tls_backend_preconfigured(config).build().ok()?;
        let answered = client.get(other.join("/")).send().await.is_ok();
        (answered || seen.last().is_some()).then(|| {
            Diagnosis::new(
                DiagnosisCode::WrongScheme,
                format!(
                    "{server} does not answer plain HTTP: this port ({port}) speaks TLS; use {other} as the connection's URL."
                ),
            )
        })
    }
}

/// `server` with the other scheme and the same port.
fn swapped(server: &ServerUrl) -> Option<ServerUrl> {
    let mut url = server.url().clone();
    let port = url.port_or_known_default();
    let scheme = if server.is_https() { "http" } else { "https" };
    url.set_scheme(scheme).ok()?;
    url.set_port(port).ok()?;
    url.as_str().parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_other_scheme_keeps_the_port() {
        let swap = |text: &str| super::swapped(&text.parse().unwrap()).unwrap().to_string();
        assert_eq!(
            swap("https://erp.example.com"),
            "http://erp.example.com:443"
        );
        assert_eq!(swap("http://localhost:8069"), "https://localhost:8069");
        assert_eq!(swap("http://erp.example.com"), "https://erp.example.com:80");
        assert_eq!(swap("https://erp.example.com:80"), "http://erp.example.com");
    }
}
