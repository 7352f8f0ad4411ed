//! Any input: parsing and lowering never panic, and every diagnostic span
//! lies inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ruledex_ir::OffsetMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let analysis = ruledex_eql::analyze(text, &OffsetMap::shifted(7));
    for d in &analysis.diagnostics {
        if let Some(span) = d.span {
            assert!(span.start >= 7 && span.end as usize <= text.len() + 7);
        }
    }
    for stage in &analysis.stages {
        // Rendering a predicate must not panic either.
        if let Some(p) = &stage.predicate {
            let _ = p.to_string();
        }
    }
});
