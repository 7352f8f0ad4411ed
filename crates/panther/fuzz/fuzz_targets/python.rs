//! Parsing and lowering any program as a rule.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ruledex_panther::python::{lower_program, Module};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let module = Module::parse("f.py", text);
        let _ = lower_program(&module, "rule", None, &["AWS.CloudTrail".to_string()], ruledex_ir::Span::empty(0));
    }
});
