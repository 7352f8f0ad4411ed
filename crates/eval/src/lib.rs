//! Evaluate ruledex predicate trees on JSON events, with no rule-language
//! runtime: the first step toward checking that two rules match the same
//! events.
//!
//! Evaluation is three-valued ([`Truth`]): a condition the analysis kept
//! opaque, a call, a field computed by a data-model method, or a value the
//! evaluator cannot compare (a time span) is [`Truth::Unknown`], and
//! `and`/`or`/`not` propagate it the way Kleene's logic does (`false and
//! unknown` is `false`, `true or unknown` is `true`).
//!
//! # Fields
//!
//! A field name is the event's JSON path joined with `.`
//! (`userIdentity.type`); a key that itself contains dots is found too.
//! Arrays on the way are searched element by element, and a comparison on
//! several values holds when one of them does (`any`). A missing field or
//! a JSON `null` holds no value: a positive test (`eq`, `in`, `contains`,
//! `regex`, …) on it is false and its negation (`ne`, `not_in`, …) true.
//!
//! # Comparisons
//!
//! Values compare by type, as Python and JSON see them: the string `"0"` is
//! not the number `0`, integers and floats compare numerically.
//! `case_sensitive: Some(false)` compares lower-cased text. `contains` on a
//! string is a substring test, on an array an element test, on an object a
//! key test. Regular expressions are searched (unanchored) with the
//! `regex` crate; a pattern it does not accept is unknown. `exists` holds
//! for a value that is present and not `null`, `""`, `[]` or `{}`.
//!
//! ```
//! use ruledex_eval::{Evaluator, Truth};
//! use ruledex_ir::{Comparison, Op, Predicate, Value};
//!
//! let p = Predicate::and(vec![
//!     Predicate::Compare(Comparison::new("eventName", Op::Eq, vec![Value::from("ConsoleLogin")])),
//!     Predicate::not(Predicate::Compare(Comparison::new("errorCode", Op::Exists, vec![]))),
//!     Predicate::Compare(Comparison::new("userIdentity.type", Op::In, vec!["Root".into(), "IAMUser".into()])),
//! ]);
//! let event = serde_json::json!({"eventName": "ConsoleLogin", "userIdentity": {"type": "Root"}});
//! let mut evaluator = Evaluator::new();
//! assert_eq!(evaluator.predicate(&p, &event), Truth::True);
//! let failed = serde_json::json!({"eventName": "ConsoleLogin", "errorCode": "Denied", "userIdentity": {"type": "Root"}});
//! assert_eq!(evaluator.predicate(&p, &failed), Truth::False);
//! let opaque = Predicate::and(vec![p, Predicate::opaque("lookup(event)", None)]);
//! assert_eq!(evaluator.predicate(&opaque, &event), Truth::Unknown);
//! ```

use regex::Regex;
use ruledex_ir::{Comparison, FieldComparison, FieldRef, Op, Predicate, Rule, Value};
use serde_json::Value as Json;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::net::IpAddr;

/// Deepest predicate or JSON nesting followed; deeper is unknown.
pub const MAX_DEPTH: usize = 256;

/// The value of a condition on one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Truth {
    /// The condition holds.
    True,
    /// The condition does not hold.
    False,
    /// The analysis cannot tell (an opaque condition, a call, …).
    Unknown,
}

impl Truth {
    /// `True` or `False` for a known boolean.
    pub fn from_bool(b: bool) -> Truth {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }

    /// The boolean, when known.
    pub fn known(self) -> Option<bool> {
        match self {
            Truth::True => Some(true),
            Truth::False => Some(false),
            Truth::Unknown => None,
        }
    }

    /// Kleene negation.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }

    /// Kleene conjunction.
    pub fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            _ => Truth::Unknown,
        }
    }

    /// Kleene disjunction.
    pub fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::False, Truth::False) => Truth::False,
            _ => Truth::Unknown,
        }
    }
}

/// Evaluates predicates; keeps compiled regular expressions between calls.
#[derive(Debug, Default)]
pub struct Evaluator {
    regexes: HashMap<(String, bool), Option<Regex>>,
}

impl Evaluator {
    /// A new evaluator.
    pub fn new() -> Evaluator {
        Evaluator::default()
    }

    /// Whether `rule` matches `event`: the conjunction of its stages'
    /// predicates (a stage without one holds). This is what a rule means
    /// when its stages are filters one after another (Panther guards and
    /// return, Sigma's condition); a stage that aggregates or joins is not
    /// a filter, and such a rule's result says only whether the event
    /// passes its filters.
    pub fn rule(&mut self, rule: &Rule, event: &Json) -> Truth {
        let mut out = Truth::True;
        for stage in &rule.stages {
            if let Some(p) = &stage.predicate {
                out = out.and(self.predicate(p, event));
                if out == Truth::False {
                    break;
                }
            }
        }
        out
    }

    /// The value of `predicate` on `event`.
    pub fn predicate(&mut self, predicate: &Predicate, event: &Json) -> Truth {
        self.eval(predicate, event, 0)
    }

    fn eval(&mut self, p: &Predicate, event: &Json, depth: usize) -> Truth {
        if depth > MAX_DEPTH {
            return Truth::Unknown;
        }
        match p {
            Predicate::And(items) => {
                let mut out = Truth::True;
                for item in items {
                    out = out.and(self.eval(item, event, depth + 1));
                    if out == Truth::False {
                        break;
                    }
                }
                out
            }
            Predicate::Or(items) => {
                let mut out = Truth::False;
                for item in items {
                    out = out.or(self.eval(item, event, depth + 1));
                    if out == Truth::True {
                        break;
                    }
                }
                out
            }
            Predicate::Not(inner) => self.eval(inner, event, depth + 1).not(),
            Predicate::Compare(c) => self.compare(c, event),
            Predicate::FieldCompare(f) => self.field_compare(f, event),
            Predicate::Call(_) => Truth::Unknown,
            Predicate::Opaque { text, .. } => match text.as_str() {
                "False" | "false" => Truth::False,
                "True" | "true" => Truth::True,
                _ => Truth::Unknown,
            },
        }
    }

    fn compare(&mut self, c: &Comparison, event: &Json) -> Truth {
        if c.values_from.is_some() && c.values.is_empty() {
            return Truth::Unknown;
        }
        let Some(found) = field_values(&c.field, event) else {
            return Truth::Unknown;
        };
        let fold = c.case_sensitive == Some(false);
        match c.op {
            Op::Exists => return Truth::from_bool(found.iter().any(|v| present(v))),
            Op::NotExists => return Truth::from_bool(!found.iter().any(|v| present(v))),
            _ => {}
        }
        // A negative operator is the negation of its positive one.
        let (op, negate) = if c.op.is_negative() {
            match c.op.negated() {
                Some(positive) => (positive, true),
                None => return Truth::Unknown,
            }
        } else {
            (c.op, false)
        };
        let mut out = Truth::False;
        for value in &found {
            out = out.or(self.positive(op, value, &c.values, fold));
            if out == Truth::True {
                break;
            }
        }
        if negate {
            out.not()
        } else {
            out
        }
    }

    /// A positive operator on one found value (which may be an array).
    fn positive(&mut self, op: Op, value: &Json, values: &[Value], fold: bool) -> Truth {
        match op {
            Op::Contains => match value {
                Json::Array(items) => any(values, |v| {
                    Truth::from_bool(items.iter().any(|i| equal(i, v, fold) == Some(true)))
                }),
                Json::Object(map) => any(values, |v| match v {
                    Value::String(k) => Truth::from_bool(map.contains_key(k)),
                    _ => Truth::False,
                }),
                Json::String(s) => any(values, |v| text_op(s, v, fold, |a, b| a.contains(b))),
                _ => Truth::False,
            },
            _ => {
                let mut out = Truth::False;
                for scalar in scalars(value) {
                    out = out.or(self.scalar(op, scalar, values, fold));
                    if out == Truth::True {
                        break;
                    }
                }
                out
            }
        }
    }

    fn scalar(&mut self, op: Op, value: &Json, values: &[Value], fold: bool) -> Truth {
        match op {
            Op::Eq | Op::In => any(values, |v| match equal(value, v, fold) {
                Some(b) => Truth::from_bool(b),
                None => Truth::Unknown,
            }),
            Op::StartsWith => str_op(value, values, fold, |a, b| a.starts_with(b)),
            Op::EndsWith => str_op(value, values, fold, |a, b| a.ends_with(b)),
            Op::Contains => str_op(value, values, fold, |a, b| a.contains(b)),
            Op::Has | Op::HasAny => str_op(value, values, fold, |a, b| terms(a).any(|t| t == b)),
            Op::HasAll => {
                let Json::String(s) = value else {
                    return Truth::False;
                };
                let s = fold_case(s, fold);
                Truth::from_bool(values.iter().all(|v| {
                    v.as_str()
                        .is_some_and(|b| terms(&s).any(|t| t == fold_case(b, fold)))
                }))
            }
            Op::HasPrefix => str_op(value, values, fold, |a, b| {
                terms(a).any(|t| t.starts_with(b))
            }),
            Op::HasSuffix => str_op(value, values, fold, |a, b| terms(a).any(|t| t.ends_with(b))),
            Op::Regex | Op::Wildcard => {
                let Some(text) = as_text(value) else {
                    return Truth::False;
                };
                let mut out = Truth::False;
                for v in values {
                    let Some(pattern) = v.as_str() else {
                        out = out.or(Truth::Unknown);
                        continue;
                    };
                    let pattern = if op == Op::Wildcard {
                        glob_regex(pattern)
                    } else {
                        pattern.to_string()
                    };
                    out = out.or(match self.regex(&pattern, fold) {
                        Some(re) => Truth::from_bool(re.is_match(&text)),
                        None => Truth::Unknown,
                    });
                }
                out
            }
            Op::Cidr => {
                let Some(ip) = value.as_str().and_then(|s| s.trim().parse::<IpAddr>().ok()) else {
                    return Truth::False;
                };
                any(values, |v| match v.as_str().and_then(parse_network) {
                    Some((net, bits)) => Truth::from_bool(in_network(ip, net, bits)),
                    None => Truth::Unknown,
                })
            }
            Op::Between => match values {
                [low, high] => match (order(value, low), order(value, high)) {
                    (Some(a), Some(b)) => {
                        Truth::from_bool(a != Ordering::Less && b != Ordering::Greater)
                    }
                    _ => Truth::False,
                },
                _ => Truth::Unknown,
            },
            Op::Gt | Op::Ge | Op::Lt | Op::Le => any(values, |v| match order(value, v) {
                Some(o) => Truth::from_bool(match op {
                    Op::Gt => o == Ordering::Greater,
                    Op::Ge => o != Ordering::Less,
                    Op::Lt => o == Ordering::Less,
                    _ => o != Ordering::Greater,
                }),
                // Python raises on `None > 0`; the rule does not match.
                None => Truth::False,
            }),
            _ => Truth::Unknown,
        }
    }

    fn field_compare(&mut self, f: &FieldComparison, event: &Json) -> Truth {
        let (Some(left), Some(right)) =
            (field_values(&f.left, event), field_values(&f.right, event))
        else {
            return Truth::Unknown;
        };
        let fold = f.case_sensitive == Some(false);
        let (op, negate) = match f.op.negated() {
            Some(positive) if f.op.is_negative() => (positive, true),
            _ => (f.op, false),
        };
        // The right-hand values become literals, where they are scalars.
        let values: Vec<Value> = right
            .iter()
            .flat_map(|v| scalars(v))
            .filter_map(json_value)
            .collect();
        if values.is_empty() {
            return Truth::from_bool(negate);
        }
        let mut out = Truth::False;
        for value in &left {
            out = out.or(self.positive(op, value, &values, fold));
        }
        if negate {
            out.not()
        } else {
            out
        }
    }

    fn regex(&mut self, pattern: &str, fold: bool) -> Option<&Regex> {
        self.regexes
            .entry((pattern.to_string(), fold))
            .or_insert_with(|| {
                regex::RegexBuilder::new(pattern)
                    .case_insensitive(fold)
                    .size_limit(1 << 20)
                    .build()
                    .ok()
            })
            .as_ref()
    }
}

/// The values of a field in an event: `Some(empty)` when absent, `None`
/// when the field is computed and cannot be read from the event.
fn field_values<'a>(field: &FieldRef, event: &'a Json) -> Option<Vec<&'a Json>> {
    if field
        .derived
        .as_ref()
        .is_some_and(|d| !d.traced || d.aggregate)
    {
        return None;
    }
    if field.name == FieldRef::ANY {
        return None;
    }
    let segments: Vec<&str> = field.name.split('.').collect();
    let mut out = Vec::new();
    lookup(event, &segments, &mut out, 0);
    Some(out.into_iter().filter(|v| !v.is_null()).collect())
}

fn lookup<'a>(value: &'a Json, segments: &[&str], out: &mut Vec<&'a Json>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    if segments.is_empty() {
        out.push(value);
        return;
    }
    match value {
        Json::Object(map) => {
            let mut key = String::new();
            for (i, segment) in segments.iter().enumerate() {
                if i > 0 {
                    key.push('.');
                }
                key.push_str(segment);
                if let Some(child) = map.get(&key) {
                    lookup(child, &segments[i + 1..], out, depth + 1);
                }
            }
        }
        Json::Array(items) => {
            for item in items {
                lookup(item, segments, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// Present and not empty.
fn present(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::String(s) => !s.is_empty(),
        Json::Array(a) => !a.is_empty(),
        Json::Object(o) => !o.is_empty(),
        _ => true,
    }
}

/// The scalars of a value: itself, or an array's elements (one level).
fn scalars(v: &Json) -> Vec<&Json> {
    match v {
        Json::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

fn any(values: &[Value], mut f: impl FnMut(&Value) -> Truth) -> Truth {
    let mut out = Truth::False;
    for v in values {
        out = out.or(f(v));
        if out == Truth::True {
            break;
        }
    }
    out
}

fn fold_case(s: &str, fold: bool) -> String {
    if fold {
        s.to_lowercase()
    } else {
        s.to_string()
    }
}

fn text_op(s: &str, v: &Value, fold: bool, f: impl Fn(&str, &str) -> bool) -> Truth {
    match v.as_str() {
        Some(b) => Truth::from_bool(f(&fold_case(s, fold), &fold_case(b, fold))),
        None => Truth::False,
    }
}

fn str_op(value: &Json, values: &[Value], fold: bool, f: impl Fn(&str, &str) -> bool) -> Truth {
    let Json::String(s) = value else {
        return Truth::False;
    };
    any(values, |v| text_op(s, v, fold, &f))
}

/// Word-like terms of a text (runs of letters, digits and `_`).
fn terms(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
}

/// A scalar as text, for regular expressions (numbers as written).
fn as_text(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// JSON scalar equals literal; `None` when the literal cannot be compared
/// (a time span).
fn equal(json: &Json, v: &Value, fold: bool) -> Option<bool> {
    Some(match (json, v) {
        (Json::String(a), Value::String(b)) => {
            if fold {
                a.to_lowercase() == b.to_lowercase()
            } else {
                a == b
            }
        }
        (Json::Number(_), Value::Integer(_) | Value::Float(_)) => {
            order(json, v) == Some(Ordering::Equal)
        }
        (Json::Bool(a), Value::Bool(b)) => a == b,
        (Json::Null, Value::Null) => true,
        (_, Value::Timespan { .. } | Value::Datetime { .. }) => return None,
        _ => false,
    })
}

/// Order of a JSON scalar and a literal of the same kind (numbers, text).
fn order(json: &Json, v: &Value) -> Option<Ordering> {
    match (json, v) {
        (Json::Number(n), Value::Integer(i)) => match n.as_i64() {
            Some(a) => Some(a.cmp(i)),
            None => n.as_f64()?.partial_cmp(&(*i as f64)),
        },
        (Json::Number(n), Value::Float(f)) => n.as_f64()?.partial_cmp(f),
        (Json::String(a), Value::String(b)) => Some(a.as_str().cmp(b.as_str())),
        _ => None,
    }
}

fn json_value(v: &Json) -> Option<Value> {
    Some(match v {
        Json::String(s) => Value::String(s.clone()),
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Float(n.as_f64()?),
        },
        _ => return None,
    })
}

/// A glob (`*`, `?`, backslash escapes) as an anchored regular expression.
fn glob_regex(glob: &str) -> String {
    let mut out = String::from("^(?s:");
    let mut chars = glob.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            '\\' => match chars.next() {
                Some(n) => out.push_str(&regex::escape(&n.to_string())),
                None => out.push_str(r"\\"),
            },
            other => out.push_str(&regex::escape(&other.to_string())),
        }
    }
    out.push_str(")$");
    out
}

/// `10.0.0.0/8` (or a bare address) as address and prefix length.
fn parse_network(s: &str) -> Option<(IpAddr, u32)> {
    let (addr, bits) = match s.split_once('/') {
        Some((a, b)) => (a, Some(b.parse::<u32>().ok()?)),
        None => (s, None),
    };
    let ip: IpAddr = addr.trim().parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let bits = bits.unwrap_or(max);
    (bits <= max).then_some((ip, bits))
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u32) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruledex_ir::Derivation;
    use serde_json::json;

    fn cmp(field: &str, op: Op, values: Vec<Value>) -> Predicate {
        Predicate::Compare(Comparison::new(field, op, values))
    }

    fn eval(p: &Predicate, event: &Json) -> Truth {
        Evaluator::new().predicate(p, event)
    }

    #[test]
    fn kleene_logic() {
        use Truth::*;
        assert_eq!(False.and(Unknown), False);
        assert_eq!(True.and(Unknown), Unknown);
        assert_eq!(True.or(Unknown), True);
        assert_eq!(False.or(Unknown), Unknown);
        assert_eq!(Unknown.not(), Unknown);
        let p = Predicate::or(vec![
            cmp("a", Op::Eq, vec![1.into()]),
            Predicate::opaque("x()", None),
        ]);
        assert_eq!(eval(&p, &json!({"a": 1})), True);
        assert_eq!(eval(&p, &json!({"a": 2})), Unknown);
        assert_eq!(eval(&Predicate::opaque("False", None), &json!({})), False);
    }

    #[test]
    fn paths_arrays_and_dotted_keys() {
        let event = json!({
            "a": {"b": [{"c": "x"}, {"c": "y"}]},
            "k.with.dots": "v",
            "n": null
        });
        assert_eq!(
            eval(&cmp("a.b.c", Op::Eq, vec!["y".into()]), &event),
            Truth::True
        );
        assert_eq!(
            eval(&cmp("a.b.c", Op::Ne, vec!["y".into()]), &event),
            Truth::False
        );
        assert_eq!(
            eval(&cmp("k.with.dots", Op::Eq, vec!["v".into()]), &event),
            Truth::True
        );
        assert_eq!(eval(&cmp("n", Op::Exists, vec![]), &event), Truth::False);
        assert_eq!(
            eval(&cmp("missing", Op::NotIn, vec!["x".into()]), &event),
            Truth::True
        );
        assert_eq!(
            eval(&cmp("missing", Op::Eq, vec!["x".into()]), &event),
            Truth::False
        );
    }

    #[test]
    fn types_compare_strictly_and_numbers_numerically() {
        let event = json!({"s": "0", "i": 0, "f": 2.5, "b": false});
        assert_eq!(
            eval(&cmp("s", Op::Eq, vec![0.into()]), &event),
            Truth::False
        );
        assert_eq!(
            eval(&cmp("i", Op::Eq, vec![Value::Float(0.0)]), &event),
            Truth::True
        );
        assert_eq!(eval(&cmp("f", Op::Gt, vec![2.into()]), &event), Truth::True);
        assert_eq!(
            eval(&cmp("b", Op::Eq, vec![false.into()]), &event),
            Truth::True
        );
        assert_eq!(
            eval(&cmp("s", Op::Gt, vec![1.into()]), &event),
            Truth::False
        );
        assert_eq!(
            eval(&cmp("i", Op::Between, vec![(-1).into(), 1.into()]), &event),
            Truth::True
        );
    }

    #[test]
    fn text_operators_and_case() {
        let event = json!({"ua": "Mozilla BAV2ROPC", "tags": ["a", "b"], "obj": {"k": 1}});
        let ci = |op, v: &str| {
            Predicate::Compare(Comparison::new("ua", op, vec![v.into()]).case_sensitive(false))
        };
        assert_eq!(eval(&ci(Op::StartsWith, "mozilla"), &event), Truth::True);
        assert_eq!(
            eval(&cmp("ua", Op::StartsWith, vec!["mozilla".into()]), &event),
            Truth::False
        );
        assert_eq!(eval(&ci(Op::EndsWith, "ropc"), &event), Truth::True);
        assert_eq!(
            eval(&cmp("ua", Op::Contains, vec!["BAV2".into()]), &event),
            Truth::True
        );
        assert_eq!(
            eval(&cmp("ua", Op::NotContains, vec!["BAV2".into()]), &event),
            Truth::False
        );
        assert_eq!(
            eval(&cmp("tags", Op::Contains, vec!["b".into()]), &event),
            Truth::True
        );
        assert_eq!(
            eval(&cmp("obj", Op::Contains, vec!["k".into()]), &event),
            Truth::True
        );
        assert_eq!(eval(&ci(Op::Has, "bav2ropc"), &event), Truth::True);
        assert_eq!(
            eval(&cmp("tags", Op::In, vec!["b".into(), "c".into()]), &event),
            Truth::True
        );
    }

    #[test]
    fn regex_glob_and_cidr() {
        let event = json!({"p": "C:\\Windows\\cmd.exe", "ip": "10.1.2.3", "v6": "2001:db8::1"});
        assert_eq!(
            eval(
                &cmp("p", Op::Regex, vec![r"(?i)\\CMD\.exe$".into()]),
                &event
            ),
            Truth::True
        );
        assert_eq!(
            eval(&cmp("p", Op::Regex, vec!["(unclosed".into()]), &event),
            Truth::Unknown
        );
        assert_eq!(
            eval(
                &cmp("p", Op::Wildcard, vec!["C:*\\\\cmd.???".into()]),
                &event
            ),
            Truth::True
        );
        assert_eq!(
            eval(&cmp("ip", Op::Cidr, vec!["10.0.0.0/8".into()]), &event),
            Truth::True
        );
        assert_eq!(
            eval(
                &cmp("ip", Op::NotCidr, vec!["192.168.0.0/16".into()]),
                &event
            ),
            Truth::True
        );
        assert_eq!(
            eval(&cmp("v6", Op::Cidr, vec!["2001:db8::/32".into()]), &event),
            Truth::True
        );
        assert_eq!(
            eval(&cmp("ip", Op::Cidr, vec!["0.0.0.0/0".into()]), &event),
            Truth::True
        );
    }

    #[test]
    fn computed_fields_and_field_comparisons() {
        let event = json!({"a": "x", "b": "x", "c": "y"});
        let mut untraced = Comparison::new("actor_user", Op::Eq, vec!["x".into()]);
        untraced.field.derived = Some(Derivation {
            column: "udm(actor_user)".into(),
            expression: "event.udm(\"actor_user\")".into(),
            traced: false,
            aggregate: false,
        });
        assert_eq!(eval(&Predicate::Compare(untraced), &event), Truth::Unknown);
        let fc = |left: &str, op, right: &str| {
            Predicate::FieldCompare(FieldComparison {
                left: left.into(),
                op,
                right: right.into(),
                case_sensitive: None,
                written_op: None,
                span: None,
            })
        };
        assert_eq!(eval(&fc("a", Op::Eq, "b"), &event), Truth::True);
        assert_eq!(eval(&fc("a", Op::Ne, "c"), &event), Truth::True);
        assert_eq!(eval(&fc("a", Op::Eq, "missing"), &event), Truth::False);
    }

    #[test]
    fn rules_are_the_conjunction_of_their_stages() {
        let mut rule = Rule::default();
        let mut guard = ruledex_ir::Stage::new("guard", "", ruledex_ir::Span::new(0, 0));
        guard.predicate = Some(Predicate::not(cmp("errorCode", Op::Exists, vec![])));
        let mut ret = ruledex_ir::Stage::new("return", "", ruledex_ir::Span::new(0, 0));
        ret.predicate = Some(cmp("eventName", Op::Eq, vec!["X".into()]));
        rule.stages = vec![guard, ret];
        let mut e = Evaluator::new();
        assert_eq!(e.rule(&rule, &json!({"eventName": "X"})), Truth::True);
        assert_eq!(
            e.rule(&rule, &json!({"eventName": "X", "errorCode": "E"})),
            Truth::False
        );
        assert_eq!(e.rule(&rule, &json!({})), Truth::False);
    }

    #[test]
    fn deep_input_is_bounded() {
        let mut p = cmp("a", Op::Exists, vec![]);
        for _ in 0..(MAX_DEPTH * 2) {
            p = Predicate::Not(Box::new(p));
        }
        assert_eq!(eval(&p, &json!({"a": 1})), Truth::Unknown);
    }
}
