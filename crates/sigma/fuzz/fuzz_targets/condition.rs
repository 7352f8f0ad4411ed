//! The condition parser alone: `cargo fuzz run -s none condition`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match ruledex_sigma::condition::parse_condition(text) {
            Ok(c) => {
                let _ = c.expr.to_string();
            }
            Err(e) => assert!(e.span.end as usize <= text.len()),
        }
    }
});
