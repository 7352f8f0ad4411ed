//! Count what the lowering made of every ES|QL query of a JSONL file:
//! comparisons by operator, calls and opaque conditions (most common first).
//!
//! `cargo run -p ruledex-esql --example esql_stats -- queries.jsonl`

use ruledex_ir::{OffsetMap, Predicate};
use std::collections::BTreeMap;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut opaque: BTreeMap<String, usize> = BTreeMap::new();
    for line in text.lines() {
        let Ok(item) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if item["language"] != "esql" {
            continue;
        }
        let query = item["query"].as_str().unwrap_or_default();
        let analysis = ruledex_esql::analyze(query, &OffsetMap::identity());
        for stage in &analysis.stages {
            let Some(p) = &stage.predicate else { continue };
            p.visit_leaves(|leaf, _| match leaf {
                Predicate::Compare(c) => *kinds.entry(c.op.name().to_string()).or_default() += 1,
                Predicate::FieldCompare(_) => {
                    *kinds.entry("field_compare".into()).or_default() += 1
                }
                Predicate::Call(c) => {
                    *opaque
                        .entry(format!("call {}", c.name.to_uppercase()))
                        .or_default() += 1
                }
                Predicate::Opaque { text, .. } => {
                    let head: String = text.chars().take(60).collect();
                    *opaque.entry(format!("opaque {head}")).or_default() += 1
                }
                _ => {}
            });
        }
    }
    println!("{kinds:#?}");
    let mut list: Vec<_> = opaque.into_iter().collect();
    list.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    for (k, n) in list.iter().take(40) {
        println!("{n:5} {k}");
    }
}
