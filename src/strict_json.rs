//! Strict JSON reading for our own files: a key repeated within one object,
//! at any depth, is an error with its line and column (serde_json alone
//! keeps the last value silently, so a repeated `deny` could become an allow).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Parses `bytes` into a [`Value`]. A repeated key is a data error
/// ([`serde_json::error::Category::Data`]) whose `line()` and `column()`
/// point at the end of the repeat.
pub fn parse(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    serde_json::from_slice::<Strict>(bytes).map(|Strict(value)| value)
}

/// Like [`parse`], but anything other than an object at the top level is a
/// data error too, at the place where the value starts.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, serde_json::Error> {
    serde_json::from_slice::<StrictObject>(bytes).map(|StrictObject(object)| object)
}

struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictObject(Map<String, Value>);

impl<'de> Deserialize<'de> for StrictObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_any(ObjectOnly)? {
            Value::Object(object) => Ok(StrictObject(object)),
            _ => unreachable!("ObjectOnly accepts objects only"),
        }
    }
}

/// Builds a [`Value`] exactly as serde_json does, refusing repeated keys.
struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "the key {key:?} appears twice in the same object; keep only one"
                )));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// [`StrictVisitor`] for an object; anything else is named and refused.
struct ObjectOnly;

impl ObjectOnly {
    fn refuse<E: de::Error>(what: &str) -> E {
        E::custom(format!(
            "the file must hold a JSON object {{...}}, not {what}"
        ))
    }
}

impl<'de> Visitor<'de> for ObjectOnly {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Value, E> {
        Err(Self::refuse("true or false"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Value, E> {
        Err(Self::refuse("a number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Value, E> {
        Err(Self::refuse("a number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Value, E> {
        Err(Self::refuse("a number"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Value, E> {
        Err(Self::refuse("a string"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Err(Self::refuse("null"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Value, A::Error> {
        Err(Self::refuse("a list [...]"))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        StrictVisitor.visit_map(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(error: &serde_json::Error) -> (usize, usize) {
        (error.line(), error.column())
    }

    #[test]
    fn a_repeated_key_at_any_depth_is_named_with_its_place() {
        let cases: &[(&str, (usize, usize), &str)] = &[
            ("{\"a\": 1, \"a\": 2}", (1, 12), "\"a\""),
            (
                "{\"tools\": {\n  \"x\": {\"deny\": true},\n  \"x\": {}\n}}",
                (3, 5),
                "\"x\"",
            ),
            (
                "[{\"k\": [{\"deep\": 1,\n \"deep\": 2}]}]",
                (2, 7),
                "\"deep\"",
            ),
        ];
        for (text, expected, key) in cases {
            let error = parse(text.as_bytes()).unwrap_err();
            assert_eq!(place(&error), *expected, "{text}: {error}");
            assert_eq!(error.classify(), serde_json::error::Category::Data);
            assert!(
                error
                    .to_string()
                    .contains(&format!("the key {key} appears twice")),
                "{error}"
            );
        }
    }

    #[test]
    fn the_same_key_in_different_objects_is_fine_and_values_match_serde_json() {
        let text =
            br#"{"a": {"x": 1}, "b": {"x": [1.5, -0, 18446744073709551615, 1e300, null, "s"]},
            "c": 11111111111000000000000000000000000000000001267219384, "d": 0.1e-300, "e": -7}"#;
        let strict = parse(text).unwrap();
        let plain: Value = serde_json::from_slice(text).unwrap();
        assert_eq!(strict, plain);
        assert_eq!(strict.to_string(), plain.to_string());
    }

    #[test]
    fn only_an_object_is_an_object() {
        for (text, named) in [
            ("[1, 2]", "a list"),
            ("\n  \"policy\"", "a string"),
            ("3", "a number"),
            ("null", "null"),
            ("true", "true or false"),
        ] {
            let error = parse_object(text.as_bytes()).unwrap_err();
            assert!(error.to_string().contains(named), "{text}: {error}");
            assert_eq!(error.classify(), serde_json::error::Category::Data);
        }
        assert_eq!(place(&parse_object(b"  [1, 2]").unwrap_err()), (1, 3));
        assert!(parse_object(b"{\"a\": {}, \"a\": 1}").is_err());
        assert_eq!(
            parse_object(b"{\"a\": []}").unwrap()["a"],
            Value::Array(Vec::new())
        );
    }
}
