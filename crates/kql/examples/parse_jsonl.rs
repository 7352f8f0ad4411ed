//! Parse every query of a JSONL file (one `{"id", "query", ...}` object per
//! line, as written by `tools/diff/kql/extract.py`).
//!
//! - `parse_jsonl verdicts FILE`: print `{"id", "ok", "errors"}` per query.
//! - `parse_jsonl bench FILE [ROUNDS]`: time parsing all queries, print
//!   queries/s and MB/s as one JSON line.
//!
//! Run in release mode: `cargo run --release -p ruledex-kql --example
//! parse_jsonl -- bench queries.jsonl`.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(mode), Some(path)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: parse_jsonl (verdicts|bench) FILE [ROUNDS]");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(path).expect("readable JSONL file");
    let records: Vec<(String, String)> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("valid JSON line");
            (
                v["id"].as_str().unwrap_or_default().to_string(),
                v["query"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    match mode.as_str() {
        "verdicts" => {
            for (id, query) in &records {
                let parsed = ruledex_kql::parse(query);
                let errors: Vec<_> = parsed
                    .errors
                    .iter()
                    .map(|e| serde_json::json!([e.code, e.message, e.span.start, e.span.end]))
                    .collect();
                println!(
                    "{}",
                    serde_json::json!({"id": id, "ok": parsed.errors.is_empty(), "errors": errors})
                );
            }
        }
        "bench" => {
            let rounds: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(20);
            let bytes: usize = records.iter().map(|(_, q)| q.len()).sum();
            // Warm up once, then time.
            let mut sink = 0usize;
            for (_, q) in &records {
                sink += ruledex_kql::parse(q).errors.len();
            }
            let start = Instant::now();
            for _ in 0..rounds {
                for (_, q) in &records {
                    sink += ruledex_kql::parse(q).script.statements.len();
                }
            }
            let secs = start.elapsed().as_secs_f64();
            let queries = (records.len() * rounds) as f64;
            println!(
                "{}",
                serde_json::json!({
                    "parser": "ruledex-kql",
                    "queries": records.len(),
                    "bytes": bytes,
                    "rounds": rounds,
                    "seconds": secs,
                    "queries_per_second": queries / secs,
                    "mb_per_second": (bytes * rounds) as f64 / secs / 1e6,
                    "checksum": sink,
                })
            );
        }
        _ => {
            eprintln!("unknown mode {mode}");
            std::process::exit(2);
        }
    }
}
