//! The differential dump: what ruledex understood of a file, in the same
//! JSON shape as `tools/diff/sigma/pysigma_dump.py` prints for pySigma, so
//! `tools/diff/sigma/compare.py` can count exact matches.

use crate::modifier::Modifier;
use crate::parse::{parse_file, DetectionChild, DetectionNode, DocumentKind, FilterRules, Item};
use crate::value::SigmaValue;
use serde_json::{json, Value};

/// The dump of one file (`path` is printed as given).
pub fn dump_file(path: &str, text: &str) -> Value {
    let parsed = parse_file(text);
    let file_errors: Vec<String> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    // pySigma lists rules and correlation rules first, then filters.
    let mut order: Vec<usize> = (0..parsed.documents.len())
        .filter(|&i| parsed.documents[i].kind != DocumentKind::Filter)
        .collect();
    order.extend(
        (0..parsed.documents.len()).filter(|&i| parsed.documents[i].kind == DocumentKind::Filter),
    );
    let rules: Vec<Value> = order
        .into_iter()
        .enumerate()
        .map(|(index, i)| {
            let doc = &parsed.documents[i];
            let errors: Vec<String> = doc
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| format!("{}: {}", d.code, d.message))
                .collect();
            let mut detections = serde_json::Map::new();
            let mut conditions = Vec::new();
            if let Some(det) = &doc.detections {
                for d in &det.detections {
                    let mut items = Vec::new();
                    let tree = node_items(&d.node, &mut items);
                    items.sort_by_key(|i| serde_json::to_string(i).unwrap_or_default());
                    detections.insert(d.name.clone(), json!({"items": items, "tree": tree}));
                }
                for c in &det.conditions {
                    if let Some(p) = &c.parsed {
                        if p.aggregation.is_none() {
                            conditions.push(Value::String(p.expr.to_string()));
                        }
                    }
                }
            }
            let correlation = doc.correlation.as_ref().map(|c| {
                let condition = match (&c.condition, &c.extended) {
                    (_, Some((_, text))) => json!({"expression": text}),
                    (Some((op, count, field)), _) => {
                        let count: Value = count
                            .parse::<i64>()
                            .map(Value::from)
                            .or_else(|_| count.parse::<f64>().map(Value::from))
                            .unwrap_or(Value::Null);
                        json!({"op": op, "count": count, "field": field})
                    }
                    _ => Value::Null,
                };
                json!({
                    "type": c.kind.as_ref().map(|k| k.to_ascii_lowercase()),
                    "rules": c.rules.iter().map(|(r, _)| r).collect::<Vec<_>>(),
                    "group_by": if c.group_by.is_empty() { Value::Null } else {
                        json!(c.group_by.iter().map(|(g, _)| g).collect::<Vec<_>>())
                    },
                    "timespan": c.timespan,
                    "condition": condition,
                })
            });
            let filter = doc.filter_rules.as_ref().map(|r| match r {
                FilterRules::Any => json!({"rules": "any"}),
                FilterRules::Rules(list) => {
                    json!({"rules": list.iter().map(|(n, _)| n).collect::<Vec<_>>()})
                }
            });
            json!({
                "index": index,
                "type": doc.kind.name(),
                "accepted": errors.is_empty(),
                "errors": errors,
                "detections": detections,
                "conditions": conditions,
                "correlation": correlation,
                "filter": filter,
            })
        })
        .collect();
    json!({
        "file": path,
        "error": if file_errors.is_empty() { Value::Null } else { json!(file_errors.join("; ")) },
        "rules": rules,
    })
}

fn node_items(node: &DetectionNode, out: &mut Vec<Value>) -> String {
    let parts: Vec<String> = node
        .children
        .iter()
        .map(|c| match c {
            DetectionChild::Item(item) => {
                out.push(item_json(item));
                "i".to_string()
            }
            DetectionChild::Nested(inner) => node_items(inner, out),
        })
        .collect();
    let linking = if has_item(node) || node.children.is_empty() {
        "and"
    } else {
        "or"
    };
    format!("{linking}({})", parts.join(","))
}

/// pySigma links a detection's children with AND when any child is an
/// item, otherwise with OR.
fn has_item(node: &DetectionNode) -> bool {
    node.children
        .iter()
        .any(|c| matches!(c, DetectionChild::Item(_)))
}

fn item_json(item: &Item) -> Value {
    let canon = |vs: &[SigmaValue]| vs.iter().map(SigmaValue::canonical).collect::<Vec<_>>();
    // pySigma's `expand` rewrites the string object it receives in place;
    // when no earlier modifier replaced that object (contains & co. return
    // the same object when the wildcard is already there), the "values as
    // written" show the placeholders too.
    let values: Vec<SigmaValue> = item
        .values
        .iter()
        .map(|v| match v {
            SigmaValue::String(s) if shares_object_with_expand(&item.modifiers, s) => {
                SigmaValue::String(crate::modifier::insert_placeholders(s.clone()))
            }
            other => other.clone(),
        })
        .collect();
    json!({
        "field": item.field,
        "modifiers": item.modifier_names,
        "values": canon(&values),
        "expanded": canon(&item.expanded()),
        "linking": if item.all { "and" } else { "or" },
    })
}

fn shares_object_with_expand(modifiers: &[Modifier], s: &crate::value::SigmaString) -> bool {
    for m in modifiers {
        match m {
            Modifier::Expand => return true,
            Modifier::Contains if s.starts_with_any() && s.ends_with_any() => {}
            Modifier::StartsWith if s.ends_with_any() => {}
            Modifier::EndsWith if s.starts_with_any() => {}
            Modifier::All | Modifier::Neq => {}
            _ => return false,
        }
    }
    false
}
