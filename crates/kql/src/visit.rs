//! Walking the tree.
//!
//! Implement [`Visitor`], override the `visit_*` methods you care about, and
//! call the matching `walk_*` function inside an override to keep
//! descending. The default methods visit everything.
//!
//! ```
//! use ruledex_kql::ast::{Expr, ExprKind};
//! use ruledex_kql::visit::{walk_expr, Visitor};
//!
//! /// Collect every function called anywhere in a query.
//! struct Calls(Vec<String>);
//! impl Visitor for Calls {
//!     fn visit_expr(&mut self, expr: &Expr) {
//!         if let ExprKind::Call(call) = &expr.kind {
//!             self.0.push(call.name.name.clone());
//!         }
//!         walk_expr(self, expr);
//!     }
//! }
//!
//! let parsed = ruledex_kql::parse("T | where ago(1d) < t | extend n = tolower(strcat(a, b))");
//! let mut calls = Calls(Vec::new());
//! calls.visit_script(&parsed.script);
//! assert_eq!(calls.0, ["ago", "tolower", "strcat"]);
//! ```
//!
//! Recursion is bounded by the tree's height, which the parser keeps below
//! [`crate::MAX_HEIGHT`].

use crate::ast::*;

/// A read-only visitor over the syntax tree.
pub trait Visitor {
    /// A whole script.
    fn visit_script(&mut self, script: &Script) {
        walk_script(self, script);
    }
    /// A statement.
    fn visit_statement(&mut self, statement: &Statement) {
        walk_statement(self, statement);
    }
    /// A tabular expression (query, subquery, join side, union item).
    fn visit_tabular(&mut self, tabular: &TabularExpression) {
        walk_tabular(self, tabular);
    }
    /// A tabular operator.
    fn visit_operator(&mut self, operator: &Operator) {
        walk_operator(self, operator);
    }
    /// A scalar expression.
    fn visit_expr(&mut self, expr: &Expr) {
        walk_expr(self, expr);
    }
}

/// Visit every statement.
pub fn walk_script<V: Visitor + ?Sized>(v: &mut V, script: &Script) {
    for statement in &script.statements {
        v.visit_statement(statement);
    }
}

/// Visit the parts of a statement.
pub fn walk_statement<V: Visitor + ?Sized>(v: &mut V, statement: &Statement) {
    match statement {
        Statement::Let(l) => match &l.value {
            LetValue::Expr(e) => v.visit_expr(e),
            LetValue::Tabular(t) => v.visit_tabular(t),
            LetValue::Function(f) | LetValue::View(f) => walk_function(v, f),
        },
        Statement::Query(q) => v.visit_tabular(q),
        Statement::Set(s) => {
            if let Some(e) = &s.value {
                v.visit_expr(e);
            }
        }
        Statement::Declare(d) => walk_parameters(v, &d.params),
        Statement::Alias(a) => v.visit_expr(&a.value),
        Statement::Restrict(r) => {
            for t in &r.tables {
                v.visit_tabular(t);
            }
        }
        Statement::Pattern(_) | Statement::Error(_) => {}
    }
}

fn walk_function<V: Visitor + ?Sized>(v: &mut V, f: &FunctionDefinition) {
    walk_parameters(v, &f.params);
    for statement in &f.body {
        v.visit_statement(statement);
    }
}

fn walk_parameters<V: Visitor + ?Sized>(v: &mut V, params: &[Parameter]) {
    for p in params {
        if let Some(d) = &p.default {
            v.visit_expr(d);
        }
    }
}

/// Visit the source and the operators.
pub fn walk_tabular<V: Visitor + ?Sized>(v: &mut V, tabular: &TabularExpression) {
    match &tabular.source.kind {
        SourceKind::Call(call) => walk_call(v, call),
        SourceKind::Expr(e) => v.visit_expr(e),
        SourceKind::Parenthesized(t) => v.visit_tabular(t),
        SourceKind::Operator(op) => v.visit_operator(op),
        SourceKind::Name(_) | SourceKind::Pattern(_) | SourceKind::Implicit | SourceKind::Error => {
        }
    }
    for op in &tabular.operators {
        v.visit_operator(op);
    }
}

fn walk_params<V: Visitor + ?Sized>(v: &mut V, params: &[NamedParameter]) {
    for p in params {
        v.visit_expr(&p.value);
    }
}

fn walk_columns<V: Visitor + ?Sized>(v: &mut V, columns: &[ColumnAssignment]) {
    for c in columns {
        v.visit_expr(&c.expr);
    }
}

fn walk_sort_keys<V: Visitor + ?Sized>(v: &mut V, keys: &[SortKey]) {
    for k in keys {
        v.visit_expr(&k.expr);
    }
}

fn walk_exprs<V: Visitor + ?Sized>(v: &mut V, exprs: &[Expr]) {
    for e in exprs {
        v.visit_expr(e);
    }
}

/// Visit every expression and subquery of an operator.
pub fn walk_operator<V: Visitor + ?Sized>(v: &mut V, operator: &Operator) {
    use OperatorKind::*;
    match &operator.kind {
        Where { params, predicate } => {
            walk_params(v, params);
            v.visit_expr(predicate);
        }
        Serialize { params, columns } | Distinct { params, columns } => {
            walk_params(v, params);
            walk_columns(v, columns);
        }
        Extend { columns }
        | Project { columns }
        | ProjectRename { columns }
        | Print { columns } => walk_columns(v, columns),
        ProjectAway { .. }
        | ProjectKeep { .. }
        | ProjectReorder { .. }
        | Count { .. }
        | Getschema
        | Error => {}
        Summarize {
            params,
            aggregates,
            by,
        } => {
            walk_params(v, params);
            walk_columns(v, aggregates);
            walk_columns(v, by);
        }
        Join {
            params,
            right,
            on,
            where_clause,
        } => {
            walk_params(v, params);
            v.visit_tabular(right);
            walk_exprs(v, on);
            if let Some(w) = where_clause {
                v.visit_expr(w);
            }
        }
        Lookup { params, right, on } => {
            walk_params(v, params);
            v.visit_tabular(right);
            walk_exprs(v, on);
        }
        Union { params, sources } => {
            walk_params(v, params);
            for s in sources {
                v.visit_tabular(s);
            }
        }
        MvExpand {
            params,
            items,
            limit,
        } => {
            walk_params(v, params);
            for i in items {
                v.visit_expr(&i.column.expr);
            }
            if let Some(l) = limit {
                v.visit_expr(l);
            }
        }
        MvApply {
            params,
            items,
            limit,
            context_id,
            on,
        } => {
            walk_params(v, params);
            for i in items {
                v.visit_expr(&i.column.expr);
            }
            for e in [limit, context_id].into_iter().flatten() {
                v.visit_expr(e);
            }
            v.visit_tabular(on);
        }
        Parse(p) | ParseWhere(p) => {
            walk_params(v, &p.params);
            v.visit_expr(&p.source);
        }
        ParseKv {
            source, options, ..
        } => {
            v.visit_expr(source);
            walk_params(v, options);
        }
        MakeSeries {
            params,
            aggregates,
            on,
            from,
            to,
            step,
            range,
            by,
        } => {
            walk_params(v, params);
            for a in aggregates {
                v.visit_expr(&a.column.expr);
                if let Some(d) = &a.default {
                    v.visit_expr(d);
                }
            }
            v.visit_expr(on);
            for e in [from, to, step, range].into_iter().flatten() {
                v.visit_expr(e);
            }
            walk_columns(v, by);
        }
        Evaluate { params, plugin, .. } => {
            walk_params(v, params);
            v.visit_expr(plugin);
        }
        Top { params, count, by } => {
            walk_params(v, params);
            v.visit_expr(count);
            walk_sort_keys(v, by);
        }
        TopNested { levels } => {
            for l in levels {
                if let Some(c) = &l.count {
                    v.visit_expr(c);
                }
                v.visit_expr(&l.of.expr);
                if let Some(o) = &l.others {
                    v.visit_expr(o);
                }
                v.visit_expr(&l.by.expr);
            }
        }
        TopHitters { count, of, by } => {
            v.visit_expr(count);
            v.visit_expr(of);
            if let Some(b) = by {
                v.visit_expr(b);
            }
        }
        Sort { params, keys } => {
            walk_params(v, params);
            walk_sort_keys(v, keys);
        }
        Take { params, count } | Sample { params, count } => {
            walk_params(v, params);
            v.visit_expr(count);
        }
        SampleDistinct { params, count, of } => {
            walk_params(v, params);
            v.visit_expr(count);
            v.visit_expr(of);
        }
        As { params, .. } | Consume { params } | GraphMarkComponents { params } => {
            walk_params(v, params)
        }
        MakeGraph {
            source,
            target,
            nodes,
            params,
            ..
        } => {
            v.visit_expr(source);
            v.visit_expr(target);
            for n in nodes {
                v.visit_tabular(&n.table);
                v.visit_expr(&n.key);
            }
            walk_params(v, params);
        }
        GraphMatch {
            params,
            predicate,
            project,
            ..
        } => {
            walk_params(v, params);
            if let Some(p) = predicate {
                v.visit_expr(p);
            }
            walk_columns(v, project);
        }
        GraphToTable { outputs } => {
            for o in outputs {
                walk_params(v, &o.params);
            }
        }
        MacroExpand {
            params,
            members,
            body,
            ..
        } => {
            walk_params(v, params);
            for m in members {
                v.visit_tabular(m);
            }
            v.visit_tabular(body);
        }
        ProjectByNames { columns } => walk_exprs(v, columns),
        AssertSchema { .. } => {}
        Invoke { function } => v.visit_expr(function),
        Scan(scan) => {
            walk_params(v, &scan.params);
            walk_sort_keys(v, &scan.order_by);
            walk_exprs(v, &scan.partition_by);
            walk_parameters(v, &scan.declare);
            for step in &scan.steps {
                v.visit_expr(&step.condition);
                walk_columns(v, &step.assignments);
            }
        }
        Render { properties, .. } => {
            for p in properties {
                walk_exprs(v, &p.values);
            }
        }
        Range { from, to, step, .. } => {
            v.visit_expr(from);
            v.visit_expr(to);
            v.visit_expr(step);
        }
        Search {
            params,
            tables,
            predicate,
        } => {
            walk_params(v, params);
            for t in tables {
                v.visit_tabular(t);
            }
            v.visit_expr(predicate);
        }
        Find {
            params,
            tables,
            predicate,
            project,
            ..
        } => {
            walk_params(v, params);
            for t in tables {
                v.visit_tabular(t);
            }
            v.visit_expr(predicate);
            walk_exprs(v, project);
        }
        Datatable { values, .. } => walk_exprs(v, values),
        Externaldata {
            uris, properties, ..
        } => {
            walk_exprs(v, uris);
            walk_params(v, properties);
        }
        Facet { columns, with } => {
            walk_exprs(v, columns);
            if let Some(w) = with {
                v.visit_tabular(w);
            }
        }
        Reduce {
            params,
            by,
            options,
        } => {
            walk_params(v, params);
            v.visit_expr(by);
            walk_params(v, options);
        }
        Fork { branches } => {
            for b in branches {
                v.visit_tabular(&b.query);
            }
        }
        Partition {
            params,
            by,
            subquery,
        } => {
            walk_params(v, params);
            v.visit_expr(by);
            v.visit_tabular(subquery);
        }
    }
}

fn walk_call<V: Visitor + ?Sized>(v: &mut V, call: &Call) {
    if let Some(t) = &call.target {
        v.visit_expr(t);
    }
    for a in &call.args {
        v.visit_expr(&a.value);
    }
}

/// Visit the sub-expressions (and nested subqueries) of an expression.
pub fn walk_expr<V: Visitor + ?Sized>(v: &mut V, expr: &Expr) {
    match &expr.kind {
        ExprKind::Literal(_)
        | ExprKind::Name(_)
        | ExprKind::Star
        | ExprKind::TypeOf(_)
        | ExprKind::Error => {}
        ExprKind::Path { target, .. } => v.visit_expr(target),
        ExprKind::Index { target, index } => {
            v.visit_expr(target);
            v.visit_expr(index);
        }
        ExprKind::Call(call) => walk_call(v, call),
        ExprKind::Unary { operand, .. } => v.visit_expr(operand),
        ExprKind::Binary { left, right, .. } => {
            v.visit_expr(left);
            v.visit_expr(right);
        }
        ExprKind::In { left, list, .. } | ExprKind::HasAny { left, list, .. } => {
            v.visit_expr(left);
            walk_exprs(v, list);
        }
        ExprKind::Between {
            left, low, high, ..
        } => {
            v.visit_expr(left);
            v.visit_expr(low);
            v.visit_expr(high);
        }
        ExprKind::Paren(inner) | ExprKind::Bracketed(inner) => v.visit_expr(inner),
        ExprKind::Tabular(t) => v.visit_tabular(t),
        ExprKind::ColumnMatch { column, value } => {
            v.visit_expr(column);
            v.visit_expr(value);
        }
    }
}
