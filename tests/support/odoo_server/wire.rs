//! Odoo's wire formats as the server writes them: XML-RPC calls and
//! responses, JSON-RPC envelopes, and the HTML pages of werkzeug and nginx.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Response, StatusCode};
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use serde_json::{Map, Value, json};

/// An HTTP answer with a body.
pub type Reply = Response<Full<Bytes>>;

/// A Python exception raised by a service, as Odoo would report it.
#[derive(Debug, Clone)]
pub struct Exception {
    /// `module.Class`, e.g. `odoo.exceptions.AccessDenied`.
    pub name: &'static str,
    pub message: String,
}

impl Exception {
    /// `ValueError(message)`, e.g. an invalid field or domain.
    pub fn value_error(message: String) -> Self {
        Self {
            name: "builtins.ValueError",
            message,
        }
    }

    pub fn access_denied() -> Self {
        Self {
            name: "odoo.exceptions.AccessDenied",
            message: "Access Denied".into(),
        }
    }

    pub fn missing_database(db: &str) -> Self {
        Self {
            name: "psycopg2.OperationalError",
            message: format!(
                "connection to server on socket \"/var/run/postgresql/.s.PGSQL.5432\" failed: FATAL:  database \"{db}\" does not exist\n"
            ),
        }
    }

    pub fn postgres_unreachable() -> Self {
        Self {
            name: "psycopg2.OperationalError",
            message: "connection to server at \"db\" (10.0.0.5), port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n".into(),
        }
    }

    pub fn uninitialized_database() -> Self {
        Self {
            name: "builtins.KeyError",
            message: "'res.users'".into(),
        }
    }

    /// The traceback text of fault 1.
    fn traceback(&self) -> String {
        let class = self.name.trim_start_matches("builtins.");
        format!(
            "Traceback (most recent call last):\n  File \"/opt/odoo/odoo/service/model.py\", line 59, in dispatch\n    return fn(*params)\n{class}: {}\n",
            self.message.trim_end()
        )
    }
}

pub fn reply(status: StatusCode, content_type: &str, body: String) -> Reply {
    Response::builder()
        .status(status)
        .header("Content-Type", content_type)
        .body(Full::new(Bytes::from(body)))
        .expect("valid response")
}

/// A werkzeug HTML error page (404, 405, 400).
pub fn werkzeug_page(status: StatusCode) -> Reply {
    let reason = status.canonical_reason().unwrap_or("Error");
    let body = format!(
        "<!doctype html>\n<html lang=en>\n<title>{code} {reason}</title>\n<h1>{reason}</h1>\n<p>The requested URL was not found on the server.</p>\n",
        code = status.as_u16()
    );
    reply(status, "text/html; charset=utf-8", body)
}

/// An nginx HTML page.
pub fn nginx_page(status: StatusCode) -> Response<Full<Bytes>> {
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    let body = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n"
    );
    reply(status, "text/html", body)
}

/// The method name and parameters of a `<methodCall>`.
pub fn parse_method_call(body: &str) -> Option<(String, Vec<Value>)> {
    let mut reader = Reader::from_str(body);
    reader.config_mut().trim_text(true);
    let mut method = None;
    let mut params = Vec::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(tag) if tag.local_name().as_ref() == b"methodName" => {
                method = Some(read_text(&mut reader)?);
            }
            Event::Start(tag) if tag.local_name().as_ref() == b"value" => {
                params.push(read_value(&mut reader)?);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Some((method?, params))
}

/// Text up to the closing tag of the element just opened.
fn read_text(reader: &mut Reader<&[u8]>) -> Option<String> {
    let mut text = String::new();
    loop {
        match reader.read_event().ok()? {
            Event::Text(part) => text.push_str(&part.decode().ok()?),
            Event::GeneralRef(entity) => {
                let name = entity.decode().ok()?;
                text.push_str(quick_xml::escape::resolve_predefined_entity(&name)?);
            }
            Event::End(_) => return Some(text),
            _ => return None,
        }
    }
}

/// The value after an opening `<value>`, consuming its `</value>`.
fn read_value(reader: &mut Reader<&[u8]>) -> Option<Value> {
    let value = match reader.read_event().ok()? {
        Event::End(_) => return Some(Value::String(String::new())),
        Event::Text(text) => {
            let value = Value::String(text.decode().ok()?.into_owned());
            reader.read_event().ok()?;
            return Some(value);
        }
        Event::Empty(tag) if tag.local_name().as_ref() == b"nil" => Value::Null,
        Event::Empty(tag) if tag.local_name().as_ref() == b"struct" => Value::Object(Map::new()),
        Event::Empty(_) => Value::String(String::new()),
        Event::Start(tag) => match tag.local_name().as_ref() {
            b"int" | b"i4" | b"i8" => json!(read_text(reader)?.trim().parse::<i64>().ok()?),
            b"boolean" => Value::Bool(read_text(reader)?.trim() == "1"),
            b"string" => Value::String(read_text(reader)?),
            b"array" => read_array(reader)?,
            b"struct" => read_struct(reader)?,
            _ => return None,
        },
        _ => return None,
    };
    match reader.read_event().ok()? {
        Event::End(tag) if tag.local_name().as_ref() == b"value" => Some(value),
        _ => None,
    }
}

fn read_array(reader: &mut Reader<&[u8]>) -> Option<Value> {
    let mut items = Vec::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(tag) if tag.local_name().as_ref() == b"value" => {
                items.push(read_value(reader)?)
            }
            Event::End(tag) if tag.local_name().as_ref() == b"array" => {
                return Some(Value::Array(items));
            }
            Event::Start(_) | Event::End(_) | Event::Empty(_) => {}
            _ => return None,
        }
    }
}

fn read_struct(reader: &mut Reader<&[u8]>) -> Option<Value> {
    let mut members = Map::new();
    let mut name = String::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(tag) if tag.local_name().as_ref() == b"name" => name = read_text(reader)?,
            Event::Start(tag) if tag.local_name().as_ref() == b"value" => {
                members.insert(std::mem::take(&mut name), read_value(reader)?);
            }
            Event::End(tag) if tag.local_name().as_ref() == b"struct" => {
                return Some(Value::Object(members));
            }
            Event::Start(_) | Event::End(_) => {}
            _ => return None,
        }
    }
}

fn xml_value(value: &Value) -> String {
    let inner = match value {
        Value::Null => "<nil/>".to_owned(),
        Value::Bool(flag) => format!("<boolean>{}</boolean>", u8::from(*flag)),
        Value::Number(number) if number.is_i64() => format!("<int>{number}</int>"),
        Value::Number(number) => format!("<double>{number}</double>"),
        Value::String(text) => format!(
            "<string>{}</string>",
            quick_xml::escape::escape(text.as_str())
        ),
        Value::Array(items) => {
            let items: String = items.iter().map(xml_value).collect();
            format!("<array><data>\n{items}</data></array>")
        }
        Value::Object(members) => {
            let members: String = members
                .iter()
                .map(|(name, member)| {
                    format!(
                        "<member>\n<name>{name}</name>\n{}</member>\n",
                        xml_value(member)
                    )
                })
                .collect();
            format!("<struct>\n{members}</struct>")
        }
    };
    format!("<value>{inner}</value>\n")
}

/// A `<methodResponse>`; version 15 writes the declaration with single quotes.
pub fn xmlrpc_result(single_quotes: bool, value: &Value) -> Reply {
    let declaration = if single_quotes {
        "<?xml version='1.0'?>"
    } else {
        "<?xml version=\"1.0\"?>"
    };
    let body = format!(
        "{declaration}\n<methodResponse>\n<params>\n<param>\n{}</param>\n</params>\n</methodResponse>\n",
        xml_value(value)
    );
    reply(StatusCode::OK, "text/xml; charset=utf-8", body)
}

/// A fault, mapped like Odoo's `xmlrpc_handle_exception_int` (HTTP 200).
pub fn xmlrpc_fault(exception: &Exception) -> Reply {
    let (code, text) = match exception.name {
        "odoo.exceptions.AccessDenied" => (3, exception.message.clone()),
        "odoo.exceptions.AccessError" => (4, exception.message.clone()),
        "odoo.exceptions.UserError"
        | "odoo.exceptions.MissingError"
        | "odoo.exceptions.ValidationError" => (2, exception.message.clone()),
        _ => (1, exception.traceback()),
    };
    let fault = json!({"faultCode": code, "faultString": text});
    let body = format!(
        "<?xml version=\"1.0\"?>\n<methodResponse>\n<fault>\n{}</fault>\n</methodResponse>\n",
        xml_value(&fault)
    );
    reply(StatusCode::OK, "text/xml; charset=utf-8", body)
}

/// A JSON-RPC success envelope (`result` omitted when None, like Odoo).
pub fn jsonrpc_result(id: &Value, result: &Value) -> Reply {
    let mut envelope = json!({"jsonrpc": "2.0", "id": id});
    if !result.is_null() {
        envelope["result"] = result.clone();
    }
    reply(
        StatusCode::OK,
        "application/json; charset=utf-8",
        envelope.to_string(),
    )
}

/// A JSON-RPC error envelope (HTTP 200) with `serialize_exception` data.
pub fn jsonrpc_error(id: &Value, code: i64, exception: &Exception) -> Reply {
    let envelope = json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {
            "code": code,
            "message": "Odoo Server Error",
            "data": {
                "name": exception.name,
                "debug": exception.traceback(),
                "message": exception.message,
                "arguments": [exception.message],
                "context": {},
            },
        },
    });
    reply(
        StatusCode::OK,
        "application/json; charset=utf-8",
        envelope.to_string(),
    )
}

/// A JSON-2 error body (`serialize_exception`) with its status.
pub fn json2_error(status: StatusCode, name: &str, message: &str) -> Reply {
    let body = json!({
        "name": name,
        "message": message,
        "arguments": [message, status.as_u16()],
        "context": {},
        "debug": format!("Traceback (most recent call last):\n{name}: {message}\n"),
    });
    reply(status, "application/json; charset=utf-8", body.to_string())
}
