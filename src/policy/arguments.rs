//! A call's arguments as the audit log and the approval window see them:
//! the top-level keys, a SHA-256 of their canonical JSON (keys sorted at
//! every level, no spaces) that binds an approval to exactly these
//! arguments, and a short readable summary. The audit log never holds the
//! values.

use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

/// What the audit log records of a call's arguments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArgumentsDigest {
    /// The top-level argument names, sorted.
    pub keys: Vec<String>,
    /// SHA-256 (hex) of the canonical JSON of the arguments.
    pub sha256: String,
}

impl ArgumentsDigest {
    /// The digest of `arguments`.
    pub fn of(arguments: &Map<String, Value>) -> Self {
        let mut keys: Vec<String> = arguments.keys().cloned().collect();
        keys.sort_unstable();
        let digest = Sha256::digest(canonical_json(arguments).as_bytes());
        Self {
            keys,
            sha256: digest.iter().map(|byte| format!("{byte:02x}")).collect(),
        }
    }
}

/// The arguments as canonical JSON: object keys sorted at every level,
/// no whitespace, numbers and strings as serde_json writes them.
pub fn canonical_json(arguments: &Map<String, Value>) -> String {
    sorted(&Value::Object(arguments.clone())).to_string()
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut entries: Vec<(&String, &Value)> = object.iter().collect();
            entries.sort_unstable_by_key(|(key, _)| *key);
            Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key.clone(), sorted(value)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// One line per top-level argument, `name: value`, each value cut to
/// `width` characters (with `…`), for the approval window's summary.
pub fn summary(arguments: &Map<String, Value>, width: usize) -> Vec<String> {
    let mut keys: Vec<&String> = arguments.keys().collect();
    keys.sort_unstable();
    keys.into_iter()
        .map(|key| {
            let shown = match &arguments[key] {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            let mut line: String = shown.chars().take(width).collect();
            if shown.chars().count() > width {
                line.push('…');
            }
            format!("{key}: {line}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn the_digest_ignores_key_order_and_changes_with_any_value() {
        let a = ArgumentsDigest::of(&object(json!({"b": 1, "a": {"y": [1, 2], "x": "v"}})));
        let same = ArgumentsDigest::of(&object(json!({"a": {"x": "v", "y": [1, 2]}, "b": 1})));
        let other = ArgumentsDigest::of(&object(json!({"a": {"x": "w", "y": [1, 2]}, "b": 1})));
        assert_eq!(a, same);
        assert_ne!(a.sha256, other.sha256);
        assert_eq!(a.keys, ["a", "b"]);
        assert_eq!(a.sha256.len(), 64);
        assert_eq!(
            canonical_json(&object(json!({"b": 1, "a": {"y": 2, "x": "v"}}))),
            r#"{"a":{"x":"v","y":2},"b":1}"#
        );
    }

    #[test]
    fn the_summary_is_one_short_line_per_argument() {
        let lines = summary(&object(json!({"name": "abcdefgh", "id": 7})), 4);
        assert_eq!(lines, ["id: 7", "name: abcd…"]);
    }
}
