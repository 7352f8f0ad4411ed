//! Read kuery queries, one JSON string per line, from standard input and
//! print one JSON line per query: `"ERR"` when it does not parse, else the
//! tree in the canonical form `tools/diff/kuery/diff.py` compares with the
//! `kibana-ql` Python parser (groups dropped, `and`/`or` chains flattened,
//! words of a value joined by one space).
//!
//! `cargo run -p ruledex-kuery --example kuery_canon < queries.txt`

use ruledex_kuery::{Expr, Literal, ValueExpr};
use serde_json::{json, Value};
use std::io::{BufRead, Write};

fn main() {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for line in stdin.lock().lines().map_while(Result::ok) {
        let query: String = serde_json::from_str(&line).unwrap_or_default();
        let parsed = ruledex_kuery::parse(&query);
        let shown = match (&parsed.query.expr, parsed.is_ok()) {
            (Some(expr), true) => canon(expr),
            (None, true) => json!("EMPTY"),
            _ => json!("ERR"),
        };
        let _ = writeln!(out, "{shown}");
    }
}

fn literal(l: &Literal) -> Value {
    if l.quoted {
        json!(["q", l.text()])
    } else {
        json!([
            "w",
            l.text().split_whitespace().collect::<Vec<_>>().join(" ")
        ])
    }
}

fn flatten<'a>(op: &str, items: &'a [Expr], out: &mut Vec<&'a Expr>) {
    for item in items {
        let mut item = item;
        while let Expr::Group { expr, .. } = item {
            item = expr;
        }
        match (op, item) {
            ("and", Expr::And { items, .. }) | ("or", Expr::Or { items, .. }) => {
                flatten(op, items, out)
            }
            _ => out.push(item),
        }
    }
}

fn canon(e: &Expr) -> Value {
    match e {
        Expr::Or { items, .. } | Expr::And { items, .. } => {
            let op = if matches!(e, Expr::Or { .. }) {
                "or"
            } else {
                "and"
            };
            let mut flat = Vec::new();
            flatten(op, items, &mut flat);
            json!([op, flat.into_iter().map(canon).collect::<Vec<_>>()])
        }
        Expr::Not { expr, .. } => json!(["not", canon(expr)]),
        Expr::Group { expr, .. } => canon(expr),
        Expr::Nested { field, expr, .. } => json!(["nested", field.name, canon(expr)]),
        Expr::Range {
            field, op, value, ..
        } => json!(["range", field.name, op.as_str(), literal(value)]),
        Expr::Field { field, values, .. } => json!(["field", field.name, values_canon(values)]),
        Expr::Value { value } => json!(["value", literal(value)]),
        Expr::Error { .. } => json!("ERR"),
    }
}

fn flatten_values<'a>(op: &str, items: &'a [ValueExpr], out: &mut Vec<&'a ValueExpr>) {
    for item in items {
        let mut item = item;
        while let ValueExpr::Group { expr, .. } = item {
            item = expr;
        }
        match (op, item) {
            ("and", ValueExpr::And { items, .. }) | ("or", ValueExpr::Or { items, .. }) => {
                flatten_values(op, items, out)
            }
            _ => out.push(item),
        }
    }
}

fn values_canon(v: &ValueExpr) -> Value {
    match v {
        ValueExpr::Or { items, .. } | ValueExpr::And { items, .. } => {
            let op = if matches!(v, ValueExpr::Or { .. }) {
                "or"
            } else {
                "and"
            };
            let mut flat = Vec::new();
            flatten_values(op, items, &mut flat);
            json!([op, flat.into_iter().map(values_canon).collect::<Vec<_>>()])
        }
        ValueExpr::Not { expr, .. } => json!(["not", values_canon(expr)]),
        ValueExpr::Group { expr, .. } => values_canon(expr),
        ValueExpr::Literal(l) => literal(l),
        ValueExpr::Error { .. } => json!("ERR"),
    }
}
