//! Shared helpers for the integration tests (each test file includes this
//! module; not every file uses every helper).
#![allow(dead_code)]

pub mod crash;
pub mod doctor;
pub mod gateway;
pub mod keyring;
pub mod mcp_client;
pub mod odoo_server;
pub mod odoo_target;
pub mod policy;
pub mod procs;
pub mod pypi;
pub mod sandbox;
pub mod seed;
