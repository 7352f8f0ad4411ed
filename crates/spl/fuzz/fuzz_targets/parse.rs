//! Any input: parsing, macro expansion and lowering never panic, and every
//! diagnostic span lies inside the input. The first line of the input (up
//! to a `\n`) defines a macro `m` so expansion is exercised too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ruledex_ir::OffsetMap;
use ruledex_spl::macros::{MacroDef, Macros};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (definition, search) = text.split_once('\n').unwrap_or(("", text));
    let mut macros = Macros::new();
    macros.insert(MacroDef::new("m", &[], definition));
    macros.insert(MacroDef::new("m", &["x"], &format!("{definition} $x$")));
    let analysis = ruledex_spl::analyze_with(search, &OffsetMap::shifted(7), Some(&macros));
    for d in &analysis.diagnostics {
        if let Some(span) = d.span {
            assert!(span.start >= 7 && span.end as usize <= search.len() + 7);
        }
    }
    for stage in &analysis.stages {
        if let Some(p) = &stage.predicate {
            let _ = p.to_string();
        }
    }
});
