//! Odoo domains, evaluated on one record: the prefix notation (`&`, `|`,
//! `!`, an implicit `&` between top-level terms) and the leaf operators
//! `=`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `not in`, `like`, `ilike`,
//! `not like`, `not ilike`, `=like` and `=ilike`; a many2one compares by
//! its id, and `false` is below every value.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::records::Model;
use super::wire::Exception;

/// Evaluates a whole domain (implicit `&` between the top-level terms).
pub fn matches(
    model: &Model,
    row: &Map<String, Value>,
    terms: &[Value],
) -> Result<bool, Exception> {
    let mut rest = terms;
    let mut all = true;
    while !rest.is_empty() {
        let (value, after) = term(model, row, rest)?;
        all &= value;
        rest = after;
    }
    Ok(all)
}

/// Evaluates the first term of `terms` (an operator takes the next ones).
fn term<'a>(
    model: &Model,
    row: &Map<String, Value>,
    terms: &'a [Value],
) -> Result<(bool, &'a [Value]), Exception> {
    let (first, rest) = terms.split_first().ok_or_else(|| {
        Exception::value_error("Invalid domain: an operator lacks its terms".into())
    })?;
    match first.as_str() {
        Some("!") => {
            let (value, rest) = term(model, row, rest)?;
            Ok((!value, rest))
        }
        Some(operator @ ("&" | "|")) => {
            let (left, rest) = term(model, row, rest)?;
            let (right, rest) = term(model, row, rest)?;
            Ok((
                if operator == "&" {
                    left && right
                } else {
                    left || right
                },
                rest,
            ))
        }
        _ => Ok((leaf(model, row, first)?, rest)),
    }
}

fn leaf(model: &Model, row: &Map<String, Value>, leaf: &Value) -> Result<bool, Exception> {
    let invalid = || Exception::value_error(format!("Invalid leaf {leaf}"));
    let parts = leaf
        .as_array()
        .filter(|parts| parts.len() == 3)
        .ok_or_else(invalid)?;
    let (name, operator, wanted) = (
        parts[0].as_str().ok_or_else(invalid)?,
        parts[1].as_str().ok_or_else(invalid)?,
        &parts[2],
    );
    if name == "1" || name == "0" {
        return Ok(name == "1");
    }
    if model.field(name).is_none() {
        return Err(Exception::value_error(format!(
            "Invalid field {}.{name} in leaf {leaf}",
            model.name
        )));
    }
    let actual = &row[name];
    let text = actual.as_str().unwrap_or_default();
    let pattern = wanted.as_str().unwrap_or_default();
    let contains = format!("%{pattern}%");
    let listed = || {
        wanted
            .as_array()
            .is_some_and(|list| list.iter().any(|item| same(actual, item)))
    };
    Ok(match operator {
        "=" => same(actual, wanted),
        "!=" => !same(actual, wanted),
        "<" => compare(actual, wanted) == Some(Ordering::Less),
        "<=" => compare(actual, wanted).is_some_and(Ordering::is_le),
        ">" => compare(actual, wanted) == Some(Ordering::Greater),
        ">=" => compare(actual, wanted).is_some_and(Ordering::is_ge),
        "in" => listed(),
        "not in" => !listed(),
        "like" => like(text, &contains),
        "ilike" => like(&text.to_lowercase(), &contains.to_lowercase()),
        "not like" => !like(text, &contains),
        "not ilike" => !like(&text.to_lowercase(), &contains.to_lowercase()),
        "=like" => like(text, pattern),
        "=ilike" => like(&text.to_lowercase(), &pattern.to_lowercase()),
        _ => return Err(Exception::value_error(format!("Invalid leaf {leaf}"))),
    })
}

/// SQL `LIKE`: `%` any text, `_` any one character.
fn like(text: &str, pattern: &str) -> bool {
    fn here(text: &[char], pattern: &[char]) -> bool {
        match pattern {
            [] => text.is_empty(),
            ['%', rest @ ..] => (0..=text.len()).any(|skip| here(&text[skip..], rest)),
            ['_', rest @ ..] => !text.is_empty() && here(&text[1..], rest),
            [literal, rest @ ..] => text.first() == Some(literal) && here(&text[1..], rest),
        }
    }
    let text: Vec<char> = text.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    here(&text, &pattern)
}

/// Equality as a domain sees it: a many2one equals its id, `false` an empty value.
fn same(actual: &Value, wanted: &Value) -> bool {
    actual == wanted || compare(actual, wanted) == Some(Ordering::Equal)
}

pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(a), Value::Number(b)) => a.as_f64()?.partial_cmp(&b.as_f64()?),
        (Value::String(a), Value::String(b)) => Some(a.to_lowercase().cmp(&b.to_lowercase())),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        (Value::Bool(false), _) => Some(Ordering::Less),
        (_, Value::Bool(false)) => Some(Ordering::Greater),
        _ => None,
    }
}
