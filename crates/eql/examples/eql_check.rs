//! Read a JSON array of EQL queries on stdin; print a JSON array with, for
//! each, whether it parsed and the diagnostic codes and messages. Used by
//! `tools/diff/eql` (differential test) and `tools/bench/eql` (timing).
//!
//! `cargo run --release -p ruledex-eql --example eql_check < queries.json`
//! With `--bench N`, parses every query N times and prints the time per
//! round; add `--analyze` to time parsing plus lowering.

use std::io::Read;

fn main() {
    let mut input = String::new();
    if std::io::stdin().read_to_string(&mut input).is_err() {
        eprintln!("cannot read stdin");
        std::process::exit(2);
    }
    let queries: Vec<String> = match serde_json::from_str(&input) {
        Ok(q) => q,
        Err(e) => {
            eprintln!("stdin is not a JSON array of strings: {e}");
            std::process::exit(2);
        }
    };
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--bench") {
        let rounds: usize = args.get(pos + 1).and_then(|n| n.parse().ok()).unwrap_or(1);
        let lower = args.iter().any(|a| a == "--analyze");
        let map = ruledex_ir::OffsetMap::identity();
        let start = std::time::Instant::now();
        let mut valid = 0usize;
        for _ in 0..rounds {
            for q in &queries {
                let ok = if lower {
                    !ruledex_eql::analyze(q, &map)
                        .diagnostics
                        .iter()
                        .any(ruledex_ir::Diagnostic::is_error)
                } else {
                    ruledex_eql::parse(q).is_valid()
                };
                valid += usize::from(ok);
            }
        }
        let seconds = start.elapsed().as_secs_f64() / rounds as f64;
        println!(
            "{{\"queries\": {}, \"valid\": {}, \"seconds_per_round\": {seconds}}}",
            queries.len(),
            valid / rounds.max(1)
        );
        return;
    }
    let results: Vec<serde_json::Value> = queries
        .iter()
        .map(|q| {
            let parsed = ruledex_eql::parse(q);
            let diagnostics: Vec<serde_json::Value> = parsed
                .diagnostics
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "code": d.code.as_str(),
                        "message": d.message,
                        "start": d.span.start,
                    })
                })
                .collect();
            serde_json::json!({ "ok": parsed.is_valid(), "diagnostics": diagnostics })
        })
        .collect();
    println!("{}", serde_json::Value::Array(results));
}
