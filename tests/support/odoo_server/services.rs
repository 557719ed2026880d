//! The RPC services `common`, `db` and `object` as Odoo 15–19 implement
//! them, shared by `/xmlrpc/2/<service>` and `/jsonrpc`.

use serde_json::{Value, json};

use super::config::{Config, User};
use super::orm::{self, Params};
use super::wire::Exception;

/// `service.method(*args)`, over `protocol` (`xmlrpc` or `jsonrpc`).
pub fn dispatch(
    config: &Config,
    protocol: &'static str,
    service: &str,
    method: &str,
    args: &[Value],
) -> Result<Value, Exception> {
    let text = |index: usize| args.get(index).and_then(Value::as_str).unwrap_or_default();
    match (service, method) {
        ("common", "version") => Ok(config.version_dict()),
        ("common", "authenticate" | "login") => {
            let expected = if method == "login" { 3 } else { 4 };
            if args.len() < expected {
                return Err(Exception {
                    name: "builtins.TypeError",
                    message: format!("exp_{method}() missing 1 required positional argument"),
                });
            }
            open_registry(config, text(0))?;
            Ok(authenticate(config, text(1), text(2)).map_or(Value::Bool(false), Value::from))
        }
        ("db", "list") if !config.list_db => Err(Exception::access_denied()),
        ("db", "list") if config.postgres_down => Err(Exception::postgres_unreachable()),
        ("db", "list") => {
            let mut names: Vec<&str> = config.databases.iter().map(|db| db.name.as_str()).collect();
            names.sort_unstable();
            Ok(json!(names))
        }
        ("db", "db_exist") => Ok(Value::Bool(config.database(text(0)).is_some())),
        ("db", "server_version") => Ok(Value::String(config.version_text())),
        ("object", "execute_kw") => execute_kw(config, protocol, args),
        _ => Err(Exception {
            name: "builtins.Exception",
            message: format!("Method not found: {method}"),
        }),
    }
}

/// `Registry(db)`: fails for a missing database or one without Odoo.
pub fn open_registry(config: &Config, db: &str) -> Result<(), Exception> {
    match config.database(db) {
        _ if config.postgres_down => Err(Exception::postgres_unreachable()),
        None => Err(Exception::missing_database(db)),
        Some(database) if !database.initialized => Err(Exception::uninitialized_database()),
        Some(_) => Ok(()),
    }
}

/// `res.users.authenticate` in a non-interactive context: the uid, or None.
pub fn authenticate(config: &Config, login: &str, secret: &str) -> Option<i64> {
    let user = config.user(login)?;
    hash_password(config, user);
    user.accepts_rpc(secret)
        .then(|| config.uid_of(login))
        .flatten()
}

/// `execute_kw(db, uid, secret, model, method, args, kwargs)`: the user's
/// context and API keys, else the ORM methods of `orm.rs`.
fn execute_kw(config: &Config, protocol: &'static str, args: &[Value]) -> Result<Value, Exception> {
    let db = args.first().and_then(Value::as_str).unwrap_or_default();
    open_registry(config, db)?;
    let uid = args.get(1).and_then(Value::as_i64);
    let secret = args.get(2).and_then(Value::as_str).unwrap_or_default();
    let login = config
        .users
        .iter()
        .find(|user| config.uid_of(&user.login) == uid)
        .map(|user| user.login.clone())
        .unwrap_or_default();
    if authenticate(config, &login, secret).is_none() {
        return Err(Exception::access_denied());
    }
    let model = args.get(3).and_then(Value::as_str).unwrap_or_default();
    let method = args.get(4).and_then(Value::as_str).unwrap_or_default();
    match (model, method) {
        ("res.users", "context_get") => {
            Ok(json!({"lang": "en_US", "tz": "Europe/Brussels", "uid": uid}))
        }
        ("res.users.apikeys", "search_read") => Ok(own_api_keys(config, uid.unwrap_or_default())),
        _ => {
            let positional = args
                .get(5)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let named = args
                .get(6)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let params = Params {
                protocol,
                positional: &positional,
                named: &named,
            };
            orm::call(
                &mut config.records.lock().expect("records"),
                model,
                method,
                &params,
            )
        }
    }
}

/// `res.users.apikeys.search_read([("user_id", "=", uid)], ["name",
/// "expiration_date"])`: the user's keys, `false` for no expiry.
pub fn own_api_keys(config: &Config, uid: i64) -> Value {
    let user = config
        .users
        .iter()
        .find(|user| config.uid_of(&user.login) == Some(uid));
    let keys: Vec<Value> = user
        .into_iter()
        .flat_map(|user| user.api_keys.iter())
        .enumerate()
        .map(|(index, key)| {
            json!({
                "id": index + 1,
                "name": format!("key {}", index + 1),
                "expiration_date": key.expires.clone().map_or(Value::Bool(false), Value::from),
            })
        })
        .collect();
    json!(keys)
}

/// The slow password hash Odoo checks first on every RPC login (before
/// trying API keys) and on every web login.
pub fn hash_password(config: &Config, user: &User) {
    if user.password.is_some() {
        std::thread::sleep(config.password_delay);
    }
}
