//! Any TOML-ish input: sniffing and loading never panic, every file gives
//! at least one rule, and diagnostics carry positions inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ruledex_elastic::ElasticFormat;
use ruledex_ir::{RuleFormat, SourceFile};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for path in ["rules/x.toml", "rules/_deprecated/x.toml"] {
        let file = SourceFile::standalone(path, text);
        let _ = ElasticFormat.sniff(&file);
        let rules = ElasticFormat.load(&file);
        assert!(!rules.is_empty());
        for rule in &rules {
            for d in &rule.diagnostics {
                if let Some(span) = d.span {
                    assert!(span.end as usize <= text.len(), "{d:?}");
                }
            }
        }
    }
});
