//! The JSON-2 identity check of Odoo 19+: `POST /json/2/res.users/context_get`
//! with a bearer API key and `X-Odoo-Database`, then whose key it is.

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::model::{Connection, SecretString};

use super::databases;
use super::diagnosis::Diagnosis;
use super::http::Http;
use super::messages;
use super::rpc::Rpc;

/// The uid the API key belongs to, once its owner's login matches the
/// connection's (JSON-2 authenticates by the key alone).
pub(crate) async fn authenticate(
    http: &Http,
    connection: &Connection,
    key: &SecretString,
) -> Result<i64, Diagnosis> {
    let json2 = Json2 {
        http,
        connection,
        key,
    };
    let context = json2
        .call("res.users/context_get", json!({}), "checking the API key")
        .await?;
    let uid = context["uid"].as_i64().ok_or_else(|| {
        messages::server_error(connection, "checking the API key", "no uid in the answer")
    })?;
    let owner = json2
        .call(
            "res.users/read",
            json!({"ids": [uid], "fields": ["login"]}),
            "reading whose API key this is",
        )
        .await?;
    let Some(owner_login) = owner[0]["login"].as_str() else {
        return Err(messages::server_error(
            connection,
            "reading whose API key this is",
            "no login in the answer",
        ));
    };
    if owner_login != connection.login.as_str() {
        return Err(messages::login_mismatch(connection, owner_login));
    }
    Ok(uid)
}

/// `POST /json/2/<route>` with named arguments `body`, as the key's user.
pub(crate) async fn call(
    http: &Http,
    connection: &Connection,
    key: &SecretString,
    route: &str,
    body: Value,
) -> Result<Value, Diagnosis> {
    let json2 = Json2 {
        http,
        connection,
        key,
    };
    json2.call(route, body, "calling JSON-2").await
}

/// JSON-2 calls of one connection.
struct Json2<'a> {
    http: &'a Http,
    connection: &'a Connection,
    key: &'a SecretString,
}

impl Json2<'_> {
    /// `POST /json/2/<model>/<method>` with named arguments `body`.
    async fn call(&self, route: &str, body: Value, during: &str) -> Result<Value, Diagnosis> {
        let (http, connection) = (self.http, self.connection);
        let request = http
            .request(Method::POST, &format!("/json/2/{route}"))
            .header(AUTHORIZATION, format!("bearer {}", self.key.expose()))
            .header("X-Odoo-Database", connection.database.as_str())
            .header(CONTENT_TYPE, "application/json; charset=utf-8")
            .body(body.to_string());
        let reply = http.send(request).await?;
        let answer: Option<Value> = serde_json::from_str(&reply.body).ok();
        match (reply.status, answer) {
            (StatusCode::OK, Some(answer)) => Ok(answer),
            (StatusCode::UNAUTHORIZED, _) => Err(messages::api_key_invalid(connection)),
            (StatusCode::NOT_FOUND, None) => Err(self.database_unresolved().await),
            (status, answer) => {
                let detail = answer
                    .as_ref()
                    .and_then(|body| body["message"].as_str())
                    .map_or_else(
                        || format!("HTTP {}", status.as_u16()),
                        |message| format!("HTTP {}: {message}", status.as_u16()),
                    );
                Err(messages::server_error(connection, during, &detail))
            }
        }
    }

    /// JSON-2 cannot open the database: JSON-RPC (which ignores dbfilter)
    /// tells a missing database from one the server's dbfilter hides.
    async fn database_unresolved(&self) -> Diagnosis {
        let database = json!(self.connection.database.as_str());
        let exists = Rpc::Json
            .call(self.http, "db", "db_exist", &[database])
            .await;
        match exists {
            Ok(Value::Bool(true)) => messages::database_hidden(self.connection),
            Ok(Value::Bool(false)) => {
                messages::database_not_found(self.connection, &databases::hint(self.http).await)
            }
            _ => {
                messages::database_not_resolved(self.connection, &databases::hint(self.http).await)
            }
        }
    }
}
