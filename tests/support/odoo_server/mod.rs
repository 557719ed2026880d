//! A protocol-faithful Odoo test server on 127.0.0.1 (random port), plain
//! HTTP or TLS with a self-signed certificate, answering like Odoo 15–19
//! (XML-RPC faults, JSON-RPC error envelopes, JSON-2 statuses, dbfilter,
//! list_db, two-factor users, API keys) or like a faulty front end.
//!
//! ```ignore
//! let server = OdooServer::builder()
//!     .version(OdooVersion::V17)
//!     .database("acme")
//!     .user(User::new("admin").password("pw").api_key("key").totp())
//!     .list_db(false)
//!     .tls()
//!     .start()
//!     .await;
//! let url = server.url();
//! ```

mod config;
mod domain;
mod echo;
mod orm;
mod records;
mod routes;
mod services;
mod wire;

pub use config::{Frontend, OdooVersion, User};
pub use echo::LoginFault;

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use odoo_connections::model::Fingerprint;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

use config::{Config, Database};
use records::Records;

/// Builds a test server.
#[derive(Debug, Clone)]
pub struct OdooServerBuilder {
    config: Config,
    tls: Option<TlsCertificate>,
    also_plain: bool,
}

/// The self-signed certificate a TLS server presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsCertificate {
    /// For 127.0.0.1 and localhost, valid now.
    SelfSigned,
    /// For 127.0.0.1 and localhost, expired on 2024-01-31.
    Expired,
    /// Valid now, but for erp.example.com only.
    OtherHost,
}

impl OdooServerBuilder {
    /// The Odoo release to imitate (default 17).
    pub fn version(mut self, version: OdooVersion) -> Self {
        self.config.version = version;
        self
    }

    /// Reports an enterprise build (`17.0+e`).
    pub fn enterprise(mut self) -> Self {
        self.config.enterprise = true;
        self
    }

    /// Reports an Odoo Online build, e.g. `saas~19.4+e` for version 19 and minor 4.
    pub fn saas(mut self, minor: u8) -> Self {
        self.config.saas_minor = Some(minor);
        self.config.enterprise = true;
        self
    }

    /// Reports a nightly build, e.g. `19.0+e-20251227` for stamp `20251227`.
    pub fn build_stamp(mut self, stamp: &str) -> Self {
        self.config.build_stamp = Some(stamp.to_owned());
        self
    }

    /// How long each password check takes (default none; a real Odoo takes
    /// 0.4–1.3 s).
    pub fn password_delay(mut self, delay: std::time::Duration) -> Self {
        self.config.password_delay = delay;
        self
    }

    /// Adds a database with Odoo installed.
    pub fn database(mut self, name: &str) -> Self {
        self.config.databases.push(Database {
            name: name.to_owned(),
            initialized: true,
        });
        self
    }

    /// Adds a PostgreSQL database without Odoo in it.
    pub fn uninitialized_database(mut self, name: &str) -> Self {
        self.config.databases.push(Database {
            name: name.to_owned(),
            initialized: false,
        });
        self
    }

    /// Adds a user (uid 2 for the first, 3 for the next…).
    pub fn user(mut self, user: User) -> Self {
        self.config.users.push(user);
        self
    }

    /// Odoo's `list_db` option (default true).
    pub fn list_db(mut self, enabled: bool) -> Self {
        self.config.list_db = enabled;
        self
    }

    /// Odoo's `dbfilter` option (`^`, `$`, `.`, `.*`, `%h`, `%d`).
    pub fn dbfilter(mut self, filter: &str) -> Self {
        self.config.dbfilter = Some(filter.to_owned());
        self
    }

    /// What answers in front of (or instead of) Odoo.
    pub fn frontend(mut self, frontend: Frontend) -> Self {
        self.config.frontend = frontend;
        self
    }

    /// PostgreSQL is down behind a running Odoo.
    pub fn postgres_down(mut self) -> Self {
        self.config.postgres_down = true;
        self
    }

    /// Logins fail with `fault`, which may repeat the request (see `echo.rs`).
    pub fn login_fault(mut self, fault: LoginFault) -> Self {
        self.config.login_fault = Some(fault);
        self
    }

    /// Serves HTTPS with a fresh self-signed certificate for 127.0.0.1/localhost.
    pub fn tls(self) -> Self {
        self.tls_certificate(TlsCertificate::SelfSigned)
    }

    /// Serves HTTPS with a fresh certificate of that kind.
    pub fn tls_certificate(mut self, kind: TlsCertificate) -> Self {
        self.tls = Some(kind);
        self
    }

    /// Serves TLS and, side by side on a second port, plain HTTP (see
    /// [`OdooServer::plain_url`]), like a front end with both.
    pub fn tls_and_plain(mut self) -> Self {
        self.tls = Some(TlsCertificate::SelfSigned);
        self.also_plain = true;
        self
    }

    /// Binds 127.0.0.1:0 and starts serving, with the seeded records.
    pub async fn start(mut self) -> OdooServer {
        self.config.records = Arc::new(Mutex::new(Records::seeded(&self.config.users)));
        let records = self.config.records.clone();
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let port = listener.local_addr().expect("local address").port();
        let (acceptor, certificate) = match self.tls {
            Some(kind) => {
                let (acceptor, fingerprint) = tls_acceptor(kind);
                (Some(acceptor), Some(fingerprint))
            }
            None => (None, None),
        };
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        let config = Arc::new(self.config);
        let mut tasks = vec![tokio::spawn(serve(listener, acceptor, config.clone()))];
        let mut plain_url = None;
        if self.also_plain {
            let plain = TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind loopback");
            let plain_port = plain.local_addr().expect("local address").port();
            plain_url = Some(format!("http://127.0.0.1:{plain_port}"));
            tasks.push(tokio::spawn(serve(plain, None, config)));
        }
        OdooServer {
            url: format!("{scheme}://127.0.0.1:{port}"),
            plain_url,
            certificate,
            records,
            tasks,
        }
    }
}

/// A running test server; it stops when dropped.
#[derive(Debug)]
pub struct OdooServer {
    url: String,
    plain_url: Option<String>,
    certificate: Option<Fingerprint>,
    records: Arc<Mutex<Records>>,
    tasks: Vec<JoinHandle<()>>,
}

impl OdooServer {
    /// A builder with Odoo 17, no database, no user, `list_db` on.
    pub fn builder() -> OdooServerBuilder {
        OdooServerBuilder {
            config: Config {
                version: OdooVersion::V17,
                enterprise: false,
                saas_minor: None,
                databases: Vec::new(),
                users: Vec::new(),
                list_db: true,
                dbfilter: None,
                frontend: Frontend::Odoo,
                postgres_down: false,
                login_fault: None,
                build_stamp: None,
                password_delay: std::time::Duration::ZERO,
                records: Arc::new(Mutex::new(Records::seeded(&[]))),
            },
            tls: None,
            also_plain: false,
        }
    }

    /// `http://127.0.0.1:PORT` or `https://…`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// `http://127.0.0.1:PORT` of the plain port ([`OdooServerBuilder::tls_and_plain`] only).
    pub fn plain_url(&self) -> String {
        self.plain_url
            .clone()
            .expect("plain_url is only known for .tls_and_plain() servers")
    }

    /// `PROTOCOL model.method` (`xmlrpc`, `jsonrpc` or `json2`) of every
    /// ORM call the server received, in order.
    pub fn calls(&self) -> Vec<String> {
        self.records.lock().expect("records").calls.clone()
    }

    /// The [`calls`](Self::calls) to `create` and `write`.
    pub fn writes(&self) -> Vec<String> {
        let writes = [".create", ".write"];
        self.calls()
            .into_iter()
            .filter(|call| writes.iter().any(|method| call.ends_with(method)))
            .collect()
    }

    /// The `name` of every `res.partner` record, archived ones too.
    pub fn partner_names(&self) -> Vec<String> {
        let records = self.records.lock().expect("records");
        let partners = records.model("res.partner").expect("res.partner");
        partners
            .rows
            .iter()
            .filter_map(|row| row["name"].as_str().map(str::to_owned))
            .collect()
    }

    /// The SHA-256 fingerprint of the TLS certificate (TLS servers only).
    pub fn certificate_sha256(&self) -> Fingerprint {
        self.certificate
            .expect("certificate_sha256 is only known for .tls() servers")
    }
}

/// A tokio runtime that keeps serving test servers while the test thread
/// waits for a process or steps the window's frames.
pub fn server_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

/// An Odoo 17 server with database `acme` and user `admin` (password `pw`,
/// API key `k3y`), served by `runtime`.
pub fn serve_acme(runtime: &tokio::runtime::Runtime) -> OdooServer {
    runtime.block_on(
        OdooServer::builder()
            .database("acme")
            .user(User::new("admin").password("pw").api_key("k3y"))
            .start(),
    )
}

/// A server whose front end takes each request and never answers, served
/// by `runtime`.
pub fn serve_unanswering(runtime: &tokio::runtime::Runtime) -> OdooServer {
    runtime.block_on(
        OdooServer::builder()
            .frontend(Frontend::NeverAnswers)
            .start(),
    )
}

impl Drop for OdooServer {
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

fn tls_acceptor(kind: TlsCertificate) -> (TlsAcceptor, Fingerprint) {
    let names = match kind {
        TlsCertificate::OtherHost => vec!["erp.example.com".to_owned()],
        _ => vec!["127.0.0.1".to_owned(), "localhost".to_owned()],
    };
    let mut params = rcgen::CertificateParams::new(names).expect("certificate names");
    if kind == TlsCertificate::Expired {
        params.not_before = rcgen::date_time_ymd(2023, 1, 1);
        params.not_after = rcgen::date_time_ymd(2024, 1, 31);
    }
    let signing_key = rcgen::KeyPair::generate().expect("key pair");
    let generated = params
        .self_signed(&signing_key)
        .expect("self-signed certificate");
    let certificate = generated.der().clone();
    let fingerprint = Fingerprint::of_der(certificate.as_ref());
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![certificate], key)
        .expect("server certificate");
    (TlsAcceptor::from(Arc::new(config)), fingerprint)
}

async fn serve(listener: TcpListener, acceptor: Option<TlsAcceptor>, config: Arc<Config>) {
    let mut silent = Vec::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        if config.frontend == Frontend::NeverAnswers {
            silent.push(stream);
            continue;
        }
        let config = config.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            match acceptor {
                Some(acceptor) => {
                    if let Ok(tls) = acceptor.accept(stream).await {
                        serve_connection(tls, config).await;
                    }
                }
                None => serve_connection(stream, config).await,
            }
        });
    }
}

async fn serve_connection<S>(stream: S, config: Arc<Config>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request: hyper::Request<Incoming>| {
        let config = config.clone();
        async move {
            let (parts, body) = request.into_parts();
            let body = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let request = routes::Request {
                method: parts.method,
                path: parts.uri.path().to_owned(),
                headers: parts.headers,
                body: String::from_utf8_lossy(&body).into_owned(),
            };
            Ok::<_, Infallible>(routes::answer(&config, &request))
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}
