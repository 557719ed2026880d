//! odoo-connections: one safe place for the Odoo connections that people and
//! AI agents use.
//!
//! The core (`model`, `store`, `secrets`, `catalog`, `files`, `paths`) is
//! plain Rust with typed errors; the front ends (`cli`, `gui`, `mcp`)
//! only translate between people or protocols and the core. Only `gui`
//! imports egui; it is built with the default `gui` feature.

pub mod catalog;
pub mod cli;
pub mod desktop;
pub mod files;
pub mod gateway;
#[cfg(feature = "gui")]
pub mod gui;
pub mod import;
pub mod inject;
pub mod launcher;
pub mod mcp;
pub mod model;
pub mod odoo;
pub mod paths;
pub mod policy;
pub mod redact;
pub mod secrets;
pub mod single_instance;
pub mod store;
pub mod strict_json;
pub mod waits;
