//! Fuzzes the policy file parser: any bytes give a policy or a located
//! error, and a parsed policy answers for every known tool.
#![no_main]

use libfuzzer_sys::fuzz_target;
use odoo_connections::policy::ToolName;
use odoo_connections::policy::rules::Policy;
use odoo_connections::policy::spec::{KNOWN_TOOLS, PolicySpec};

fuzz_target!(|data: &[u8]| {
    match PolicySpec::parse(data) {
        Ok(spec) => {
            let policy = Policy::new(spec);
            for name in KNOWN_TOOLS {
                let tool = ToolName::new(name).expect("a known tool");
                std::hint::black_box(policy.evaluate(&tool));
                std::hint::black_box(policy.on_deny(&tool));
            }
        }
        Err(error) => {
            std::hint::black_box(error.to_string());
        }
    }
});
