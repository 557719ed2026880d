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
mod echo;
mod routes;
mod services;
mod wire;

pub use config::{Frontend, OdooVersion, User};
pub use echo::LoginFault;

use std::convert::Infallible;
use std::sync::Arc;

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

/// Builds a test server.
#[derive(Debug, Clone)]
pub struct OdooServerBuilder {
    config: Config,
    tls: bool,
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
    pub fn tls(mut self) -> Self {
        self.tls = true;
        self
    }

    /// Binds 127.0.0.1:0 and starts serving.
    pub async fn start(self) -> OdooServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let port = listener.local_addr().expect("local address").port();
        let (acceptor, certificate) = if self.tls {
            let (acceptor, fingerprint) = tls_acceptor();
            (Some(acceptor), Some(fingerprint))
        } else {
            (None, None)
        };
        let scheme = if self.tls { "https" } else { "http" };
        let config = Arc::new(self.config);
        let task = tokio::spawn(serve(listener, acceptor, config));
        OdooServer {
            url: format!("{scheme}://127.0.0.1:{port}"),
            certificate,
            task,
        }
    }
}

/// A running test server; it stops when dropped.
#[derive(Debug)]
pub struct OdooServer {
    url: String,
    certificate: Option<Fingerprint>,
    task: JoinHandle<()>,
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
            },
            tls: false,
        }
    }

    /// `http://127.0.0.1:PORT` or `https://…`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The SHA-256 fingerprint of the TLS certificate (TLS servers only).
    pub fn certificate_sha256(&self) -> Fingerprint {
        self.certificate
            .expect("certificate_sha256 is only known for .tls() servers")
    }
}

impl Drop for OdooServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn tls_acceptor() -> (TlsAcceptor, Fingerprint) {
    let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    let generated = rcgen::generate_simple_self_signed(names).expect("self-signed certificate");
    let certificate = generated.cert.der().clone();
    let fingerprint = Fingerprint::of_der(certificate.as_ref());
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(generated.signing_key.serialize_der().into());
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
