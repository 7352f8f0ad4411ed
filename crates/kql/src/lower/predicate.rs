//! Scalar expressions to predicates and operands.

use super::builtins::transparent;
use super::columns::{Columns, Origin};
use super::{BindingInfo, Ctx};
use crate::ast::{
    BinaryOp, DynamicKind, DynamicValue, Expr, ExprKind, Literal, LiteralKind, SourceKind,
    TabularExpression, UnaryOp,
};
use ruledex_ir::{
    collapse_whitespace, BindingKind, Call, Comparison, Derivation, FieldComparison, FieldRef, Op,
    Predicate, Value, ValueSource, ValueSourceKind,
};

/// What one side of a comparison is.
#[derive(Clone, Debug)]
pub(super) enum Operand {
    /// A field (possibly traced through a computed column or a transparent
    /// function); `folds_case` when a `tolower`/`toupper` sits between.
    Field { field: FieldRef, folds_case: bool },
    /// Literal values, possibly from a scalar binding.
    Values {
        values: Vec<Value>,
        source: Option<ValueSource>,
    },
    /// Values provided elsewhere (a binding's column, a watchlist), unknown
    /// here.
    Source(ValueSource),
    /// Anything else (`ago(1d)`, arithmetic): not an indicator value.
    Other,
}

impl Ctx<'_> {
    fn text(&self, expr: &Expr) -> String {
        collapse_whitespace(expr.text(self.query))
    }

    /// Lower a condition.
    pub(super) fn predicate(&self, expr: &Expr, columns: &Columns) -> Predicate {
        let expr = expr.unparenthesized();
        match &expr.kind {
            ExprKind::Binary {
                op: op @ (BinaryOp::And | BinaryOp::Or),
                ..
            } => {
                // Flatten the whole chain iteratively: long `or` chains are
                // common and must not cost recursion depth.
                let mut items = Vec::new();
                let mut stack = vec![expr];
                while let Some(e) = stack.pop() {
                    match &e.unparenthesized().kind {
                        ExprKind::Binary {
                            op: inner,
                            left,
                            right,
                        } if inner == op => {
                            stack.push(right);
                            stack.push(left);
                        }
                        _ => items.push(self.predicate(e, columns)),
                    }
                }
                if *op == BinaryOp::And {
                    Predicate::and(items)
                } else {
                    Predicate::or(items)
                }
            }
            ExprKind::Binary { op, left, right } => {
                self.comparison(*op, left, right, expr, columns)
            }
            ExprKind::In {
                negated,
                case_insensitive,
                left,
                list,
            } => {
                let op = if *negated { Op::NotIn } else { Op::In };
                let written = match (negated, case_insensitive) {
                    (false, false) => "in",
                    (false, true) => "in~",
                    (true, false) => "!in",
                    (true, true) => "!in~",
                };
                self.list_comparison(left, op, list, !case_insensitive, written, expr, columns)
            }
            ExprKind::HasAny { all, left, list } => {
                let (op, written) = if *all {
                    (Op::HasAll, "has_all")
                } else {
                    (Op::HasAny, "has_any")
                };
                self.list_comparison(left, op, list, false, written, expr, columns)
            }
            ExprKind::Between {
                negated,
                left,
                low,
                high,
            } => {
                let (op, written) = if *negated {
                    (Op::NotBetween, "!between")
                } else {
                    (Op::Between, "between")
                };
                match (
                    self.operand(left, columns),
                    self.operand(low, columns),
                    self.operand(high, columns),
                ) {
                    (
                        Operand::Field { field, .. },
                        Operand::Values { values: lo, .. },
                        Operand::Values { values: hi, .. },
                    ) if lo.len() == 1 && hi.len() == 1 => {
                        let values = lo.into_iter().chain(hi).collect();
                        Predicate::Compare(
                            Comparison::new(field, op, values)
                                .written(written)
                                .at(self.span(expr)),
                        )
                    }
                    _ => self.opaque(expr),
                }
            }
            ExprKind::Call(call) if call.target.is_none() => {
                self.call_predicate(call, expr, columns)
            }
            ExprKind::Name(_) | ExprKind::Path { .. } | ExprKind::Index { .. } => {
                if let ExprKind::Name(ident) = &expr.kind {
                    if let Some(Origin::Condition { predicate, .. }) =
                        columns.get(&ident.name).map(|c| &c.origin)
                    {
                        return predicate.clone();
                    }
                }
                match self.operand(expr, columns) {
                    // A bare boolean field: `where IsInteractive`.
                    Operand::Field { field, .. } => Predicate::Compare(
                        Comparison::new(field, Op::Eq, vec![Value::Bool(true)]).at(self.span(expr)),
                    ),
                    _ => self.opaque(expr),
                }
            }
            ExprKind::Literal(Literal {
                kind: LiteralKind::String(s),
                ..
            }) => {
                // `search "term"`: the term anywhere.
                Predicate::Compare(
                    Comparison::new(
                        FieldRef::any(),
                        Op::Has,
                        vec![Value::String(s.value.clone())],
                    )
                    .case_sensitive(false)
                    .at(self.span(expr)),
                )
            }
            ExprKind::ColumnMatch { column, value } => {
                match (self.operand(column, columns), self.operand(value, columns)) {
                    (Operand::Field { field, .. }, Operand::Values { values, .. }) => {
                        Predicate::Compare(
                            Comparison::new(field, Op::Has, values)
                                .case_sensitive(false)
                                .written(":")
                                .at(self.span(expr)),
                        )
                    }
                    _ => self.opaque(expr),
                }
            }
            _ => self.opaque(expr),
        }
    }

    fn opaque(&self, expr: &Expr) -> Predicate {
        Predicate::opaque(expr.text(self.query), Some(self.span(expr)))
    }

    fn span(&self, expr: &Expr) -> ruledex_ir::Span {
        self.map.span_to_file(expr.span)
    }

    fn comparison(
        &self,
        op: BinaryOp,
        left: &Expr,
        right: &Expr,
        whole: &Expr,
        columns: &Columns,
    ) -> Predicate {
        let Some(ir_op) = binary_op(op) else {
            return self.opaque(whole);
        };
        let cs = op.case_sensitive();
        let (l, r) = (self.operand(left, columns), self.operand(right, columns));
        let (field, folds_case, other, ir_op) = match (l, r) {
            (
                Operand::Field {
                    field: a,
                    folds_case: fa,
                },
                Operand::Field {
                    field: b,
                    folds_case: fb,
                },
            ) => {
                return Predicate::FieldCompare(FieldComparison {
                    left: a,
                    op: ir_op,
                    right: b,
                    // Column types are unknown without a schema: only an
                    // explicitly case-insensitive operator says anything.
                    case_sensitive: match cs {
                        Some(false) => Some(false),
                        _ if fa || fb => Some(false),
                        _ => None,
                    },
                    written_op: Some(op.as_str().to_string()),
                    span: Some(self.span(whole)),
                });
            }
            (Operand::Field { field, folds_case }, other) => (field, folds_case, other, ir_op),
            (other, Operand::Field { field, folds_case }) => match flipped(ir_op) {
                Some(flipped) => (field, folds_case, other, flipped),
                None => return self.opaque(whole),
            },
            _ => return self.opaque(whole),
        };
        let comparison = match other {
            Operand::Values { values, source } => {
                let mut c = Comparison::new(field, ir_op, values);
                c.values_from = source;
                c
            }
            Operand::Source(source) => {
                Comparison::new(field, ir_op, Vec::new()).from_source(source)
            }
            Operand::Other | Operand::Field { .. } => return self.opaque(whole),
        };
        let comparison = match cs {
            Some(cs) => comparison.case_sensitive(cs && !folds_case),
            None => comparison,
        };
        Predicate::Compare(comparison.written(op.as_str()).at(self.span(whole)))
    }

    #[allow(clippy::too_many_arguments)]
    fn list_comparison(
        &self,
        left: &Expr,
        op: Op,
        list: &[Expr],
        case_sensitive: bool,
        written: &str,
        whole: &Expr,
        columns: &Columns,
    ) -> Predicate {
        let Operand::Field { field, folds_case } = self.operand(left, columns) else {
            return self.opaque(whole);
        };
        let mut values = Vec::new();
        let mut source = None;
        for item in list {
            match self.operand(item, columns) {
                Operand::Values {
                    values: v,
                    source: s,
                } => {
                    values.extend(v);
                    source = source.or(s);
                }
                Operand::Source(s) => source = Some(s),
                // A column in the list (`x in (a, B)`) or an expression the
                // analysis cannot evaluate: keep the comparison readable as
                // written rather than invent values.
                Operand::Field { .. } | Operand::Other => return self.opaque(whole),
            }
        }
        let mut c = Comparison::new(field, op, values);
        c.values_from = source;
        let c = c.case_sensitive(case_sensitive && !folds_case);
        Predicate::Compare(c.written(written).at(self.span(whole)))
    }

    fn call_predicate(
        &self,
        call: &crate::ast::Call,
        whole: &Expr,
        columns: &Columns,
    ) -> Predicate {
        let name = call.name.name.to_ascii_lowercase();
        let args: Vec<&Expr> = call.args.iter().map(|a| &a.value).collect();
        match (name.as_str(), args.as_slice()) {
            ("not", [inner]) => Predicate::not(self.predicate(inner, columns)),
            ("isnotempty" | "isnotnull" | "isempty" | "isnull", [inner]) => {
                let op = if name.starts_with("isnot") {
                    Op::Exists
                } else {
                    Op::NotExists
                };
                match self.operand(inner, columns) {
                    Operand::Field { field, .. } => Predicate::Compare(
                        Comparison::new(field, op, Vec::new())
                            .written(format!("{}()", call.name.name))
                            .at(self.span(whole)),
                    ),
                    _ => self.opaque(whole),
                }
            }
            (
                "ipv4_is_in_range"
                | "ipv6_is_in_range"
                | "ipv4_is_in_any_range"
                | "ipv6_is_in_any_range",
                [ip, ranges @ ..],
            ) if !ranges.is_empty() => {
                let Operand::Field { field, .. } = self.operand(ip, columns) else {
                    return self.opaque(whole);
                };
                let mut values = Vec::new();
                let mut source = None;
                for range in ranges {
                    match self.operand(range, columns) {
                        Operand::Values {
                            values: v,
                            source: s,
                        } => {
                            values.extend(v);
                            source = source.or(s);
                        }
                        Operand::Source(s) => source = Some(s),
                        _ => return self.opaque(whole),
                    }
                }
                let mut c = Comparison::new(field, Op::Cidr, values);
                c.values_from = source;
                Predicate::Compare(
                    c.written(format!("{}()", call.name.name))
                        .at(self.span(whole)),
                )
            }
            _ => Predicate::Call(Call {
                name: call.name.name.clone(),
                args: args.iter().map(|a| self.text(a)).collect(),
                span: Some(self.span(whole)),
            }),
        }
    }

    /// Classify one side of a comparison.
    pub(super) fn operand(&self, expr: &Expr, columns: &Columns) -> Operand {
        let expr = expr.unparenthesized();
        match &expr.kind {
            ExprKind::Literal(lit) => Operand::Values {
                values: literal_values(lit, self.query),
                source: None,
            },
            ExprKind::Unary {
                op: UnaryOp::Negate,
                operand,
            } => match &operand.unparenthesized().kind {
                ExprKind::Literal(Literal {
                    kind: LiteralKind::Long(n),
                    ..
                }) => Operand::Values {
                    values: vec![Value::Integer(n.saturating_neg())],
                    source: None,
                },
                ExprKind::Literal(Literal {
                    kind: LiteralKind::Real(x),
                    ..
                }) => Operand::Values {
                    values: vec![Value::Float(-x)],
                    source: None,
                },
                _ => Operand::Other,
            },
            ExprKind::Name(ident) => self.name_operand(&ident.name, columns),
            ExprKind::Path { .. } | ExprKind::Index { .. } => match self.path(expr, columns) {
                Some((path, derived_from)) => {
                    let derived = derived_from.map(|(column, expression)| Derivation {
                        column,
                        expression,
                        traced: true,
                        aggregate: false,
                    });
                    Operand::Field {
                        field: FieldRef {
                            name: path,
                            derived,
                        },
                        folds_case: false,
                    }
                }
                None => Operand::Other,
            },
            ExprKind::Call(call) if call.target.is_none() => {
                let name = call.name.name.to_ascii_lowercase();
                match (name.as_str(), call.args.as_slice()) {
                    ("pack_array", args) => {
                        let mut values = Vec::new();
                        for a in args {
                            match self.operand(&a.value, columns) {
                                Operand::Values { values: v, .. } => values.extend(v),
                                _ => return Operand::Other,
                            }
                        }
                        Operand::Values {
                            values,
                            source: None,
                        }
                    }
                    ("_getwatchlist", [alias]) => match alias.value.as_string() {
                        Some(a) => Operand::Source(ValueSource {
                            kind: ValueSourceKind::Watchlist,
                            name: a.to_string(),
                            column: None,
                        }),
                        None => Operand::Other,
                    },
                    (_, [first, ..]) => match transparent(&name) {
                        Some(folds) => match self.operand(&first.value, columns) {
                            Operand::Field { field, folds_case } => {
                                // An already traced field keeps its trace: a
                                // conversion around it adds nothing a reader
                                // needs.
                                let derived = Some(field.derived.unwrap_or_else(|| {
                                    let expression = self.text(expr);
                                    Derivation {
                                        column: expression.clone(),
                                        expression,
                                        traced: true,
                                        aggregate: false,
                                    }
                                }));
                                Operand::Field {
                                    field: FieldRef {
                                        name: field.name,
                                        derived,
                                    },
                                    folds_case: folds_case || folds,
                                }
                            }
                            other => other,
                        },
                        None => Operand::Other,
                    },
                    _ => Operand::Other,
                }
            }
            ExprKind::Tabular(t) => self
                .subquery_source(t)
                .map_or(Operand::Other, Operand::Source),
            _ => Operand::Other,
        }
    }

    fn name_operand(&self, name: &str, columns: &Columns) -> Operand {
        if let Some(column) = columns.get(name) {
            let field = |derived: Option<Derivation>| FieldRef {
                name: name.to_string(),
                derived,
            };
            return match &column.origin {
                Origin::Field => Operand::Field {
                    field: field(None),
                    folds_case: false,
                },
                Origin::Traced {
                    field: source,
                    expression,
                    folds_case,
                } => Operand::Field {
                    field: FieldRef {
                        name: source.clone(),
                        derived: Some(Derivation {
                            column: name.to_string(),
                            expression: expression.clone(),
                            traced: true,
                            aggregate: false,
                        }),
                    },
                    folds_case: *folds_case,
                },
                Origin::Constant(values) => Operand::Values {
                    values: values.clone(),
                    source: None,
                },
                Origin::Aggregate { expression } => Operand::Field {
                    field: field(Some(Derivation {
                        column: name.to_string(),
                        expression: expression.clone(),
                        traced: false,
                        aggregate: true,
                    })),
                    folds_case: false,
                },
                Origin::Binding(source) => Operand::Source(source.clone()),
                // A whole node or edge is no field.
                Origin::GraphElement => Operand::Other,
                Origin::Computed { expression } | Origin::Condition { expression, .. } => {
                    Operand::Field {
                        field: field(Some(Derivation {
                            column: name.to_string(),
                            expression: expression.clone(),
                            traced: false,
                            aggregate: false,
                        })),
                        folds_case: false,
                    }
                }
            };
        }
        match self.bindings.get(name) {
            // A function parameter has no value the analysis can know.
            Some(BindingInfo {
                parameter: true, ..
            }) => Operand::Other,
            Some(BindingInfo {
                kind: BindingKind::Scalar,
                values,
                ..
            }) if !values.is_empty() => Operand::Values {
                values: values.clone(),
                source: Some(ValueSource {
                    kind: ValueSourceKind::Binding,
                    name: name.to_string(),
                    column: None,
                }),
            },
            Some(info) => Operand::Source(ValueSource {
                kind: ValueSourceKind::Binding,
                name: name.to_string(),
                column: info.single_column(),
            }),
            None => Operand::Field {
                field: FieldRef::new(name),
                folds_case: false,
            },
        }
    }

    /// `a.b["c"][0]` as the field path `a.b.c[0]`, with the root traced
    /// through a computed column (`x = parse_json(F)` makes `x.k` the path
    /// `F.k`). Returns the path and, when traced, the column and expression.
    fn path(&self, expr: &Expr, columns: &Columns) -> Option<(String, Option<(String, String)>)> {
        let mut segments: Vec<String> = Vec::new();
        let mut e = expr.unparenthesized();
        loop {
            match &e.kind {
                ExprKind::Path { target, member } => {
                    segments.push(format!(".{}", member.name));
                    e = target.unparenthesized();
                }
                ExprKind::Index { target, index } => {
                    match &index.unparenthesized().kind {
                        ExprKind::Literal(Literal {
                            kind: LiteralKind::String(s),
                            ..
                        }) => segments.push(format!(".{}", s.value)),
                        ExprKind::Literal(Literal {
                            kind: LiteralKind::Long(n),
                            ..
                        }) => segments.push(format!("[{n}]")),
                        _ => return None,
                    }
                    e = target.unparenthesized();
                }
                _ => break,
            }
        }
        segments.reverse();
        let rest: String = segments.concat();
        match &e.kind {
            ExprKind::Name(root) if root.name == "$left" || root.name == "$right" => {
                Some((rest.trim_start_matches('.').to_string(), None))
            }
            ExprKind::Name(root) => match columns.get(&root.name).map(|c| &c.origin) {
                Some(Origin::GraphElement) if !rest.is_empty() => {
                    Some((rest.trim_start_matches('.').to_string(), None))
                }
                Some(Origin::Traced {
                    field, expression, ..
                }) => Some((
                    format!("{field}{rest}"),
                    Some((
                        format!("{}{rest}", root.name),
                        format!("{expression}{rest}"),
                    )),
                )),
                _ => Some((format!("{}{rest}", root.name), None)),
            },
            ExprKind::Call(call)
                if transparent(&call.name.name).is_some() && call.args.len() == 1 =>
            {
                match self.operand(&call.args[0].value, columns) {
                    Operand::Field { field, .. } => Some((
                        format!("{}{rest}", field.name),
                        Some((self.text(expr), self.text(expr))),
                    )),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// What an inline subquery (`in (T | project X)`) reads, as a value
    /// source: a binding, a watchlist, or a table.
    fn subquery_source(&self, t: &TabularExpression) -> Option<ValueSource> {
        let column = t.operators.last().and_then(|op| match &op.kind {
            crate::ast::OperatorKind::Project { columns } if columns.len() == 1 => columns[0]
                .names
                .first()
                .map(|n| n.name.clone())
                .or_else(|| columns[0].expr.as_name().map(|n| n.name.clone())),
            crate::ast::OperatorKind::Distinct { columns, .. } if columns.len() == 1 => columns[0]
                .names
                .first()
                .map(|n| n.name.clone())
                .or_else(|| columns[0].expr.as_name().map(|n| n.name.clone())),
            crate::ast::OperatorKind::Summarize { aggregates, by, .. }
                if aggregates.is_empty() && by.len() == 1 =>
            {
                by[0]
                    .names
                    .first()
                    .map(|n| n.name.clone())
                    .or_else(|| by[0].expr.as_name().map(|n| n.name.clone()))
            }
            _ => None,
        });
        let mut source = &t.source;
        while let SourceKind::Parenthesized(inner) = &source.kind {
            source = &inner.source;
        }
        match &source.kind {
            SourceKind::Name(n) if self.bindings.contains_key(&n.name) => Some(ValueSource {
                kind: ValueSourceKind::Binding,
                name: n.name.clone(),
                column,
            }),
            SourceKind::Name(n) => Some(ValueSource {
                kind: ValueSourceKind::Lookup,
                name: n.name.clone(),
                column,
            }),
            SourceKind::Call(c) if c.name.name.eq_ignore_ascii_case("_GetWatchlist") => {
                let alias = c
                    .args
                    .first()
                    .and_then(|a| a.value.as_string())
                    .unwrap_or_default()
                    .to_string();
                Some(ValueSource {
                    kind: ValueSourceKind::Watchlist,
                    name: alias,
                    column,
                })
            }
            SourceKind::Call(c) => Some(ValueSource {
                kind: ValueSourceKind::Lookup,
                name: c.name.name.clone(),
                column,
            }),
            _ => None,
        }
    }
}

/// The IR operator for a KQL binary operator; `None` for logical and
/// arithmetic operators.
fn binary_op(op: BinaryOp) -> Option<Op> {
    use BinaryOp as B;
    Some(match op {
        B::Eq | B::Equals | B::EqTilde => Op::Eq,
        B::NotEq | B::LtGt | B::NotEqTilde => Op::Ne,
        B::Lt => Op::Lt,
        B::Le => Op::Le,
        B::Gt => Op::Gt,
        B::Ge => Op::Ge,
        B::Has | B::HasCs => Op::Has,
        B::NotHas | B::NotHasCs => Op::NotHas,
        B::HasPrefix | B::HasPrefixCs => Op::HasPrefix,
        B::NotHasPrefix | B::NotHasPrefixCs => Op::NotHasPrefix,
        B::HasSuffix | B::HasSuffixCs => Op::HasSuffix,
        B::NotHasSuffix | B::NotHasSuffixCs => Op::NotHasSuffix,
        B::Contains | B::ContainsCs => Op::Contains,
        B::NotContains | B::NotContainsCs => Op::NotContains,
        B::StartsWith | B::StartsWithCs => Op::StartsWith,
        B::NotStartsWith | B::NotStartsWithCs => Op::NotStartsWith,
        B::EndsWith | B::EndsWithCs => Op::EndsWith,
        B::NotEndsWith | B::NotEndsWithCs => Op::NotEndsWith,
        B::MatchesRegex => Op::Regex,
        B::Like | B::LikeCs => Op::Wildcard,
        B::NotLike | B::NotLikeCs => Op::NotWildcard,
        B::Or | B::And | B::Add | B::Subtract | B::Multiply | B::Divide | B::Modulo => return None,
    })
}

/// The operator with its operands swapped (`5 < x` is `x > 5`); `None` for
/// operators that are not symmetric in meaning (`"a" has x`).
fn flipped(op: Op) -> Option<Op> {
    Some(match op {
        Op::Eq | Op::Ne => op,
        Op::Lt => Op::Gt,
        Op::Le => Op::Ge,
        Op::Gt => Op::Lt,
        Op::Ge => Op::Le,
        _ => return None,
    })
}

/// The values a literal stands for (a `dynamic` array stands for each of its
/// elements).
pub(super) fn literal_values(lit: &Literal, query: &str) -> Vec<Value> {
    match &lit.kind {
        LiteralKind::String(s) => vec![Value::String(s.value.clone())],
        LiteralKind::Long(n) => vec![Value::Integer(*n)],
        LiteralKind::Real(x) => vec![Value::Float(*x)],
        LiteralKind::Bool(b) => vec![Value::Bool(*b)],
        LiteralKind::Timespan(_) => vec![Value::Timespan {
            timespan: lit.span.slice(query).to_string(),
        }],
        LiteralKind::Typed(t) => {
            if t.is_null() {
                return vec![Value::Null];
            }
            match t.ty.to_ascii_lowercase().as_str() {
                "datetime" | "date" => vec![Value::Datetime {
                    datetime: lit.span.slice(query).to_string(),
                }],
                "timespan" | "time" => vec![Value::Timespan {
                    timespan: lit.span.slice(query).to_string(),
                }],
                "int" | "long" => t
                    .text
                    .parse()
                    .map(Value::Integer)
                    .map_or_else(|_| vec![], |v| vec![v]),
                "real" | "double" | "decimal" => t
                    .text
                    .parse()
                    .map(Value::Float)
                    .map_or_else(|_| vec![], |v| vec![v]),
                "bool" | "boolean" => vec![Value::Bool(t.text.eq_ignore_ascii_case("true"))],
                _ => vec![Value::String(t.text.clone())],
            }
        }
        LiteralKind::Dynamic(d) => dynamic_values(d, query),
    }
}

/// Elements of a `dynamic` array (nested arrays flattened, iteratively);
/// a scalar or object stands for itself.
fn dynamic_values(value: &DynamicValue, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match &v.kind {
            DynamicKind::Null => out.push(Value::Null),
            DynamicKind::Array(items) => stack.extend(items.iter().rev()),
            DynamicKind::Object(_) => out.push(Value::String(v.span.slice(query).to_string())),
            DynamicKind::Literal(l) => out.extend(literal_values(l, query)),
            // Filled in by the client: no value known here.
            DynamicKind::Parameter(_) => {}
        }
    }
    out
}
