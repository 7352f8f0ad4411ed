//! Lowering a Lucene tree to the ruledex IR.

use crate::ast::{Bound, CompareOp, Node, Range, Term};
use crate::parser::Parsed;
use ruledex_ir::{Analysis, Comparison, FieldRef, OffsetMap, Op, Predicate, Span, Stage, Value};

/// The stage kind of a Lucene query: one filter over the events.
pub const STAGE_KIND: &str = "filter";

/// The pseudo-field that tests existence: `_exists_:field`.
const EXISTS_FIELD: &str = "_exists_";

/// Lower a parsed query: one `filter` stage, its predicate, and a
/// diagnostic per parse error. Spans are file spans. (The datasets a rule
/// selects are read from its indicators by the Elastic loader, once for
/// every language.)
pub fn lower(parsed: &Parsed, text: &str, map: &OffsetMap) -> Analysis {
    let mut analysis = Analysis {
        diagnostics: parsed.errors.iter().map(|e| e.to_diagnostic(map)).collect(),
        ..Analysis::default()
    };
    let Some(node) = &parsed.query.node else {
        return analysis;
    };
    let lowerer = Lowerer { text, map };
    let predicate = lowerer.node(node, None);
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

/// The field a clause is matched against (`None` outside any `field:`),
/// with the span of the field name while the clause sits right under it.
type Context<'a> = Option<(&'a str, Option<Span>)>;

impl Lowerer<'_> {
    fn file(&self, span: Span) -> Span {
        self.map.span_to_file(span)
    }

    fn opaque(&self, span: Span) -> Predicate {
        Predicate::opaque(span.slice(self.text), Some(self.file(span)))
    }

    /// The span a comparison reports: the whole `field:value` when the value
    /// sits right under its field, else the value itself.
    fn at(&self, field: Context<'_>, value: Span) -> Span {
        match field {
            Some((_, Some(name))) => self.file(name.cover(value)),
            _ => self.file(value),
        }
    }

    fn node(&self, node: &Node, field: Context<'_>) -> Predicate {
        match node {
            Node::Implicit { items, .. } => self.implicit(items, field),
            Node::Or { items, span } => {
                let alternatives =
                    Predicate::or(items.iter().map(|n| self.node(n, inner(field))).collect());
                merge_in(alternatives, self.at(field, *span))
            }
            Node::And { items, .. } => {
                Predicate::and(items.iter().map(|n| self.node(n, inner(field))).collect())
            }
            Node::Not { expr, .. } | Node::Prohibited { expr, .. } => {
                Predicate::not(self.node(expr, inner(field)))
            }
            Node::Required { expr, .. } => self.node(expr, inner(field)),
            Node::Group { expr, .. } => self.node(expr, field),
            Node::Boost { expr, .. } => self.node(expr, field),
            Node::Field {
                name,
                name_span,
                expr,
                ..
            } => self.node(expr, Some((name.as_str(), Some(*name_span)))),
            Node::Term(term) => self.term(term, field),
            Node::Phrase { text, span } => {
                let value = Value::from(text.as_str());
                let comparison = match field {
                    Some((name, _)) => Comparison::new(name, Op::Eq, vec![value]).written(":"),
                    None => {
                        Comparison::new(FieldRef::any(), Op::Has, vec![value]).case_sensitive(false)
                    }
                };
                Predicate::Compare(comparison.at(self.at(field, *span)))
            }
            Node::Regex { pattern, span } => {
                let name = field.map_or(FieldRef::ANY, |(n, _)| n);
                Predicate::Compare(
                    Comparison::new(name, Op::Regex, vec![Value::from(pattern.as_str())])
                        .at(self.at(field, *span)),
                )
            }
            Node::Range(range) => self.range(range, field),
            Node::Compare { op, value, span } => {
                let name = field.map_or(FieldRef::ANY, |(n, _)| n);
                let op_ir = match op {
                    CompareOp::Lt => Op::Lt,
                    CompareOp::Le => Op::Le,
                    CompareOp::Gt => Op::Gt,
                    CompareOp::Ge => Op::Ge,
                };
                Predicate::Compare(
                    Comparison::new(name, op_ir, vec![typed(&value.text(), false)])
                        .written(op.as_str())
                        .at(self.at(field, *span)),
                )
            }
            // Fuzzy terms and sloppy phrases match approximately: no exact
            // indicator can be derived, so they stay as written.
            Node::Tilde { span, .. } => match field {
                Some((_, Some(name))) => self.opaque(name.cover(*span)),
                _ => self.opaque(*span),
            },
            Node::Error { span } => self.opaque(*span),
        }
    }

    /// Clauses joined by the default operator `OR`, with `+` and `-`:
    /// when any clause is required, the optional ones only score and do
    /// not filter; prohibited clauses always exclude.
    fn implicit(&self, items: &[Node], field: Context<'_>) -> Predicate {
        let mut required = Vec::new();
        let mut optional = Vec::new();
        let mut prohibited = Vec::new();
        for item in items {
            match item {
                Node::Required { expr, .. } => required.push(self.node(expr, inner(field))),
                Node::Prohibited { expr, .. } | Node::Not { expr, .. } => {
                    prohibited.push(Predicate::not(self.node(expr, inner(field))))
                }
                other => optional.push(self.node(other, inner(field))),
            }
        }
        if required.is_empty() && !optional.is_empty() {
            let span = items
                .first()
                .zip(items.last())
                .map_or(Span::default(), |(a, b)| a.span().cover(b.span()));
            required.push(merge_in(Predicate::or(optional), self.at(field, span)));
        }
        required.extend(prohibited);
        Predicate::and(required)
    }

    fn term(&self, term: &Term, field: Context<'_>) -> Predicate {
        let span = self.at(field, term.span);
        let Some((name, _)) = field else {
            let comparison = if term.is_wildcard() {
                let (op, value) = classify(term);
                Comparison::new(FieldRef::any(), op, vec![value])
            } else {
                Comparison::new(FieldRef::any(), Op::Has, vec![typed(&term.text(), false)])
                    .case_sensitive(false)
            };
            return Predicate::Compare(comparison.at(span));
        };
        if name == EXISTS_FIELD {
            return Predicate::Compare(
                // Rendered as a call, the form readers know: `_exists_(field)`.
                Comparison::new(term.text().as_str(), Op::Exists, vec![])
                    .written(format!("{EXISTS_FIELD}()"))
                    .at(span),
            );
        }
        let comparison = if term.is_star() {
            Comparison::new(name, Op::Exists, vec![])
        } else if term.is_wildcard() {
            let (op, value) = classify(term);
            Comparison::new(name, op, vec![value])
        } else {
            Comparison::new(name, Op::Eq, vec![typed(&term.text(), false)]).written(":")
        };
        Predicate::Compare(comparison.at(span))
    }

    fn range(&self, range: &Range, field: Context<'_>) -> Predicate {
        let name = field.map_or(FieldRef::ANY, |(n, _)| n);
        let span = self.at(field, range.span);
        let value = |b: &Bound| typed(&b.value, b.quoted);
        if range.low_inclusive
            && range.high_inclusive
            && !range.low.is_open()
            && !range.high.is_open()
        {
            return Predicate::Compare(
                Comparison::new(
                    name,
                    Op::Between,
                    vec![value(&range.low), value(&range.high)],
                )
                .at(span),
            );
        }
        let mut sides = Vec::new();
        if !range.low.is_open() {
            let op = if range.low_inclusive { Op::Ge } else { Op::Gt };
            sides.push(Predicate::Compare(
                Comparison::new(name, op, vec![value(&range.low)]).at(span),
            ));
        }
        if !range.high.is_open() {
            let op = if range.high_inclusive { Op::Le } else { Op::Lt };
            sides.push(Predicate::Compare(
                Comparison::new(name, op, vec![value(&range.high)]).at(span),
            ));
        }
        if sides.is_empty() {
            // `[* TO *]`: any value, i.e. the field exists.
            return Predicate::Compare(Comparison::new(name, Op::Exists, vec![]).at(span));
        }
        Predicate::and(sides)
    }
}

/// The field context for the operands of an operator: the same field, but
/// comparisons report their own span rather than the whole `field:(…)`.
fn inner(field: Context<'_>) -> Context<'_> {
    field.map(|(name, _)| (name, None))
}

/// Classify a wildcard term (see [`ruledex_ir::Pattern`]).
fn classify(term: &Term) -> (Op, Value) {
    term.pattern().lowered()
}

/// A value with its type: unquoted numbers and booleans keep their type.
fn typed(text: &str, quoted: bool) -> Value {
    if quoted {
        return Value::from(text);
    }
    Value::from_unquoted(text)
}

/// An `or` of plain equalities on one field becomes one `in` comparison.
fn merge_in(alternatives: Predicate, span: Span) -> Predicate {
    let Predicate::Or(items) = &alternatives else {
        return alternatives;
    };
    let Some(Predicate::Compare(first)) = items.first() else {
        return alternatives;
    };
    let field = first.field.name.clone();
    let all_eq = items.iter().all(|p| {
        matches!(p, Predicate::Compare(c) if c.op == Op::Eq && c.field.name == field
            && c.field.name != FieldRef::ANY && c.values.len() == 1)
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
    Predicate::Compare(
        Comparison::new(field.as_str(), Op::In, values)
            .written(":")
            .at(span),
    )
}
