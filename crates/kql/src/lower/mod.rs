//! Lowering KQL to the common model.
//!
//! [`analyze`] parses a query and turns it into an [`Analysis`]:
//!
//! - every `let` becomes a [`Binding`] with its own analyzed stages (a
//!   tabular body) or its literal values (a scalar or `dynamic` list);
//! - the query becomes one [`Stage`] per pipe operator, with its exact text
//!   and file span, a [`Predicate`] for filtering operators, the columns it
//!   computes, and the bindings it uses;
//! - columns are tracked from stage to stage, so a filter on a computed
//!   column is traced to the field it came from, a boolean column filters
//!   with the condition that computed it (`where ipv4_match` after `extend
//!   ipv4_match = ipv4_is_in_any_range(IPAddress, ranges)` is an IP-range
//!   match on `IPAddress`), and the rule's output fields are the columns
//!   left after the last stage, implicit names included (`make_set(X)` makes
//!   `set_X`);
//! - tables, unions and functions read are data sources; `externaldata`
//!   URLs, watchlists and non-built-in functions are dependencies.
//!
//! ```
//! use ruledex_ir::{collect_indicators, OffsetMap};
//!
//! let query = "SigninLogs\n| where AppDisplayName =~ \"Azure Portal\"\n| summarize make_set(IPAddress) by UserPrincipalName";
//! let analysis = ruledex_kql::analyze(query, &OffsetMap::identity());
//! assert_eq!(analysis.stages.len(), 3);
//! let indicators = collect_indicators(&analysis.bindings, &analysis.stages);
//! assert_eq!(indicators[0].field, "AppDisplayName");
//! assert_eq!(indicators[0].case_sensitive, Some(false));
//! let outputs: Vec<&str> = analysis.outputs.iter().map(|o| o.name.as_str()).collect();
//! assert_eq!(outputs, ["set_IPAddress", "UserPrincipalName"]);
//! ```

mod builtins;
mod columns;
mod predicate;

use crate::ast::{
    Call, ColumnAssignment, Expr, ExprKind, LetStatement, LetValue, Operator, OperatorKind,
    ParsePatternPart, Script, SourceKind, Statement, TabularExpression,
};
use crate::visit::{walk_expr, walk_tabular, Visitor};
use columns::{Column, Columns, Origin};
use ruledex_ir::{
    collapse_whitespace, Analysis, Assignment, Binding, BindingKind, DataSource, DataSourceKind,
    Dependency, DependencyKind, OffsetMap, OutputField, Predicate, Stage, StageRef, Value,
    ValueSource, ValueSourceKind,
};
use std::collections::{BTreeSet, HashMap};

/// Parse `query` and lower it. `map` maps offsets in `query` to offsets in
/// the file it was cut out of; every span in the result is a file span.
pub fn analyze(query: &str, map: &OffsetMap) -> Analysis {
    let parsed = crate::parse(query);
    let mut lowering = Lowering {
        query,
        map,
        scope: HashMap::new(),
        analysis: Analysis {
            diagnostics: parsed.diagnostics(map),
            ..Analysis::default()
        },
    };
    lowering.script(&parsed.script);
    lowering.finish(&parsed.script)
}

/// What the lowering knows about a `let`-bound name.
#[derive(Clone, Debug)]
struct BindingInfo {
    kind: BindingKind,
    /// Literal values of a scalar binding.
    values: Vec<Value>,
    /// The columns a tabular binding produces.
    columns: Columns,
    /// True for a function's parameter, whose value is only known per call.
    parameter: bool,
}

impl BindingInfo {
    /// The binding's only known column, when it has exactly one (`let ids =
    /// T | distinct Id`), naming what `x in (ids)` compares against.
    fn single_column(&self) -> Option<String> {
        match self.columns.known.as_slice() {
            [only] if !self.columns.open => Some(only.name.clone()),
            _ => None,
        }
    }
}

/// Read-only context for lowering expressions.
struct Ctx<'a> {
    query: &'a str,
    map: &'a OffsetMap,
    bindings: &'a HashMap<String, BindingInfo>,
}

/// How stages of a pipeline are referenced: by their own index in a
/// top-level pipeline (the query or a binding), or all by their enclosing
/// stage when nested (a join's right side).
#[derive(Clone)]
enum Place {
    Top(Option<String>),
    Nested(StageRef),
}

impl Place {
    fn stage(&self, index: usize) -> StageRef {
        match self {
            Place::Top(binding) => StageRef {
                binding: binding.clone(),
                index,
            },
            Place::Nested(outer) => outer.clone(),
        }
    }
}

struct Lowering<'q> {
    query: &'q str,
    map: &'q OffsetMap,
    scope: HashMap<String, BindingInfo>,
    analysis: Analysis,
}

impl<'q> Lowering<'q> {
    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            query: self.query,
            map: self.map,
            bindings: &self.scope,
        }
    }

    fn text(&self, span: ruledex_ir::Span) -> &'q str {
        span.slice(self.query)
    }

    fn expr_text(&self, expr: &Expr) -> String {
        collapse_whitespace(expr.text(self.query))
    }

    fn script(&mut self, script: &Script) {
        let queries: Vec<&TabularExpression> = script.queries().collect();
        for statement in &script.statements {
            match statement {
                Statement::Let(l) => self.let_statement(l),
                Statement::Declare(d) => {
                    for p in &d.params {
                        self.scope.insert(
                            p.name.name.clone(),
                            BindingInfo {
                                kind: BindingKind::Scalar,
                                values: Vec::new(),
                                columns: Columns::default(),
                                parameter: true,
                            },
                        );
                    }
                }
                _ => {}
            }
        }
        let Some((main, earlier)) = queries.split_last() else {
            return;
        };
        // A script with several queries runs them all; the last is the one
        // whose rows a rule alerts on, the others are kept as named parts.
        for (n, q) in earlier.iter().enumerate() {
            let name = format!("(query {})", n + 1);
            let (stages, _) = self.pipeline(q, &Place::Top(Some(name.clone())), Columns::default());
            self.analysis.bindings.push(Binding {
                name,
                kind: BindingKind::Tabular,
                parameters: Vec::new(),
                text: self.text(q.span).to_string(),
                span: self.map.span_to_file(q.span),
                stages,
                values: Vec::new(),
            });
        }
        let (stages, columns) = self.pipeline(main, &Place::Top(None), Columns::default());
        self.analysis.stages = stages;
        self.analysis.outputs = columns
            .known
            .into_iter()
            .filter_map(|c| {
                let (source, stage) = c.produced_by?;
                Some(OutputField {
                    name: c.name,
                    source,
                    stage: Some(stage),
                })
            })
            .collect();
    }

    fn let_statement(&mut self, l: &LetStatement) {
        let name = l.name.name.clone();
        let place = Place::Top(Some(name.clone()));
        let mut binding = Binding {
            name: name.clone(),
            kind: BindingKind::Scalar,
            parameters: Vec::new(),
            text: self.text(l.span).to_string(),
            span: self.map.span_to_file(l.span),
            stages: Vec::new(),
            values: Vec::new(),
        };
        let mut columns = Columns::default();
        match &l.value {
            LetValue::Tabular(t) => {
                binding.kind = BindingKind::Tabular;
                (binding.stages, columns) = self.pipeline(t, &place, Columns::default());
            }
            LetValue::Function(f) | LetValue::View(f) => {
                binding.kind = BindingKind::Function;
                binding.parameters = f
                    .params
                    .iter()
                    .map(|p| collapse_whitespace(self.text(p.span)))
                    .collect();
                // Parameters shadow outer names inside the body.
                let saved = self.scope.clone();
                for p in &f.params {
                    let tabular = matches!(p.ty, crate::ast::ParameterType::Tabular { .. });
                    self.scope.insert(
                        p.name.name.clone(),
                        BindingInfo {
                            kind: if tabular {
                                BindingKind::Tabular
                            } else {
                                BindingKind::Scalar
                            },
                            values: Vec::new(),
                            columns: Columns::open(),
                            parameter: true,
                        },
                    );
                }
                for statement in &f.body {
                    if let Statement::Let(inner) = statement {
                        self.local_let(inner);
                    }
                }
                match f.body.last() {
                    // A scalar function: its result is an expression, not
                    // rows read from a table.
                    Some(Statement::Query(body)) if self.is_scalar_result(body) => {}
                    Some(Statement::Query(body)) => {
                        (binding.stages, columns) = self.pipeline(body, &place, Columns::default());
                    }
                    _ => {}
                }
                self.scope = saved;
            }
            LetValue::Expr(e) => self.let_expr(e, &place, &mut binding, &mut columns),
        }
        self.scope.insert(
            name,
            BindingInfo {
                kind: binding.kind,
                values: binding.values.clone(),
                columns,
                parameter: false,
            },
        );
        self.analysis.bindings.push(binding);
    }

    /// True when a function body's result is a scalar expression: no
    /// operators, and a source that is not a table (a call to a built-in
    /// function, a parameter, an expression, or a name that is not a
    /// tabular binding, such as a column of a tabular parameter).
    fn is_scalar_result(&self, body: &TabularExpression) -> bool {
        if !body.operators.is_empty() {
            return false;
        }
        match &body.source.kind {
            SourceKind::Expr(_) => true,
            SourceKind::Call(call) => builtins::is_builtin(&call.name.name),
            SourceKind::Name(n) => match self.scope.get(&n.name) {
                Some(info) => info.kind == BindingKind::Scalar,
                None => false,
            },
            _ => false,
        }
    }

    /// A `let` inside a function body: known to the body, not listed as a
    /// binding of the rule.
    fn local_let(&mut self, l: &LetStatement) {
        let before = self.analysis.bindings.len();
        self.let_statement(l);
        self.analysis.bindings.truncate(before);
    }

    fn let_expr(&mut self, e: &Expr, place: &Place, binding: &mut Binding, columns: &mut Columns) {
        let e = e.unparenthesized();
        match &e.kind {
            ExprKind::Literal(lit) => binding.values = predicate::literal_values(lit, self.query),
            ExprKind::Tabular(t) => {
                binding.kind = BindingKind::Tabular;
                (binding.stages, *columns) = self.pipeline(t, place, Columns::default());
            }
            ExprKind::Name(n) => match self.scope.get(&n.name).cloned() {
                Some(info) => {
                    binding.kind = info.kind;
                    binding.values = info.values;
                    *columns = info.columns;
                }
                None => {
                    // `let T = SecurityEvent;`: an alias of a table.
                    binding.kind = BindingKind::Tabular;
                    let stage = self.name_source(n, e.span, place.stage(0), columns);
                    binding.stages = vec![stage];
                }
            },
            ExprKind::Call(call) if call.target.is_none() => {
                let name = call.name.name.to_ascii_lowercase();
                match name.as_str() {
                    "materialize" | "toscalar" => {
                        binding.kind = if name == "toscalar" {
                            BindingKind::Scalar
                        } else {
                            BindingKind::Tabular
                        };
                        if let Some(ExprKind::Tabular(t)) =
                            call.args.first().map(|a| &a.value.unparenthesized().kind)
                        {
                            (binding.stages, *columns) =
                                self.pipeline(t, place, Columns::default());
                        }
                    }
                    "dynamic" | "pack_array" => {
                        if let predicate::Operand::Values { values, .. } =
                            self.ctx().operand(e, columns)
                        {
                            binding.values = values;
                        }
                    }
                    _ if builtins::is_builtin(&name) => {}
                    _ => {
                        // A stored function or watchlist read as a table.
                        binding.kind = BindingKind::Tabular;
                        let stage = self.call_source(call, e.span, place.stage(0), columns);
                        binding.stages = vec![stage];
                    }
                }
            }
            _ => {
                if let predicate::Operand::Values { values, .. } = self.ctx().operand(e, columns) {
                    binding.values = values;
                }
            }
        }
    }

    /// Lower a tabular expression: its source, then each operator.
    #[recursive::recursive]
    fn pipeline(
        &mut self,
        t: &TabularExpression,
        place: &Place,
        input: Columns,
    ) -> (Vec<Stage>, Columns) {
        let mut stages = Vec::new();
        let mut columns = input;
        if let Some(stage) = self.source_stage(&t.source, place.stage(0), &mut columns) {
            stages.push(stage);
        }
        for op in &t.operators {
            let stage_ref = place.stage(stages.len());
            let stage = self.operator_stage(op, stage_ref, &mut columns);
            stages.push(stage);
        }
        (stages, columns)
    }

    fn new_stage(&self, kind: &str, span: ruledex_ir::Span) -> Stage {
        Stage::new(kind, self.text(span), self.map.span_to_file(span))
    }

    fn source_stage(
        &mut self,
        source: &crate::ast::Source,
        at: StageRef,
        columns: &mut Columns,
    ) -> Option<Stage> {
        let stage = match &source.kind {
            SourceKind::Implicit => return None,
            SourceKind::Name(n) => self.name_source(n, source.span, at, columns),
            SourceKind::Pattern(p) => {
                self.add_source(DataSourceKind::TablePattern, &p.text);
                *columns = Columns::open();
                self.new_stage("source", source.span)
            }
            SourceKind::Call(call) => self.call_source(call, source.span, at, columns),
            SourceKind::Parenthesized(inner) => {
                let (inner_stages, inner_columns) =
                    self.pipeline(inner, &Place::Nested(at), Columns::default());
                *columns = inner_columns;
                let mut stage = self.new_stage("source", source.span);
                stage.uses = uses_of(&inner_stages);
                stage.subqueries.push(inner_stages);
                stage
            }
            SourceKind::Operator(op) => self.operator_stage(op, at, columns),
            SourceKind::Expr(e) => {
                // `database('x').T`, `cluster(...).database(...).T`.
                if let ExprKind::Path { member, .. } = &e.kind {
                    self.add_source(DataSourceKind::Table, &member.name);
                }
                *columns = Columns::open();
                self.new_stage("source", source.span)
            }
            SourceKind::Error => {
                *columns = Columns::open();
                self.new_stage("source", source.span)
            }
        };
        Some(stage)
    }

    fn name_source(
        &mut self,
        n: &crate::ast::Ident,
        span: ruledex_ir::Span,
        at: StageRef,
        columns: &mut Columns,
    ) -> Stage {
        let mut stage = self.new_stage("source", span);
        match self.scope.get(&n.name) {
            Some(info) => {
                *columns = binding_columns(&n.name, info);
                stage.uses.push(n.name.clone());
            }
            None => {
                let kind = if is_asim_parser(&n.name) {
                    DataSourceKind::Function
                } else {
                    DataSourceKind::Table
                };
                self.add_source(kind, &n.name);
                *columns = Columns::open();
            }
        }
        let _ = at;
        stage
    }

    fn call_source(
        &mut self,
        call: &Call,
        span: ruledex_ir::Span,
        at: StageRef,
        columns: &mut Columns,
    ) -> Stage {
        let mut stage = self.new_stage("source", span);
        let name = call.name.name.as_str();
        *columns = Columns::open();
        if let Some(info) = self.scope.get(name) {
            *columns = binding_columns(name, info);
            stage.uses.push(name.to_string());
            return stage;
        }
        match name.to_ascii_lowercase().as_str() {
            "_getwatchlist" => {
                // The watchlist is recorded as a dependency by `finish`.
            }
            "materialize" | "toscalar" | "view" => {
                if let Some(ExprKind::Tabular(t)) =
                    call.args.first().map(|a| &a.value.unparenthesized().kind)
                {
                    let (inner, inner_columns) =
                        self.pipeline(t, &Place::Nested(at), Columns::default());
                    *columns = inner_columns;
                    stage.uses = uses_of(&inner);
                    stage.subqueries.push(inner);
                }
            }
            "table" => {
                if let Some(t) = call.args.first().and_then(|a| a.value.as_string()) {
                    self.add_source(DataSourceKind::Table, t);
                }
            }
            _ => self.add_source(DataSourceKind::Function, name),
        }
        stage
    }

    fn add_source(&mut self, kind: DataSourceKind, name: &str) {
        let source = DataSource::new(kind, name);
        if !self.analysis.data_sources.contains(&source) {
            self.analysis.data_sources.push(source);
        }
    }

    /// A nested tabular expression (join right side, union member): its
    /// stages, its columns, and the binding it simply names, if any.
    fn operand_pipeline(
        &mut self,
        t: &TabularExpression,
        at: &StageRef,
    ) -> (Vec<Stage>, Columns, Option<String>) {
        let mut bare = t;
        while bare.operators.is_empty() {
            match &bare.source.kind {
                SourceKind::Parenthesized(inner) => bare = inner,
                _ => break,
            }
        }
        let (stages, columns) = self.pipeline(bare, &Place::Nested(at.clone()), Columns::default());
        let named = match (&bare.source.kind, bare.operators.is_empty()) {
            (SourceKind::Name(n), true) if self.scope.contains_key(&n.name) => Some(n.name.clone()),
            _ => None,
        };
        (stages, columns, named)
    }

    #[allow(clippy::too_many_lines)]
    fn operator_stage(&mut self, op: &Operator, at: StageRef, columns: &mut Columns) -> Stage {
        let kind = stage_kind(&op.kind, &op.name.name);
        let mut stage = self.new_stage(&kind, op.span);
        let produced = (kind.clone(), at.clone());
        match &op.kind {
            OperatorKind::Where { predicate, .. } => {
                stage.predicate = Some(self.ctx().predicate(predicate, columns));
            }
            OperatorKind::Extend { columns: items }
            | OperatorKind::Serialize { columns: items, .. } => {
                self.assignments(items, &produced, columns, &mut stage);
            }
            OperatorKind::Summarize { aggregates, by, .. } => {
                *columns = self.summarize(aggregates, by, &produced, columns, &mut stage);
            }
            OperatorKind::MakeSeries {
                aggregates, on, by, ..
            } => {
                let items: Vec<ColumnAssignment> =
                    aggregates.iter().map(|a| a.column.clone()).collect();
                let mut next = self.summarize(&items, by, &produced, columns, &mut stage);
                if let Some(axis) = on.as_name() {
                    next.set(Column {
                        name: axis.name.clone(),
                        origin: Origin::Field,
                        produced_by: Some(produced.clone()),
                    });
                }
                *columns = next;
            }
            OperatorKind::Project { columns: items } => {
                let mut next = Columns::default();
                for (n, item) in items.iter().enumerate() {
                    for (name, origin) in self.classify_assignment(item, n, columns) {
                        self.record(&mut stage, &name, &item.expr);
                        next.set(Column {
                            name,
                            origin,
                            produced_by: Some(produced.clone()),
                        });
                    }
                }
                *columns = next;
            }
            OperatorKind::ProjectAway { columns: patterns } => {
                for p in patterns {
                    columns.remove_matching(&p.text);
                }
            }
            OperatorKind::ProjectKeep { columns: patterns } => {
                let patterns: Vec<&str> = patterns.iter().map(|p| p.text.as_str()).collect();
                if columns.open {
                    // Kept columns of an unknown schema become known by name.
                    for p in patterns.iter().filter(|p| !p.contains('*')) {
                        if columns.get(p).is_none() {
                            columns.set(Column {
                                name: p.to_string(),
                                origin: Origin::Field,
                                produced_by: Some(produced.clone()),
                            });
                        }
                    }
                }
                columns.keep_matching(&patterns);
            }
            OperatorKind::ProjectRename { columns: items } => {
                for item in items {
                    if let (Some(new), Some(old)) = (item.names.first(), item.expr.as_name()) {
                        columns.rename(&old.name, &new.name, produced.clone());
                        self.record(&mut stage, &new.name, &item.expr);
                    }
                }
            }
            OperatorKind::Join {
                right,
                on,
                where_clause,
                ..
            } => {
                let (stages, right_columns, named) = self.operand_pipeline(right, &at);
                stage.uses = uses_of(&stages);
                if named.is_none() {
                    stage.subqueries.push(stages);
                }
                columns.merge(columns_from(named.as_deref(), right_columns));
                if let Some(w) = where_clause {
                    stage.predicate = Some(self.ctx().predicate(w, columns));
                }
                let _ = on;
            }
            OperatorKind::Lookup { right, .. } => {
                let (stages, right_columns, named) = self.operand_pipeline(right, &at);
                stage.uses = uses_of(&stages);
                if named.is_none() {
                    stage.subqueries.push(stages);
                }
                columns.merge(columns_from(named.as_deref(), right_columns));
            }
            OperatorKind::Union { sources, .. } => {
                let mut merged = std::mem::take(columns);
                for source in sources {
                    let (stages, source_columns, named) = self.operand_pipeline(source, &at);
                    stage.uses.extend(uses_of(&stages));
                    if named.is_none() && !(stages.len() == 1 && stages[0].subqueries.is_empty()) {
                        stage.subqueries.push(stages);
                    }
                    merged.merge(columns_from(named.as_deref(), source_columns));
                }
                if sources.is_empty() {
                    merged.open = true;
                }
                *columns = merged;
            }
            OperatorKind::MvExpand { items, .. } => {
                for item in items {
                    self.expand_item(&item.column, &produced, columns, &mut stage);
                }
            }
            OperatorKind::MvApply { items, on, .. } => {
                for item in items {
                    self.expand_item(&item.column, &produced, columns, &mut stage);
                }
                let (inner, inner_columns) =
                    self.pipeline(on, &Place::Nested(at.clone()), columns.clone());
                stage.uses = uses_of(&inner);
                stage.subqueries.push(inner);
                *columns = inner_columns;
            }
            OperatorKind::Parse(p) | OperatorKind::ParseWhere(p) => {
                let from = self.expr_text(&p.source);
                for part in &p.pattern {
                    if let ParsePatternPart::Column { name, .. } = part {
                        columns.set(Column {
                            name: name.name.clone(),
                            origin: Origin::Computed {
                                expression: format!("parsed from {from}"),
                            },
                            produced_by: Some(produced.clone()),
                        });
                        stage.assignments.push(Assignment {
                            name: name.name.clone(),
                            expression: format!("parsed from {from}"),
                            reads: reads_of(&p.source),
                        });
                    }
                }
            }
            OperatorKind::ParseKv { source, keys, .. } => {
                let from = self.expr_text(source);
                for key in keys {
                    columns.set(Column {
                        name: key.name.name.clone(),
                        origin: Origin::Computed {
                            expression: format!("parsed from {from}"),
                        },
                        produced_by: Some(produced.clone()),
                    });
                }
            }
            OperatorKind::Evaluate { plugin, schema, .. } => {
                self.evaluate(plugin, columns, &mut stage);
                // A declared output schema names the plugin's columns.
                if let Some(schema) = schema.as_ref().filter(|s| !s.open) {
                    let expression = self.expr_text(plugin);
                    *columns = Columns::default();
                    for c in &schema.columns {
                        columns.set(Column {
                            name: c.name.name.clone(),
                            origin: Origin::Computed {
                                expression: expression.clone(),
                            },
                            produced_by: Some(produced.clone()),
                        });
                    }
                }
            }
            OperatorKind::Distinct { columns: items, .. } => {
                if !items.iter().any(|e| matches!(e.expr.kind, ExprKind::Star)) {
                    let mut next = Columns::default();
                    for (n, item) in items.iter().enumerate() {
                        for (name, origin) in self.classify_assignment(item, n, columns) {
                            next.set(Column {
                                name,
                                origin,
                                produced_by: Some(produced.clone()),
                            });
                        }
                    }
                    *columns = next;
                }
            }
            OperatorKind::Count { name } => {
                *columns = Columns::default();
                columns.set(Column {
                    name: name.as_ref().map_or("Count", |n| n.name.as_str()).into(),
                    origin: Origin::Aggregate {
                        expression: "count".into(),
                    },
                    produced_by: Some(produced),
                });
            }
            OperatorKind::Getschema => {
                *columns = Columns::default();
                for name in ["ColumnName", "ColumnOrdinal", "DataType", "ColumnType"] {
                    columns.set(Column {
                        name: name.into(),
                        origin: Origin::Field,
                        produced_by: Some(produced.clone()),
                    });
                }
            }
            OperatorKind::Print { columns: items } => {
                *columns = Columns::default();
                self.assignments(items, &produced, columns, &mut stage);
            }
            OperatorKind::Range { column, .. } => {
                *columns = Columns::default();
                columns.set(Column {
                    name: column.name.clone(),
                    origin: Origin::Field,
                    produced_by: Some(produced),
                });
            }
            OperatorKind::Datatable {
                columns: declared, ..
            } => {
                *columns = Columns::default();
                for c in declared {
                    columns.set(Column {
                        name: c.name.name.clone(),
                        origin: Origin::Field,
                        produced_by: Some(produced.clone()),
                    });
                }
            }
            OperatorKind::Externaldata {
                columns: declared,
                uris,
                ..
            } => {
                *columns = Columns::default();
                for c in declared {
                    columns.set(Column {
                        name: c.name.name.clone(),
                        origin: Origin::Field,
                        produced_by: Some(produced.clone()),
                    });
                }
                for uri in uris {
                    if let Some(url) = uri.as_string() {
                        self.add_dependency(DependencyKind::Url, url, Some(uri.span));
                    }
                }
            }
            OperatorKind::Search {
                tables, predicate, ..
            } => {
                for t in tables {
                    let (stages, _, _) = self.operand_pipeline(t, &at);
                    stage.uses.extend(uses_of(&stages));
                }
                if tables.is_empty()
                    && matches!(columns, Columns { known, open: false } if known.is_empty())
                {
                    // `search` as a source reads every table.
                    *columns = Columns::open();
                }
                stage.predicate = Some(self.ctx().predicate(predicate, columns));
            }
            OperatorKind::Find {
                tables,
                predicate,
                project,
                ..
            } => {
                for t in tables {
                    let (stages, _, _) = self.operand_pipeline(t, &at);
                    stage.uses.extend(uses_of(&stages));
                }
                *columns = Columns::open();
                stage.predicate = Some(self.ctx().predicate(predicate, columns));
                if !project.is_empty() {
                    let mut next = Columns::default();
                    for e in project {
                        if let Some(n) = e.as_name() {
                            next.set(Column {
                                name: n.name.clone(),
                                origin: Origin::Field,
                                produced_by: Some(produced.clone()),
                            });
                        }
                    }
                    *columns = next;
                }
            }
            OperatorKind::Fork { branches } => {
                for b in branches {
                    let (inner, _) =
                        self.pipeline(&b.query, &Place::Nested(at.clone()), columns.clone());
                    stage.uses.extend(uses_of(&inner));
                    stage.subqueries.push(inner);
                }
            }
            OperatorKind::Partition { subquery, .. } => {
                let (inner, inner_columns) =
                    self.pipeline(subquery, &Place::Nested(at.clone()), columns.clone());
                stage.uses = uses_of(&inner);
                stage.subqueries.push(inner);
                *columns = inner_columns;
            }
            OperatorKind::Facet { with, .. } => {
                if let Some(w) = with {
                    let (inner, _) = self.pipeline(w, &Place::Nested(at.clone()), columns.clone());
                    stage.subqueries.push(inner);
                }
            }
            OperatorKind::Scan(scan) => {
                for step in &scan.steps {
                    self.assignments(&step.assignments, &produced, columns, &mut stage);
                }
            }
            OperatorKind::MakeGraph { nodes, .. } => {
                for n in nodes {
                    let (stages, _, _) = self.operand_pipeline(&n.table, &at);
                    stage.uses.extend(uses_of(&stages));
                }
                // A graph, not a table: what later operators see is open.
                *columns = Columns::open();
            }
            OperatorKind::GraphMatch {
                patterns,
                predicate,
                project,
                ..
            } => {
                *columns = Columns::open();
                // Pattern variables stand for a node or edge: a filter on
                // `app.Name` is a filter on the node table's `Name`.
                for name in patterns
                    .iter()
                    .flat_map(|p| &p.elements)
                    .filter_map(|e| e.name.as_ref())
                {
                    columns.set(Column {
                        name: name.name.clone(),
                        origin: Origin::GraphElement,
                        produced_by: None,
                    });
                }
                if let Some(p) = predicate {
                    stage.predicate = Some(self.ctx().predicate(p, columns));
                }
                if !project.is_empty() {
                    let mut next = Columns::default();
                    self.assignments(project, &produced, &mut next, &mut stage);
                    *columns = next;
                }
            }
            OperatorKind::GraphToTable { .. } | OperatorKind::GraphMarkComponents { .. } => {
                columns.open = true;
            }
            OperatorKind::MacroExpand {
                members,
                name,
                body,
                ..
            } => {
                for m in members {
                    let (stages, _, _) = self.operand_pipeline(m, &at);
                    stage.uses.extend(uses_of(&stages));
                }
                // Inside the subquery the name stands for each member in
                // turn, like a tabular parameter: not a table of its own.
                let shadowed = self.scope.insert(
                    name.name.clone(),
                    BindingInfo {
                        kind: BindingKind::Tabular,
                        values: Vec::new(),
                        columns: Columns::open(),
                        parameter: true,
                    },
                );
                let (mut inner, inner_columns) =
                    self.pipeline(body, &Place::Nested(at.clone()), Columns::open());
                match shadowed {
                    Some(info) => {
                        self.scope.insert(name.name.clone(), info);
                    }
                    None => {
                        self.scope.remove(&name.name);
                    }
                }
                strip_uses(&mut inner, &name.name);
                stage.uses.extend(uses_of(&inner));
                stage.subqueries.push(inner);
                *columns = inner_columns;
            }
            OperatorKind::ProjectByNames { columns: names } => {
                let mut next = Columns::default();
                for e in names {
                    let name = e
                        .as_string()
                        .or_else(|| e.as_name().map(|n| n.name.as_str()));
                    let Some(name) = name else {
                        next.open = true;
                        continue;
                    };
                    next.set(columns.get(name).cloned().unwrap_or(Column {
                        name: name.to_string(),
                        origin: Origin::Field,
                        produced_by: None,
                    }));
                }
                *columns = next;
            }
            OperatorKind::TopNested { .. }
            | OperatorKind::TopHitters { .. }
            | OperatorKind::SampleDistinct { .. }
            | OperatorKind::Reduce { .. } => {
                // These replace the rows with a summary whose columns the
                // analysis does not name.
                *columns = Columns::open();
            }
            OperatorKind::Invoke { function } => {
                if let ExprKind::Call(call) = &function.kind {
                    if self.scope.contains_key(&call.name.name) {
                        stage.uses.push(call.name.name.clone());
                    }
                }
                columns.open = true;
            }
            OperatorKind::Top { .. }
            | OperatorKind::Sort { .. }
            | OperatorKind::Take { .. }
            | OperatorKind::Sample { .. }
            | OperatorKind::As { .. }
            | OperatorKind::Render { .. }
            | OperatorKind::ProjectReorder { .. }
            | OperatorKind::Consume { .. }
            | OperatorKind::AssertSchema { .. }
            | OperatorKind::Error => {}
        }
        // Bindings referenced by name anywhere in the operator (`x in
        // (binding)`, `toscalar(binding)`), besides those used as sources.
        let mut finder = NameUses {
            scope: &self.scope,
            found: BTreeSet::new(),
        };
        finder.visit_operator(op);
        for name in finder.found {
            if !stage.uses.contains(&name) {
                stage.uses.push(name);
            }
        }
        stage
    }

    fn assignment(&self, name: &str, expr: &Expr) -> Assignment {
        Assignment {
            name: name.to_string(),
            expression: self.expr_text(expr),
            reads: reads_of(expr),
        }
    }

    /// Record `name = expr` on the stage, unless it only names a column
    /// (`by User`, `mv-expand values`), which computes nothing.
    fn record(&self, stage: &mut Stage, name: &str, expr: &Expr) {
        if expr
            .unparenthesized()
            .as_name()
            .is_some_and(|n| n.name == name)
        {
            return;
        }
        stage.assignments.push(self.assignment(name, expr));
    }

    /// `extend`-like assignments: each adds (or replaces) a column.
    fn assignments(
        &mut self,
        items: &[ColumnAssignment],
        produced: &(String, StageRef),
        columns: &mut Columns,
        stage: &mut Stage,
    ) {
        for (n, item) in items.iter().enumerate() {
            for (name, origin) in self.classify_assignment(item, n, columns) {
                self.record(stage, &name, &item.expr);
                columns.set(Column {
                    name,
                    origin,
                    produced_by: Some(produced.clone()),
                });
            }
        }
    }

    /// The names an assignment produces and where each comes from.
    fn classify_assignment(
        &self,
        item: &ColumnAssignment,
        n: usize,
        columns: &Columns,
    ) -> Vec<(String, Origin)> {
        let expression = self.expr_text(&item.expr);
        if item.names.len() > 1 {
            return item
                .names
                .iter()
                .map(|i| {
                    (
                        i.name.clone(),
                        Origin::Computed {
                            expression: expression.clone(),
                        },
                    )
                })
                .collect();
        }
        let name = match item.names.first() {
            Some(ident) => ident.name.clone(),
            None => implicit_name(&item.expr).unwrap_or_else(|| format!("Column{}", n + 1)),
        };
        let origin = self.origin_of(&item.expr, columns);
        vec![(name, origin)]
    }

    /// Where the value of `expr` comes from, for a column computed from it.
    fn origin_of(&self, expr: &Expr, columns: &Columns) -> Origin {
        let expression = self.expr_text(expr);
        let e = expr.unparenthesized();
        if is_condition(e) {
            return Origin::Condition {
                predicate: self.ctx().predicate(e, columns),
                expression,
            };
        }
        if let ExprKind::Name(n) = &e.kind {
            if let Some(c) = columns.get(&n.name) {
                return c.origin.clone();
            }
        }
        match self.ctx().operand(e, columns) {
            predicate::Operand::Field { field, folds_case } => {
                if field.derived.as_ref().is_some_and(|d| !d.traced) {
                    return Origin::Computed { expression };
                }
                match &e.kind {
                    ExprKind::Name(_) => Origin::Field,
                    _ => Origin::Traced {
                        field: field.name,
                        expression,
                        folds_case,
                    },
                }
            }
            predicate::Operand::Values {
                values,
                source: None,
            } => Origin::Constant(values),
            predicate::Operand::Values {
                source: Some(s), ..
            }
            | predicate::Operand::Source(s) => Origin::Binding(s),
            predicate::Operand::Other => Origin::Computed { expression },
        }
    }

    fn summarize(
        &mut self,
        aggregates: &[ColumnAssignment],
        by: &[ColumnAssignment],
        produced: &(String, StageRef),
        input: &Columns,
        stage: &mut Stage,
    ) -> Columns {
        let mut next = Columns::default();
        for item in aggregates {
            let expression = self.expr_text(&item.expr);
            let names: Vec<String> = if !item.names.is_empty() {
                item.names.iter().map(|i| i.name.clone()).collect()
            } else {
                match &item.expr.unparenthesized().kind {
                    ExprKind::Call(call) => self.aggregate_names(call, input, &mut next, produced),
                    _ => vec![implicit_name(&item.expr).unwrap_or_else(|| "Column1".to_string())],
                }
            };
            for name in names {
                stage.assignments.push(Assignment {
                    name: name.clone(),
                    expression: expression.clone(),
                    reads: reads_of(&item.expr),
                });
                next.set(Column {
                    name,
                    origin: Origin::Aggregate {
                        expression: expression.clone(),
                    },
                    produced_by: Some(produced.clone()),
                });
            }
        }
        for (n, item) in by.iter().enumerate() {
            for (name, origin) in self.classify_assignment(item, n, input) {
                self.record(stage, &name, &item.expr);
                next.set(Column {
                    name,
                    origin,
                    produced_by: Some(produced.clone()),
                });
            }
        }
        next
    }

    /// Implicit column names of an unnamed aggregation. `arg_max(T, *)`
    /// keeps every input column, `arg_max(T, A, B)` keeps `T`, `A`, `B`.
    fn aggregate_names(
        &self,
        call: &Call,
        input: &Columns,
        next: &mut Columns,
        produced: &(String, StageRef),
    ) -> Vec<String> {
        let name = call.name.name.to_ascii_lowercase();
        let args: Vec<&Expr> = call.args.iter().map(|a| &a.value).collect();
        if matches!(
            name.as_str(),
            "arg_max" | "arg_min" | "take_any" | "take_anyif" | "any"
        ) && name != "any"
        {
            let mut names = Vec::new();
            let take = if name == "take_anyif" { 1 } else { args.len() };
            for a in args.iter().take(take) {
                match &a.kind {
                    ExprKind::Star => {
                        next.open = true;
                        for c in &input.known {
                            next.set(Column {
                                produced_by: Some(produced.clone()),
                                ..c.clone()
                            });
                        }
                    }
                    _ => names.extend(implicit_name(a)),
                }
            }
            return names;
        }
        let principal = args.first().and_then(|a| implicit_name(a));
        let extra: Vec<String> = args
            .iter()
            .skip(1)
            .map(|a| self.expr_text(a).replace('.', "_"))
            .collect();
        builtins::aggregate_column_name(&name, principal.as_deref(), &extra)
    }

    fn expand_item(
        &mut self,
        item: &ColumnAssignment,
        produced: &(String, StageRef),
        columns: &mut Columns,
        stage: &mut Stage,
    ) {
        let name = match item.names.first() {
            Some(n) => n.name.clone(),
            None => match implicit_name(&item.expr) {
                Some(n) => n,
                None => return,
            },
        };
        let origin = match self.ctx().operand(&item.expr, columns) {
            predicate::Operand::Field { field, .. } if field.derived.is_none() => Origin::Traced {
                field: field.name,
                expression: self.expr_text(&item.expr),
                folds_case: false,
            },
            predicate::Operand::Field { field, .. } => {
                match columns.get(&name).map(|c| c.origin.clone()) {
                    Some(o) => o,
                    None => Origin::Traced {
                        field: field.name,
                        expression: self.expr_text(&item.expr),
                        folds_case: false,
                    },
                }
            }
            predicate::Operand::Source(s) => Origin::Binding(s),
            _ => Origin::Computed {
                expression: self.expr_text(&item.expr),
            },
        };
        self.record(stage, &name, &item.expr);
        columns.set(Column {
            name,
            origin,
            produced_by: Some(produced.clone()),
        });
    }

    /// `evaluate`: plugins that match IPs against a table become IP-range
    /// matches; the others change the columns in ways only known at run
    /// time.
    fn evaluate(&mut self, plugin: &Expr, columns: &mut Columns, stage: &mut Stage) {
        let ExprKind::Call(call) = &plugin.kind else {
            return;
        };
        let name = call.name.name.to_ascii_lowercase();
        let args: Vec<&Expr> = call
            .args
            .iter()
            .filter(|a| a.name.is_none())
            .map(|a| &a.value)
            .collect();
        if let ("ipv4_lookup" | "ipv6_lookup", [table, ip, range, ..]) =
            (name.as_str(), args.as_slice())
        {
            let table_name = table.as_name().map(|n| n.name.clone());
            let range_column = range.as_name().map(|n| n.name.clone());
            if let (Some(table_name), predicate::Operand::Field { field, .. }) =
                (table_name, self.ctx().operand(ip, columns))
            {
                let kind = if self.scope.contains_key(&table_name) {
                    ValueSourceKind::Binding
                } else {
                    ValueSourceKind::Lookup
                };
                let comparison =
                    ruledex_ir::Comparison::new(field, ruledex_ir::Op::Cidr, Vec::new())
                        .from_source(ValueSource {
                            kind,
                            name: table_name.clone(),
                            column: range_column,
                        })
                        .written(format!("{}()", call.name.name))
                        .at(self.map.span_to_file(plugin.span));
                stage.predicate = Some(Predicate::Compare(comparison));
                if let Some(info) = self.scope.get(&table_name) {
                    columns.merge(columns_from(Some(&table_name), info.columns.clone()));
                }
                return;
            }
        }
        // bag_unpack, pivot, autocluster, …: new columns with run-time names.
        columns.open = true;
    }

    fn add_dependency(&mut self, kind: DependencyKind, name: &str, span: Option<ruledex_ir::Span>) {
        if self
            .analysis
            .dependencies
            .iter()
            .any(|d| d.kind == kind && d.name == name)
        {
            return;
        }
        let span = span.map(|s| self.map.span_to_file(s));
        self.analysis.dependencies.push(Dependency {
            kind,
            name: name.to_string(),
            span,
        });
    }

    /// Record dependencies found anywhere in the script: watchlists and
    /// calls to functions that are neither built in nor bound by `let`.
    fn finish(mut self, script: &Script) -> Analysis {
        let mut calls = CallFinder::default();
        calls.visit_script(script);
        let lets: BTreeSet<String> = declared_names(script);
        for (call, span) in calls.calls {
            let name = call.as_str();
            if name.eq_ignore_ascii_case("_GetWatchlist") {
                continue;
            }
            if !builtins::is_builtin(name) && !lets.contains(name) && !self.scope.contains_key(name)
            {
                self.add_dependency(DependencyKind::Function, name, Some(span));
            }
        }
        for (alias, span) in calls.watchlists {
            self.add_dependency(DependencyKind::Watchlist, &alias, Some(span));
        }
        self.analysis
    }
}

/// ASIM parsers (`imAuthentication`, `_Im_Dns`, `_ASim_NetworkSession`,
/// `ASimProcessEvent`) are functions even when called without parentheses.
fn is_asim_parser(name: &str) -> bool {
    let starts_upper = |rest: &str| rest.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    name.strip_prefix("im").is_some_and(starts_upper)
        || name.strip_prefix("ASim").is_some_and(starts_upper)
        || name.starts_with("_Im_")
        || name.starts_with("_ASim_")
}

/// The stage kind for an operator: its canonical name (`filter` is `where`,
/// `order` is `sort`, `limit` is `take`).
fn stage_kind(kind: &OperatorKind, written: &str) -> String {
    let name = match kind {
        OperatorKind::Where { .. } => "where",
        OperatorKind::Extend { .. } => "extend",
        OperatorKind::Summarize { .. } => "summarize",
        OperatorKind::Project { .. } => "project",
        OperatorKind::ProjectAway { .. } => "project-away",
        OperatorKind::ProjectKeep { .. } => "project-keep",
        OperatorKind::ProjectRename { .. } => "project-rename",
        OperatorKind::ProjectReorder { .. } => "project-reorder",
        OperatorKind::Join { .. } => "join",
        OperatorKind::Lookup { .. } => "lookup",
        OperatorKind::Union { .. } => "union",
        OperatorKind::MvExpand { .. } => "mv-expand",
        OperatorKind::MvApply { .. } => "mv-apply",
        OperatorKind::Parse(_) => "parse",
        OperatorKind::ParseWhere(_) => "parse-where",
        OperatorKind::ParseKv { .. } => "parse-kv",
        OperatorKind::MakeSeries { .. } => "make-series",
        OperatorKind::Evaluate { .. } => "evaluate",
        OperatorKind::Top { .. } => "top",
        OperatorKind::TopNested { .. } => "top-nested",
        OperatorKind::TopHitters { .. } => "top-hitters",
        OperatorKind::Sort { .. } => "sort",
        OperatorKind::Distinct { .. } => "distinct",
        OperatorKind::Count { .. } => "count",
        OperatorKind::Take { .. } => "take",
        OperatorKind::Sample { .. } => "sample",
        OperatorKind::SampleDistinct { .. } => "sample-distinct",
        OperatorKind::As { .. } => "as",
        OperatorKind::Invoke { .. } => "invoke",
        OperatorKind::Serialize { .. } => "serialize",
        OperatorKind::Scan(_) => "scan",
        OperatorKind::Render { .. } => "render",
        OperatorKind::Range { .. } => "range",
        OperatorKind::Print { .. } => "print",
        OperatorKind::Search { .. } => "search",
        OperatorKind::Find { .. } => "find",
        OperatorKind::Getschema => "getschema",
        OperatorKind::Datatable { .. } => "datatable",
        OperatorKind::Externaldata { .. } => "externaldata",
        OperatorKind::Facet { .. } => "facet",
        OperatorKind::Reduce { .. } => "reduce",
        OperatorKind::Fork { .. } => "fork",
        OperatorKind::Partition { .. } => "partition",
        OperatorKind::Consume { .. } => "consume",
        OperatorKind::MakeGraph { .. } => "make-graph",
        OperatorKind::GraphMatch {
            shortest_paths: false,
            ..
        } => "graph-match",
        OperatorKind::GraphMatch {
            shortest_paths: true,
            ..
        } => "graph-shortest-paths",
        OperatorKind::GraphToTable { .. } => "graph-to-table",
        OperatorKind::GraphMarkComponents { .. } => "graph-mark-components",
        OperatorKind::MacroExpand { .. } => "macro-expand",
        OperatorKind::ProjectByNames { .. } => "project-by-names",
        OperatorKind::AssertSchema { .. } => "assert-schema",
        OperatorKind::Error => return written.to_ascii_lowercase(),
    };
    name.to_string()
}

/// The name Kusto gives an unnamed column computed from `expr`: a column
/// keeps its name, a path joins its parts with `_` (`a.b.c` → `a_b_c`), and
/// a function of one column is named after that column (`bin(T, 1h)` → `T`,
/// `tostring(x)` → `x`).
fn implicit_name(expr: &Expr) -> Option<String> {
    let e = expr.unparenthesized();
    match &e.kind {
        ExprKind::Name(n) => Some(n.name.clone()),
        ExprKind::Path { target, member } => {
            let base = implicit_name(target)?;
            Some(format!("{base}_{}", member.name))
        }
        ExprKind::Index { target, index } => {
            let base = implicit_name(target)?;
            match index.as_string() {
                Some(key) => Some(format!("{base}_{key}")),
                None => Some(base),
            }
        }
        ExprKind::Call(call) => {
            // The first argument that names a column.
            call.args
                .iter()
                .find_map(|a| match &a.value.unparenthesized().kind {
                    ExprKind::Name(_)
                    | ExprKind::Path { .. }
                    | ExprKind::Index { .. }
                    | ExprKind::Call(_) => implicit_name(&a.value),
                    _ => None,
                })
        }
        _ => None,
    }
}

/// True for expressions whose value is a condition (a comparison, `in`,
/// `and`/`or`, `not(...)`, `isnotempty(...)`, an IP-range test).
fn is_condition(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Binary { op, .. } => !matches!(
            op,
            crate::ast::BinaryOp::Add
                | crate::ast::BinaryOp::Subtract
                | crate::ast::BinaryOp::Multiply
                | crate::ast::BinaryOp::Divide
                | crate::ast::BinaryOp::Modulo
        ),
        ExprKind::In { .. } | ExprKind::HasAny { .. } | ExprKind::Between { .. } => true,
        ExprKind::Call(call) => matches!(
            call.name.name.to_ascii_lowercase().as_str(),
            "not"
                | "isnotempty"
                | "isnotnull"
                | "isempty"
                | "isnull"
                | "ipv4_is_in_range"
                | "ipv4_is_in_any_range"
                | "ipv6_is_in_range"
                | "ipv6_is_in_any_range"
                | "ipv4_is_private"
                | "has_ipv4"
                | "has_any_ipv4"
                | "has_ipv4_prefix"
                | "has_any_ipv4_prefix"
        ),
        _ => false,
    }
}

/// The columns a binding provides when read as a table.
/// Remove `name` from what `stages` (and their subqueries) use: a name bound
/// only inside an operator is no binding a page could link to.
fn strip_uses(stages: &mut [Stage], name: &str) {
    for s in stages {
        s.uses.retain(|u| u != name);
        for sub in &mut s.subqueries {
            strip_uses(sub, name);
        }
    }
}

fn binding_columns(name: &str, info: &BindingInfo) -> Columns {
    let mut c = if info.kind == BindingKind::Function {
        Columns::open()
    } else {
        info.columns.clone()
    };
    if c.known.is_empty() {
        c.open = true;
    }
    let _ = name;
    // Reading a binding does not produce its columns again: they were
    // produced inside the binding, and only re-selecting them makes them
    // this pipeline's outputs.
    for col in &mut c.known {
        col.produced_by = None;
    }
    c
}

/// Columns brought in from another table: from a named binding they carry
/// the binding as their value source.
fn columns_from(binding: Option<&str>, mut columns: Columns) -> Columns {
    if let Some(name) = binding {
        for c in &mut columns.known {
            if matches!(
                c.origin,
                Origin::Aggregate { .. }
                    | Origin::Computed { .. }
                    | Origin::Field
                    | Origin::Traced { .. }
            ) {
                c.origin = Origin::Binding(ValueSource {
                    kind: ValueSourceKind::Binding,
                    name: name.to_string(),
                    column: Some(c.name.clone()),
                });
            }
        }
    }
    for c in &mut columns.known {
        c.produced_by = None;
    }
    columns
}

/// Bindings the stages (and their nested stages) use.
fn uses_of(stages: &[Stage]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut stack: Vec<&Stage> = stages.iter().collect();
    while let Some(s) = stack.pop() {
        for u in &s.uses {
            if !out.contains(u) {
                out.push(u.clone());
            }
        }
        for sub in &s.subqueries {
            stack.extend(sub.iter());
        }
    }
    out
}

/// Column names an expression reads.
fn reads_of(expr: &Expr) -> Vec<String> {
    struct Reads(Vec<String>);
    impl Visitor for Reads {
        fn visit_expr(&mut self, expr: &Expr) {
            match &expr.kind {
                ExprKind::Name(n) => {
                    if !self.0.contains(&n.name) && !n.name.starts_with('$') {
                        self.0.push(n.name.clone());
                    }
                }
                ExprKind::Call(call) => {
                    // The function name is not a column; its arguments may be.
                    for a in &call.args {
                        self.visit_expr(&a.value);
                    }
                    if let Some(t) = &call.target {
                        self.visit_expr(t);
                    }
                }
                ExprKind::Path { target, .. } => self.visit_expr(target),
                _ => walk_expr(self, expr),
            }
        }
    }
    let mut r = Reads(Vec::new());
    r.visit_expr(expr);
    r.0
}

/// Names bound by `let` anywhere (including inside function bodies).
fn declared_names(script: &Script) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut stack: Vec<&Statement> = script.statements.iter().collect();
    while let Some(s) = stack.pop() {
        if let Statement::Let(l) = s {
            names.insert(l.name.name.clone());
            if let LetValue::Function(f) | LetValue::View(f) = &l.value {
                for p in &f.params {
                    names.insert(p.name.name.clone());
                }
                stack.extend(f.body.iter());
            }
        }
    }
    names
}

/// Finds references to bound names inside an operator.
struct NameUses<'a> {
    scope: &'a HashMap<String, BindingInfo>,
    found: BTreeSet<String>,
}

impl Visitor for NameUses<'_> {
    fn visit_expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Name(n) if self.scope.contains_key(&n.name) => {
                self.found.insert(n.name.clone());
            }
            ExprKind::Call(c) if self.scope.contains_key(&c.name.name) => {
                self.found.insert(c.name.name.clone());
            }
            _ => {}
        }
        walk_expr(self, expr);
    }

    fn visit_tabular(&mut self, tabular: &TabularExpression) {
        if let SourceKind::Name(n) = &tabular.source.kind {
            if self.scope.contains_key(&n.name) {
                self.found.insert(n.name.clone());
            }
        }
        walk_tabular(self, tabular);
    }
}

/// Every function called, and every watchlist read, in a script.
#[derive(Default)]
struct CallFinder {
    calls: Vec<(String, ruledex_ir::Span)>,
    watchlists: Vec<(String, ruledex_ir::Span)>,
}

impl Visitor for CallFinder {
    fn visit_expr(&mut self, expr: &Expr) {
        if let ExprKind::Call(call) = &expr.kind {
            self.call(call);
        }
        walk_expr(self, expr);
    }

    fn visit_tabular(&mut self, tabular: &TabularExpression) {
        if let SourceKind::Call(call) = &tabular.source.kind {
            self.call(call);
        }
        walk_tabular(self, tabular);
    }

    fn visit_operator(&mut self, operator: &Operator) {
        // A plugin name is not a function dependency.
        if let OperatorKind::Evaluate { plugin, .. } = &operator.kind {
            if let ExprKind::Call(call) = &plugin.kind {
                for a in &call.args {
                    self.visit_expr(&a.value);
                }
                return;
            }
        }
        crate::visit::walk_operator(self, operator);
    }
}

impl CallFinder {
    fn call(&mut self, call: &Call) {
        if call.target.is_some() {
            return;
        }
        if call.name.name.eq_ignore_ascii_case("_GetWatchlist") {
            if let Some(alias) = call.args.first().and_then(|a| a.value.as_string()) {
                self.watchlists.push((alias.to_string(), call.span));
            }
        } else {
            self.calls.push((call.name.name.clone(), call.name.span));
        }
    }
}
