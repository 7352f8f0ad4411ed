//! Lowering a kuery tree to the ruledex IR.

use crate::ast::{Expr, Literal, RangeOp, ValueExpr};
use crate::parser::Parsed;
use ruledex_ir::{Analysis, Comparison, FieldRef, OffsetMap, Op, Predicate, Span, Stage, Value};

/// The stage kind of a kuery query: one filter over the events.
pub const STAGE_KIND: &str = "filter";

/// Lower a parsed query: one `filter` stage, its predicate, and a
/// diagnostic per parse error. Spans are file spans. (The datasets a rule
/// selects are read from its indicators by the Elastic loader, once for
/// every language.)
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
    let trimmed = parsed.query.span.trimmed(text);
    let mut stage = Stage::new(STAGE_KIND, trimmed.slice(text), map.span_to_file(trimmed));
    stage.predicate = Some(predicate);
    analysis.stages.push(stage);
    analysis
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
/// endswith, anything else a glob (see [`ruledex_ir::Pattern`]).
fn classify(lit: &Literal) -> (Op, Value) {
    lit.pattern().lowered()
}

/// The literal's value with its type: unquoted numbers and booleans keep
/// their type (the author wrote a number), quoted text is always a string.
fn typed_value(lit: &Literal) -> Value {
    let text = lit.text();
    if lit.quoted || lit.is_wildcard() {
        return Value::String(text);
    }
    Value::from_unquoted(&text)
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
