//! Print the tree, errors and lowered predicate of the kuery query given as
//! the first argument.
//!
//! `cargo run -p ruledex-kuery --example kuery_dump -- 'process.name: cmd.exe'`

fn main() {
    let query = std::env::args().nth(1).unwrap_or_default();
    let parsed = ruledex_kuery::parse(&query);
    println!("{:#?}", parsed.query);
    for e in &parsed.errors {
        println!("error: {e} at {}", e.span);
    }
    let analysis = ruledex_kuery::analyze(&query, &ruledex_ir::OffsetMap::identity());
    for stage in &analysis.stages {
        if let Some(p) = &stage.predicate {
            println!("{p}");
        }
    }
}
