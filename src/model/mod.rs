//! Connection model: plain data types with their validation, no I/O.
//!
//! Every field that can be wrong is a newtype parsed from text, so a
//! [`Connection`] value is always valid wherever it travels.

mod connection;
mod draft;
mod fields;
mod secret;

pub use connection::{AuthKind, Connection, ConnectionId, Environment, Protocol, TlsMode};
pub use draft::{ConnectionDraft, Field, FieldError, FieldErrors, TlsChoice};
pub use fields::{
    ConnectionName, DatabaseName, Fingerprint, Login, ServerUrl, Tag, TimeoutSecs, ValueError,
};
pub use secret::SecretString;
