//! Whole files through the Sigma loader: `cargo fuzz run -s none load`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ruledex_ir::{RuleFormat, SourceFile};
use ruledex_sigma::SigmaFormat;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let file = SourceFile::standalone("fuzz.yml", text);
        let _ = SigmaFormat.sniff(&file);
        let rules = SigmaFormat.load(&file);
        assert!(!rules.is_empty());
        for rule in &rules {
            for d in &rule.diagnostics {
                if let Some(span) = d.span {
                    assert!(span.end as usize <= text.len());
                }
            }
            let _ = serde_json_free_render(rule);
        }
    }
});

fn serde_json_free_render(rule: &ruledex_ir::Rule) -> usize {
    rule.stages
        .iter()
        .filter_map(|s| s.predicate.as_ref())
        .map(|p| p.to_string().len())
        .sum()
}
