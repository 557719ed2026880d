//! Fuzzes the connections file parser: any bytes give a document or a
//! problem, and a document survives being written and read back unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use odoo_connections::store::ConnectionsDocument;

fuzz_target!(|data: &[u8]| {
    match ConnectionsDocument::parse(data) {
        Ok(document) => {
            let written = document.to_bytes();
            let reread = ConnectionsDocument::parse(&written)
                .unwrap_or_else(|problem| panic!("a written document does not parse: {problem}"));
            assert_eq!(reread, document, "the document changed on a round trip");
        }
        Err(problem) => {
            std::hint::black_box((problem.to_string(), problem.hint()));
        }
    }
});
