//! Odoo's HTTP routes (and the front ends that answer instead of it):
//! `/xmlrpc/2/*`, `/jsonrpc`, the `/web/*` JSON routes, and on 19
//! `GET /web/version` and `POST /json/2/<model>/<method>`.

use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST, LOCATION, WWW_AUTHENTICATE};
use hyper::{HeaderMap, Method, StatusCode};
use serde_json::{Value, json};

use super::config::{Config, Frontend};
use super::orm::{self, Params};
use super::services::{self, open_registry};
use super::wire::{self, Exception, Reply};

/// A request as the routes see it.
pub struct Request {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Request {
    fn host(&self) -> &str {
        self.headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default()
    }
}

/// Answers `request` as the configured front end and Odoo would.
pub fn answer(config: &Config, request: &Request) -> Reply {
    if let Some(reply) =
        (config.login_fault.as_ref()).and_then(|fault| super::echo::answer(fault, config, request))
    {
        return reply;
    }
    match config.frontend {
        Frontend::Odoo => odoo(config, request),
        Frontend::XmlrpcOnly if request.path.starts_with("/xmlrpc/") => odoo(config, request),
        Frontend::XmlrpcOnly => wire::nginx_page(StatusCode::NOT_FOUND),
        Frontend::RedirectToHttps => {
            let mut reply = wire::nginx_page(StatusCode::MOVED_PERMANENTLY);
            let target = format!("https://{}{}", request.host(), request.path);
            reply.headers_mut().insert(LOCATION, target.parse().expect("valid header"));
            reply
        }
        Frontend::NginxBadGateway => wire::nginx_page(StatusCode::BAD_GATEWAY),
        Frontend::NotOdoo if request.path == "/" => wire::reply(
            StatusCode::OK,
            "text/html; charset=utf-8",
            "<!DOCTYPE html><html><head><title>Acme Bakery</title></head><body><h1>Fresh bread daily</h1></body></html>".into(),
        ),
        Frontend::NotOdoo => wire::nginx_page(StatusCode::NOT_FOUND),
        Frontend::BasicAuth => {
            let mut reply = wire::nginx_page(StatusCode::UNAUTHORIZED);
            let challenge = "Basic realm=\"Restricted\"".parse().expect("valid header");
            reply.headers_mut().insert(WWW_AUTHENTICATE, challenge);
            reply
        }
        Frontend::InternalServerError => wire::werkzeug_page(StatusCode::INTERNAL_SERVER_ERROR),
        Frontend::NeverAnswers => unreachable!("never-answering servers do not read requests"),
    }
}

fn odoo(config: &Config, request: &Request) -> Reply {
    let path = request.path.as_str();
    let is_post = request.method == Method::POST;
    match path {
        "/xmlrpc/2/common" | "/xmlrpc/2/db" | "/xmlrpc/2/object" if is_post => {
            let service = path.rsplit('/').next().unwrap_or_default();
            xmlrpc(config, service, &request.body)
        }
        "/xmlrpc/2/common" | "/xmlrpc/2/db" | "/xmlrpc/2/object" => {
            wire::werkzeug_page(StatusCode::METHOD_NOT_ALLOWED)
        }
        "/jsonrpc"
        | "/web/webclient/version_info"
        | "/web/database/list"
        | "/web/session/authenticate" => json_route(config, request),
        "/web/version" if config.version.has_json2() && request.method == Method::GET => {
            wire::reply(
                StatusCode::OK,
                "application/json; charset=utf-8",
                json!({
                    "version_info": config.version_dict()["server_version_info"],
                    "version": config.version_text(),
                })
                .to_string(),
            )
        }
        _ if path.starts_with("/json/2/") && config.version.has_json2() => json2(config, request),
        _ => wire::werkzeug_page(StatusCode::NOT_FOUND),
    }
}

fn xmlrpc(config: &Config, service: &str, body: &str) -> Reply {
    let Some((method, params)) = wire::parse_method_call(body) else {
        return wire::xmlrpc_fault(&Exception {
            name: "xml.parsers.expat.ExpatError",
            message: "syntax error: line 1, column 0".into(),
        });
    };
    let single_quotes = config.version.major() == 15;
    match services::dispatch(config, "xmlrpc", service, &method, &params) {
        Ok(value) => wire::xmlrpc_result(single_quotes, &value),
        Err(exception) => wire::xmlrpc_fault(&exception),
    }
}

/// A `type='json'` route: content type, envelope, then the route itself.
fn json_route(config: &Config, request: &Request) -> Reply {
    if request.method != Method::POST {
        return wire::werkzeug_page(StatusCode::METHOD_NOT_ALLOWED);
    }
    let content_type = request
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("application/json") {
        return wire::werkzeug_page(StatusCode::BAD_REQUEST);
    }
    let Ok(envelope) = serde_json::from_str::<Value>(&request.body) else {
        return wire::reply(
            StatusCode::BAD_REQUEST,
            "text/plain",
            "Invalid JSON data".into(),
        );
    };
    let id = envelope.get("id").cloned().unwrap_or(Value::Null);
    let params = envelope.get("params").cloned().unwrap_or_else(|| json!({}));
    let text = |key: &str| {
        params
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let outcome = match request.path.as_str() {
        "/jsonrpc" => {
            let args = params
                .get("args")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            services::dispatch(config, "jsonrpc", &text("service"), &text("method"), &args)
        }
        "/web/webclient/version_info" => Ok(config.version_dict()),
        "/web/database/list" if !config.list_db => Err(Exception::access_denied()),
        "/web/database/list" if config.postgres_down => Ok(json!([])),
        "/web/database/list" => Ok(json!(config.visible_databases(request.host()))),
        _ => web_login(
            config,
            request.host(),
            &text("db"),
            &text("login"),
            &text("password"),
        ),
    };
    let mut reply = match outcome {
        Ok(result) => wire::jsonrpc_result(&id, &result),
        Err(exception) => wire::jsonrpc_error(&id, config.version.jsonrpc_error_code(), &exception),
    };
    if request.path == "/web/session/authenticate" && reply.status() == StatusCode::OK {
        let cookie = "session_id=3f1c0ffee; Max-Age=604800; HttpOnly; Path=/"
            .parse()
            .expect("valid header");
        reply
            .headers_mut()
            .insert(hyper::header::SET_COOKIE, cookie);
    }
    reply
}

/// `/web/session/authenticate`: interactive, so API keys never work and a
/// two-factor user gets `{"uid": null}`.
fn web_login(
    config: &Config,
    host: &str,
    db: &str,
    login: &str,
    password: &str,
) -> Result<Value, Exception> {
    if config.version.web_login_checks_dbfilter()
        && !config.visible_databases(host).iter().any(|name| name == db)
    {
        return Err(Exception {
            name: "odoo.exceptions.AccessError",
            message: "Database not found.".into(),
        });
    }
    open_registry(config, db)?;
    if let Some(user) = config.user(login) {
        services::hash_password(config, user);
    }
    let user = config.user(login).filter(|user| user.accepts_web(password));
    let (Some(user), Some(uid)) = (user, config.uid_of(login)) else {
        return Err(Exception::access_denied());
    };
    if user.totp {
        return Ok(json!({"uid": null}));
    }
    let mut info = config.version_dict();
    info["uid"] = json!(uid);
    info["db"] = json!(db);
    info["username"] = json!(login);
    info["user_context"] = json!({"lang": "en_US", "tz": "Europe/Brussels", "uid": uid});
    Ok(info)
}

/// JSON-2 (19): database from `X-Odoo-Database` or monodb, else an HTML
/// 404; then the bearer key; then the method.
fn json2(config: &Config, request: &Request) -> Reply {
    if request.method != Method::POST {
        return wire::json2_error(
            StatusCode::NOT_FOUND,
            "werkzeug.exceptions.NotFound",
            "Did you mean POST /json/2/<model>/<method>?",
        );
    }
    let visible = config.visible_databases(request.host());
    let header = request
        .headers
        .get("x-odoo-database")
        .and_then(|v| v.to_str().ok());
    let database = match header {
        Some(name) => visible
            .iter()
            .find(|visible| visible.as_str() == name)
            .cloned(),
        None if visible.len() == 1 => visible.first().cloned(),
        None => None,
    };
    let usable = database
        .as_deref()
        .is_some_and(|db| open_registry(config, db).is_ok());
    if !usable {
        return wire::werkzeug_page(StatusCode::NOT_FOUND);
    }
    let token = request
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.split_once(char::is_whitespace)?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        });
    let Some(token) = token else {
        return wire::json2_error(
            StatusCode::UNAUTHORIZED,
            "werkzeug.exceptions.Unauthorized",
            "User not authenticated, use an API Key with a Bearer Authorization header.",
        );
    };
    let owner = config
        .users
        .iter()
        .find(|user| user.active && user.has_api_key(&token));
    let Some(uid) = owner.and_then(|user| config.uid_of(&user.login)) else {
        let mut reply = wire::json2_error(
            StatusCode::UNAUTHORIZED,
            "werkzeug.exceptions.Unauthorized",
            "Invalid apikey",
        );
        reply
            .headers_mut()
            .insert(WWW_AUTHENTICATE, "Bearer".parse().expect("valid header"));
        return reply;
    };
    let Ok(body) = serde_json::from_str::<Value>(&request.body) else {
        return wire::json2_error(
            StatusCode::BAD_REQUEST,
            "werkzeug.exceptions.BadRequest",
            "could not parse the body as json",
        );
    };
    let ok = |result: Value| {
        wire::reply(
            StatusCode::OK,
            "application/json; charset=utf-8",
            result.to_string(),
        )
    };
    match request.path.trim_start_matches("/json/2/") {
        "res.users/context_get" => {
            ok(json!({"lang": "en_US", "tz": "Europe/Brussels", "uid": uid}))
        }
        "res.users.apikeys/search_read" => ok(services::own_api_keys(config, uid)),
        path => {
            let (model, method) = path.split_once('/').unwrap_or((path, ""));
            let named = body.as_object().cloned().unwrap_or_default();
            let params = Params {
                protocol: "json2",
                positional: &[],
                named: &named,
            };
            let mut records = config.records.lock().expect("records");
            match orm::call(&mut records, model, method, &params) {
                // A recordset comes back as its ids, even for one record.
                Ok(id) if method == "create" && id.is_number() => ok(json!([id])),
                Ok(result) => ok(result),
                Err(exception) => json2_exception(model, &exception),
            }
        }
    }
}

/// `Json2Dispatcher.handle_error`: the status of the exception's class.
fn json2_exception(model: &str, exception: &Exception) -> Reply {
    let (status, name, message) = match exception.name {
        "builtins.KeyError" => (
            StatusCode::NOT_FOUND,
            "werkzeug.exceptions.NotFound",
            format!("the model '{model}' does not exist"),
        ),
        "builtins.AttributeError" => (
            StatusCode::NOT_FOUND,
            "werkzeug.exceptions.NotFound",
            exception.message.clone(),
        ),
        "odoo.exceptions.MissingError" => (
            StatusCode::NOT_FOUND,
            exception.name,
            exception.message.clone(),
        ),
        "odoo.exceptions.UserError" | "odoo.exceptions.ValidationError" => (
            StatusCode::UNPROCESSABLE_ENTITY,
            exception.name,
            exception.message.clone(),
        ),
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            exception.name,
            exception.message.clone(),
        ),
    };
    wire::json2_error(status, name, &message)
}
