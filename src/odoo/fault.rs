//! An exception Odoo reported, in one shape for XML-RPC faults and
//! JSON-RPC errors (a leaf: the decoders and the diagnoses both use it).

use serde_json::Value;

/// An exception Odoo reported (XML-RPC fault or JSON-RPC error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerFault {
    /// Python class, e.g. `odoo.exceptions.AccessDenied`, `psycopg2.OperationalError`.
    pub name: String,
    /// The exception's message (last traceback line for XML-RPC fault 1).
    pub message: String,
}

impl ServerFault {
    /// From an XML-RPC fault (`faultCode` 1–4, see Odoo's `xmlrpc_handle_exception_int`).
    pub fn from_xmlrpc(code: &Value, text: &str) -> Self {
        let named = |name: &str| Self {
            name: name.to_owned(),
            message: text.to_owned(),
        };
        match code.as_i64() {
            Some(2) => named("odoo.exceptions.UserError"),
            Some(3) => named("odoo.exceptions.AccessDenied"),
            Some(4) => named("odoo.exceptions.AccessError"),
            _ => {
                let last_line = text.lines().rev().find(|line| !line.trim().is_empty());
                let last_line = last_line.unwrap_or(text).trim();
                match last_line.split_once(": ") {
                    Some((name, message)) if !name.contains(' ') => Self {
                        name: name.to_owned(),
                        message: message.to_owned(),
                    },
                    _ => named("Exception"),
                }
            }
        }
    }

    /// True for `AccessDenied` (bad credentials, listing disabled).
    pub fn is_access_denied(&self) -> bool {
        self.name.ends_with("AccessDenied")
    }

    /// True when the database named in the call does not exist.
    pub fn is_missing_database(&self) -> bool {
        self.name.ends_with("OperationalError") && self.message.contains("does not exist")
    }

    /// True when the database exists but holds no Odoo (no `res.users`).
    pub fn is_uninitialized_database(&self) -> bool {
        self.name.ends_with("KeyError") && self.message.contains("res.users")
    }

    /// A short text for a person: the message, else the class.
    pub fn summary(&self) -> String {
        let short = self.name.rsplit('.').next().unwrap_or(&self.name);
        if self.message.is_empty() {
            short.to_owned()
        } else {
            format!(
                "{short}: {}",
                self.message.lines().next().unwrap_or_default()
            )
        }
    }
}
