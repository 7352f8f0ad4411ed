//! Print the lowered rules of one file as JSON (what `ruledex show --json`
//! prints for Sigma): `cargo run -p ruledex-sigma --example sigma_show -- FILE`.
use ruledex_ir::{RuleFormat, SourceFile};
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let rules = ruledex_sigma::SigmaFormat.load(&SourceFile::standalone(&path, &text));
    match serde_json::to_string_pretty(&rules) {
        Ok(json) => println!("{json}"),
        Err(e) => eprintln!("{e}"),
    }
}
