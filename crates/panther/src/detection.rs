//! Simple detections (`Detection:` in YAML) and `InlineFilters`, lowered
//! to predicates.
//!
//! A list of match expressions holds when all of them hold. A match
//! expression names a field (`Key: a`, `DeepKey: [a, b]`, `KeyPath: a.b[*].c`,
//! all the dotted field `a.b`), a `Condition` and a `Value`/`Values`;
//! `All`/`Any`/`OnlyOne`/`None` combine lists; a list comprehension
//! (`Condition: AnyElement|AllElements|OnlyOneElement|NoElement` with
//! `Expressions`) tests the elements of an array field, whose own keys are
//! read under the array's name. String conditions are case-sensitive, as
//! Python's comparisons are.

use crate::codes;
use ruledex_ir::{Comparison, Diagnostic, FieldComparison, FieldRef, Op, Predicate, Value};
use ruledex_yaml::{Node, Resolved};

/// Deepest combinator nesting followed.
const MAX_DEPTH: usize = 64;

/// Lower a `Detection` or `InlineFilters` list. `None` when the list holds
/// nothing (`InlineFilters: [All: []]`).
pub fn lower(node: &Node, diagnostics: &mut Vec<Diagnostic>) -> Option<Predicate> {
    let items = if node.is_sequence() {
        node.items().to_vec()
    } else {
        vec![node.clone()]
    };
    all(&items, "", diagnostics, 0)
}

fn all(
    items: &[Node],
    prefix: &str,
    diagnostics: &mut Vec<Diagnostic>,
    depth: usize,
) -> Option<Predicate> {
    let parts: Vec<Predicate> = items
        .iter()
        .filter_map(|i| expression(i, prefix, diagnostics, depth + 1))
        .collect();
    (!parts.is_empty()).then(|| Predicate::and(parts))
}

fn expression(
    node: &Node,
    prefix: &str,
    diagnostics: &mut Vec<Diagnostic>,
    depth: usize,
) -> Option<Predicate> {
    if depth > MAX_DEPTH {
        diagnostics.push(
            Diagnostic::error(
                codes::INVALID_DETECTION,
                format!("detection nests deeper than {MAX_DEPTH} levels"),
            )
            .with_span(node.span),
        );
        return None;
    }
    if !node.is_mapping() {
        diagnostics.push(
            Diagnostic::error(
                codes::INVALID_DETECTION,
                "a match expression must be a mapping",
            )
            .with_span(node.span),
        );
        return None;
    }
    for (combinator, key) in [("All", 0), ("Any", 1), ("OnlyOne", 2), ("None", 3)] {
        let Some(list) = node.get(combinator) else {
            continue;
        };
        if !list.is_sequence() {
            diagnostics.push(
                Diagnostic::error(
                    codes::INVALID_DETECTION,
                    format!("`{combinator}` must be a list"),
                )
                .with_span(list.span),
            );
            return None;
        }
        let parts: Vec<Predicate> = list
            .items()
            .iter()
            .filter_map(|i| expression(i, prefix, diagnostics, depth + 1))
            .collect();
        if parts.is_empty() {
            return None;
        }
        return Some(match key {
            0 => Predicate::and(parts),
            1 => Predicate::or(parts),
            // Exactly one: at least one, which is what indicators can say;
            // the count is kept in the rendering.
            2 => Predicate::Call(ruledex_ir::Call {
                name: "only_one".into(),
                args: parts.iter().map(ToString::to_string).collect(),
                span: Some(list.span),
            }),
            _ => Predicate::not(Predicate::or(parts)),
        });
    }
    let field = match field_of(node) {
        Some(f) => join(prefix, &f),
        None => {
            diagnostics.push(
                Diagnostic::error(
                    codes::INVALID_DETECTION,
                    "a match expression needs `Key`, `DeepKey` or `KeyPath`, or a combinator",
                )
                .with_span(node.span),
            );
            return None;
        }
    };
    let Some(condition_node) = node.get("Condition") else {
        diagnostics.push(
            Diagnostic::error(
                codes::INVALID_DETECTION,
                "a match expression needs a `Condition`",
            )
            .with_span(node.span),
        );
        return None;
    };
    let condition = condition_node.as_str().unwrap_or("");
    let values = values_of(node);
    let at = node.span;
    let compare = |op: Op, values: Vec<Value>| {
        Some(Predicate::Compare(
            Comparison::new(field.as_str(), op, values)
                .written(condition.to_string())
                .at(at),
        ))
    };
    match condition {
        "Equals" => compare(Op::Eq, values),
        "DoesNotEqual" => compare(Op::Ne, values),
        "IsGreaterThan" => compare(Op::Gt, values),
        "IsGreaterThanOrEquals" | "IsGreaterThanOrEqualTo" => compare(Op::Ge, values),
        "IsLessThan" => compare(Op::Lt, values),
        "IsLessThanOrEquals" | "IsLessThanOrEqualTo" => compare(Op::Le, values),
        "Contains" => compare(Op::Contains, values),
        "DoesNotContain" => compare(Op::NotContains, values),
        "StartsWith" => compare(Op::StartsWith, values),
        "DoesNotStartWith" => compare(Op::NotStartsWith, values),
        "EndsWith" => compare(Op::EndsWith, values),
        "DoesNotEndWith" => compare(Op::NotEndsWith, values),
        "IsIn" => compare(Op::In, values),
        "IsNotIn" => compare(Op::NotIn, values),
        "Exists" | "IsNotNull" | "IsNotNullOrEmpty" => compare(Op::Exists, vec![]),
        "DoesNotExist" | "IsNull" | "IsNullOrEmpty" => compare(Op::NotExists, vec![]),
        "IsIPAddressInCIDR" => compare(Op::Cidr, values),
        "IsIPAddressNotInCIDR" => compare(Op::NotCidr, values),
        "IsIPAddressPrivate" => compare(
            Op::Cidr,
            ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
                .map(Value::from)
                .to_vec(),
        ),
        "IsIPAddressPublic" => compare(
            Op::NotCidr,
            ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
                .map(Value::from)
                .to_vec(),
        ),
        "CIDRContainsIP" => compare(Op::Cidr, values),
        "AnyElement" | "AllElements" | "OnlyOneElement" | "NoElement" => {
            let Some(expressions) = node.get("Expressions") else {
                diagnostics.push(
                    Diagnostic::error(
                        codes::INVALID_DETECTION,
                        format!("`{condition}` needs `Expressions`"),
                    )
                    .with_span(node.span),
                );
                return None;
            };
            let inner = all(expressions.items(), &field, diagnostics, depth + 1)?;
            Some(match condition {
                "NoElement" => Predicate::not(inner),
                _ => inner,
            })
        }
        "IsFieldEqualTo" | "FieldEquals" | "IsFieldNotEqualTo" => {
            let other = node
                .get("Value")
                .and_then(field_of)
                .map(|f| join(prefix, &f))?;
            Some(Predicate::FieldCompare(FieldComparison {
                left: FieldRef::new(field.as_str()),
                op: if condition == "IsFieldNotEqualTo" {
                    Op::Ne
                } else {
                    Op::Eq
                },
                right: FieldRef::new(other),
                case_sensitive: Some(true),
                written_op: Some(condition.to_string()),
                span: Some(at),
            }))
        }
        other => {
            diagnostics.push(
                Diagnostic::error(
                    codes::INVALID_DETECTION,
                    format!("unknown condition `{other}`"),
                )
                .with_span(condition_node.span),
            );
            None
        }
    }
}

/// The dotted field a match expression names.
fn field_of(node: &Node) -> Option<String> {
    if let Some(key) = node.get("Key").and_then(Node::as_str) {
        return Some(key.to_string());
    }
    if let Some(deep) = node.get("DeepKey") {
        let parts: Vec<&str> = deep.strings();
        if !parts.is_empty() {
            return Some(parts.join("."));
        }
    }
    node.get("KeyPath")
        .and_then(Node::as_str)
        .map(crate::context::json_path)
}

fn join(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_string()
    } else {
        format!("{prefix}.{field}")
    }
}

/// `Value` or `Values`, typed as YAML resolves them.
fn values_of(node: &Node) -> Vec<Value> {
    let scalar = |n: &Node| -> Option<Value> {
        Some(match n.resolve()? {
            Resolved::Null => Value::Null,
            Resolved::Bool(b) => Value::Bool(b),
            Resolved::Int(i) => Value::Integer(i),
            Resolved::Float(f) => Value::Float(f),
            Resolved::Str(s) => Value::String(s.to_string()),
        })
    };
    if let Some(v) = node.get("Value") {
        if v.is_sequence() {
            return v.items().iter().filter_map(scalar).collect();
        }
        return scalar(v).into_iter().collect();
    }
    node.get("Values")
        .map(|v| v.items().iter().filter_map(scalar).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowered(yaml: &str) -> (Option<Predicate>, Vec<Diagnostic>) {
        let docs = ruledex_yaml::parse(yaml).unwrap();
        let mut d = Vec::new();
        let p = lower(docs[0].get("Detection").unwrap(), &mut d);
        (p, d)
    }

    #[test]
    fn keys_conditions_and_combinators() {
        let (p, d) = lowered(
            "Detection:\n  - Key: action\n    Condition: Equals\n    Value: repo.archived\n  - Any:\n      - DeepKey: [actor, type]\n        Condition: IsIn\n        Values: [User, Bot]\n      - KeyPath: a.b[*].c\n        Condition: StartsWith\n        Value: x\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            p.unwrap().to_string(),
            r#"action Equals "repo.archived" and (actor.type IsIn ("User", "Bot") or a.b.c StartsWith "x")"#
        );
    }

    #[test]
    fn unknown_conditions_are_errors() {
        let (p, d) = lowered("Detection:\n  - Key: a\n    Condition: Resembles\n    Value: x\n");
        assert!(p.is_none());
        assert_eq!(d[0].code, codes::INVALID_DETECTION);
    }

    #[test]
    fn empty_filters_are_nothing() {
        let docs = ruledex_yaml::parse("InlineFilters:\n  - All: []\n").unwrap();
        let mut d = Vec::new();
        assert!(lower(docs[0].get("InlineFilters").unwrap(), &mut d).is_none());
        assert!(d.is_empty());
    }
}
