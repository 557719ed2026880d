//! Fuzzes the policy file parser: any bytes give a policy or a located
//! error, and a parsed policy answers for each of our own tools.
#![no_main]

use libfuzzer_sys::fuzz_target;
use odoo_connections::policy::rules::Policy;
use odoo_connections::policy::spec::{BUILT_IN_TOOLS, PolicySpec};
use odoo_connections::policy::{ToolCall, ToolName};

fuzz_target!(|data: &[u8]| {
    match PolicySpec::parse(data) {
        Ok(spec) => {
            let policy = Policy::new(spec);
            for name in BUILT_IN_TOOLS {
                let tool = ToolName::new(name).expect("one of our tools");
                std::hint::black_box(policy.evaluate(&ToolCall::new(tool)));
            }
        }
        Err(error) => {
            std::hint::black_box(error.to_string());
        }
    }
});
