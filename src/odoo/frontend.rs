//! Diagnoses of what happens before Odoo itself answers: name resolution,
//! connecting, TLS, time-outs, and answers from a proxy or web server in
//! front of Odoo (redirects, 502/503/504 pages, HTTP authentication).

use std::error::Error as _;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{LOCATION, WWW_AUTHENTICATE};

use crate::model::{ServerUrl, TlsMode};

use super::diagnosis::{Diagnosis, DiagnosisCode};
use super::reply::Reply;
use super::tls::SeenCertificate;

/// The answer came from in front of Odoo, or `None` when Odoo may have sent it.
pub(crate) fn diagnose_reply(server: &ServerUrl, reply: &Reply) -> Option<Diagnosis> {
    let status = reply.status;
    if status.is_redirection() {
        let target = reply
            .headers
            .get(LOCATION)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("another address");
        let target = server
            .url()
            .join(target)
            .map_or_else(|_| target.to_owned(), |url| url.to_string());
        let site = target_site(&target);
        return Some(Diagnosis::new(
            DiagnosisCode::Redirect,
            format!(
                "The server at {server} redirects to {target} (HTTP {}). Change the connection's URL to {site}.",
                status.as_u16()
            ),
        ));
    }
    if matches!(
        status,
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
    ) && !is_json(reply)
    {
        return Some(Diagnosis::new(
            DiagnosisCode::ProxyError,
            format!(
                "The web server in front of Odoo at {server} answered HTTP {}: Odoo behind it is down, restarting or overloaded. Try again in a minute; if it persists, ask the server's administrator to check the Odoo service.",
                status_text(status)
            ),
        ));
    }
    let basic_auth = reply
        .headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| {
            let scheme = value.trim_start().to_ascii_lowercase();
            scheme.starts_with("basic") || scheme.starts_with("digest")
        });
    if status == StatusCode::UNAUTHORIZED && basic_auth {
        return Some(Diagnosis::new(
            DiagnosisCode::HttpAuthRequired,
            format!(
                "The web server at {server} asks for an HTTP user name and password before Odoo (HTTP 401). This app cannot pass that gate: ask the administrator to let API paths through, or use another address."
            ),
        ));
    }
    None
}

/// The site root of a redirect target, as the URL to save instead.
fn target_site(target: &str) -> String {
    match url::Url::parse(target) {
        Ok(url) => url.origin().ascii_serialization(),
        Err(_) => target.to_owned(),
    }
}

fn is_json(reply: &Reply) -> bool {
    reply.body.trim_start().starts_with('{')
}

fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

/// A request that failed before a complete answer arrived.
pub(crate) fn diagnose_transport(
    server: &ServerUrl,
    tls: TlsMode,
    limit: Duration,
    certificate: Option<SeenCertificate>,
    error: &reqwest::Error,
) -> Diagnosis {
    if let Some(seen) = certificate
        && let Some(rejection) = &seen.rejection
    {
        return certificate_refused(server, tls, &seen, rejection);
    }
    let chain = error_chain(error);
    let lowered = chain.to_lowercase();
    if error.is_timeout() || io_kind(error) == Some(std::io::ErrorKind::TimedOut) {
        return timed_out(server, limit);
    }
    if lowered.contains("dns error")
        || lowered.contains("failed to lookup address")
        || lowered.contains("name or service not known")
        || lowered.contains("no address associated")
    {
        return Diagnosis::new(
            DiagnosisCode::DnsFailed,
            format!(
                "The name {} could not be found (DNS). Check the spelling of the URL, and that this computer is online (and on the VPN, for an internal server).",
                server.host()
            ),
        );
    }
    if io_kind(error) == Some(std::io::ErrorKind::ConnectionRefused)
        || lowered.contains("connection refused")
    {
        let port = server.url().port_or_known_default().unwrap_or_default();
        return Diagnosis::new(
            DiagnosisCode::ConnectionRefused,
            format!(
                "Nothing accepts connections at {server} (port {port} refused the connection). Check the port in the URL, and that Odoo or its web server is running."
            ),
        );
    }
    if error.is_connect() {
        return Diagnosis::new(
            DiagnosisCode::ConnectionRefused,
            format!(
                "Could not connect to {server} ({chain}). Check the host, port and scheme (http/https) in the URL, and that this computer can reach the server (VPN, firewall)."
            ),
        );
    }
    Diagnosis::new(
        DiagnosisCode::ServerError,
        format!(
            "The connection to {server} broke off: {chain}. Try again; if it persists, the server or the network in between is misbehaving."
        ),
    )
}

/// The certificate was refused: a pin mismatch, or not trusted, with
/// what is wrong with it and its facts.
fn certificate_refused(
    server: &ServerUrl,
    tls: TlsMode,
    seen: &SeenCertificate,
    rejection: &str,
) -> Diagnosis {
    let fingerprint = seen.fingerprint;
    let facts = seen
        .details
        .as_ref()
        .map(|details| format!(" Certificate: {}.", details.summary()))
        .unwrap_or_default();
    let diagnosis = match tls {
        TlsMode::Pinned { sha256 } => Diagnosis::new(
            DiagnosisCode::TlsFingerprintMismatch,
            format!(
                "The certificate of {server} has SHA-256 fingerprint {fingerprint}, not the pinned {sha256}.{facts} If the server's certificate was renewed, confirm the new fingerprint with its administrator and pin it again (--pin-sha256 {fingerprint}, or \"Trust this certificate\" in the window). Otherwise do not connect: someone may be intercepting the connection."
            ),
        ),
        _ => {
            let problems = seen
                .details
                .as_ref()
                .map(|details| details.problems(server.host(), time::OffsetDateTime::now_utc()))
                .unwrap_or_default();
            let reason = if problems.is_empty() {
                rejection.to_owned()
            } else {
                problems.join(", and ")
            };
            Diagnosis::new(
                DiagnosisCode::TlsUntrusted,
                format!(
                    "The certificate of {server} is not trusted by this computer: {reason}.{facts} If the server uses a self-signed or private certificate, confirm its SHA-256 fingerprint {fingerprint} with the administrator and pin it: --pin-sha256 {fingerprint}, or \"Trust this certificate\" in the window."
                ),
            )
        }
    };
    diagnosis.with_certificate(fingerprint, seen.details.clone())
}

/// No answer within `limit`.
pub(crate) fn timed_out(server: &ServerUrl, limit: Duration) -> Diagnosis {
    let within = limit.as_secs_f64();
    Diagnosis::new(
        DiagnosisCode::Timeout,
        format!(
            "No answer from {server} within {within} s. The server may be down or overloaded, or a firewall silently drops the traffic; check the URL and port, or allow a longer timeout."
        ),
    )
}

fn io_kind(error: &reqwest::Error) -> Option<std::io::ErrorKind> {
    let mut source = error.source();
    while let Some(current) = source {
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = current.source();
    }
    None
}

fn error_chain(error: &reqwest::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(current) = source {
        let text = current.to_string();
        if !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        source = current.source();
    }
    parts.join(": ")
}
