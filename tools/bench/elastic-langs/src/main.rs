//! Parse rate and speed of ruledex's Elastic query languages over a corpus.
//!
//! ```text
//! python3 tools/bench/elastic-langs/extract.py CORPUS/elastic__detection-rules /tmp/q.jsonl
//! cargo run --release --manifest-path tools/bench/elastic-langs/Cargo.toml -- /tmp/q.jsonl [--failures] [--iterations N]
//! ```
//!
//! For each language (kuery, lucene, esql) it prints how many queries parse
//! without error, split into rules (`rules*/`) and hunting queries, then
//! the time to parse, and to parse and lower, every query `N` times, as
//! queries per second and MB per second. Warnings (`KUE007`, `ESQ005`) do
//! not count as parse failures. `--failures` lists the queries
//! that did not parse with their first error.

use ruledex_ir::OffsetMap;
use std::time::Instant;

struct Query {
    path: String,
    key: String,
    text: String,
}

type ParseFn = fn(&str) -> Vec<String>;
type AnalyzeFn = fn(&str, &OffsetMap) -> ruledex_ir::Analysis;

fn errors_kuery(q: &str) -> Vec<String> {
    let parsed = ruledex_kuery::parse(q);
    parsed
        .errors
        .iter()
        .filter(|e| !e.code.is_warning())
        .map(|e| e.to_string())
        .collect()
}

fn errors_lucene(q: &str) -> Vec<String> {
    ruledex_lucene::parse(q).errors.iter().map(|e| e.to_string()).collect()
}

fn errors_esql(q: &str) -> Vec<String> {
    let parsed = ruledex_esql::parse(q);
    parsed
        .errors
        .iter()
        .filter(|e| !e.code.is_warning())
        .map(|e| e.to_string())
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: elastic-langs-bench QUERIES.jsonl [--failures] [--iterations N]");
        std::process::exit(2);
    };
    let show_failures = args.iter().any(|a| a == "--failures");
    let iterations: usize = args
        .iter()
        .position(|a| a == "--iterations")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("cannot read {path}: {e}");
        std::process::exit(2);
    });
    let mut by_language: Vec<(&str, Vec<Query>, ParseFn, AnalyzeFn)> = vec![
        ("kuery", Vec::new(), errors_kuery, ruledex_kuery::analyze),
        ("lucene", Vec::new(), errors_lucene, ruledex_lucene::analyze),
        ("esql", Vec::new(), errors_esql, ruledex_esql::analyze),
    ];
    for line in text.lines() {
        let Ok(item) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let language = item["language"].as_str().unwrap_or_default();
        if let Some(entry) = by_language.iter_mut().find(|(l, ..)| *l == language) {
            entry.1.push(Query {
                path: item["path"].as_str().unwrap_or_default().to_string(),
                key: item["key"].as_str().unwrap_or_default().to_string(),
                text: item["query"].as_str().unwrap_or_default().to_string(),
            });
        }
    }
    println!(
        "{:<7} {:>16} {:>16} {:>16} {:>12} {:>10} {:>12} {:>10}",
        "lang", "all parsed", "rules parsed", "hunting parsed", "parse q/s", "parse MB/s", "analyze q/s",
        "analyze MB/s"
    );
    for (language, queries, errors, analyze) in &by_language {
        let mut failures = Vec::new();
        let (mut rules, mut rules_ok, mut hunting, mut hunting_ok) = (0, 0, 0, 0);
        for q in queries {
            let errs = errors(&q.text);
            let is_rule = q.path.starts_with("rules");
            if is_rule {
                rules += 1;
            } else {
                hunting += 1;
            }
            if errs.is_empty() {
                if is_rule {
                    rules_ok += 1;
                } else {
                    hunting_ok += 1;
                }
            } else {
                failures.push((q, errs));
            }
        }
        let bytes: usize = queries.iter().map(|q| q.text.len()).sum();
        let map = OffsetMap::identity();
        let started = Instant::now();
        for _ in 0..iterations {
            for q in queries {
                std::hint::black_box(errors(std::hint::black_box(&q.text)));
            }
        }
        let parse_secs = started.elapsed().as_secs_f64();
        let started = Instant::now();
        for _ in 0..iterations {
            for q in queries {
                std::hint::black_box(analyze(std::hint::black_box(&q.text), &map));
            }
        }
        let analyze_secs = started.elapsed().as_secs_f64();
        let work = (queries.len() * iterations) as f64;
        let megabytes = (bytes * iterations) as f64 / 1e6;
        let rate = |ok: usize, n: usize| {
            if n == 0 {
                "-".to_string()
            } else {
                format!("{ok}/{n} {:.1}%", 100.0 * ok as f64 / n as f64)
            }
        };
        println!(
            "{:<7} {:>16} {:>16} {:>16} {:>12.0} {:>10.1} {:>12.0} {:>10.1}",
            language,
            rate(rules_ok + hunting_ok, rules + hunting),
            rate(rules_ok, rules),
            rate(hunting_ok, hunting),
            work / parse_secs.max(1e-9),
            megabytes / parse_secs.max(1e-9),
            work / analyze_secs.max(1e-9),
            megabytes / analyze_secs.max(1e-9),
        );
        if show_failures {
            for (q, errs) in &failures {
                println!("    {} [{}]: {}", q.path, q.key, errs.first().map_or("", String::as_str));
            }
        }
    }
}
