//! Parse every ES|QL query of a JSONL file (`{"language", "query", "path"}`
//! per line) and print the ones with errors, then the parse rate.
//!
//! `cargo run -p ruledex-esql --example esql_check -- queries.jsonl`

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: check QUERIES.jsonl");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let (mut total, mut ok) = (0, 0);
    for line in text.lines() {
        let Ok(item) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if item["language"] != "esql" {
            continue;
        }
        let query = item["query"].as_str().unwrap_or_default();
        total += 1;
        let parsed = ruledex_esql::parse(query);
        if parsed.is_ok() {
            ok += 1;
        } else {
            println!("{} [{}]", item["path"], item["key"]);
            for e in &parsed.errors {
                println!("  {e} at {:?}", e.span.slice(query));
            }
        }
    }
    let rate = if total == 0 {
        0.0
    } else {
        100.0 * ok as f64 / total as f64
    };
    println!("esql: {ok}/{total} parsed ({rate:.2} %)");
}
