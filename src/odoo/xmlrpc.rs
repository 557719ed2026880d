//! XML-RPC encoding and decoding (`/xmlrpc/2/<service>`), mapped to and from
//! JSON values so the test procedure is the same for every protocol.

use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use serde_json::{Map, Number, Value};

use super::fault::ServerFault;

/// `<methodCall>` for `method` with `params`.
pub(crate) fn method_call(method: &str, params: &[Value]) -> String {
    let mut xml = String::from("<?xml version=\"1.0\"?>\n<methodCall><methodName>");
    xml.push_str(&escape(method));
    xml.push_str("</methodName><params>");
    for param in params {
        xml.push_str("<param>");
        push_value(&mut xml, param);
        xml.push_str("</param>");
    }
    xml.push_str("</params></methodCall>");
    xml
}

fn push_value(xml: &mut String, value: &Value) {
    xml.push_str("<value>");
    match value {
        Value::Null => xml.push_str("<nil/>"),
        Value::Bool(flag) => xml.push_str(&format!("<boolean>{}</boolean>", u8::from(*flag))),
        Value::Number(number) if number.is_i64() => {
            xml.push_str(&format!("<int>{number}</int>"));
        }
        Value::Number(number) => xml.push_str(&format!("<double>{number}</double>")),
        Value::String(text) => {
            xml.push_str("<string>");
            xml.push_str(&escape(text.as_str()));
            xml.push_str("</string>");
        }
        Value::Array(items) => {
            xml.push_str("<array><data>");
            items.iter().for_each(|item| push_value(xml, item));
            xml.push_str("</data></array>");
        }
        Value::Object(members) => {
            xml.push_str("<struct>");
            for (name, member) in members {
                xml.push_str("<member><name>");
                xml.push_str(&escape(name.as_str()));
                xml.push_str("</name>");
                push_value(xml, member);
                xml.push_str("</member>");
            }
            xml.push_str("</struct>");
        }
    }
    xml.push_str("</value>");
}

/// An element of the answer: its name, child elements and text.
#[derive(Debug, Default)]
struct Node {
    name: String,
    children: Vec<Node>,
    text: String,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|child| child.name == name)
    }
}

/// Decodes a `<methodResponse>`: the value, or the server's fault. `Err(text)`
/// when the body is not an XML-RPC answer at all.
pub(crate) fn parse_response(body: &str) -> Result<Result<Value, ServerFault>, String> {
    let root = parse_tree(body)?;
    if root.name != "methodResponse" {
        return Err(format!("expected <methodResponse>, found <{}>", root.name));
    }
    if let Some(fault) = root.child("fault") {
        let value = fault
            .child("value")
            .map(decode_value)
            .transpose()?
            .unwrap_or_default();
        return Ok(Err(ServerFault::from_xmlrpc(
            value.get("faultCode").unwrap_or(&Value::Null),
            value
                .get("faultString")
                .and_then(Value::as_str)
                .unwrap_or_default(),
        )));
    }
    let value = root
        .child("params")
        .and_then(|params| params.child("param"))
        .and_then(|param| param.child("value"))
        .ok_or("the answer has no value")?;
    decode_value(value).map(Ok)
}

fn decode_value(value: &Node) -> Result<Value, String> {
    let Some(typed) = value.children.first() else {
        return Ok(Value::String(value.text.clone()));
    };
    let text = typed.text.trim();
    let bad = || format!("<{}> holds {text:?}", typed.name);
    Ok(match typed.name.as_str() {
        "int" | "i4" | "i8" => Value::Number(text.parse::<i64>().map_err(|_| bad())?.into()),
        "boolean" => Value::Bool(text == "1"),
        "double" => Number::from_f64(text.parse().map_err(|_| bad())?)
            .map(Value::Number)
            .ok_or_else(bad)?,
        "string" | "dateTime.iso8601" | "base64" => Value::String(typed.text.clone()),
        "nil" => Value::Null,
        "array" => Value::Array(
            typed
                .child("data")
                .map(|data| data.children.iter().map(decode_value).collect())
                .transpose()?
                .unwrap_or_default(),
        ),
        "struct" => {
            let mut members = Map::new();
            for member in &typed.children {
                let name = member
                    .child("name")
                    .map(|n| n.text.clone())
                    .unwrap_or_default();
                let value = member.child("value").map(decode_value).transpose()?;
                members.insert(name, value.unwrap_or(Value::Null));
            }
            Value::Object(members)
        }
        other => return Err(format!("unknown XML-RPC type <{other}>")),
    })
}

/// How deep elements may nest. Odoo's answers to the calls we make stay
/// under 20 levels; a limit keeps a hostile answer from exhausting the stack
/// of the recursive decoder (and of the tree's drop).
const MAX_DEPTH: usize = 128;

fn parse_tree(body: &str) -> Result<Node, String> {
    let mut reader = Reader::from_str(body);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        let event = reader.read_event().map_err(|err| err.to_string())?;
        match event {
            Event::Start(_) if stack.len() > MAX_DEPTH => {
                return Err(format!(
                    "the answer nests more than {MAX_DEPTH} levels deep"
                ));
            }
            Event::Start(start) => stack.push(Node {
                name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
                ..Node::default()
            }),
            Event::Empty(empty) => {
                let node = Node {
                    name: String::from_utf8_lossy(empty.local_name().as_ref()).into_owned(),
                    ..Node::default()
                };
                stack
                    .last_mut()
                    .ok_or("unbalanced XML")?
                    .children
                    .push(node);
            }
            Event::End(_) => {
                let node = stack.pop().ok_or("unbalanced XML")?;
                stack
                    .last_mut()
                    .ok_or("unbalanced XML")?
                    .children
                    .push(node);
            }
            Event::Text(text) => {
                let decoded = text.decode().map_err(|err| err.to_string())?;
                stack
                    .last_mut()
                    .ok_or("unbalanced XML")?
                    .text
                    .push_str(&decoded);
            }
            Event::CData(data) => {
                let decoded = data.decode().map_err(|err| err.to_string())?;
                stack
                    .last_mut()
                    .ok_or("unbalanced XML")?
                    .text
                    .push_str(&decoded);
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference
                    .resolve_char_ref()
                    .map_err(|err| err.to_string())?
                {
                    Some(character) => character.to_string(),
                    None => {
                        let name = reference.decode().map_err(|err| err.to_string())?;
                        resolve_predefined_entity(&name)
                            .ok_or_else(|| format!("unknown entity &{name};"))?
                            .to_owned()
                    }
                };
                stack
                    .last_mut()
                    .ok_or("unbalanced XML")?
                    .text
                    .push_str(&resolved);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    let document = stack
        .pop()
        .filter(|_| stack.is_empty())
        .ok_or("unbalanced XML")?;
    document
        .children
        .into_iter()
        .next()
        .ok_or_else(|| "the answer is empty".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_call_round_trips_through_the_decoder_shape() {
        let xml = method_call("authenticate", &[json!("a&b"), json!(2), json!({})]);
        assert!(xml.contains("<string>a&amp;b</string>"), "{xml}");
        assert!(xml.contains("<int>2</int>") && xml.contains("<struct></struct>"));
    }

    #[test]
    fn responses_and_faults_decode() {
        let ok = "<?xml version='1.0'?>\n<methodResponse><params><param><value><struct>\
            <member><name>server_version_info</name><value><array><data><value><string>saas~19</string></value>\
            <value><int>4</int></value></data></array></value></member>\
            <member><name>ok</name><value><boolean>0</boolean></value></member>\
            <member><name>bare</name><value>x &lt; y</value></member></struct></value></param></params></methodResponse>";
        let value = parse_response(ok).unwrap().unwrap();
        assert_eq!(
            value,
            json!({"server_version_info": ["saas~19", 4], "ok": false, "bare": "x < y"})
        );
        let fault = "<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>3</int></value></member>\
            <member><name>faultString</name><value><string>Access Denied</string></value></member></struct></value></fault></methodResponse>";
        let fault = parse_response(fault).unwrap().unwrap_err();
        assert_eq!(fault.name, "odoo.exceptions.AccessDenied");
        assert!(parse_response("<html><body>Not Found</body></html>").is_err());
    }

    #[test]
    fn a_deeply_nested_answer_is_refused_without_exhausting_the_stack() {
        let levels = 200_000;
        let body = format!(
            "<methodResponse><params><param>{}<value><int>1</int></value>{}</param></params></methodResponse>",
            "<value><array><data>".repeat(levels),
            "</data></array></value>".repeat(levels)
        );
        // A small stack, like the runtime threads the client decodes on.
        let outcome = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || parse_response(&body).map(|_| ()))
            .unwrap()
            .join()
            .expect("no stack overflow");
        let error = outcome.unwrap_err();
        assert!(error.contains("nests more than 128 levels"), "{error}");
        let shallow = format!(
            "<methodResponse><params><param>{}<value><int>1</int></value>{}</param></params></methodResponse>",
            "<value><array><data>".repeat(30),
            "</data></array></value>".repeat(30)
        );
        assert!(parse_response(&shallow).unwrap().is_ok());
    }
}
