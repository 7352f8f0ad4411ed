//! Fuzz the KQL loaders and the lowering: any file content, read as a
//! Sentinel YAML rule, a Markdown collection or a plain query file, must
//! load without panicking, with every span inside the file.
//!
//! Run (stable toolchain): `cd crates/kql && cargo fuzz run -s none load`
#![no_main]

use libfuzzer_sys::fuzz_target;
use ruledex_ir::{RuleFormat, SourceFile};
use ruledex_kql::{MarkdownFormat, PlainFormat, SentinelFormat};

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let (path, format): (&str, &dyn RuleFormat) = match which % 3 {
        0 => ("rule.yaml", &SentinelFormat),
        1 => ("queries.md", &MarkdownFormat),
        _ => ("query.csl", &PlainFormat),
    };
    let file = SourceFile::standalone(path, text);
    let mut rules = format.load(&file);
    ruledex_ir::resolve_positions(&mut rules, text);
    for rule in &rules {
        for stage in rule.bindings.iter().flat_map(|b| &b.stages).chain(&rule.stages) {
            assert!(stage.span.end as usize <= text.len());
            if let Some(p) = &stage.predicate {
                let _ = p.to_string();
            }
        }
        for d in &rule.diagnostics {
            if let Some(span) = d.span {
                assert!(span.end as usize <= text.len(), "{d:?}");
            }
        }
    }
});
