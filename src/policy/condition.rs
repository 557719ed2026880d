//! Conditions on a call's arguments for `deny_if` and `require`
//! (Intercept-like): `{"path": "args.method", "op": "eq", "value": "unlink"}`,
//! checked strictly when the policy is parsed and evaluated on each call.

use std::fmt;

use serde::{Deserialize, Deserializer, de::Error as _};
use serde_json::{Map, Value};

/// One condition: the value at `path` compared by `op`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The path after `args.`, split at dots (a number indexes an array).
    path: Vec<String>,
    /// As written, for messages (`args.method`).
    written: String,
    test: Test,
}

/// What is checked at the path.
#[derive(Debug, Clone, PartialEq)]
enum Test {
    Eq(Value),
    Neq(Value),
    In(Vec<Value>),
    NotIn(Vec<Value>),
    Compare(Order, f64),
    Contains(Value),
    Matches(Pattern),
    Exists(bool),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Order {
    Gt,
    Gte,
    Lt,
    Lte,
}

/// A compiled regular expression, compared by its source.
#[derive(Debug, Clone)]
struct Pattern(regex::Regex);

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Written {
    path: String,
    op: String,
    value: Option<Value>,
}

const OPS: &str = "eq, neq, in, not_in, gt, gte, lt, lte, contains, matches, exists";

impl Condition {
    /// True when the condition holds for `arguments`. Every operator but
    /// `exists` is false when the path is missing or of the wrong type.
    pub fn holds(&self, arguments: Option<&Map<String, Value>>) -> bool {
        let found = arguments.and_then(|arguments| lookup(arguments, &self.path));
        let Some(found) = found else {
            return self.test == Test::Exists(false);
        };
        match &self.test {
            Test::Eq(value) => same(found, value),
            Test::Neq(value) => !same(found, value),
            Test::In(values) => values.iter().any(|value| same(found, value)),
            Test::NotIn(values) => !values.iter().any(|value| same(found, value)),
            Test::Compare(order, bound) => number(found).is_some_and(|number| match order {
                Order::Gt => number > *bound,
                Order::Gte => number >= *bound,
                Order::Lt => number < *bound,
                Order::Lte => number <= *bound,
            }),
            Test::Contains(value) => match (found, value) {
                (Value::String(text), Value::String(part)) => text.contains(part.as_str()),
                (Value::Array(items), value) => items.iter().any(|item| same(item, value)),
                _ => false,
            },
            Test::Matches(pattern) => found.as_str().is_some_and(|text| pattern.0.is_match(text)),
            Test::Exists(wanted) => *wanted,
        }
    }

    fn parse(written: Written) -> Result<Self, String> {
        let path = parse_path(&written.path)?;
        let op = written.op.as_str();
        let needs_value = || {
            written.value.clone().ok_or_else(|| {
                format!("the operator {op:?} needs a \"value\" to compare args with")
            })
        };
        let number = |value: Value| {
            value.as_f64().ok_or_else(|| {
                format!(
                    "the operator {op:?} compares numbers, so its \"value\" must be a number, not {value}; write e.g. \"value\": 100"
                )
            })
        };
        let list = |value: Value| match value {
            Value::Array(values) => Ok(values),
            other => Err(format!(
                "the operator {op:?} needs a list as its \"value\", not {other}; write e.g. \"value\": [\"unlink\", \"write\"]"
            )),
        };
        let test = match op {
            "eq" => Test::Eq(needs_value()?),
            "neq" => Test::Neq(needs_value()?),
            "in" => Test::In(list(needs_value()?)?),
            "not_in" => Test::NotIn(list(needs_value()?)?),
            "gt" => Test::Compare(Order::Gt, number(needs_value()?)?),
            "gte" => Test::Compare(Order::Gte, number(needs_value()?)?),
            "lt" => Test::Compare(Order::Lt, number(needs_value()?)?),
            "lte" => Test::Compare(Order::Lte, number(needs_value()?)?),
            "contains" => Test::Contains(needs_value()?),
            "matches" => Test::Matches(compile(needs_value()?)?),
            "exists" => match &written.value {
                None => Test::Exists(true),
                Some(Value::Bool(wanted)) => Test::Exists(*wanted),
                Some(other) => {
                    return Err(format!(
                        "the operator \"exists\" takes no \"value\", or true or false, not {other}"
                    ));
                }
            },
            other => {
                return Err(format!("unknown operator {other:?}; write one of {OPS}"));
            }
        };
        Ok(Self {
            path,
            written: written.path,
            test,
        })
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (op, value) = match &self.test {
            Test::Eq(value) => ("eq", value.to_string()),
            Test::Neq(value) => ("neq", value.to_string()),
            Test::In(values) => ("in", Value::Array(values.clone()).to_string()),
            Test::NotIn(values) => ("not_in", Value::Array(values.clone()).to_string()),
            Test::Compare(order, bound) => (
                match order {
                    Order::Gt => "gt",
                    Order::Gte => "gte",
                    Order::Lt => "lt",
                    Order::Lte => "lte",
                },
                bound.to_string(),
            ),
            Test::Contains(value) => ("contains", value.to_string()),
            Test::Matches(pattern) => ("matches", Value::from(pattern.0.as_str()).to_string()),
            Test::Exists(true) => return write!(f, "{} exists", self.written),
            Test::Exists(false) => return write!(f, "{} does not exist", self.written),
        };
        write!(f, "{} {op} {value}", self.written)
    }
}

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Condition::parse(Written::deserialize(deserializer)?).map_err(D::Error::custom)
    }
}

fn parse_path(text: &str) -> Result<Vec<String>, String> {
    let hint = "write the path as args.NAME, with dots into nested objects (e.g. args.method, args.values.state, args.ids.0)";
    let Some(rest) = text.strip_prefix("args.") else {
        return Err(format!(
            "the path {text:?} does not start with \"args.\"; {hint}"
        ));
    };
    let parts: Vec<String> = rest.split('.').map(str::to_owned).collect();
    if parts.iter().any(String::is_empty) {
        return Err(format!("the path {text:?} has an empty part; {hint}"));
    }
    Ok(parts)
}

fn compile(value: Value) -> Result<Pattern, String> {
    let Value::String(source) = value else {
        return Err(format!(
            "the operator \"matches\" needs a regular expression as a string, not {value}"
        ));
    };
    regex::Regex::new(&source).map(Pattern).map_err(|error| {
        format!("the regular expression {source:?} is invalid ({error}); fix it, or use \"eq\" or \"contains\" for plain text")
    })
}

/// The value at `path` under the arguments: object keys, or array indices.
fn lookup<'a>(arguments: &'a Map<String, Value>, path: &[String]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut found = arguments.get(first)?;
    for part in rest {
        found = match found {
            Value::Object(object) => object.get(part)?,
            Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(found)
}

/// The number a value stands for: a JSON number, or a string that is one
/// (`"20000"`, `" 2e4 "`, `"20_000"`), since MCP servers convert such
/// strings to numbers (Python's pydantic does, in its default lax mode):
/// a `deny_if … gt 10000` must not be passed by quoting the amount.
fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().replace('_', "").parse::<f64>().ok(),
        _ => None,
    }
}

/// JSON equality, where numbers compare by value (`1` equals `1.0`), and a
/// number equals a string that stands for it (see [`number`]).
fn same(a: &Value, b: &Value) -> bool {
    match (number(a), number(b)) {
        (Some(x), Some(y)) if a.is_number() || b.is_number() => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn condition(written: Value) -> Result<Condition, String> {
        serde_json::from_value::<Condition>(written).map_err(|error| error.to_string())
    }

    fn holds(written: Value, arguments: Value) -> bool {
        condition(written).unwrap().holds(arguments.as_object())
    }

    #[test]
    fn each_operator_compares_the_value_at_the_path() {
        let args =
            json!({"method": "unlink", "ids": [3, 7], "values": {"state": "done", "total": 120.5}});
        let cases = [
            (
                json!({"path": "args.method", "op": "eq", "value": "unlink"}),
                true,
            ),
            (
                json!({"path": "args.method", "op": "neq", "value": "unlink"}),
                false,
            ),
            (
                json!({"path": "args.method", "op": "in", "value": ["write", "unlink"]}),
                true,
            ),
            (
                json!({"path": "args.method", "op": "not_in", "value": ["read"]}),
                true,
            ),
            (
                json!({"path": "args.values.total", "op": "gt", "value": 100}),
                true,
            ),
            (
                json!({"path": "args.values.total", "op": "gte", "value": 120.5}),
                true,
            ),
            (
                json!({"path": "args.values.total", "op": "lt", "value": 100}),
                false,
            ),
            (
                json!({"path": "args.values.total", "op": "lte", "value": 120.5}),
                true,
            ),
            (
                json!({"path": "args.ids", "op": "contains", "value": 7}),
                true,
            ),
            (
                json!({"path": "args.method", "op": "contains", "value": "lin"}),
                true,
            ),
            (
                json!({"path": "args.method", "op": "matches", "value": "^un"}),
                true,
            ),
            (json!({"path": "args.values.state", "op": "exists"}), true),
            (
                json!({"path": "args.ids.1", "op": "eq", "value": 7.0}),
                true,
            ),
            (json!({"path": "args.reason", "op": "exists"}), false),
            (
                json!({"path": "args.reason", "op": "exists", "value": false}),
                true,
            ),
            (
                json!({"path": "args.reason", "op": "neq", "value": "x"}),
                false,
            ),
            (
                json!({"path": "args.method", "op": "gt", "value": 1}),
                false,
            ),
        ];
        for (written, expected) in cases {
            assert_eq!(holds(written.clone(), args.clone()), expected, "{written}");
        }
        let none = condition(json!({"path": "args.a", "op": "exists", "value": false})).unwrap();
        assert!(none.holds(None));
    }

    #[test]
    fn bad_conditions_say_what_to_write() {
        let cases = [
            (
                json!({"path": "args.a", "op": "like", "value": 1}),
                "unknown operator \"like\"; write one of eq",
            ),
            (
                json!({"path": "args.a", "op": "matches", "value": "("}),
                "is invalid",
            ),
            (
                json!({"path": "args.a", "op": "in", "value": "x"}),
                "needs a list",
            ),
            (
                json!({"path": "args.a", "op": "gt", "value": "5"}),
                "must be a number",
            ),
            (
                json!({"path": "method", "op": "exists"}),
                "does not start with \"args.\"",
            ),
            (json!({"path": "args..a", "op": "exists"}), "empty part"),
            (json!({"path": "args.a", "op": "eq"}), "needs a \"value\""),
            (
                json!({"path": "args.a", "op": "eq", "value": 1, "extra": 2}),
                "unknown field `extra`",
            ),
        ];
        for (written, expected) in cases {
            let error = condition(written.clone()).unwrap_err();
            assert!(error.contains(expected), "{written}: {error}");
        }
    }

    #[test]
    fn conditions_read_back_as_written() {
        let written =
            condition(json!({"path": "args.method", "op": "in", "value": ["unlink"]})).unwrap();
        assert_eq!(written.to_string(), "args.method in [\"unlink\"]");
    }
}
