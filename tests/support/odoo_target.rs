//! A connection under test for the Odoo integration tests: builds a
//! [`Connection`] against a test server and runs the real connection test.

use std::time::Duration;

use odoo_connections::model::{AuthKind, Connection, Protocol, SecretString, TlsMode};
use odoo_connections::odoo::{self, DiagnosisCode, TestReport};
use serde_json::json;

use super::odoo_server::{OdooServer, OdooServerBuilder, OdooVersion, User};

/// Generous: only a broken test server would come close.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A connection to test, with its secret.
pub struct Target {
    url: String,
    database: String,
    login: String,
    auth: AuthKind,
    protocol: Protocol,
    tls: TlsMode,
    secret: String,
}

impl Target {
    pub fn new(server: &OdooServer) -> Self {
        Self::at(&server.url())
    }

    pub fn at(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            database: "acme".into(),
            login: "admin".into(),
            auth: AuthKind::Password,
            protocol: Protocol::Auto,
            tls: TlsMode::System,
            secret: "pw".into(),
        }
    }

    pub fn database(mut self, database: &str) -> Self {
        self.database = database.into();
        self
    }

    pub fn login(mut self, login: &str) -> Self {
        self.login = login.into();
        self
    }

    pub fn password(mut self, password: &str) -> Self {
        self.auth = AuthKind::Password;
        self.secret = password.into();
        self
    }

    pub fn api_key(mut self, key: &str) -> Self {
        self.auth = AuthKind::ApiKey;
        self.secret = key.into();
        self
    }

    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    pub fn tls(mut self, tls: TlsMode) -> Self {
        self.tls = tls;
        self
    }

    pub fn connection(&self) -> Connection {
        serde_json::from_value(json!({
            "id": "0b6a3c4e-95f4-4a8e-9d43-1b6f0c1f7a10",
            "name": "under-test",
            "url": self.url,
            "database": self.database,
            "login": self.login,
            "auth": self.auth,
            "protocol": self.protocol,
            "tls": self.tls,
        }))
        .expect("valid connection")
    }

    pub async fn test_within(&self, timeout: Duration) -> TestReport {
        let secret = SecretString::new(self.secret.clone());
        odoo::test_connection(&self.connection(), &secret, timeout).await
    }

    pub async fn test(&self) -> TestReport {
        self.test_within(TIMEOUT).await
    }
}

/// Odoo `version` with databases acme and demo, admin (pw / key) and a
/// two-factor user.
pub fn standard(version: OdooVersion) -> OdooServerBuilder {
    OdooServer::builder()
        .version(version)
        .database("acme")
        .database("demo")
        .user(User::new("admin").password("pw").api_key("key"))
        .user(User::new("marie").password("m-pw").api_key("m-key").totp())
}

#[track_caller]
pub fn assert_code(report: &TestReport, code: DiagnosisCode) {
    assert_eq!(report.code, code, "{report:#?}");
    assert_eq!(report.ok, code == DiagnosisCode::Ok, "{report:#?}");
}
