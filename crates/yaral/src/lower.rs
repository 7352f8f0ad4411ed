//! Lowering a parsed rule to the common model.
//!
//! - One stage per section present (`events`, `match`, `outcome`,
//!   `condition`), each with its exact text (after the `name:` header). The events stage's predicate
//!   holds every statement (implicitly `and`-ed); when the rule has several
//!   event variables, each variable's own filters are a nested stage named
//!   after it.
//! - UDM paths lose their event variable (`$e.target.process.command_line`
//!   is the field `target.process.command_line`); map access stays as
//!   written (`additional.fields["key"]`).
//! - `=`/`!=` against literals are `eq`/`ne` (against `""`, `not_exists`
//!   and `exists`), `/re/` and `re.regex()` are `regex`,
//!   `strings.contains/starts_with/ends_with` their kinds,
//!   `net.ip_in_range_cidr` is `cidr`; `nocase` and `strings.to_lower()`
//!   make them case-insensitive. `in %list` takes its values from the
//!   reference list (a dependency too).
//! - Two event variables compared, directly or through a placeholder
//!   (`$e1.x = $p`, `$e2.y = $p`), are field-to-field indicators.
//! - Match variables and outcome variables are output fields, with their
//!   expressions as the stages' assignments; the window and the condition
//!   are the rule's schedule.

use crate::ast::*;
use ruledex_ir::{
    collapse_whitespace, Analysis, Assignment as IrAssignment, Call, Comparison, DataSource,
    DataSourceKind, Dependency, DependencyKind, Derivation, FieldComparison, FieldRef, OffsetMap,
    Op, OutputField, Predicate, Schedule, Span, Stage, StageRef, Value, ValueSource,
    ValueSourceKind,
};
use std::collections::{BTreeMap, BTreeSet};

/// What lowering one rule gives besides its [`Analysis`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lowered {
    /// Stages, outputs, data sources, dependencies (diagnostics are the
    /// parser's, added by the caller).
    pub analysis: Analysis,
    /// The match window and the condition.
    pub schedule: Schedule,
    /// `meta:` entries as written: key and literal value.
    pub meta: Vec<(String, String)>,
    /// `options:` entries as written.
    pub options: Vec<(String, String)>,
    /// `single-event` or `multi-event` (a `match` section or several event
    /// variables).
    pub kind: &'static str,
}

struct Ctx<'a> {
    text: &'a str,
    map: &'a OffsetMap,
    /// Variables used as the base of a UDM path.
    event_vars: BTreeSet<String>,
    /// Placeholder → the event fields (variable, path, statement span)
    /// assigned to it.
    placeholders: BTreeMap<String, Vec<(String, String, Span)>>,
    /// Reference lists used, with the first place each is named.
    lists: BTreeMap<String, Span>,
}

impl Ctx<'_> {
    fn span(&self, span: Span) -> Span {
        self.map.span_to_file(span)
    }

    fn text_of(&self, span: Span) -> String {
        collapse_whitespace(span.slice(self.text))
    }
}

/// Lower one parsed rule of `text` (spans placed through `map`).
pub fn lower_rule(text: &str, rule: &RuleDef, map: &OffsetMap) -> Lowered {
    let mut ctx = Ctx {
        text,
        map,
        event_vars: BTreeSet::new(),
        placeholders: BTreeMap::new(),
        lists: BTreeMap::new(),
    };
    let mut out = Lowered {
        kind: "single-event",
        ..Lowered::default()
    };
    let events: &[Expr] = match rule.section(SectionKind::Events).map(|s| &s.body) {
        Some(SectionBody::Events(statements)) => statements,
        _ => &[],
    };
    for statement in events {
        walk(statement, &mut |e| {
            match &e.kind {
                ExprKind::Field { var, .. } => {
                    ctx.event_vars.insert(var.clone());
                }
                // A data table compared with a field (`$e.x = %t.col`)
                // is a dependency too, not only `in` lists.
                ExprKind::List { name, .. } => {
                    ctx.lists.entry(name.clone()).or_insert(e.span);
                }
                _ => {}
            }
        });
    }
    for statement in events {
        declarations(&mut ctx, statement);
    }

    for section in &rule.sections {
        let stage_text = section.body_span.slice(text).to_string();
        let mut stage = Stage::new(
            section.kind.keyword(),
            stage_text,
            ctx.span(section.body_span),
        );
        let index = out.analysis.stages.len();
        match (&section.kind, &section.body) {
            (SectionKind::Meta, SectionBody::Entries(entries)) => {
                out.meta = entries.iter().map(|e| entry(&ctx, e)).collect();
                continue;
            }
            (SectionKind::Options, SectionBody::Entries(entries)) => {
                out.options = entries.iter().map(|e| entry(&ctx, e)).collect();
                continue;
            }
            (SectionKind::Events, SectionBody::Events(statements)) => {
                events_stage(&mut ctx, statements, &mut stage);
            }
            (SectionKind::Match, SectionBody::Match(spec)) => {
                out.kind = "multi-event";
                if let Some(spec) = spec {
                    out.schedule.window = Some(window_text(&ctx, spec));
                    for (var, _) in &spec.variables {
                        stage.assignments.push(IrAssignment {
                            name: var.clone(),
                            expression: declared_as(&ctx, var),
                            reads: declared_reads(&ctx, var),
                        });
                        out.analysis.outputs.push(OutputField {
                            name: var.clone(),
                            source: "match".to_string(),
                            stage: Some(StageRef::main(index)),
                        });
                    }
                }
            }
            (SectionKind::Outcome, SectionBody::Outcome(assignments)) => {
                for a in assignments {
                    stage.assignments.push(IrAssignment {
                        name: a.name.clone(),
                        expression: ctx.text_of(a.value.span),
                        reads: reads(&a.value),
                    });
                    out.analysis.outputs.push(OutputField {
                        name: a.name.clone(),
                        source: "outcome".to_string(),
                        stage: Some(StageRef::main(index)),
                    });
                }
            }
            (SectionKind::Condition, SectionBody::Condition(Some(condition))) => {
                out.schedule.trigger = Some(ctx.text_of(condition.span));
                stage.predicate = Some(condition_predicate(&ctx, condition));
            }
            _ => {}
        }
        out.analysis.stages.push(stage);
    }
    if ctx.event_vars.len() > 1 {
        out.kind = "multi-event";
    }
    out.analysis.data_sources = data_sources(&out.analysis.stages);
    out.analysis.dependencies = ctx
        .lists
        .iter()
        .map(|(name, span)| Dependency {
            kind: DependencyKind::Lookup,
            name: name.clone(),
            span: Some(ctx.span(*span)),
        })
        .collect();
    out
}

fn entry(ctx: &Ctx<'_>, e: &Entry) -> (String, String) {
    let value = match &e.value.kind {
        ExprKind::Str(s) => s.clone(),
        _ => ctx.text_of(e.value.span),
    };
    (e.key.clone(), value)
}

/// Call `f` on `e` and every expression inside it.
fn walk<'e>(e: &'e Expr, f: &mut impl FnMut(&'e Expr)) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        f(e);
        match &e.kind {
            ExprKind::Binary { lhs, rhs, .. } => {
                stack.push(rhs);
                stack.push(lhs);
            }
            ExprKind::Logical { items, .. } => stack.extend(items.iter().rev()),
            ExprKind::Not(x) | ExprKind::Bang(x) | ExprKind::Neg(x) | ExprKind::Nocase(x) => {
                stack.push(x)
            }
            ExprKind::Quantified { expr, .. } => stack.push(expr),
            ExprKind::In { lhs, list, .. } => {
                stack.push(list);
                stack.push(lhs);
            }
            ExprKind::Call { args, .. } | ExprKind::Array(args) => stack.extend(args.iter().rev()),
            ExprKind::Named { value, .. } => stack.push(value),
            _ => {}
        }
    }
}

/// The UDM paths an expression reads, in order, once each.
fn reads(e: &Expr) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    walk(e, &mut |e| {
        if let ExprKind::Field { path, .. } = &e.kind {
            let p = path_text(path);
            if !out.contains(&p) {
                out.push(p);
            }
        }
    });
    out
}

/// Record `$e.x = $p` / `$p = $e.x` / `$p = f($e.x)` declarations (at the
/// top level of a statement or under `and`).
fn declarations(ctx: &mut Ctx<'_>, e: &Expr) {
    match &e.kind {
        ExprKind::Logical {
            op: BinOp::And,
            items,
        } => {
            for item in items {
                declarations(ctx, item);
            }
        }
        ExprKind::Binary {
            op: BinOp::Eq,
            lhs,
            rhs,
        } => {
            let (var, value) = match (&lhs.kind, &rhs.kind) {
                (ExprKind::Var(v), _) if !ctx.event_vars.contains(v) => (v, rhs),
                (_, ExprKind::Var(v)) if !ctx.event_vars.contains(v) => (v, lhs),
                _ => return,
            };
            let event_var = first_event_var(value).unwrap_or_default();
            let expression = ctx.text_of(value.span);
            ctx.placeholders
                .entry(var.clone())
                .or_default()
                .push((event_var, expression, e.span));
        }
        _ => {}
    }
}

fn first_event_var(e: &Expr) -> Option<String> {
    let mut found = None;
    walk(e, &mut |e| {
        if let (None, ExprKind::Field { var, .. }) = (&found, &e.kind) {
            found = Some(var.clone());
        }
    });
    found
}

/// `$e.principal.user.userid` (or several, ` = `-joined) for a placeholder.
fn declared_as(ctx: &Ctx<'_>, var: &str) -> String {
    ctx.placeholders
        .get(var)
        .map(|decls| {
            let mut seen: Vec<&str> = Vec::new();
            for (_, expr, _) in decls {
                if !seen.contains(&expr.as_str()) {
                    seen.push(expr);
                }
            }
            seen.join(" = ")
        })
        .unwrap_or_else(|| var.to_string())
}

fn declared_reads(ctx: &Ctx<'_>, var: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (_, expr, _) in ctx.placeholders.get(var).into_iter().flatten() {
        let p = expr.split_once('.').map_or("", |(_, p)| p);
        if expr.starts_with('$') && !p.is_empty() && !p.contains('(') && !out.iter().any(|o| o == p)
        {
            out.push(p.to_string());
        }
    }
    out
}

fn window_text(ctx: &Ctx<'_>, spec: &MatchSpec) -> String {
    match (&spec.window, &spec.pivot) {
        (WindowKind::By, _) => format!("{} (tumbling)", spec.duration),
        (WindowKind::Over, None) => spec.duration.clone(),
        (WindowKind::Over, Some((pivot, e))) => format!(
            "{} {} {} (sliding)",
            spec.duration,
            match pivot {
                Pivot::Before => "before",
                Pivot::After => "after",
            },
            ctx.text_of(e.span)
        ),
    }
}

// ------------------------------------------------------------------ events

fn events_stage(ctx: &mut Ctx<'_>, statements: &[Expr], stage: &mut Stage) {
    let mut items: Vec<Predicate> = statements
        .iter()
        .map(|s| predicate(ctx, s, false))
        .collect();
    // Joins through placeholders: every field assigned to a placeholder
    // from another event variable than the first is compared to it.
    for (var, decls) in &ctx.placeholders {
        stage.assignments.push(IrAssignment {
            name: var.clone(),
            expression: declared_as(ctx, var),
            reads: declared_reads(ctx, var),
        });
        let Some((first_var, first_expr, _)) = decls.first() else {
            continue;
        };
        for (other_var, other_expr, span) in &decls[1..] {
            if other_var == first_var || other_var.is_empty() || first_var.is_empty() {
                continue;
            }
            let (Some(left), Some(right)) = (plain_path(first_expr), plain_path(other_expr)) else {
                continue;
            };
            items.push(Predicate::FieldCompare(FieldComparison {
                left: FieldRef::new(left),
                op: Op::Eq,
                right: FieldRef::new(right),
                case_sensitive: None,
                written_op: Some(format!("= {var} =")),
                span: Some(ctx.span(*span)),
            }));
        }
    }
    stage.predicate = (!items.is_empty()).then(|| Predicate::and(items));
    if ctx.event_vars.len() > 1 {
        for var in ctx.event_vars.clone() {
            let mine: Vec<&Expr> = statements
                .iter()
                .filter(|s| {
                    let mut vars = BTreeSet::new();
                    walk(s, &mut |e| {
                        if let ExprKind::Field { var, .. } = &e.kind {
                            vars.insert(var.clone());
                        }
                    });
                    vars.len() == 1 && vars.contains(&var)
                })
                .collect();
            if mine.is_empty() {
                continue;
            }
            let span = mine
                .iter()
                .map(|s| s.span)
                .reduce(Span::cover)
                .unwrap_or_default();
            let text: Vec<&str> = mine.iter().map(|s| s.span.slice(ctx.text)).collect();
            let mut sub = Stage::new("events", text.join("\n"), ctx.span(span));
            sub.name = Some(var.clone());
            let items: Vec<Predicate> = mine.iter().map(|s| predicate(ctx, s, false)).collect();
            sub.predicate = Some(Predicate::and(items));
            stage.subqueries.push(vec![sub]);
        }
    }
}

/// `$e.a.b` → `a.b`, when the expression is just a path.
fn plain_path(expr: &str) -> Option<String> {
    let rest = expr.strip_prefix('$')?;
    let (_, path) = rest.split_once('.')?;
    (!path.is_empty() && !path.contains(['(', ' ', ','])).then(|| path.to_string())
}

/// The field an operand reads: a UDM path, or a function of exactly one
/// (traced, with the call as its derivation); and whether the function
/// folds case (`strings.to_lower`).
fn field_of(ctx: &Ctx<'_>, e: &Expr) -> Option<(FieldRef, bool)> {
    match &e.kind {
        ExprKind::Field { path, .. } => Some((FieldRef::new(path_text(path)), false)),
        ExprKind::Call {
            namespace, name, ..
        } => {
            let paths = reads(e);
            if paths.len() != 1 || is_predicate_call(namespace.as_deref(), name) {
                return None;
            }
            let folds = namespace.as_deref() == Some("strings")
                && matches!(name.as_str(), "to_lower" | "to_upper");
            // Case folding all the way down: `to_lower(trim(x))`.
            let mut ci = folds;
            walk(e, &mut |inner| {
                if let ExprKind::Call {
                    namespace: Some(ns),
                    name,
                    ..
                } = &inner.kind
                {
                    if ns == "strings" && matches!(name.as_str(), "to_lower" | "to_upper") {
                        ci = true;
                    }
                }
            });
            let text = ctx.text_of(e.span);
            let mut field = FieldRef::new(paths[0].clone());
            field.derived = Some(Derivation {
                column: text.clone(),
                expression: text,
                traced: true,
                aggregate: false,
            });
            Some((field, ci))
        }
        _ => None,
    }
}

fn is_predicate_call(namespace: Option<&str>, name: &str) -> bool {
    matches!(
        (namespace, name),
        (Some("re"), "regex")
            | (Some("strings"), "contains" | "starts_with" | "ends_with")
            | (Some("net"), "ip_in_range_cidr")
    )
}

/// A literal operand's value (strings, numbers, booleans, null, `-n`).
fn literal(e: &Expr) -> Option<Value> {
    Some(match &e.kind {
        ExprKind::Str(s) | ExprKind::Regex(s) => Value::String(s.clone()),
        ExprKind::Number(n) => Value::from_unquoted(n),
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Null => Value::Null,
        ExprKind::Duration(d) => Value::Timespan {
            timespan: d.clone(),
        },
        ExprKind::Neg(inner) => match &inner.kind {
            ExprKind::Number(n) => Value::from_unquoted(&format!("-{n}")),
            _ => return None,
        },
        _ => return None,
    })
}

fn compare_op(op: BinOp, swapped: bool) -> Option<Op> {
    Some(match (op, swapped) {
        (BinOp::Eq, _) => Op::Eq,
        (BinOp::Ne, _) => Op::Ne,
        (BinOp::Lt, false) | (BinOp::Gt, true) => Op::Lt,
        (BinOp::Le, false) | (BinOp::Ge, true) => Op::Le,
        (BinOp::Gt, false) | (BinOp::Lt, true) => Op::Gt,
        (BinOp::Ge, false) | (BinOp::Le, true) => Op::Ge,
        _ => return None,
    })
}

fn opaque(ctx: &Ctx<'_>, e: &Expr) -> Predicate {
    Predicate::opaque(e.span.slice(ctx.text), Some(ctx.span(e.span)))
}

/// The predicate of a boolean expression of the events section.
fn predicate(ctx: &mut Ctx<'_>, e: &Expr, nocase: bool) -> Predicate {
    match &e.kind {
        ExprKind::Logical { op, items } => {
            let items = items.iter().map(|i| predicate(ctx, i, nocase)).collect();
            if *op == BinOp::And {
                Predicate::and(items)
            } else {
                Predicate::or(items)
            }
        }
        ExprKind::Not(inner) | ExprKind::Bang(inner) => {
            Predicate::not(predicate(ctx, inner, nocase))
        }
        ExprKind::Nocase(inner) => predicate(ctx, inner, true),
        ExprKind::Quantified { expr, .. } => predicate(ctx, expr, nocase),
        ExprKind::In { lhs, kind, list } => in_list(ctx, e, lhs, *kind, list, nocase),
        ExprKind::Binary { op, lhs, rhs } if op.is_comparison() => {
            comparison(ctx, e, *op, lhs, rhs, nocase)
        }
        ExprKind::Call {
            namespace, name, ..
        } => call(ctx, e, namespace.as_deref(), name, nocase),
        _ => opaque(ctx, e),
    }
}

fn in_list(
    ctx: &mut Ctx<'_>,
    e: &Expr,
    lhs: &Expr,
    kind: InKind,
    list: &Expr,
    nocase: bool,
) -> Predicate {
    let Some((field, ci)) = field_of(ctx, lhs) else {
        if let ExprKind::List { name, .. } = &list.kind {
            ctx.lists.entry(name.clone()).or_insert(list.span);
        }
        return opaque(ctx, e);
    };
    let op = match kind {
        InKind::Plain => Op::In,
        InKind::Regex => Op::Regex,
        InKind::Cidr => Op::Cidr,
    };
    let mut c = match &list.kind {
        ExprKind::List { name, column } => {
            ctx.lists.entry(name.clone()).or_insert(list.span);
            let written = match kind {
                InKind::Plain => "in",
                InKind::Regex => "in regex",
                InKind::Cidr => "in cidr",
            };
            Comparison::new(field, op, Vec::new())
                .from_source(ValueSource {
                    kind: ValueSourceKind::Lookup,
                    name: format!("%{name}"),
                    column: column.clone(),
                })
                .written(written)
        }
        ExprKind::Array(items) => {
            let values: Option<Vec<Value>> = items.iter().map(literal).collect();
            let Some(values) = values else {
                return opaque(ctx, e);
            };
            Comparison::new(field, op, values)
        }
        _ => return opaque(ctx, e),
    };
    if op != Op::Cidr {
        c = c.case_sensitive(!(nocase || ci));
    }
    Predicate::Compare(c.at(ctx.span(e.span)))
}

fn comparison(
    ctx: &mut Ctx<'_>,
    e: &Expr,
    op: BinOp,
    lhs: &Expr,
    rhs: &Expr,
    nocase: bool,
) -> Predicate {
    let span = ctx.span(e.span);
    // Field against literal, either way round.
    let sides = [(lhs, rhs, false), (rhs, lhs, true)];
    for (f, v, swapped) in sides {
        let Some((field, ci)) = field_of(ctx, f) else {
            continue;
        };
        let Some(value) = literal(v) else {
            continue;
        };
        let Some(mut ir_op) = compare_op(op, swapped) else {
            return opaque(ctx, e);
        };
        let is_regex = matches!(v.kind, ExprKind::Regex(_));
        if is_regex {
            ir_op = if ir_op == Op::Ne {
                Op::NotRegex
            } else {
                Op::Regex
            };
        }
        let empty = value.as_str() == Some("") && !is_regex;
        let folded = is_regex && value.as_str().is_some_and(|v| v.starts_with("(?i)"));
        let c = match (ir_op, empty) {
            (Op::Eq, true) => Comparison::new(field, Op::NotExists, Vec::new()).written("= \"\""),
            (Op::Ne, true) => Comparison::new(field, Op::Exists, Vec::new()).written("!= \"\""),
            _ => {
                Comparison::new(field, ir_op, vec![value]).case_sensitive(!(nocase || ci || folded))
            }
        };
        return Predicate::Compare(c.at(span));
    }
    // Field against field: a join when the variables differ.
    if let (Some((left, lci)), Some((right, rci))) = (field_of(ctx, lhs), field_of(ctx, rhs)) {
        if let Some(ir_op) = compare_op(op, false) {
            let textual = matches!(ir_op, Op::Eq | Op::Ne);
            return Predicate::FieldCompare(FieldComparison {
                left,
                op: ir_op,
                right,
                case_sensitive: textual.then_some(!(nocase || lci || rci)),
                written_op: None,
                span: Some(span),
            });
        }
    }
    // A predicate function compared with a boolean.
    if let ExprKind::Call {
        namespace, name, ..
    } = &lhs.kind
    {
        if let ExprKind::Bool(b) = rhs.kind {
            let p = call(ctx, lhs, namespace.as_deref(), name, nocase);
            let positive = b == (op == BinOp::Eq);
            return if positive { p } else { Predicate::not(p) };
        }
    }
    opaque(ctx, e)
}

fn call(
    ctx: &mut Ctx<'_>,
    e: &Expr,
    namespace: Option<&str>,
    name: &str,
    nocase: bool,
) -> Predicate {
    let ExprKind::Call { args, .. } = &e.kind else {
        return opaque(ctx, e);
    };
    let op = match (namespace, name) {
        (Some("re"), "regex") => Some(Op::Regex),
        (Some("strings"), "contains") => Some(Op::Contains),
        (Some("strings"), "starts_with") => Some(Op::StartsWith),
        (Some("strings"), "ends_with") => Some(Op::EndsWith),
        (Some("net"), "ip_in_range_cidr") => Some(Op::Cidr),
        _ => None,
    };
    if let (Some(op), [subject, pattern]) = (op, args.as_slice()) {
        if let (Some((field, ci)), Some(value)) = (field_of(ctx, subject), literal(pattern)) {
            let written = format!("{}.{name}()", namespace.unwrap_or_default());
            let folded = op == Op::Regex && value.as_str().is_some_and(|v| v.starts_with("(?i)"));
            let mut c = Comparison::new(field, op, vec![value]).written(written);
            if op != Op::Cidr {
                c = c.case_sensitive(!(nocase || ci || folded));
            }
            return Predicate::Compare(c.at(ctx.span(e.span)));
        }
    }
    let full = match namespace {
        Some(ns) => format!("{ns}.{name}"),
        None => name.to_string(),
    };
    Predicate::Call(Call {
        name: full,
        args: args.iter().map(|a| ctx.text_of(a.span)).collect(),
        span: Some(ctx.span(e.span)),
    })
}

// ------------------------------------------------------------------ condition

fn condition_predicate(ctx: &Ctx<'_>, e: &Expr) -> Predicate {
    match &e.kind {
        ExprKind::Logical { op, items } => {
            let items = items.iter().map(|i| condition_predicate(ctx, i)).collect();
            if *op == BinOp::And {
                Predicate::and(items)
            } else {
                Predicate::or(items)
            }
        }
        ExprKind::Not(inner) | ExprKind::Bang(inner) => {
            Predicate::not(condition_predicate(ctx, inner))
        }
        ExprKind::Binary { op, lhs, rhs } if op.is_comparison() => {
            let (Some(value), Some(ir_op)) = (literal(rhs), compare_op(*op, false)) else {
                return opaque(ctx, e);
            };
            let column = ctx.text_of(lhs.span);
            let field = FieldRef {
                name: column.clone(),
                derived: Some(Derivation {
                    column: column.clone(),
                    expression: column,
                    traced: false,
                    aggregate: true,
                }),
            };
            Predicate::Compare(Comparison::new(field, ir_op, vec![value]).at(ctx.span(e.span)))
        }
        _ => opaque(ctx, e),
    }
}

// ------------------------------------------------------------------ sources

/// Log types, products and event types the events section selects
/// (positive `=` comparisons on `metadata.log_type`,
/// `metadata.product_name`, `metadata.event_type`).
fn data_sources(stages: &[Stage]) -> Vec<DataSource> {
    let mut out: Vec<DataSource> = Vec::new();
    for stage in stages.iter().filter(|s| s.kind == "events") {
        let Some(p) = &stage.predicate else { continue };
        p.visit_leaves(|leaf, negated| {
            let Predicate::Compare(c) = leaf else { return };
            if negated || !matches!(c.op, Op::Eq | Op::In) || c.field.derived.is_some() {
                return;
            }
            let field = c.field.name.as_str();
            if !matches!(
                field,
                "metadata.log_type" | "metadata.product_name" | "metadata.event_type"
            ) {
                return;
            }
            for value in c.values.iter().filter_map(Value::as_str) {
                let mut source = DataSource::new(DataSourceKind::LogType, value);
                source
                    .attributes
                    .insert("field".to_string(), field.to_string());
                if !out.contains(&source) {
                    out.push(source);
                }
            }
        });
    }
    out
}
