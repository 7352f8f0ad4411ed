//! The spec loader on any text, with the text also as its own program.
#![no_main]
use libfuzzer_sys::fuzz_target;
use ruledex_ir::{RuleFormat, SourceFile};
use ruledex_panther::PantherFormat;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let program = [SourceFile::standalone("r.py", text)];
        let context = PantherFormat.build_context(&program);
        let spec = format!("AnalysisType: rule\nRuleID: F\nSeverity: Low\nLogTypes: [A.B]\nFilename: r.py\n{text}");
        let _ = PantherFormat.load(&SourceFile::standalone("r.yml", &spec).with_context(context.as_deref()));
        let _ = PantherFormat.load(&SourceFile::standalone("f.yml", text));
    }
});
