//! Fuzz the KQL parser: any UTF-8 input must parse without panicking, with
//! every span inside the input, and the tree must render.
//!
//! Run (stable toolchain): `cd crates/kql && cargo fuzz run -s none parse`
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = ruledex_kql::parse(query);
    for error in &parsed.errors {
        assert!(error.span.end as usize <= query.len());
        assert!(error.span.start <= error.span.end);
    }
    let _ = ruledex_kql::sexpr::render(&parsed.script);
});
