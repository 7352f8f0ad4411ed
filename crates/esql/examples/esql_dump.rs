//! Print the analysis of the ES|QL query given as the first argument (or
//! read from standard input) as JSON: stages with their predicates rendered,
//! outputs, data sources, dependencies, diagnostics.
//!
//! `cargo run -p ruledex-esql --example esql_dump -- 'FROM logs-* | WHERE a == 1'`

use std::io::Read;

fn main() {
    let query = std::env::args().nth(1).unwrap_or_else(|| {
        let mut s = String::new();
        let _ = std::io::stdin().read_to_string(&mut s);
        s
    });
    let analysis = ruledex_esql::analyze(&query, &ruledex_ir::OffsetMap::identity());
    for stage in &analysis.stages {
        println!(
            "[{}] {}",
            stage.kind,
            stage.text.lines().next().unwrap_or("")
        );
        if let Some(p) = &stage.predicate {
            println!("    predicate: {p}");
        }
        for a in &stage.assignments {
            println!("    {} = {}   reads {:?}", a.name, a.expression, a.reads);
        }
    }
    for i in ruledex_ir::collect_indicators(&[], &analysis.stages) {
        println!(
            "indicator {} {} {:?} cs={:?} excl={} derived={:?}",
            i.field,
            i.kind,
            i.values,
            i.case_sensitive,
            i.exclusion,
            i.derived.map(|d| (d.column, d.traced, d.aggregate))
        );
    }
    for o in &analysis.outputs {
        println!("output {} from {}", o.name, o.source);
    }
    for d in &analysis.data_sources {
        println!("data source {:?} {}", d.kind, d.name);
    }
    for d in &analysis.dependencies {
        println!("dependency {:?} {}", d.kind, d.name);
    }
    for d in &analysis.diagnostics {
        println!("{}: {} at {:?}", d.code, d.message, d.span);
    }
}
