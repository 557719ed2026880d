//! The JSON-2 identity check of Odoo 19+: `POST /json/2/res.users/context_get`
//! with a bearer API key and `X-Odoo-Database`.

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::model::{Connection, SecretString};

use super::databases;
use super::diagnosis::Diagnosis;
use super::http::Http;
use super::messages;

/// The uid the API key belongs to.
pub(crate) async fn authenticate(
    http: &Http,
    connection: &Connection,
    key: &SecretString,
) -> Result<i64, Diagnosis> {
    let request = http
        .request(Method::POST, "/json/2/res.users/context_get")
        .header(AUTHORIZATION, format!("bearer {}", key.expose()))
        .header("X-Odoo-Database", connection.database.as_str())
        .header(CONTENT_TYPE, "application/json; charset=utf-8")
        .body("{}");
    let reply = http.send(request).await?;
    let answer: Option<Value> = serde_json::from_str(&reply.body).ok();
    match (reply.status, &answer) {
        (StatusCode::OK, Some(context)) => context["uid"].as_i64().ok_or_else(|| {
            messages::server_error(connection, "checking the API key", "no uid in the answer")
        }),
        (StatusCode::UNAUTHORIZED, _) => Err(messages::api_key_invalid(connection)),
        (StatusCode::NOT_FOUND, None) => Err(messages::database_not_resolved(
            connection,
            &databases::hint(http).await,
        )),
        (status, answer) => {
            let detail = answer
                .as_ref()
                .and_then(|body| body["message"].as_str())
                .map_or_else(
                    || format!("HTTP {}", status.as_u16()),
                    |message| format!("HTTP {}: {message}", status.as_u16()),
                );
            Err(messages::server_error(
                connection,
                "checking the API key",
                &detail,
            ))
        }
    }
}
