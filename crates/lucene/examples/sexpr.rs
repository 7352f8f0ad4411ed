//! Read Lucene queries, one JSON string per line, from standard input and
//! print one line per query: `ERR` when it does not parse, else the tree as
//! an S-expression in the form `tools/diff/lucene/diff.py` compares with
//! luqum's tree.
//!
//! `cargo run -p ruledex-lucene --example sexpr < queries.txt`

use ruledex_lucene::{Node, Part};
use std::io::{BufRead, Write};

fn main() {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for line in stdin.lock().lines().map_while(Result::ok) {
        let query: String = serde_json::from_str(&line).unwrap_or_default();
        let parsed = ruledex_lucene::parse(&query);
        let shown = match (&parsed.query.node, parsed.is_ok()) {
            (Some(node), true) => sexpr(node),
            (None, true) => "EMPTY".to_string(),
            _ => "ERR".to_string(),
        };
        let _ = writeln!(out, "{shown}");
    }
}

fn sexpr(node: &Node) -> String {
    let list = |tag: &str, items: &[Node]| {
        let inner: Vec<String> = items.iter().map(sexpr).collect();
        format!("({tag} {})", inner.join(" "))
    };
    match node {
        Node::Implicit { items, .. } => list("implicit", items),
        Node::Or { items, .. } => list("or", items),
        Node::And { items, .. } => list("and", items),
        Node::Not { expr, .. } => format!("(not {})", sexpr(expr)),
        Node::Required { expr, .. } => format!("(+ {})", sexpr(expr)),
        Node::Prohibited { expr, .. } => format!("(- {})", sexpr(expr)),
        Node::Field { name, expr, .. } => format!("(field {name:?} {})", sexpr(expr)),
        Node::Group { expr, .. } => format!("(group {})", sexpr(expr)),
        Node::Term(t) => {
            let mut text = String::new();
            for p in &t.parts {
                match p {
                    Part::Text(s) => text.push_str(s),
                    Part::Star => text.push('*'),
                    Part::Question => text.push('?'),
                }
            }
            format!("(term {text:?})")
        }
        Node::Phrase { text, .. } => format!("(phrase {text:?})"),
        Node::Regex { pattern, .. } => format!("(regex {pattern:?})"),
        Node::Range(r) => format!(
            "(range {} {:?} {:?} {})",
            if r.low_inclusive { "[" } else { "{" },
            r.low.value,
            r.high.value,
            if r.high_inclusive { "]" } else { "}" }
        ),
        Node::Compare { op, value, .. } => format!("(cmp {} {:?})", op.as_str(), value.text()),
        Node::Tilde { expr, distance, .. } => {
            format!(
                "(tilde {} {})",
                sexpr(expr),
                distance.as_deref().unwrap_or("-")
            )
        }
        Node::Boost { expr, factor, .. } => format!("(boost {} {factor})", sexpr(expr)),
        Node::Error { .. } => "ERR".to_string(),
    }
}
