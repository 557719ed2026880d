//! The HTTP client for one server: TLS mode, timeouts, no automatic
//! redirects, and every answer read into a [`Reply`] or a [`Diagnosis`].

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, RequestBuilder};

use crate::model::{ServerUrl, TlsMode};

use super::diagnosis::{Diagnosis, DiagnosisCode};
use super::reply::Reply;
use super::tls::{self, CertificateLog, SeenCertificate};
use super::{frontend, scheme};

/// The user agent Odoo sees in its logs.
const USER_AGENT: &str = concat!("odoo-connections/", env!("CARGO_PKG_VERSION"));

/// HTTP access to one Odoo server.
pub(crate) struct Http {
    client: reqwest::Client,
    server: ServerUrl,
    tls: TlsMode,
    timeout: Duration,
    certificates: Arc<CertificateLog>,
}

impl Http {
    /// A client for `server` that gives up on any request after `timeout`.
    pub fn new(server: &ServerUrl, tls: TlsMode, timeout: Duration) -> Result<Self, Diagnosis> {
        let certificates = Arc::new(CertificateLog::default());
        let setup_failed = |detail: String| {
            Diagnosis::new(
                DiagnosisCode::ServerError,
                format!(
                    "The secure connection could not be set up on this computer ({detail}); check the system's certificate store."
                ),
            )
        };
        let config = tls::client_config(tls, certificates.clone())
            .map_err(|err| setup_failed(err.to_string()))?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(config)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(USER_AGENT)
            .build()
            .map_err(|err| setup_failed(err.to_string()))?;
        Ok(Self {
            client,
            server: server.clone(),
            tls,
            timeout,
            certificates,
        })
    }

    /// The server this client talks to.
    pub fn server(&self) -> &ServerUrl {
        &self.server
    }

    /// The certificate of the last handshake, if any.
    pub fn certificate(&self) -> Option<SeenCertificate> {
        self.certificates.last()
    }

    /// A request to `path` on the server.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.server.join(path))
    }

    /// Sends `request` and reads the whole answer. Transport failures and
    /// answers from something in front of Odoo (redirect, proxy error page,
    /// HTTP authentication) become a [`Diagnosis`].
    pub async fn send(&self, request: RequestBuilder) -> Result<Reply, Diagnosis> {
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) => return Err(self.transport_failure(&err).await),
        };
        let status = response.status();
        let headers = response.headers().clone();
        let body = match response.text().await {
            Ok(body) => body,
            Err(err) => return Err(self.transport_failure(&err).await),
        };
        let reply = Reply {
            status,
            headers,
            body,
        };
        match frontend::diagnose_reply(&self.server, &reply) {
            Some(diagnosis) => Err(diagnosis),
            None => Ok(reply),
        }
    }

    /// The failure in words; a port that answers in the other scheme
    /// (`https://` to plain HTTP, `http://` to TLS) is named as such.
    async fn transport_failure(&self, error: &reqwest::Error) -> Diagnosis {
        let diagnosis = frontend::diagnose_transport(
            &self.server,
            self.tls,
            self.timeout,
            self.certificate(),
            error,
        );
        let broken = matches!(
            diagnosis.code,
            DiagnosisCode::ConnectionRefused | DiagnosisCode::ServerError
        );
        if broken && let Some(mixup) = scheme::mixup(&self.server, self.timeout).await {
            return mixup;
        }
        diagnosis
    }
}
