//! The test server's database content: the models `res.partner` (a few
//! seeded contacts), `res.company`, `res.users` (one record per configured
//! user) and `ir.model`, their fields as `fields_get` describes them, and
//! a log of the ORM calls that reached the server.

use serde_json::{Map, Value, json};

use super::config::User;

/// One field of a model.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    /// Odoo's field type: `char`, `boolean`, `integer`, `many2one`, …
    pub kind: &'static str,
    pub string: &'static str,
    /// The co-model of a relational field.
    pub relation: Option<&'static str>,
    pub required: bool,
    pub readonly: bool,
    pub store: bool,
}

const fn field(name: &'static str, kind: &'static str, string: &'static str) -> Field {
    Field {
        name,
        kind,
        string,
        relation: None,
        required: false,
        readonly: false,
        store: true,
    }
}

const fn relational(
    name: &'static str,
    kind: &'static str,
    string: &'static str,
    relation: &'static str,
) -> Field {
    Field {
        relation: Some(relation),
        ..field(name, kind, string)
    }
}

/// The fields every model has (`id`, `display_name`, the write stamps).
const MAGIC: [Field; 3] = [
    Field {
        readonly: true,
        ..field("id", "integer", "ID")
    },
    Field {
        readonly: true,
        store: false,
        ..field("display_name", "char", "Display Name")
    },
    Field {
        readonly: true,
        ..field("write_date", "datetime", "Last Updated on")
    },
];

/// A model: its fields, default order and records.
#[derive(Debug, Clone)]
pub struct Model {
    pub name: &'static str,
    /// `ir.model.name`, e.g. `Contact`.
    pub description: &'static str,
    pub fields: Vec<Field>,
    /// `_order`.
    pub order: &'static str,
    pub rows: Vec<Map<String, Value>>,
}

impl Model {
    fn new(
        name: &'static str,
        description: &'static str,
        order: &'static str,
        own: &[Field],
    ) -> Self {
        Self {
            name,
            description,
            fields: MAGIC.iter().chain(own).cloned().collect(),
            order,
            rows: Vec::new(),
        }
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|field| field.name == name)
    }

    /// Adds a record, filling every field the values leave out with
    /// Odoo's empty value (`false`, `[]` for x2many) and the magic fields.
    pub fn insert(&mut self, mut values: Map<String, Value>) -> i64 {
        let id = self
            .rows
            .iter()
            .filter_map(|row| row["id"].as_i64())
            .max()
            .unwrap_or(0)
            + 1;
        let id = values.get("id").and_then(Value::as_i64).unwrap_or(id);
        for field in &self.fields {
            let empty = match field.kind {
                "one2many" | "many2many" => json!([]),
                "boolean" if field.name == "active" => json!(true),
                _ => json!(false),
            };
            values.entry(field.name).or_insert(empty);
        }
        values.insert("id".into(), json!(id));
        values.insert("write_date".into(), json!(WRITE_DATE));
        self.rows.push(values);
        self.touch(id);
        id
    }

    /// Recomputes `display_name` of record `id` from its `name`.
    pub fn touch(&mut self, id: i64) {
        if let Some(row) = self.rows.iter_mut().find(|row| row["id"] == id) {
            row.insert("display_name".into(), row["name"].clone());
        }
    }
}

/// When the seeded records were last written (UTC, as Odoo writes it).
const WRITE_DATE: &str = "2026-11-30 09:00:00";

/// The whole database: every model, and what the clients changed.
#[derive(Debug, Clone)]
pub struct Records {
    pub models: Vec<Model>,
    /// `PROTOCOL model.method` of every ORM call, in order.
    pub calls: Vec<String>,
}

impl Records {
    /// The seeded database for `users` (uid 2 for the first).
    pub fn seeded(users: &[User]) -> Self {
        let mut partner = Model::new(
            "res.partner",
            "Contact",
            "name, id desc",
            &[
                Field {
                    required: true,
                    ..field("name", "char", "Name")
                },
                field("email", "char", "Email"),
                field("phone", "char", "Phone"),
                field("city", "char", "City"),
                field("is_company", "boolean", "Is a Company"),
                field("active", "boolean", "Active"),
                relational("company_id", "many2one", "Company", "res.company"),
            ],
        );
        for (id, name, city, is_company) in SEEDED_PARTNERS {
            let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
            partner.insert(map(
                json!({"id": id, "name": name, "city": city, "is_company": is_company, "email": email, "company_id": 1}),
            ));
        }
        let mut company = Model::new(
            "res.company",
            "Companies",
            "sequence, name",
            &[Field {
                required: true,
                ..field("name", "char", "Company Name")
            }],
        );
        company.insert(map(json!({"id": 1, "name": "Acme Bakery"})));
        let mut user = Model::new(
            "res.users",
            "User",
            "name, login",
            &[
                field("name", "char", "Name"),
                Field {
                    required: true,
                    ..field("login", "char", "Login")
                },
                field("tz", "selection", "Timezone"),
                relational("company_id", "many2one", "Company", "res.company"),
                relational("company_ids", "many2many", "Companies", "res.company"),
                relational("partner_id", "many2one", "Related Partner", "res.partner"),
            ],
        );
        for (index, configured) in users.iter().enumerate() {
            let uid = i64::try_from(index).unwrap_or_default() + 2;
            user.insert(map(json!({
                "id": uid, "name": configured.login, "login": configured.login,
                "tz": "Europe/Brussels", "company_id": 1, "company_ids": [1], "partner_id": 3,
            })));
        }
        let mut models = vec![partner, company, user];
        let mut ir_model = Model::new(
            "ir.model",
            "Models",
            "model",
            &[
                field("name", "char", "Model Description"),
                field("model", "char", "Model"),
                field("transient", "boolean", "Transient Model"),
            ],
        );
        let described: Vec<_> = models
            .iter()
            .chain([&ir_model])
            .map(|model| (model.name, model.description))
            .collect();
        for (model, name) in described {
            ir_model.insert(map(json!({"model": model, "name": name})));
        }
        models.push(ir_model);
        Self {
            models,
            calls: Vec::new(),
        }
    }

    pub fn model(&self, name: &str) -> Option<&Model> {
        self.models.iter().find(|model| model.name == name)
    }

    pub fn model_mut(&mut self, name: &str) -> Option<&mut Model> {
        self.models.iter_mut().find(|model| model.name == name)
    }
}

/// `(id, name, city, is_company)` of the seeded contacts.
const SEEDED_PARTNERS: [(i64, &str, &str, bool); 4] = [
    (1, "Acme Bakery", "Brussels", true),
    (3, "Mitchell Admin", "Brussels", false),
    (7, "Azure Interior", "Fremont", true),
    (8, "Deco Addict", "Pleasant Hill", true),
];

fn map(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}
