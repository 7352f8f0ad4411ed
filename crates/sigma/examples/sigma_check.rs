//! Print the diagnostics of one file (debugging aid):
//! `cargo run -p ruledex-sigma --example sigma_check -- FILE`.
use ruledex_ir::{RuleFormat, SourceFile};
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let bytes = std::fs::read(&path).unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    for rule in ruledex_sigma::SigmaFormat.load(&SourceFile::standalone(&path, &text)) {
        for d in &rule.diagnostics {
            println!("{:?} len={}", d, text.len());
        }
    }
}
