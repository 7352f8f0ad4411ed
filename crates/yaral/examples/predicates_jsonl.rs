//! Print the event predicates of every rule of the `.yaral` files under a
//! folder as JSON lines, for `tools/diff/yaral/diff.py`: one object per
//! rule with its path, whether it parsed, and each comparison of the
//! events section as `(field, op, value)` in YARA-L's own notation, with
//! its negation parity and whether a function call wrote it.
//!
//! `cargo run --release -p ruledex-yaral --example predicates_jsonl -- FOLDER`

use ruledex_ir::{Op, Predicate, RuleFormat, SourceFile, ValueSourceKind};
use ruledex_yaral::YaralFormat;
use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let mut stack = vec![root.clone()];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaral") {
                files.push(path);
            }
        }
    }
    files.sort();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        for rule in YaralFormat.load(&SourceFile::standalone(&rel, &text)) {
            let mut predicates = Vec::new();
            for stage in rule.stages.iter().filter(|s| s.kind == "events") {
                let Some(p) = &stage.predicate else { continue };
                p.visit_leaves(|leaf, negated| {
                    let Predicate::Compare(c) = leaf else { return };
                    let function = c.written_op.as_deref().is_some_and(|w| w.ends_with("()"))
                        || c.field.derived.is_some();
                    let list = c
                        .values_from
                        .as_ref()
                        .filter(|s| s.kind == ValueSourceKind::Lookup)
                        .map(|s| s.name.clone());
                    let (op, value) = match (c.op, &list) {
                        (Op::In, Some(l)) => ("in", serde_json::json!(l)),
                        (Op::Regex, Some(l)) => ("in regex", serde_json::json!(l)),
                        (Op::Cidr, Some(l)) => ("in cidr", serde_json::json!(l)),
                        (Op::NotExists, _) => ("=", serde_json::json!("")),
                        (Op::Exists, _) => ("!=", serde_json::json!("")),
                        (Op::Eq, _) => ("=", serde_json::json!(c.values.first())),
                        (Op::Ne, _) => ("!=", serde_json::json!(c.values.first())),
                        (Op::Regex, _) => ("= regex", serde_json::json!(c.values.first())),
                        (Op::NotRegex, _) => ("!= regex", serde_json::json!(c.values.first())),
                        (Op::Gt, _) => (">", serde_json::json!(c.values.first())),
                        (Op::Ge, _) => (">=", serde_json::json!(c.values.first())),
                        (Op::Lt, _) => ("<", serde_json::json!(c.values.first())),
                        (Op::Le, _) => ("<=", serde_json::json!(c.values.first())),
                        (other, _) => (other.name(), serde_json::json!(c.values.first())),
                    };
                    predicates.push(serde_json::json!({
                        "field": c.field.name,
                        "op": op,
                        "value": value,
                        "negated": negated,
                        "nocase": c.case_sensitive == Some(false),
                        "function": function,
                    }));
                });
            }
            let line = serde_json::json!({
                "path": rel,
                "rule": rule.title,
                "parsed": rule.parsed(),
                "predicates": predicates,
            });
            println!("{line}");
        }
    }
}
