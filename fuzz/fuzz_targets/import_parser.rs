//! Fuzzes the parser of odoo-claude-mcp connection files (`import`): any
//! bytes give items or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use odoo_connections::import;

fuzz_target!(|data: &[u8]| {
    match import::parse(data) {
        Ok((source, items)) => {
            std::hint::black_box((source, items.len()));
        }
        Err(error) => {
            std::hint::black_box(error.to_string());
        }
    }
});
