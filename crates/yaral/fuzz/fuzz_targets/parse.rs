//! Any input: parsing, lowering and loading never panic, and every
//! diagnostic span lies inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ruledex_ir::{OffsetMap, RuleFormat, SourceFile};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let analysis = ruledex_yaral::analyze(text, &OffsetMap::shifted(7));
    for d in &analysis.diagnostics {
        if let Some(span) = d.span {
            assert!(span.start >= 7 && span.end as usize <= text.len() + 7);
        }
    }
    for stage in &analysis.stages {
        if let Some(p) = &stage.predicate {
            let _ = p.to_string();
        }
    }
    let rules = ruledex_yaral::YaralFormat.load(&SourceFile::standalone("f.yaral", text));
    assert!(!rules.is_empty());
});
