//! The SQL pre-pass, parser and lowering on any query.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let prepared = ruledex_panther::sql::prepare(text);
        assert_eq!(prepared.text.len(), text.len());
        let _ = ruledex_panther::sql::lower_query(text, &ruledex_ir::OffsetMap::identity());
    }
});
