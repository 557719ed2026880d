//! The connection's secret taken out of everything the child sends on: a
//! message is scrubbed as parsed JSON (every string and every key), so no
//! JSON escape (`\u0073…`) hides the secret from the [`Redactor`], which
//! also finds it URL-, XML-, Python-escaped and in base64 inside a string.

use serde_json::{Map, Value};

use crate::redact::Redactor;

/// Scrubs every string and object key of `value` in place.
pub fn scrub_value(scrub: &Redactor, value: &mut Value) {
    match value {
        Value::String(text) => scrub.scrub_in_place(text),
        Value::Array(items) => items.iter_mut().for_each(|item| scrub_value(scrub, item)),
        Value::Object(object) => {
            let entries = std::mem::take(object);
            *object = entries
                .into_iter()
                .map(|(key, mut item)| {
                    scrub_value(scrub, &mut item);
                    (scrub.scrub(&key), item)
                })
                .collect::<Map<String, Value>>();
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SecretString;
    use crate::redact::SECRET_REMOVED;
    use serde_json::json;

    #[test]
    fn the_secret_leaves_strings_and_keys_however_the_json_spelled_it() {
        let scrub = Redactor::new(&SecretString::new("k3y!".to_owned()));
        let line = r#"{"a": ["x k3y! y", {"\u006b3y!": "\u006b\u0033y\u0021"}], "n": 1}"#;
        let mut value: Value = serde_json::from_str(line).unwrap();
        scrub_value(&scrub, &mut value);
        assert_eq!(
            value,
            json!({"a": [format!("x {SECRET_REMOVED} y"), {SECRET_REMOVED: SECRET_REMOVED}], "n": 1})
        );
    }
}
