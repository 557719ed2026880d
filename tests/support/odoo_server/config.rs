//! What a test server is: Odoo version, databases, users, server options
//! (`list_db`, `dbfilter`) and the front end in front of it.

/// The Odoo release the server imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum OdooVersion {
    V15,
    V16,
    V17,
    V18,
    V19,
}

impl OdooVersion {
    /// Every supported release.
    pub const ALL: [OdooVersion; 5] = [
        OdooVersion::V15,
        OdooVersion::V16,
        OdooVersion::V17,
        OdooVersion::V18,
        OdooVersion::V19,
    ];

    /// The major number.
    pub fn major(self) -> i64 {
        match self {
            OdooVersion::V15 => 15,
            OdooVersion::V16 => 16,
            OdooVersion::V17 => 17,
            OdooVersion::V18 => 18,
            OdooVersion::V19 => 19,
        }
    }

    /// `error.code` of JSON-RPC errors: 200 up to 18, 0 from saas-18 on.
    pub fn jsonrpc_error_code(self) -> i64 {
        if self >= OdooVersion::V19 { 0 } else { 200 }
    }

    /// JSON-2 and `GET /web/version` exist from 19.
    pub fn has_json2(self) -> bool {
        self >= OdooVersion::V19
    }

    /// `/web/session/authenticate` checks dbfilter from 16.
    pub fn web_login_checks_dbfilter(self) -> bool {
        self >= OdooVersion::V16
    }
}

/// A user, valid in every initialised database.
#[derive(Debug, Clone)]
pub struct User {
    pub(super) login: String,
    pub(super) password: Option<String>,
    pub(super) api_keys: Vec<ApiKey>,
    pub(super) totp: bool,
    pub(super) active: bool,
}

impl User {
    /// An active user without password or key.
    pub fn new(login: &str) -> Self {
        Self {
            login: login.to_owned(),
            password: None,
            api_keys: Vec::new(),
            totp: false,
            active: true,
        }
    }

    /// Sets the password.
    pub fn password(mut self, password: &str) -> Self {
        self.password = Some(password.to_owned());
        self
    }

    /// Adds an API key (scope rpc, not expired).
    pub fn api_key(mut self, key: &str) -> Self {
        self.api_keys.push(ApiKey {
            secret: key.to_owned(),
            expires: None,
        });
        self
    }

    /// Adds an API key that expires at `expires` (Odoo's UTC
    /// `YYYY-MM-DD HH:MM:SS`; refused after it, as from Odoo 18).
    pub fn api_key_expiring(mut self, key: &str, expires: &str) -> Self {
        self.api_keys.push(ApiKey {
            secret: key.to_owned(),
            expires: Some(expires.to_owned()),
        });
        self
    }

    /// True when `secret` is one of the user's unexpired API keys.
    pub(super) fn has_api_key(&self, secret: &str) -> bool {
        let now = odoo_now();
        self.api_keys.iter().any(|key| {
            key.secret == secret && key.expires.as_ref().is_none_or(|expires| *expires > now)
        })
    }

    /// Turns on two-factor login (passwords refused over RPC).
    pub fn totp(mut self) -> Self {
        self.totp = true;
        self
    }

    /// Archives the user.
    pub fn inactive(mut self) -> Self {
        self.active = false;
        self
    }

    /// Non-interactive (RPC) check: API keys always, passwords unless 2FA.
    pub(super) fn accepts_rpc(&self, secret: &str) -> bool {
        let password_ok = !self.totp && self.password.as_deref() == Some(secret);
        self.active && !secret.is_empty() && (password_ok || self.has_api_key(secret))
    }

    /// Interactive (web login) check: the password only.
    pub(super) fn accepts_web(&self, password: &str) -> bool {
        self.active && !password.is_empty() && self.password.as_deref() == Some(password)
    }
}

/// An API key of a user.
#[derive(Debug, Clone)]
pub(super) struct ApiKey {
    pub secret: String,
    /// `expiration_date`, Odoo's UTC `YYYY-MM-DD HH:MM:SS`.
    pub expires: Option<String>,
}

/// Now as Odoo writes datetimes (UTC `YYYY-MM-DD HH:MM:SS`).
fn odoo_now() -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .expect("formattable time")
}

/// What answers in front of Odoo (or instead of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frontend {
    /// Odoo itself answers.
    Odoo,
    /// nginx `return 301 https://$host$request_uri`.
    RedirectToHttps,
    /// nginx with Odoo down: HTML 502 Bad Gateway.
    NginxBadGateway,
    /// An ordinary website: HTML pages, 404 for Odoo's paths.
    NotOdoo,
    /// Accepts connections and never answers.
    NeverAnswers,
    /// HTTP basic authentication in front of Odoo.
    BasicAuth,
    /// A proxy that lets only `/xmlrpc/` through (HTML 404 elsewhere).
    XmlrpcOnly,
    /// Odoo fails every request with werkzeug's HTML 500 page.
    InternalServerError,
}

/// A database on the server.
#[derive(Debug, Clone)]
pub(super) struct Database {
    pub name: String,
    /// False for a PostgreSQL database without Odoo in it.
    pub initialized: bool,
}

/// The whole server configuration.
#[derive(Debug, Clone)]
pub(super) struct Config {
    pub version: OdooVersion,
    pub enterprise: bool,
    /// Odoo Online build `saas~<major>.<minor>` (always enterprise).
    pub saas_minor: Option<u8>,
    pub databases: Vec<Database>,
    pub users: Vec<User>,
    pub list_db: bool,
    pub dbfilter: Option<String>,
    pub frontend: Frontend,
    /// PostgreSQL is unreachable: registries fail, the web list is empty.
    pub postgres_down: bool,
    /// Logins fail with a fault that tells too much (see `echo.rs`).
    pub login_fault: Option<super::echo::LoginFault>,
    /// A nightly build's date stamp, e.g. `20251227` in `19.0+e-20251227`.
    pub build_stamp: Option<String>,
    /// How long checking a password takes (Odoo hashes slowly: 0.4–1.3 s
    /// on a real server; API keys are checked fast).
    pub password_delay: std::time::Duration,
    /// The database content (the same in every database), shared by
    /// every request and the test.
    pub records: std::sync::Arc<std::sync::Mutex<super::records::Records>>,
}

impl Config {
    pub fn database(&self, name: &str) -> Option<&Database> {
        self.databases.iter().find(|db| db.name == name)
    }

    /// uid 2 for the first user, as Odoo numbers its admin.
    pub fn uid_of(&self, login: &str) -> Option<i64> {
        let index = self.users.iter().position(|user| user.login == login)?;
        Some(i64::try_from(index).unwrap_or_default() + 2)
    }

    pub fn user(&self, login: &str) -> Option<&User> {
        self.users.iter().find(|user| user.login == login)
    }

    /// `server_serie`, e.g. `17.0` or `saas~19.4`.
    fn serie(&self) -> String {
        let major = self.version.major();
        match self.saas_minor {
            Some(minor) => format!("saas~{major}.{minor}"),
            None => format!("{major}.0"),
        }
    }

    /// `server_version`, e.g. `17.0`, `17.0+e`, `saas~19.4+e` or the
    /// nightly `19.0+e-20251227`.
    pub fn version_text(&self) -> String {
        let suffix = if self.enterprise { "+e" } else { "" };
        let stamp = self
            .build_stamp
            .as_ref()
            .map(|stamp| format!("-{stamp}"))
            .unwrap_or_default();
        format!("{}{suffix}{stamp}", self.serie())
    }

    /// Odoo's `version()` dict; SaaS builds start the info with `"saas~19"`.
    pub fn version_dict(&self) -> serde_json::Value {
        let suffix = if self.enterprise { "e" } else { "" };
        let major = self.version.major();
        let (first, minor) = match self.saas_minor {
            Some(minor) => (serde_json::json!(format!("saas~{major}")), i64::from(minor)),
            None => (serde_json::json!(major), 0),
        };
        serde_json::json!({
            "server_version": self.version_text(),
            "server_version_info": [first, minor, 0, "final", 0, suffix],
            "server_serie": self.serie(),
            "protocol_version": 1,
        })
    }

    /// `http.db_filter`: the names dbfilter lets through for `host`.
    pub fn visible_databases(&self, host: &str) -> Vec<String> {
        let names = self.databases.iter().map(|db| db.name.clone());
        match &self.dbfilter {
            None => names.collect(),
            Some(filter) => {
                let host = host.rsplit_once(':').map_or(host, |(name, _)| name);
                let host = host.trim_start_matches("www.");
                let first_label = host.split('.').next().unwrap_or_default();
                let pattern = filter.replace("%h", host).replace("%d", first_label);
                names.filter(|name| regex_match(&pattern, name)).collect()
            }
        }
    }
}

/// Python's `re.match` for the subset dbfilters use: `^`, `$`, `.`, `.*`,
/// `\x` escapes and literal characters.
fn regex_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.trim_start_matches('^').chars().collect();
    let text: Vec<char> = text.chars().collect();
    matches_here(&pattern, &text)
}

fn matches_here(pattern: &[char], text: &[char]) -> bool {
    match pattern {
        [] => true,
        ['$'] => text.is_empty(),
        ['.', '*', rest @ ..] => (0..=text.len()).any(|skip| matches_here(rest, &text[skip..])),
        ['\\', literal, rest @ ..] => {
            text.first() == Some(literal) && matches_here(rest, &text[1..])
        }
        ['.', rest @ ..] => !text.is_empty() && matches_here(rest, &text[1..]),
        [literal, rest @ ..] => text.first() == Some(literal) && matches_here(rest, &text[1..]),
    }
}
