//! The ORM methods RPC clients call on the test server's models, answered
//! the way Odoo 17–19 does: `fields_get`, `search`, `search_count`,
//! `search_read`, `read`, `create` and `write`; domains (see `domain.rs`)
//! with archived records left out unless the domain names `active`,
//! `order`, `offset` and `limit`. Arguments come positional (XML-RPC,
//! JSON-RPC) or by name (JSON-2, where the records are `ids`).

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use super::domain::{compare, matches};
use super::records::{Field, Model, Records};
use super::wire::Exception;

/// A method's arguments: positional ones, then by name; and the
/// protocol they came over (for the call log).
pub struct Params<'a> {
    pub protocol: &'static str,
    pub positional: &'a [Value],
    pub named: &'a Map<String, Value>,
}

impl Params<'_> {
    /// Argument `index` (after the records, for record methods) or `name`.
    fn get(&self, index: usize, name: &str) -> Option<&Value> {
        self.named
            .get(name)
            .or_else(|| self.positional.get(index))
            .filter(|value| !value.is_null())
    }

    /// The records of a record method, and the arguments after them.
    fn split_ids(&self) -> (Vec<i64>, Params<'_>) {
        let (ids, rest) = match self.named.get("ids") {
            Some(ids) => (ids, self.positional),
            None => match self.positional.split_first() {
                Some((ids, rest)) => (ids, rest),
                None => (&Value::Null, self.positional),
            },
        };
        let ids = match ids {
            Value::Array(ids) => ids.iter().filter_map(Value::as_i64).collect(),
            Value::Number(id) => id.as_i64().into_iter().collect(),
            _ => Vec::new(),
        };
        let rest = Params {
            protocol: self.protocol,
            positional: rest,
            named: self.named,
        };
        (ids, rest)
    }
}

/// `model.method(...)` on `records`.
pub fn call(
    records: &mut Records,
    model: &str,
    method: &str,
    params: &Params,
) -> Result<Value, Exception> {
    records
        .calls
        .push(format!("{} {model}.{method}", params.protocol));
    let known = records.model(model).ok_or_else(|| Exception {
        name: "builtins.KeyError",
        message: format!("'{model}'"),
    })?;
    match method {
        "fields_get" => Ok(fields_get(known, params)),
        "search" => Ok(json!(search(known, params, 0)?)),
        "search_count" => {
            let domain = Params {
                protocol: params.protocol,
                positional: params.positional.get(..1).unwrap_or_default(),
                named: params.named,
            };
            Ok(json!(search(known, &domain, 0)?.len()))
        }
        "search_read" => {
            let ids = search(known, params, 1)?;
            read(records, model, &ids, params.get(1, "fields"))
        }
        "read" => {
            let (ids, rest) = params.split_ids();
            read(records, model, &ids, rest.get(0, "fields"))
        }
        "create" => create(records, model, params.get(0, "vals_list")),
        "write" => {
            let (ids, rest) = params.split_ids();
            write(records, model, &ids, rest.get(0, "vals"))
        }
        _ => Err(Exception {
            name: "builtins.AttributeError",
            message: format!("The method '{method}' does not exist on the model '{model}'"),
        }),
    }
}

fn invalid_field(model: &Model, name: &str) -> Exception {
    Exception::value_error(format!("Invalid field '{name}' on model '{}'", model.name))
}

/// `fields_get(allfields=None, attributes=None)`.
fn fields_get(model: &Model, params: &Params) -> Value {
    let wanted = |list: Option<&Value>| -> Option<Vec<String>> {
        let names: Vec<String> = list?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        (!names.is_empty()).then_some(names)
    };
    let allfields = wanted(params.get(0, "allfields"));
    let attributes = wanted(params.get(1, "attributes"));
    let described = model
        .fields
        .iter()
        .filter(|field| {
            allfields
                .as_ref()
                .is_none_or(|all| all.iter().any(|name| name == field.name))
        })
        .map(|field| {
            let mut all = describe(field);
            if let Some(attributes) = &attributes {
                all.retain(|key, _| attributes.contains(key));
            }
            (field.name.to_owned(), Value::Object(all))
        });
    Value::Object(described.collect())
}

fn describe(field: &Field) -> Map<String, Value> {
    let mut description = json!({
        "type": field.kind,
        "string": field.string,
        "name": field.name,
        "required": field.required,
        "readonly": field.readonly,
        "store": field.store,
        "searchable": true,
        "sortable": field.store,
        "manual": false,
        "company_dependent": false,
        "depends": [],
    });
    if let Some(relation) = field.relation {
        description["relation"] = json!(relation);
    }
    if field.kind == "selection" {
        description["selection"] = json!([["Europe/Brussels", "Europe/Brussels"], ["UTC", "UTC"]]);
    }
    description.as_object().cloned().unwrap_or_default()
}

/// `search(domain, offset=0, limit=None, order=None)`; `search_read`'s
/// positional arguments are `(domain, fields, offset, limit, order)`, so
/// its `shift` is 1.
fn search(model: &Model, params: &Params, shift: usize) -> Result<Vec<i64>, Exception> {
    let domain = params.get(0, "domain").cloned().unwrap_or(json!([]));
    let terms = domain
        .as_array()
        .ok_or_else(|| Exception::value_error(format!("Invalid domain {domain}")))?;
    let names_active = terms
        .iter()
        .any(|term| term.get(0).and_then(Value::as_str) == Some("active"));
    let at = |index: usize| index + shift;
    let mut rows = Vec::new();
    for row in &model.rows {
        let archived = row.get("active") == Some(&json!(false));
        if (names_active || !archived) && matches(model, row, terms)? {
            rows.push(row);
        }
    }
    let order = params
        .get(at(3), "order")
        .and_then(Value::as_str)
        .unwrap_or(model.order);
    sort(model, &mut rows, order)?;
    let offset = params
        .get(at(1), "offset")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let limit = params
        .get(at(2), "limit")
        .and_then(Value::as_u64)
        .filter(|limit| *limit > 0)
        .unwrap_or(u64::MAX);
    Ok(rows
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .filter_map(|row| row["id"].as_i64())
        .collect())
}

fn sort(model: &Model, rows: &mut [&Map<String, Value>], order: &str) -> Result<(), Exception> {
    let mut keys = Vec::new();
    for part in order
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        let mut words = part.split_whitespace();
        let name = words.next().unwrap_or_default();
        let descending = words
            .next()
            .is_some_and(|word| word.eq_ignore_ascii_case("desc"));
        if model.field(name).is_none() {
            return Err(Exception::value_error(format!(
                "Invalid \"order\" specified ({order})."
            )));
        }
        keys.push((name.to_owned(), descending));
    }
    rows.sort_by(|a, b| {
        keys.iter()
            .map(|(name, descending)| {
                let ordering =
                    compare(&a[name.as_str()], &b[name.as_str()]).unwrap_or(Ordering::Equal);
                if *descending {
                    ordering.reverse()
                } else {
                    ordering
                }
            })
            .find(|ordering| ordering.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    Ok(())
}

/// `read(ids, fields=None)`: the records in the order of `ids`, many2one
/// as `[id, display_name]`; a missing record is a MissingError.
fn read(
    records: &Records,
    model_name: &str,
    ids: &[i64],
    fields: Option<&Value>,
) -> Result<Value, Exception> {
    let model = records
        .model(model_name)
        .ok_or_else(|| Exception::value_error(format!("'{model_name}'")))?;
    let wanted: Vec<&str> = fields
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .filter(|names: &Vec<&str>| !names.is_empty())
        .unwrap_or_else(|| model.fields.iter().map(|field| field.name).collect());
    let mut read = Vec::new();
    for id in ids {
        let row = model
            .rows
            .iter()
            .find(|row| row["id"] == *id)
            .ok_or_else(|| missing(model, *id))?;
        let mut record = Map::new();
        record.insert("id".into(), json!(id));
        for name in &wanted {
            let field = model
                .field(name)
                .ok_or_else(|| invalid_field(model, name))?;
            record.insert((*name).to_owned(), shown(records, field, &row[*name]));
        }
        read.push(Value::Object(record));
    }
    Ok(Value::Array(read))
}

/// A stored value as `read` returns it.
fn shown(records: &Records, field: &Field, stored: &Value) -> Value {
    match (field.kind, field.relation, stored.as_i64()) {
        ("many2one", Some(relation), Some(id)) => {
            let name = records
                .model(relation)
                .and_then(|model| model.rows.iter().find(|row| row["id"] == id))
                .map_or(json!(false), |row| row["display_name"].clone());
            json!([id, name])
        }
        _ => stored.clone(),
    }
}

fn missing(model: &Model, id: i64) -> Exception {
    Exception {
        name: "odoo.exceptions.MissingError",
        message: format!(
            "Record does not exist or has been deleted.\n(Record: {}({id},), User: 2)",
            model.name
        ),
    }
}

/// Checks `values` name only writable fields of `model`.
fn check_values(model: &Model, values: &Map<String, Value>) -> Result<(), Exception> {
    for name in values.keys() {
        model
            .field(name)
            .ok_or_else(|| invalid_field(model, name))?;
    }
    Ok(())
}

/// `create(vals_list)`: the new id for one dict, the ids for a list.
fn create(
    records: &mut Records,
    model_name: &str,
    values: Option<&Value>,
) -> Result<Value, Exception> {
    let (list, single) = match values {
        Some(Value::Object(one)) => (vec![one.clone()], true),
        Some(Value::Array(many)) => (
            many.iter().filter_map(Value::as_object).cloned().collect(),
            false,
        ),
        _ => {
            return Err(Exception::value_error(
                "create() needs a dict or a list of dicts".into(),
            ));
        }
    };
    let model = records
        .model_mut(model_name)
        .ok_or_else(|| Exception::value_error(format!("'{model_name}'")))?;
    let mut ids = Vec::new();
    for mut values in list {
        check_values(model, &values)?;
        let lacking = model.fields.iter().find(|field| {
            field.required
                && values
                    .get(field.name)
                    .is_none_or(|value| value == &json!(false))
        });
        if let Some(field) = lacking {
            return Err(Exception {
                name: "odoo.exceptions.ValidationError",
                message: format!(
                    "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\nModel: {} ({}), Field: {} ({})",
                    model.description, model.name, field.string, field.name
                ),
            });
        }
        values.remove("id");
        ids.push(model.insert(values));
    }
    Ok(if single { json!(ids[0]) } else { json!(ids) })
}

/// `write(vals)` on the records `ids`: true.
fn write(
    records: &mut Records,
    model_name: &str,
    ids: &[i64],
    values: Option<&Value>,
) -> Result<Value, Exception> {
    let values = values
        .and_then(Value::as_object)
        .ok_or_else(|| Exception::value_error("write() needs a dict of values".into()))?;
    let model = records
        .model_mut(model_name)
        .ok_or_else(|| Exception::value_error(format!("'{model_name}'")))?;
    check_values(model, values)?;
    for id in ids {
        if !model.rows.iter().any(|row| row["id"] == *id) {
            return Err(missing(model, *id));
        }
    }
    for id in ids {
        if let Some(row) = model.rows.iter_mut().find(|row| row["id"] == *id) {
            row.extend(values.clone());
        }
        model.touch(*id);
    }
    Ok(json!(true))
}
