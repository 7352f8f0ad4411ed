//! Lowering a kuery tree to the ruledex IR.

use crate::ast::{Expr, Literal, Part, RangeOp, ValueExpr};
use crate::parser::Parsed;
use ruledex_ir::{
    Analysis, Comparison, DataSource, DataSourceKind, FieldRef, OffsetMap, Op, Predicate, Span,
    Stage, Value,
};

/// The stage kind of a kuery query: one filter over the events.
pub const STAGE_KIND: &str = "filter";

/// Fields whose positive equality names the event dataset (a data source).
const DATASET_FIELDS: [&str; 2] = ["event.dataset", "data_stream.dataset"];

/// Lower a parsed query: one `filter` stage, its predicate, the datasets it
/// selects, and a diagnostic per parse error. Spans are file spans.
pub fn lower(parsed: &Parsed, text: &str, map: &OffsetMap) -> Analysis {
    let mut analysis = Analysis {
        diagnostics: parsed.errors.iter().map(|e| e.to_diagnostic(map)).collect(),
        ..Analysis::default()
    };
    let Some(expr) = &parsed.query.expr else {
        return analysis;
    };
    let lowerer = Lowerer { text, map };
    let predicate = lowerer.expr(expr, "");
    analysis.data_sources = datasets(&predicate);
    let trimmed = trimmed_span(text, parsed.query.span);
    let mut stage = Stage::new(STAGE_KIND, trimmed.slice(text), map.span_to_file(trimmed));
    stage.predicate = Some(predicate);
    analysis.stages.push(stage);
    analysis
}

/// `span` without leading and trailing whitespace.
fn trimmed_span(text: &str, span: Span) -> Span {
    let slice = span.slice(text);
    let start = span.start as usize + (slice.len() - slice.trim_start().len());
    let end = span.start as usize + slice.trim_end().len();
    Span::from_range(start..end.max(start))
}

struct Lowerer<'a> {
    text: &'a str,
    map: &'a OffsetMap,
}

impl Lowerer<'_> {
    fn file(&self, span: Span) -> Span {
        self.map.span_to_file(span)
    }

    fn opaque(&self, span: Span) -> Predicate {
        Predicate::opaque(span.slice(self.text), Some(self.file(span)))
    }

    fn expr(&self, expr: &Expr, prefix: &str) -> Predicate {
        match expr {
            Expr::Or { items, .. } => {
                Predicate::or(items.iter().map(|e| self.expr(e, prefix)).collect())
            }
            Expr::And { items, .. } => {
                Predicate::and(items.iter().map(|e| self.expr(e, prefix)).collect())
            }
            Expr::Not { expr, .. } => Predicate::not(self.expr(expr, prefix)),
            Expr::Group { expr, .. } => self.expr(expr, prefix),
            Expr::Nested { field, expr, .. } => {
                self.expr(expr, &format!("{prefix}{}.", field.name))
            }
            Expr::Range {
                field,
                op,
                value,
                span,
            } => {
                let op_ir = match op {
                    RangeOp::Lt => Op::Lt,
                    RangeOp::Le => Op::Le,
                    RangeOp::Gt => Op::Gt,
                    RangeOp::Ge => Op::Ge,
                };
                Predicate::Compare(
                    Comparison::new(
                        format!("{prefix}{}", field.name).as_str(),
                        op_ir,
                        vec![typed_value(value)],
                    )
                    .written(op.as_str())
                    .at(self.file(*span)),
                )
            }
            Expr::Field {
                field,
                values,
                span,
            } => {
                let name = format!("{prefix}{}", field.name);
                self.values(values, &name, Some(*span))
            }
            Expr::Value { value } => self.field_less(value),
            Expr::Error { span } => self.opaque(*span),
        }
    }

    /// `values` matched against `field`. `whole` is the span of the whole
    /// `field: values` expression, used when the values are one literal or
    /// one list merged into `in`.
    fn values(&self, values: &ValueExpr, field: &str, whole: Option<Span>) -> Predicate {
        match values {
            ValueExpr::Literal(lit) => {
                let span = self.file(whole.unwrap_or(lit.span));
                Predicate::Compare(literal_comparison(field, lit).at(span))
            }
            ValueExpr::Group { expr, .. } => self.values(expr, field, whole),
            ValueExpr::Not { expr, .. } => Predicate::not(self.values(expr, field, None)),
            ValueExpr::And { items, .. } => {
                Predicate::and(items.iter().map(|v| self.values(v, field, None)).collect())
            }
            ValueExpr::Or { items, span } => {
                let alternatives =
                    Predicate::or(items.iter().map(|v| self.values(v, field, None)).collect());
                merge_in(alternatives, field, self.file(whole.unwrap_or(*span)))
            }
            ValueExpr::Error { span } => self.opaque(*span),
        }
    }

    /// A value without a field: Kibana searches it in the default fields as
    /// full text, so it is a term (or phrase) match on any field, and case
    /// folds the way text analysis folds it.
    fn field_less(&self, lit: &Literal) -> Predicate {
        let span = self.file(lit.span);
        let comparison = if !lit.quoted && lit.is_wildcard() {
            let (op, value) = classify(lit);
            Comparison::new(FieldRef::any(), op, vec![value])
        } else {
            Comparison::new(FieldRef::any(), Op::Has, vec![typed_value(lit)]).case_sensitive(false)
        };
        Predicate::Compare(comparison.at(span))
    }
}

/// The comparison for `field: literal`.
fn literal_comparison(field: &str, lit: &Literal) -> Comparison {
    if !lit.quoted && lit.is_star() {
        return Comparison::new(field, Op::Exists, vec![]);
    }
    if !lit.quoted && lit.is_wildcard() {
        let (op, value) = classify(lit);
        return Comparison::new(field, op, vec![value]);
    }
    Comparison::new(field, Op::Eq, vec![typed_value(lit)]).written(":")
}

/// Classify a wildcard literal: `*x*` contains, `x*` startswith, `*x`
/// endswith, anything else a glob (with literal `*` and `\` escaped).
fn classify(lit: &Literal) -> (Op, Value) {
    use Part::{Text, Wildcard};
    match lit.parts.as_slice() {
        [Wildcard, Text(t), Wildcard] => (Op::Contains, Value::from(t.as_str())),
        [Text(t), Wildcard] => (Op::StartsWith, Value::from(t.as_str())),
        [Wildcard, Text(t)] => (Op::EndsWith, Value::from(t.as_str())),
        _ => (Op::Wildcard, Value::from(lit.glob())),
    }
}

/// The literal's value with its type: unquoted numbers and booleans keep
/// their type (the author wrote a number), quoted text is always a string.
fn typed_value(lit: &Literal) -> Value {
    let text = lit.text();
    if lit.quoted || lit.is_wildcard() {
        return Value::String(text);
    }
    if let Ok(i) = text.parse::<i64>() {
        return Value::Integer(i);
    }
    let numeric = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && text.bytes().any(|b| b.is_ascii_digit());
    if numeric {
        if let Ok(f) = text.parse::<f64>() {
            if f.is_finite() {
                return Value::Float(f);
            }
        }
    }
    match text.as_str() {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(text),
    }
}

/// An `or` of plain equalities on one field becomes one `in` comparison;
/// anything else (a wildcard among them, a negation) stays an `or`.
fn merge_in(alternatives: Predicate, field: &str, span: Span) -> Predicate {
    let Predicate::Or(items) = &alternatives else {
        return alternatives;
    };
    let all_eq = items.iter().all(|p| {
        matches!(p, Predicate::Compare(c) if c.op == Op::Eq && c.field.name == field && c.values.len() == 1)
    });
    if !all_eq {
        return alternatives;
    }
    let values = items
        .iter()
        .filter_map(|p| match p {
            Predicate::Compare(c) => c.values.first().cloned(),
            _ => None,
        })
        .collect();
    Predicate::Compare(Comparison::new(field, Op::In, values).written(":").at(span))
}

/// Datasets a predicate selects: string values of positive `eq`/`in`
/// comparisons on `event.dataset` or `data_stream.dataset`.
pub(crate) fn datasets(predicate: &Predicate) -> Vec<DataSource> {
    let mut out: Vec<DataSource> = Vec::new();
    predicate.visit_leaves(|leaf, negated| {
        let Predicate::Compare(c) = leaf else { return };
        if negated
            || !matches!(c.op, Op::Eq | Op::In)
            || !DATASET_FIELDS.contains(&c.field.name.as_str())
        {
            return;
        }
        for value in &c.values {
            if let Some(name) = value.as_str() {
                let source = DataSource::new(DataSourceKind::Dataset, name);
                if !out.contains(&source) {
                    out.push(source);
                }
            }
        }
    });
    out
}
