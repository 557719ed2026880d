//! Fuzzes the decoders of what an Odoo server (or anything posing as one)
//! answers: XML-RPC responses and faults, JSON-RPC envelopes and plain
//! JSON answers, each read for a version, a uid and database names.
#![no_main]

use libfuzzer_sys::fuzz_target;
use odoo_connections::odoo::fuzzing;

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    std::hint::black_box(fuzzing::xmlrpc_response(&body));
    std::hint::black_box(fuzzing::jsonrpc_response(&body));
    std::hint::black_box(fuzzing::json_answer(&body));
});
