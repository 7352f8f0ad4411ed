//! Fuzz the kuery parser and lowering: any text must parse without panicking,
//! keep every error span inside the text, and lower without panicking.
//!
//! `cargo fuzz run -s none parse` (from `crates/kuery`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use ruledex_ir::OffsetMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = ruledex_kuery::parse(text);
    for error in &parsed.errors {
        assert!(error.span.start <= error.span.end);
        assert!(error.span.end as usize <= text.len());
    }
    let analysis = ruledex_kuery::analyze(text, &OffsetMap::shifted(11));
    for diagnostic in &analysis.diagnostics {
        if let Some(span) = diagnostic.span {
            assert!(span.end as usize <= text.len() + 11);
        }
    }
    for stage in &analysis.stages {
        assert!(stage.span.end as usize <= text.len() + 11);
        if let Some(predicate) = &stage.predicate {
            let _ = predicate.to_string();
        }
    }
});
