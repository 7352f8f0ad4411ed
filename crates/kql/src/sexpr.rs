//! A compact S-expression rendering of the tree.
//!
//! One statement or operator per line, expressions inline in prefix form:
//! `(where (and (== ResultType 0) (=~ App "Azure Portal")))`. Strings are
//! shown decoded and quoted; names bare (quoted names as `['a b']`). Used by
//! the snapshot tests, and useful to see how a query was understood.
//!
//! ```
//! let parsed = ruledex_kql::parse("T | where x > 1h and y has 'a'");
//! assert_eq!(
//!     ruledex_kql::sexpr::render(&parsed.script),
//!     "(query (source T)\n  (where (and (> x 1h) (has y \"a\"))))\n"
//! );
//! ```

use crate::ast::*;
use std::fmt::Write as _;

/// Render a whole script, one statement per top-level form.
pub fn render(script: &Script) -> String {
    let mut w = Writer::default();
    for statement in &script.statements {
        w.statement(statement, 0);
        w.out.push('\n');
    }
    w.out
}

/// Render one expression inline.
pub fn render_expr(expr: &Expr) -> String {
    let mut w = Writer::default();
    w.expr(expr);
    w.out
}

#[derive(Default)]
struct Writer {
    out: String,
    /// Inside an expression: render nested queries on one line.
    flat: bool,
}

impl Writer {
    fn newline(&mut self, indent: usize) {
        if self.flat {
            self.out.push(' ');
            return;
        }
        self.out.push('\n');
        for _ in 0..indent {
            self.out.push_str("  ");
        }
    }

    fn statement(&mut self, statement: &Statement, indent: usize) {
        match statement {
            Statement::Let(l) => {
                self.out.push_str("(let ");
                self.ident(&l.name);
                match &l.value {
                    LetValue::Expr(e) => {
                        self.out.push(' ');
                        self.expr(e);
                    }
                    LetValue::Tabular(t) => {
                        self.newline(indent + 1);
                        self.tabular(t, indent + 1);
                    }
                    LetValue::Function(f) => {
                        self.newline(indent + 1);
                        self.function("fn", f, indent + 1);
                    }
                    LetValue::View(f) => {
                        self.newline(indent + 1);
                        self.function("view", f, indent + 1);
                    }
                }
                self.out.push(')');
            }
            Statement::Query(q) => self.tabular(q, indent),
            Statement::Set(s) => {
                self.out.push_str("(set ");
                self.ident(&s.name);
                if let Some(v) = &s.value {
                    self.out.push(' ');
                    self.expr(v);
                }
                self.out.push(')');
            }
            Statement::Declare(d) => {
                self.out.push_str("(declare-query-parameters");
                self.parameters(&d.params);
                self.out.push(')');
            }
            Statement::Alias(a) => {
                self.out.push_str("(alias-database ");
                self.ident(&a.name);
                self.out.push(' ');
                self.expr(&a.value);
                self.out.push(')');
            }
            Statement::Restrict(r) => {
                self.out.push_str("(restrict-access");
                self.table_list(&r.tables, indent);
                self.out.push(')');
            }
            Statement::Pattern(p) => {
                self.out.push_str("(declare-pattern ");
                self.ident(&p.name);
                self.out.push(')');
            }
            Statement::Error(_) => self.out.push_str("(error-statement)"),
        }
    }

    fn function(&mut self, head: &str, f: &FunctionDefinition, indent: usize) {
        let _ = write!(self.out, "({head} (params");
        self.parameters(&f.params);
        self.out.push(')');
        for statement in &f.body {
            self.newline(indent + 1);
            self.statement(statement, indent + 1);
        }
        self.out.push(')');
    }

    fn parameters(&mut self, params: &[Parameter]) {
        for p in params {
            self.out.push_str(" (");
            self.ident(&p.name);
            match &p.ty {
                ParameterType::Scalar(t) => {
                    let _ = write!(self.out, ":{}", t.name);
                }
                ParameterType::Tabular { columns, open } => {
                    self.out.push_str(":(");
                    self.column_declarations(columns);
                    if *open {
                        self.out
                            .push_str(if columns.is_empty() { "*" } else { " *" });
                    }
                    self.out.push(')');
                }
            }
            if let Some(d) = &p.default {
                self.out.push_str(" = ");
                self.expr(d);
            }
            self.out.push(')');
        }
    }

    fn column_declarations(&mut self, columns: &[ColumnDeclaration]) {
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                self.out.push(' ');
            }
            self.ident(&c.name);
            let _ = write!(self.out, ":{}", c.ty.name);
        }
    }

    fn tabular(&mut self, t: &TabularExpression, indent: usize) {
        self.out.push_str("(query ");
        self.source(&t.source, indent);
        for op in &t.operators {
            self.newline(indent + 1);
            self.operator(op, indent + 1);
        }
        self.out.push(')');
    }

    fn source(&mut self, source: &Source, indent: usize) {
        match &source.kind {
            SourceKind::Name(n) => {
                self.out.push_str("(source ");
                self.ident(n);
                self.out.push(')');
            }
            SourceKind::Pattern(p) => {
                let _ = write!(self.out, "(source-pattern {})", p.text);
            }
            SourceKind::Call(c) => {
                self.out.push_str("(source ");
                self.call(c);
                self.out.push(')');
            }
            SourceKind::Expr(e) => {
                self.out.push_str("(source-expr ");
                self.expr(e);
                self.out.push(')');
            }
            SourceKind::Parenthesized(t) => {
                self.out.push_str("(source ");
                self.tabular(t, indent + 1);
                self.out.push(')');
            }
            SourceKind::Operator(op) => self.operator(op, indent),
            SourceKind::Implicit => self.out.push_str("(implicit)"),
            SourceKind::Error => self.out.push_str("(error-source)"),
        }
    }

    fn params(&mut self, params: &[NamedParameter]) {
        for p in params {
            let _ = write!(self.out, " {}=", p.name.name);
            self.expr(&p.value);
        }
    }

    fn schema(&mut self, schema: &Schema) {
        self.out.push('(');
        if schema.open {
            self.out.push('*');
            if !schema.columns.is_empty() {
                self.out.push(' ');
            }
        }
        self.column_declarations(&schema.columns);
        self.out.push(')');
    }

    fn columns(&mut self, columns: &[ColumnAssignment]) {
        for c in columns {
            self.out.push(' ');
            self.column(c);
        }
    }

    fn column(&mut self, c: &ColumnAssignment) {
        match c.names.len() {
            0 => self.expr(&c.expr),
            _ => {
                self.out.push_str("(= ");
                if c.names.len() == 1 {
                    self.ident(&c.names[0]);
                } else {
                    self.out.push('(');
                    for (i, n) in c.names.iter().enumerate() {
                        if i > 0 {
                            self.out.push(' ');
                        }
                        self.ident(n);
                    }
                    self.out.push(')');
                }
                self.out.push(' ');
                self.expr(&c.expr);
                self.out.push(')');
            }
        }
    }

    fn patterns(&mut self, patterns: &[NamePattern]) {
        for p in patterns {
            let _ = write!(self.out, " {}", p.text);
        }
    }

    fn exprs(&mut self, exprs: &[Expr]) {
        for e in exprs {
            self.out.push(' ');
            self.expr(e);
        }
    }

    fn sort_keys(&mut self, keys: &[SortKey]) {
        for k in keys {
            self.out.push(' ');
            if k.order.is_none() && k.nulls.is_none() {
                self.expr(&k.expr);
                continue;
            }
            self.out.push('(');
            self.expr(&k.expr);
            match k.order {
                Some(SortOrder::Ascending) => self.out.push_str(" asc"),
                Some(SortOrder::Descending) => self.out.push_str(" desc"),
                None => {}
            }
            match k.nulls {
                Some(NullsPosition::First) => self.out.push_str(" nulls-first"),
                Some(NullsPosition::Last) => self.out.push_str(" nulls-last"),
                None => {}
            }
            self.out.push(')');
        }
    }

    fn sub(&mut self, label: &str, t: &TabularExpression, indent: usize) {
        self.newline(indent + 1);
        let _ = write!(self.out, "({label} ");
        self.tabular(t, indent + 1);
        self.out.push(')');
    }

    fn operator(&mut self, op: &Operator, indent: usize) {
        use OperatorKind::*;
        let name = if op.name.name.is_empty() {
            "missing-operator"
        } else {
            op.name.name.as_str()
        };
        let _ = write!(self.out, "({name}");
        match &op.kind {
            Where { params, predicate } => {
                self.params(params);
                self.exprs(std::slice::from_ref(predicate));
            }
            Serialize { params, columns } => {
                self.params(params);
                self.columns(columns);
            }
            Extend { columns }
            | Project { columns }
            | ProjectRename { columns }
            | Print { columns } => self.columns(columns),
            ProjectAway { columns } | ProjectKeep { columns } | ProjectReorder { columns } => {
                self.patterns(columns)
            }
            Summarize {
                params,
                aggregates,
                by,
            } => {
                self.params(params);
                self.columns(aggregates);
                if !by.is_empty() {
                    self.out.push_str(" (by");
                    self.columns(by);
                    self.out.push(')');
                }
            }
            Join {
                params,
                right,
                on,
                where_clause,
            } => {
                self.params(params);
                self.sub("right", right, indent);
                if !on.is_empty() {
                    self.newline(indent + 1);
                    self.out.push_str("(on");
                    self.exprs(on);
                    self.out.push(')');
                }
                if let Some(w) = where_clause {
                    self.newline(indent + 1);
                    self.out.push_str("(where ");
                    self.expr(w);
                    self.out.push(')');
                }
            }
            Lookup { params, right, on } => {
                self.params(params);
                self.sub("right", right, indent);
                self.newline(indent + 1);
                self.out.push_str("(on");
                self.exprs(on);
                self.out.push(')');
            }
            Union { params, sources } => {
                self.params(params);
                for s in sources {
                    self.newline(indent + 1);
                    self.tabular(s, indent + 1);
                }
            }
            MvExpand {
                params,
                items,
                limit,
            } => {
                self.params(params);
                self.expand_items(items);
                if let Some(l) = limit {
                    self.out.push_str(" (limit ");
                    self.expr(l);
                    self.out.push(')');
                }
            }
            MvApply {
                params,
                items,
                limit,
                context_id,
                on,
            } => {
                self.params(params);
                self.expand_items(items);
                if let Some(l) = limit {
                    self.out.push_str(" (limit ");
                    self.expr(l);
                    self.out.push(')');
                }
                if let Some(id) = context_id {
                    self.out.push_str(" (id ");
                    self.expr(id);
                    self.out.push(')');
                }
                self.sub("on", on, indent);
            }
            Parse(p) | ParseWhere(p) => {
                self.params(&p.params);
                self.out.push(' ');
                self.expr(&p.source);
                self.out.push_str(" (with");
                for part in &p.pattern {
                    match part {
                        ParsePatternPart::Text(l) => {
                            self.out.push(' ');
                            self.literal(l);
                        }
                        ParsePatternPart::Star(_) => self.out.push_str(" *"),
                        ParsePatternPart::Column { name, ty } => {
                            self.out.push_str(" (col ");
                            self.ident(name);
                            if let Some(t) = ty {
                                let _ = write!(self.out, ":{}", t.name);
                            }
                            self.out.push(')');
                        }
                    }
                }
                self.out.push(')');
            }
            ParseKv {
                source,
                keys,
                options,
            } => {
                self.out.push(' ');
                self.expr(source);
                self.out.push_str(" (as ");
                self.column_declarations(keys);
                self.out.push(')');
                if !options.is_empty() {
                    self.out.push_str(" (with");
                    self.params(options);
                    self.out.push(')');
                }
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
                self.params(params);
                for a in aggregates {
                    self.out.push(' ');
                    self.column(&a.column);
                    if let Some(d) = &a.default {
                        self.out.push_str(" (default ");
                        self.expr(d);
                        self.out.push(')');
                    }
                }
                for (label, e) in [
                    ("on", Some(on)),
                    ("from", from.as_ref()),
                    ("to", to.as_ref()),
                    ("step", step.as_ref()),
                    ("in", range.as_ref()),
                ] {
                    if let Some(e) = e {
                        let _ = write!(self.out, " ({label} ");
                        self.expr(e);
                        self.out.push(')');
                    }
                }
                if !by.is_empty() {
                    self.out.push_str(" (by");
                    self.columns(by);
                    self.out.push(')');
                }
            }
            Evaluate {
                params,
                plugin,
                schema,
            } => {
                self.params(params);
                self.out.push(' ');
                self.expr(plugin);
                if let Some(schema) = schema {
                    self.out.push_str(" (schema ");
                    self.schema(schema);
                    self.out.push(')');
                }
            }
            Top { params, count, by } => {
                self.params(params);
                self.out.push(' ');
                self.expr(count);
                self.out.push_str(" (by");
                self.sort_keys(by);
                self.out.push(')');
            }
            TopNested { levels } => {
                for l in levels {
                    self.out.push_str(" (level");
                    if let Some(c) = &l.count {
                        self.out.push(' ');
                        self.expr(c);
                    }
                    self.out.push_str(" (of ");
                    self.column(&l.of);
                    self.out.push(')');
                    if let Some(o) = &l.others {
                        self.out.push_str(" (others ");
                        self.expr(o);
                        self.out.push(')');
                    }
                    self.out.push_str(" (by ");
                    self.column(&l.by);
                    self.out.push(')');
                    match l.order {
                        Some(SortOrder::Ascending) => self.out.push_str(" asc"),
                        Some(SortOrder::Descending) => self.out.push_str(" desc"),
                        None => {}
                    }
                    self.out.push(')');
                }
            }
            TopHitters { count, of, by } => {
                self.out.push(' ');
                self.expr(count);
                self.out.push_str(" (of ");
                self.expr(of);
                self.out.push(')');
                if let Some(b) = by {
                    self.out.push_str(" (by ");
                    self.expr(b);
                    self.out.push(')');
                }
            }
            Sort { params, keys } => {
                self.params(params);
                self.sort_keys(keys);
            }
            Distinct { params, columns } => {
                self.params(params);
                self.columns(columns);
            }
            Count { name } => {
                if let Some(name) = name {
                    self.out.push_str(" (as ");
                    self.ident(name);
                    self.out.push(')');
                }
            }
            Getschema | Error => {}
            Take { params, count } | Sample { params, count } => {
                self.params(params);
                self.exprs(std::slice::from_ref(count));
            }
            SampleDistinct { params, count, of } => {
                self.params(params);
                self.out.push(' ');
                self.expr(count);
                self.out.push_str(" (of ");
                self.expr(of);
                self.out.push(')');
            }
            As { params, name } => {
                self.params(params);
                self.out.push(' ');
                self.ident(name);
            }
            Invoke { function } => self.exprs(std::slice::from_ref(function)),
            Scan(scan) => {
                self.params(&scan.params);
                if !scan.order_by.is_empty() {
                    self.out.push_str(" (order-by");
                    self.sort_keys(&scan.order_by);
                    self.out.push(')');
                }
                if !scan.partition_by.is_empty() {
                    self.out.push_str(" (partition-by");
                    self.exprs(&scan.partition_by);
                    self.out.push(')');
                }
                if !scan.declare.is_empty() {
                    self.out.push_str(" (declare");
                    self.parameters(&scan.declare);
                    self.out.push(')');
                }
                for step in &scan.steps {
                    self.newline(indent + 1);
                    self.out.push_str("(step ");
                    self.ident(&step.name);
                    if step.optional {
                        self.out.push_str(" optional");
                    }
                    self.params(&step.params);
                    self.out.push(' ');
                    self.expr(&step.condition);
                    if !step.assignments.is_empty() {
                        self.out.push_str(" =>");
                        self.columns(&step.assignments);
                    }
                    self.out.push(')');
                }
            }
            Render { chart, properties } => {
                self.out.push(' ');
                self.ident(chart);
                for p in properties {
                    self.out.push_str(" (");
                    self.ident(&p.name);
                    self.exprs(&p.values);
                    self.out.push(')');
                }
            }
            Range {
                column,
                from,
                to,
                step,
            } => {
                self.out.push(' ');
                self.ident(column);
                self.exprs(&[from.clone(), to.clone(), step.clone()]);
            }
            Search {
                params,
                tables,
                predicate,
            } => {
                self.params(params);
                self.table_list(tables, indent);
                self.out.push(' ');
                self.expr(predicate);
            }
            Find {
                params,
                tables,
                predicate,
                project,
                project_smart,
            } => {
                self.params(params);
                self.table_list(tables, indent);
                self.out.push_str(" (where ");
                self.expr(predicate);
                self.out.push(')');
                if *project_smart {
                    self.out.push_str(" (project-smart)");
                } else if !project.is_empty() {
                    self.out.push_str(" (project");
                    self.exprs(project);
                    self.out.push(')');
                }
            }
            Datatable {
                params,
                columns,
                values,
            } => {
                self.params(params);
                self.out.push_str(" (");
                self.column_declarations(columns);
                self.out.push_str(") [");
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        self.out.push(' ');
                    }
                    self.expr(v);
                }
                self.out.push(']');
            }
            Externaldata {
                params,
                columns,
                uris,
                properties,
            } => {
                self.params(params);
                self.out.push_str(" (");
                self.column_declarations(columns);
                self.out.push_str(") [");
                for (i, v) in uris.iter().enumerate() {
                    if i > 0 {
                        self.out.push(' ');
                    }
                    self.expr(v);
                }
                self.out.push(']');
                if !properties.is_empty() {
                    self.out.push_str(" (with");
                    self.params(properties);
                    self.out.push(')');
                }
            }
            Facet { columns, with } => {
                self.out.push_str(" (by");
                self.exprs(columns);
                self.out.push(')');
                if let Some(w) = with {
                    self.sub("with", w, indent);
                }
            }
            Reduce {
                params,
                by,
                options,
            } => {
                self.params(params);
                self.out.push_str(" (by ");
                self.expr(by);
                self.out.push(')');
                if !options.is_empty() {
                    self.out.push_str(" (with");
                    self.params(options);
                    self.out.push(')');
                }
            }
            Fork { branches } => {
                for b in branches {
                    let label = b.name.as_ref().map_or("branch", |n| n.name.as_str());
                    let label = label.to_string();
                    self.sub(&label, &b.query, indent);
                }
            }
            Partition {
                params,
                by,
                subquery,
            } => {
                self.params(params);
                self.out.push_str(" (by ");
                self.expr(by);
                self.out.push(')');
                self.sub("subquery", subquery, indent);
            }
            Consume { params } | GraphMarkComponents { params } => self.params(params),
            MakeGraph {
                source,
                directed,
                target,
                nodes,
                params,
            } => {
                self.out.push(' ');
                self.expr(source);
                self.out.push_str(if *directed { " --> " } else { " -- " });
                self.expr(target);
                for n in nodes {
                    self.out.push_str(" (nodes ");
                    self.tabular(&n.table, indent + 1);
                    self.out.push_str(" (on ");
                    self.expr(&n.key);
                    self.out.push_str("))");
                }
                self.params(params);
            }
            GraphMatch {
                params,
                patterns,
                predicate,
                project,
                ..
            } => {
                self.params(params);
                for p in patterns {
                    self.out.push_str(" (pattern");
                    for e in &p.elements {
                        let kind = if e.node { "node" } else { "edge" };
                        let _ = write!(self.out, " ({kind}");
                        if let Some(n) = &e.name {
                            self.out.push(' ');
                            self.ident(n);
                        }
                        self.out.push(')');
                    }
                    self.out.push(')');
                }
                if let Some(p) = predicate {
                    self.out.push_str(" (where ");
                    self.expr(p);
                    self.out.push(')');
                }
                if !project.is_empty() {
                    self.out.push_str(" (project");
                    self.columns(project);
                    self.out.push(')');
                }
            }
            GraphToTable { outputs } => {
                for o in outputs {
                    self.out.push_str(" (");
                    self.ident(&o.entity);
                    self.params(&o.params);
                    if let Some(n) = &o.name {
                        self.out.push_str(" (as ");
                        self.ident(n);
                        self.out.push(')');
                    }
                    self.out.push(')');
                }
            }
            MacroExpand {
                params,
                members,
                name,
                body,
            } => {
                self.params(params);
                self.table_list(members, indent);
                self.out.push_str(" (as ");
                self.ident(name);
                self.out.push(')');
                self.sub("body", body, indent);
            }
            ProjectByNames { columns } => self.exprs(columns),
            AssertSchema { columns } => {
                self.out.push_str(" (");
                self.column_declarations(columns);
                self.out.push(')');
            }
        }
        self.out.push(')');
    }

    fn table_list(&mut self, tables: &[TabularExpression], indent: usize) {
        if tables.is_empty() {
            return;
        }
        self.out.push_str(" (in");
        for t in tables {
            self.out.push(' ');
            self.tabular(t, indent + 1);
        }
        self.out.push(')');
    }

    fn expand_items(&mut self, items: &[ExpandItem]) {
        for i in items {
            self.out.push(' ');
            self.column(&i.column);
            if let Some(t) = &i.to_type {
                let _ = write!(self.out, " (to {})", t.name);
            }
        }
    }

    fn ident(&mut self, ident: &Ident) {
        if ident.quoted {
            let _ = write!(self.out, "[{:?}]", ident.name);
        } else {
            self.out.push_str(&ident.name);
        }
    }

    fn call(&mut self, call: &Call) {
        self.out.push_str("(call ");
        if let Some(t) = &call.target {
            self.expr(t);
            self.out.push('.');
        }
        self.ident(&call.name);
        for a in &call.args {
            self.out.push(' ');
            if let Some(n) = &a.name {
                self.out.push_str("(named ");
                self.ident(n);
                self.out.push(' ');
                self.expr(&a.value);
                self.out.push(')');
            } else {
                self.expr(&a.value);
            }
        }
        self.out.push(')');
    }

    #[recursive::recursive]
    fn expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Literal(l) => self.literal(l),
            ExprKind::Name(n) => self.ident(n),
            ExprKind::Star => self.out.push('*'),
            ExprKind::Path { target, member } => {
                self.out.push_str("(. ");
                self.expr(target);
                self.out.push(' ');
                self.ident(member);
                self.out.push(')');
            }
            ExprKind::Index { target, index } => {
                self.out.push_str("([] ");
                self.expr(target);
                self.out.push(' ');
                self.expr(index);
                self.out.push(')');
            }
            ExprKind::Call(c) => self.call(c),
            ExprKind::Unary { op, operand } => {
                self.out.push_str(match op {
                    UnaryOp::Negate => "(neg ",
                    UnaryOp::Plus => "(pos ",
                });
                self.expr(operand);
                self.out.push(')');
            }
            ExprKind::Binary { op, left, right } => {
                let _ = write!(self.out, "({} ", op.as_str());
                self.expr(left);
                self.out.push(' ');
                self.expr(right);
                self.out.push(')');
            }
            ExprKind::In {
                negated,
                case_insensitive,
                left,
                list,
            } => {
                let _ = write!(
                    self.out,
                    "({}in{} ",
                    if *negated { "!" } else { "" },
                    if *case_insensitive { "~" } else { "" }
                );
                self.expr(left);
                self.out.push_str(" (list");
                self.exprs(list);
                self.out.push_str("))");
            }
            ExprKind::HasAny { all, left, list } => {
                let _ = write!(self.out, "({} ", if *all { "has_all" } else { "has_any" });
                self.expr(left);
                self.out.push_str(" (list");
                self.exprs(list);
                self.out.push_str("))");
            }
            ExprKind::Between {
                negated,
                left,
                low,
                high,
            } => {
                let _ = write!(self.out, "({}between ", if *negated { "!" } else { "" });
                self.expr(left);
                self.out.push(' ');
                self.expr(low);
                self.out.push(' ');
                self.expr(high);
                self.out.push(')');
            }
            ExprKind::Paren(inner) => {
                // Parentheses are kept in the tree but add nothing here.
                self.expr(inner);
            }
            ExprKind::Tabular(t) => {
                let flat = std::mem::replace(&mut self.flat, true);
                self.tabular(t, 0);
                self.flat = flat;
            }
            ExprKind::TypeOf(items) => {
                self.out.push_str("(typeof");
                for i in items {
                    match i {
                        TypeOfItem::Type(t) => {
                            let _ = write!(self.out, " {}", t.name);
                        }
                        TypeOfItem::Column(c) => {
                            self.out.push(' ');
                            self.ident(&c.name);
                            let _ = write!(self.out, ":{}", c.ty.name);
                        }
                        TypeOfItem::Star(_) => self.out.push_str(" *"),
                        TypeOfItem::Table { name, schema } => {
                            self.out.push(' ');
                            self.ident(name);
                            self.out.push(':');
                            self.schema(schema);
                        }
                    }
                }
                self.out.push(')');
            }
            ExprKind::ColumnMatch { column, value } => {
                self.out.push_str("(: ");
                self.expr(column);
                self.out.push(' ');
                self.expr(value);
                self.out.push(')');
            }
            ExprKind::Bracketed(inner) => {
                self.out.push_str("(bracketed ");
                self.expr(inner);
                self.out.push(')');
            }
            ExprKind::Error => self.out.push_str("(error)"),
        }
    }

    fn literal(&mut self, l: &Literal) {
        match &l.kind {
            LiteralKind::String(s) => {
                let _ = write!(self.out, "{:?}", s.value);
                if s.obfuscated {
                    self.out.push_str("#obfuscated");
                }
            }
            LiteralKind::Long(v) => {
                let _ = write!(self.out, "{v}");
            }
            LiteralKind::Real(v) => {
                let _ = write!(self.out, "{v:?}");
            }
            LiteralKind::Bool(v) => {
                let _ = write!(self.out, "{v}");
            }
            LiteralKind::Timespan(ticks) => match ticks {
                Some(t) => self.out.push_str(&format_ticks(*t)),
                None => self.out.push_str("(timespan ?)"),
            },
            LiteralKind::Typed(t) => {
                let _ = write!(self.out, "({} {:?})", t.ty, t.text);
            }
            LiteralKind::Dynamic(d) => {
                self.out.push_str("(dynamic ");
                self.dynamic(d);
                self.out.push(')');
            }
        }
    }

    fn dynamic(&mut self, d: &DynamicValue) {
        match &d.kind {
            DynamicKind::Null => self.out.push_str("null"),
            DynamicKind::Array(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(' ');
                    }
                    self.dynamic(item);
                }
                self.out.push(']');
            }
            DynamicKind::Object(members) => {
                self.out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        self.out.push(' ');
                    }
                    let _ = write!(self.out, "{:?}: ", k.value);
                    self.dynamic(v);
                }
                self.out.push('}');
            }
            DynamicKind::Literal(l) => self.literal(l),
            DynamicKind::Parameter(name) => self.out.push_str(&name.name),
        }
    }
}

/// A timespan in ticks, shown in the largest whole unit (`1d`, `90m`).
fn format_ticks(ticks: i64) -> String {
    const UNITS: [(i64, &str); 6] = [
        (864_000_000_000, "d"),
        (36_000_000_000, "h"),
        (600_000_000, "m"),
        (10_000_000, "s"),
        (10_000, "ms"),
        (1, "tick"),
    ];
    for (size, unit) in UNITS {
        if ticks != 0 && ticks % size == 0 {
            return format!("{}{unit}", ticks / size);
        }
    }
    "0s".to_string()
}
