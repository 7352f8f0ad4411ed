//! Any input as a plain query file of each Elastic language and as an NDJSON
//! rule export: sniffing and loading never panic, and diagnostics and
//! indicators carry positions inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ruledex_elastic::ndjson::NdjsonFormat;
use ruledex_elastic::plain::PlainQueryFormat;
use ruledex_ir::{RuleFormat, SourceFile};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let formats: [(&str, &dyn RuleFormat); 5] = [
        ("q.eql", &PlainQueryFormat),
        ("q.esql", &PlainQueryFormat),
        ("q.lucene", &PlainQueryFormat),
        ("q.kuery", &PlainQueryFormat),
        ("rules.ndjson", &NdjsonFormat),
    ];
    for (path, format) in formats {
        let file = SourceFile::standalone(path, text);
        let _ = format.sniff(&file);
        for rule in format.load(&file) {
            for d in &rule.diagnostics {
                if let Some(span) = d.span {
                    assert!(span.end as usize <= text.len(), "{d:?}");
                }
            }
            for i in &rule.indicators {
                if let Some(span) = i.span {
                    assert!(span.end as usize <= text.len(), "{i:?}");
                }
            }
        }
    }
});
