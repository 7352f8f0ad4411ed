//! Panther scheduled and saved queries: Snowflake SQL, lowered to stages.
//!
//! # Pre-pass
//!
//! Panther queries use time macros (`p_occurs_since('1 day')`,
//! `p_occurs_between(...)`, also with bare durations such as
//! `p_occurs_since(1h)` that no SQL parser accepts) and may be Jinja
//! templates. Before parsing, [`prepare`] rewrites the text *without moving
//! any byte*: a time macro becomes `TRUE` padded with spaces (its text is
//! kept as the query's time window), a `{{ name }}` placeholder an
//! identifier of the same length, and `{% … %}` blocks, macro definitions
//! and `{{ call(...) }}` expansions are blanked with warning `PAN202`.
//! Diagnostics therefore point into the query as written.
//!
//! # Stages
//!
//! Each `WITH` entry is a tabular binding with its own stages; the main
//! query's stages follow, per `SELECT`: `source` (the `FROM` tables and
//! joins), `where`, `summarize` (`GROUP BY` with its aggregates), `having`
//! (thresholds on aggregates: not indicators) and `project` (the `SELECT`
//! list, whose names are the rule's outputs). Tables of `panther_logs` are
//! data sources named by their log type; `panther_lookups` tables are
//! lookup dependencies.

use crate::codes;
use crate::logtypes::{classify, TableKind};
use ruledex_ir::{
    Analysis, Assignment, Binding, BindingKind, Comparison, DataSource, DataSourceKind, Dependency,
    DependencyKind, Derivation, Diagnostic, FieldComparison, FieldRef, OffsetMap, Op, OutputField,
    Pattern, PatternPart, Predicate, Span, Stage, StageRef, Value, ValueSource, ValueSourceKind,
};
use sqlparser::ast::{
    self, BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr,
    JsonPathElem, Query, Select, SelectItem, SetExpr, Spanned, Statement, TableFactor,
    UnaryOperator,
};
use sqlparser::dialect::SnowflakeDialect;
use sqlparser::parser::Parser;
use std::collections::HashSet;

/// Panther's time-range macros.
const TIME_MACROS: [&str; 5] = [
    "p_occurs_since",
    "p_occurs_between",
    "p_occurs_around",
    "p_occurs_after",
    "p_occurs_before",
];

/// Deepest nesting the lowering follows (the parser has its own limit).
const MAX_DEPTH: usize = 100;

/// A query after the pre-pass: the same length as the original, byte for
/// byte where nothing was rewritten.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    /// The text handed to the SQL parser.
    pub text: String,
    /// The time macros, as written (`p_occurs_since('1 day')`).
    pub time_macros: Vec<String>,
    /// Jinja blocks skipped: their span in the query and what they were.
    pub skipped: Vec<(Span, String)>,
    /// Jinja placeholders replaced by identifiers.
    pub placeholders: usize,
    /// True when the query defines Jinja macros only (a template library).
    pub library: bool,
}

/// Rewrite Panther macros and Jinja so the query parses as Snowflake SQL,
/// keeping every offset (see the module documentation).
pub fn prepare(query: &str) -> Prepared {
    let mut bytes: Vec<u8> = query.as_bytes().to_vec();
    let mut out = Prepared {
        text: String::new(),
        time_macros: Vec::new(),
        skipped: Vec::new(),
        placeholders: 0,
        library: false,
    };
    let mut defines_macro = false;
    let mut i = 0;
    while i < bytes.len() {
        let rest = &query.as_bytes()[i..];
        if rest.starts_with(b"{#") || rest.starts_with(b"{%") {
            let close: &[u8] = if rest.starts_with(b"{#") {
                b"#}"
            } else {
                b"%}"
            };
            // An unclosed block runs to the end of the query: its inner
            // text is all the rest, not the rest less two bytes (which may
            // split a character).
            let close_at = find(query.as_bytes(), close, i + 2);
            let end = close_at.map_or(bytes.len(), |e| e + 2);
            let inner = query[i + 2..close_at.unwrap_or(bytes.len())]
                .trim()
                .to_string();
            let mut block_end = end;
            if inner.starts_with("macro ") {
                defines_macro = true;
                // The whole definition goes: its body is not this query.
                if let Some(e) = find_token(query, "endmacro", end) {
                    block_end = find(query.as_bytes(), b"%}", e).map_or(bytes.len(), |x| x + 2);
                }
            }
            if close == b"%}" {
                out.skipped.push((span(i, block_end), inner));
            }
            blank(&mut bytes, i, block_end);
            i = block_end;
            continue;
        }
        if rest.starts_with(b"{{") {
            let close_at = find(query.as_bytes(), b"}}", i + 2);
            let end = close_at.map_or(bytes.len(), |e| e + 2);
            let inner = query[i + 2..close_at.unwrap_or(bytes.len())].trim();
            if !inner.is_empty()
                && inner
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                // A variable: an identifier of the same length.
                bytes[i] = b'j';
                for b in &mut bytes[i + 1..end] {
                    *b = b'_';
                }
                out.placeholders += 1;
            } else {
                out.skipped.push((span(i, end), inner.to_string()));
                blank(&mut bytes, i, end);
            }
            i = end;
            continue;
        }
        if rest.starts_with(b"--") {
            i = find(query.as_bytes(), b"\n", i).unwrap_or(bytes.len());
            continue;
        }
        if rest[0] == b'\'' {
            i = skip_string(query.as_bytes(), i);
            continue;
        }
        if let Some(name) = TIME_MACROS.iter().find(|m| starts_with_word(query, i, m)) {
            let open = i + name.len();
            let open = skip_spaces(query.as_bytes(), open);
            if query.as_bytes().get(open) == Some(&b'(') {
                if let Some(close) = matching_paren(query.as_bytes(), open) {
                    out.time_macros.push(query[i..=close].to_string());
                    blank(&mut bytes, i, close + 1);
                    bytes[i..i + 4].copy_from_slice(b"TRUE");
                    i = close + 1;
                    continue;
                }
            }
        }
        i += 1;
    }
    out.text = String::from_utf8(bytes).unwrap_or_else(|_| query.to_string());
    out.library = defines_macro && out.text.trim().is_empty();
    out
}

/// The result of analyzing one query.
#[derive(Debug, Default)]
pub struct Lowered {
    /// Stages, bindings, outputs, data sources, dependencies, diagnostics.
    pub analysis: Analysis,
    /// The time macros the query filters on.
    pub time_macros: Vec<String>,
}

/// Parse and lower the query `text`, whose offsets map to the file through
/// `map`.
pub fn lower_query(text: &str, map: &OffsetMap) -> Lowered {
    let prepared = prepare(text);
    let mut lowered = Lowered {
        time_macros: prepared.time_macros.clone(),
        ..Lowered::default()
    };
    let diagnostics = &mut lowered.analysis.diagnostics;
    for (at, what) in &prepared.skipped {
        diagnostics.push(
            Diagnostic::warning(
                codes::JINJA_SKIPPED,
                format!("the Jinja block `{}` is skipped", shorten(what)),
            )
            .with_span(map.span_to_file(*at)),
        );
    }
    if prepared.library {
        return lowered;
    }
    let statements = match parse(&prepared.text) {
        Ok(statements) => statements,
        Err(first) => {
            // A template whose expansion ended a `WITH` list: analyze the
            // named subqueries, reading the last one.
            match close_dangling_with(&prepared.text).map(|t| parse(&t)) {
                Some(Ok(statements)) if !prepared.skipped.is_empty() => statements,
                _ => {
                    let (message, at) = first;
                    lowered.analysis.diagnostics.push(
                        Diagnostic::error(codes::SQL_SYNTAX, message)
                            .with_span(map.span_to_file(Span::empty(at as u32))),
                    );
                    return lowered;
                }
            }
        }
    };
    let mut lowerer = Lowerer {
        text: &prepared.text,
        map,
        lines: line_starts(&prepared.text),
        ctes: HashSet::new(),
        analysis: Analysis::default(),
    };
    for statement in &statements {
        match statement {
            Statement::Query(query) => {
                let mut stages = Vec::new();
                lowerer.query(query, &mut stages, None, 0);
                lowerer.analysis.stages.extend(stages);
            }
            other => {
                let span = lowerer.span_of(other.span());
                let mut stage = Stage::new("statement", span.slice_or(text), span.file);
                stage.name = Some("not a query".into());
                lowerer.analysis.stages.push(stage);
            }
        }
    }
    let diagnostics = std::mem::take(&mut lowered.analysis.diagnostics);
    lowered.analysis = lowerer.analysis;
    lowered.analysis.diagnostics.splice(0..0, diagnostics);
    lowered
}

/// The log types a query reads (for scheduled rules that run it).
pub fn log_types_of(query: &str) -> Vec<String> {
    let lowered = lower_query(query, &OffsetMap::identity());
    lowered
        .analysis
        .data_sources
        .into_iter()
        .filter(|d| d.kind == DataSourceKind::LogType)
        .map(|d| d.name)
        .collect()
}

type ParseFailure = (String, usize);

fn parse(text: &str) -> Result<Vec<Statement>, ParseFailure> {
    Parser::new(&SnowflakeDialect {})
        .with_recursion_limit(64)
        .try_with_sql(text)
        .and_then(|mut p| p.parse_statements())
        .map_err(|e| {
            let message = e.to_string();
            let at = error_offset(text, &message);
            let message = message
                .trim_start_matches("sql parser error: ")
                .split(" at Line:")
                .next()
                .unwrap_or("")
                .to_string();
            (message, at)
        })
}

/// `… at Line: 3, Column: 7` → the byte offset.
fn error_offset(text: &str, message: &str) -> usize {
    let number_after = |key: &str| -> Option<u64> {
        let at = message.rfind(key)? + key.len();
        message[at..]
            .trim_start()
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    match (number_after("Line:"), number_after("Column:")) {
        (Some(line), Some(column)) => offset_of(&line_starts(text), text, line, column),
        _ => 0,
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// Byte offset of 1-based `line`, `column` (columns count characters).
fn offset_of(starts: &[usize], text: &str, line: u64, column: u64) -> usize {
    let Some(&start) = starts.get((line.max(1) - 1) as usize) else {
        return text.len();
    };
    text[start..]
        .char_indices()
        .nth((column.max(1) - 1) as usize)
        .map_or(text.len(), |(i, _)| start + i)
}

struct Lowerer<'t> {
    text: &'t str,
    map: &'t OffsetMap,
    lines: Vec<usize>,
    ctes: HashSet<String>,
    analysis: Analysis,
}

/// A stage span as both the query span (for text) and the file span.
#[derive(Clone, Copy)]
struct At {
    query: Span,
    file: Span,
}

impl At {
    fn slice_or<'a>(&self, text: &'a str) -> &'a str {
        self.query.slice(text)
    }
}

impl From<At> for Span {
    fn from(at: At) -> Span {
        at.file
    }
}

impl<'t> Lowerer<'t> {
    fn span_of(&self, span: sqlparser::tokenizer::Span) -> At {
        let start = offset_of(&self.lines, self.text, span.start.line, span.start.column);
        let end = offset_of(&self.lines, self.text, span.end.line, span.end.column).max(start);
        let query = Span::from_range(start..end);
        At {
            query,
            file: self.map.span_to_file(query),
        }
    }

    fn stage(&self, kind: &str, at: At) -> Stage {
        Stage::new(kind, at.query.slice(self.text).trim(), at.file)
    }

    fn query(
        &mut self,
        query: &Query,
        stages: &mut Vec<Stage>,
        binding: Option<&str>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                let name = cte.alias.name.value.clone();
                let mut inner = Vec::new();
                self.query(&cte.query, &mut inner, Some(&name), depth + 1);
                let at = self.span_of(cte.span());
                self.analysis.bindings.push(Binding {
                    name: name.clone(),
                    kind: BindingKind::Tabular,
                    parameters: Vec::new(),
                    text: at.query.slice(self.text).to_string(),
                    span: at.file,
                    stages: inner,
                    values: Vec::new(),
                });
                self.ctes.insert(name.to_ascii_lowercase());
            }
        }
        self.set_expr(&query.body, stages, binding, depth + 1);
    }

    fn set_expr(
        &mut self,
        body: &SetExpr,
        stages: &mut Vec<Stage>,
        binding: Option<&str>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        match body {
            SetExpr::Select(select) => self.select(select, stages, binding, depth + 1),
            SetExpr::Query(q) => self.query(q, stages, binding, depth + 1),
            SetExpr::SetOperation { left, right, .. } => {
                let at = self.span_of(body.span());
                let mut union = self.stage("union", at);
                let (mut l, mut r) = (Vec::new(), Vec::new());
                self.set_expr(left, &mut l, binding, depth + 1);
                self.set_expr(right, &mut r, binding, depth + 1);
                union.subqueries = vec![l, r];
                stages.push(union);
            }
            _ => {}
        }
    }

    fn select(
        &mut self,
        select: &Select,
        stages: &mut Vec<Stage>,
        binding: Option<&str>,
        depth: usize,
    ) {
        // Tables: data sources, bindings read, lookups.
        let mut aliases: HashSet<String> = HashSet::new();
        if !select.from.is_empty() {
            let from_span = select
                .from
                .iter()
                .map(|t| self.span_of(t.span()))
                .reduce(|a, b| At {
                    query: a.query.cover(b.query),
                    file: a.file.cover(b.file),
                });
            let mut source = match from_span {
                Some(at) => self.stage("source", at),
                None => Stage::new("source", "", self.map.to_file(0).into_span()),
            };
            for twj in &select.from {
                let mut factors = vec![&twj.relation];
                factors.extend(twj.joins.iter().map(|j| &j.relation));
                for (i, factor) in factors.into_iter().enumerate() {
                    self.table_factor(factor, &mut source, &mut aliases, binding, depth);
                    if i > 0 {
                        source.kind = "join".into();
                    }
                }
            }
            stages.push(source);
        }
        if let Some(selection) = &select.selection {
            let at = self.span_of(selection.span());
            let mut stage = self.stage("where", at);
            if let Some(p) = self.predicate(selection, &aliases, stages, depth) {
                stage.predicate = Some(p);
            }
            stages.push(stage);
        }
        // Aggregation: GROUP BY keys and the aggregates the SELECT list
        // computes.
        let group_keys: Vec<&Expr> = match &select.group_by {
            GroupByExpr::Expressions(exprs, _) => exprs.iter().collect(),
            GroupByExpr::All(_) => Vec::new(),
        };
        let aggregates: Vec<(String, &Expr)> = select
            .projection
            .iter()
            .filter_map(|item| match item {
                SelectItem::ExprWithAlias { expr, alias } if is_aggregate(expr, 0) => {
                    Some((alias.value.clone(), expr))
                }
                SelectItem::UnnamedExpr(expr) if is_aggregate(expr, 0) => {
                    Some((expr.to_string(), expr))
                }
                _ => None,
            })
            .collect();
        let grouped = !group_keys.is_empty() || matches!(select.group_by, GroupByExpr::All(_));
        if grouped || !aggregates.is_empty() {
            let at = group_keys
                .iter()
                .map(|e| self.span_of(e.span()))
                .reduce(|a, b| At {
                    query: a.query.cover(b.query),
                    file: a.file.cover(b.file),
                })
                .unwrap_or_else(|| self.span_of(select.span()));
            let mut stage = self.stage("summarize", at);
            stage.text = format!("{}", select.group_by);
            for (name, expr) in &aggregates {
                stage.assignments.push(Assignment {
                    name: name.clone(),
                    expression: expr.to_string(),
                    reads: columns_of(expr, &aliases, 0),
                });
            }
            stages.push(stage);
        }
        if let Some(having) = &select.having {
            let at = self.span_of(having.span());
            let mut stage = self.stage("having", at);
            stage.predicate = self.having(having, &aliases, depth);
            stages.push(stage);
        }
        if let Some(qualify) = &select.qualify {
            let at = self.span_of(qualify.span());
            let mut stage = self.stage("qualify", at);
            stage.predicate = Some(Predicate::opaque(&qualify.to_string(), Some(at.file)));
            stages.push(stage);
        }
        // The SELECT list: outputs of the main query.
        let at = self.span_of(select.span());
        let index = stages.len();
        let mut project = self.stage("project", at);
        project.text = select
            .projection
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        for item in &select.projection {
            let name = match item {
                SelectItem::ExprWithAlias { alias, .. } => alias.value.clone(),
                SelectItem::UnnamedExpr(expr) => {
                    column_name(expr, &aliases).unwrap_or_else(|| expr.to_string())
                }
                SelectItem::Wildcard(_) => "*".into(),
                SelectItem::QualifiedWildcard(kind, _) => format!("{kind}.*"),
                other => other.to_string(),
            };
            if binding.is_none() {
                let source = if aggregates.iter().any(|(n, _)| *n == name) {
                    "summarize"
                } else {
                    "project"
                };
                if !self.analysis.outputs.iter().any(|o| o.name == name) {
                    self.analysis.outputs.push(OutputField {
                        name: name.clone(),
                        source: source.into(),
                        stage: Some(StageRef::main(index)),
                    });
                }
            }
            if let SelectItem::ExprWithAlias { expr, alias } = item {
                if !is_aggregate(expr, 0) {
                    project.assignments.push(Assignment {
                        name: alias.value.clone(),
                        expression: expr.to_string(),
                        reads: columns_of(expr, &aliases, 0),
                    });
                }
            }
        }
        stages.push(project);
    }

    fn table_factor(
        &mut self,
        factor: &TableFactor,
        source: &mut Stage,
        aliases: &mut HashSet<String>,
        binding: Option<&str>,
        depth: usize,
    ) {
        match factor {
            TableFactor::Table { name, alias, .. } => {
                let written = name.to_string();
                if let Some(alias) = alias {
                    aliases.insert(alias.name.value.to_ascii_lowercase());
                }
                aliases.insert(written.to_ascii_lowercase());
                if let Some(last) = written.rsplit('.').next() {
                    aliases.insert(last.to_ascii_lowercase());
                }
                let lower = written.to_ascii_lowercase();
                if self.ctes.contains(&lower) {
                    if !source.uses.contains(&written) {
                        source.uses.push(written);
                    }
                    return;
                }
                match classify(&written) {
                    TableKind::LogType(log_type) => {
                        let mut ds = DataSource::new(DataSourceKind::LogType, log_type);
                        ds.attributes.insert("table".into(), written);
                        if !self.analysis.data_sources.contains(&ds) {
                            self.analysis.data_sources.push(ds);
                        }
                    }
                    TableKind::Lookup(lookup) => {
                        if !self.analysis.dependencies.iter().any(|d| d.name == lookup) {
                            self.analysis.dependencies.push(Dependency {
                                kind: DependencyKind::Lookup,
                                name: lookup,
                                span: Some(source.span),
                            });
                        }
                    }
                    TableKind::Other => {
                        let ds = DataSource::new(DataSourceKind::Table, written);
                        if !self.analysis.data_sources.contains(&ds) {
                            self.analysis.data_sources.push(ds);
                        }
                    }
                }
            }
            TableFactor::Derived {
                subquery, alias, ..
            } => {
                if let Some(alias) = alias {
                    aliases.insert(alias.name.value.to_ascii_lowercase());
                }
                let mut inner = Vec::new();
                self.query(subquery, &mut inner, binding, depth + 1);
                source.subqueries.push(inner);
            }
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => {
                self.table_factor(
                    &table_with_joins.relation,
                    source,
                    aliases,
                    binding,
                    depth + 1,
                );
                for j in &table_with_joins.joins {
                    self.table_factor(&j.relation, source, aliases, binding, depth + 1);
                }
            }
            _ => {}
        }
    }

    // ------------------------------------------------------ predicates

    fn predicate(
        &mut self,
        expr: &Expr,
        aliases: &HashSet<String>,
        stages: &mut Vec<Stage>,
        depth: usize,
    ) -> Option<Predicate> {
        if depth > MAX_DEPTH {
            return Some(Predicate::opaque(&expr.to_string(), None));
        }
        let at = self.span_of(expr.span()).file;
        let column = |e: &Expr| column_name(e, aliases);
        let compare = |field: String, op: Op, values: Vec<Value>| {
            Some(Predicate::Compare(
                Comparison::new(FieldRef::new(field), op, values).at(at),
            ))
        };
        match expr {
            Expr::Nested(inner) => self.predicate(inner, aliases, stages, depth + 1),
            Expr::BinaryOp { left, op, right } => match op {
                BinaryOperator::And | BinaryOperator::Or => {
                    let l = self.predicate(left, aliases, stages, depth + 1);
                    let r = self.predicate(right, aliases, stages, depth + 1);
                    let items: Vec<Predicate> = [l, r].into_iter().flatten().collect();
                    match (op, items.len()) {
                        (_, 0) => None,
                        (BinaryOperator::And, _) => Some(Predicate::and(items)),
                        _ if items.len() == 1 => {
                            // `x OR TRUE`: the true side was a macro.
                            None
                        }
                        _ => Some(Predicate::or(items)),
                    }
                }
                _ => {
                    let Some(op) = compare_op(op) else {
                        return Some(Predicate::opaque(&expr.to_string(), Some(at)));
                    };
                    match (column(left), literal(right), column(right), literal(left)) {
                        (Some(f), Some(v), _, _) => compare(f, op, vec![v]),
                        (_, _, Some(f), Some(v)) => compare(f, flip(op), vec![v]),
                        (Some(l), _, Some(r), _) => {
                            Some(Predicate::FieldCompare(FieldComparison {
                                left: FieldRef::new(l),
                                op,
                                right: FieldRef::new(r),
                                case_sensitive: None,
                                written_op: None,
                                span: Some(at),
                            }))
                        }
                        _ => match (folded_column(left, aliases), literal(right)) {
                            (Some(f), Some(v)) => Some(Predicate::Compare(
                                Comparison::new(FieldRef::new(f), op, vec![v])
                                    .case_sensitive(false)
                                    .at(at),
                            )),
                            _ => Some(Predicate::opaque(&expr.to_string(), Some(at))),
                        },
                    }
                }
            },
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr: inner,
            } => self
                .predicate(inner, aliases, stages, depth + 1)
                .map(Predicate::not),
            Expr::IsNull(inner) => column(inner).and_then(|f| compare(f, Op::NotExists, vec![])),
            Expr::IsNotNull(inner) => column(inner).and_then(|f| compare(f, Op::Exists, vec![])),
            Expr::In {
                expr: inner,
                target,
                negated,
                ..
            } => {
                let op = if *negated { Op::NotIn } else { Op::In };
                let (field, folded) = match column(inner) {
                    Some(f) => (f, false),
                    None => match folded_column(inner, aliases) {
                        Some(f) => (f, true),
                        None => return Some(Predicate::opaque(&expr.to_string(), Some(at))),
                    },
                };
                match target {
                    ast::InTarget::List(items) => {
                        let values: Option<Vec<Value>> = items.iter().map(literal).collect();
                        match values {
                            Some(values) => {
                                let mut c =
                                    Comparison::new(FieldRef::new(field), op, values).at(at);
                                if folded {
                                    c = c.case_sensitive(false);
                                }
                                Some(Predicate::Compare(c))
                            }
                            None => Some(Predicate::opaque(&expr.to_string(), Some(at))),
                        }
                    }
                    ast::InTarget::Subquery(q) => {
                        let mut inner = Vec::new();
                        self.query(q, &mut inner, Some("subquery"), depth + 1);
                        let source = subquery_source(q);
                        if let Some(last) = stages.last_mut() {
                            last.subqueries.push(inner);
                        }
                        Some(Predicate::Compare(
                            Comparison::new(FieldRef::new(field), op, vec![])
                                .from_source(ValueSource {
                                    kind: ValueSourceKind::Lookup,
                                    name: source.0,
                                    column: source.1,
                                })
                                .case_sensitive(!folded)
                                .at(at),
                        ))
                    }
                    _ => Some(Predicate::opaque(&expr.to_string(), Some(at))),
                }
            }
            Expr::Between {
                expr: inner,
                negated,
                low,
                high,
            } => match (column(inner), literal(low), literal(high)) {
                (Some(f), Some(l), Some(h)) => compare(
                    f,
                    if *negated {
                        Op::NotBetween
                    } else {
                        Op::Between
                    },
                    vec![l, h],
                ),
                _ => Some(Predicate::opaque(&expr.to_string(), Some(at))),
            },
            Expr::Like {
                negated,
                expr: inner,
                pattern,
                ..
            }
            | Expr::ILike {
                negated,
                expr: inner,
                pattern,
                ..
            } => {
                let insensitive = matches!(expr, Expr::ILike { .. });
                let (field, folded) = match column(inner) {
                    Some(f) => (f, false),
                    None => match folded_column(inner, aliases) {
                        Some(f) => (f, true),
                        None => return Some(Predicate::opaque(&expr.to_string(), Some(at))),
                    },
                };
                let Some(Value::String(p)) = literal(pattern) else {
                    return Some(Predicate::opaque(&expr.to_string(), Some(at)));
                };
                let (op, value) = like_pattern(&p).lowered();
                let mut c = Comparison::new(FieldRef::new(field), op, vec![value])
                    .written(if insensitive { "ilike" } else { "like" })
                    .at(at);
                if insensitive || folded {
                    c = c.case_sensitive(false);
                }
                let p = Predicate::Compare(c);
                Some(if *negated { Predicate::not(p) } else { p })
            }
            Expr::RLike {
                negated,
                expr: inner,
                pattern,
                ..
            } => match (column(inner), literal(pattern)) {
                (Some(f), Some(v)) => {
                    let p = Predicate::Compare(
                        Comparison::new(FieldRef::new(f), Op::Regex, vec![v]).at(at),
                    );
                    Some(if *negated { Predicate::not(p) } else { p })
                }
                _ => Some(Predicate::opaque(&expr.to_string(), Some(at))),
            },
            Expr::Value(v) if matches!(v.value, ast::Value::Boolean(true)) => None,
            Expr::Function(f) => {
                let name = f.name.to_string().to_ascii_lowercase();
                let args = function_args(f);
                let op = match name.as_str() {
                    "contains" => Some(Op::Contains),
                    "startswith" => Some(Op::StartsWith),
                    "endswith" => Some(Op::EndsWith),
                    "regexp_like" | "rlike" => Some(Op::Regex),
                    "array_contains" => None,
                    _ => None,
                };
                match (op, args.as_slice()) {
                    (Some(op), [subject, value, ..]) => match (column(subject), literal(value)) {
                        (Some(f), Some(v)) => compare(f, op, vec![v]),
                        _ => Some(Predicate::opaque(&expr.to_string(), Some(at))),
                    },
                    (None, [value, array]) if name == "array_contains" => {
                        match (column(array), literal(strip_cast(value))) {
                            (Some(f), Some(v)) => compare(f, Op::Contains, vec![v]),
                            _ => Some(Predicate::opaque(&expr.to_string(), Some(at))),
                        }
                    }
                    _ => Some(Predicate::opaque(&expr.to_string(), Some(at))),
                }
            }
            other => match column(other) {
                // A boolean column used as a condition.
                Some(f) => compare(f, Op::Eq, vec![Value::Bool(true)]),
                None => Some(Predicate::opaque(&other.to_string(), Some(at))),
            },
        }
    }

    /// `HAVING`: comparisons on aggregates are thresholds (derived,
    /// aggregate), not indicators.
    fn having(
        &mut self,
        expr: &Expr,
        aliases: &HashSet<String>,
        depth: usize,
    ) -> Option<Predicate> {
        if depth > MAX_DEPTH {
            return None;
        }
        let at = self.span_of(expr.span()).file;
        match expr {
            Expr::Nested(inner) => self.having(inner, aliases, depth + 1),
            Expr::BinaryOp { left, op, right } => match op {
                BinaryOperator::And | BinaryOperator::Or => {
                    let items: Vec<Predicate> = [
                        self.having(left, aliases, depth + 1),
                        self.having(right, aliases, depth + 1),
                    ]
                    .into_iter()
                    .flatten()
                    .collect();
                    match op {
                        BinaryOperator::And => Some(Predicate::and(items)),
                        _ => Some(Predicate::or(items)),
                    }
                }
                _ => {
                    let (Some(op), Some(v)) = (compare_op(op), literal(right)) else {
                        return Some(Predicate::opaque(&expr.to_string(), Some(at)));
                    };
                    let column = left.to_string();
                    let traced = columns_of(left, aliases, 0);
                    Some(Predicate::Compare(
                        Comparison::new(
                            FieldRef {
                                name: traced.first().cloned().unwrap_or_else(|| column.clone()),
                                derived: Some(Derivation {
                                    column: column.clone(),
                                    expression: column,
                                    traced: traced.len() == 1,
                                    aggregate: true,
                                }),
                            },
                            op,
                            vec![v],
                        )
                        .at(at),
                    ))
                }
            },
            other => Some(Predicate::opaque(&other.to_string(), Some(at))),
        }
    }
}

trait IntoSpan {
    fn into_span(self) -> Span;
}

impl IntoSpan for u32 {
    fn into_span(self) -> Span {
        Span::empty(self)
    }
}

/// A column reference as a field name: `eventName`, `t.eventName` (table
/// or alias prefix dropped), Snowflake paths `actor:attributes.email` and
/// `req:"a"[0]` as `actor.attributes.email`.
fn column_name(expr: &Expr, aliases: &HashSet<String>) -> Option<String> {
    match expr {
        Expr::Identifier(ident) => Some(ident.value.clone()),
        Expr::CompoundIdentifier(parts) => {
            let names: Vec<&str> = parts.iter().map(|p| p.value.as_str()).collect();
            // Drop the longest prefix naming a table or alias.
            for cut in (1..names.len()).rev() {
                let prefix = names[..cut].join(".").to_ascii_lowercase();
                if aliases.contains(&prefix) {
                    return Some(names[cut..].join("."));
                }
            }
            Some(names.join("."))
        }
        Expr::JsonAccess { value, path } => {
            let mut name = column_name(value, aliases)?;
            for elem in &path.path {
                match elem {
                    JsonPathElem::Dot { key, .. } => {
                        name.push('.');
                        name.push_str(key);
                    }
                    JsonPathElem::Bracket { key } => {
                        if let Some(Value::String(k)) = literal(key) {
                            name.push('.');
                            name.push_str(&k);
                        }
                    }
                    _ => {}
                }
            }
            Some(name)
        }
        Expr::Cast { expr, .. } => column_name(expr, aliases),
        Expr::Nested(inner) => column_name(inner, aliases),
        _ => None,
    }
}

/// `lower(col)` / `upper(col)`: the column, compared case-insensitively.
fn folded_column(expr: &Expr, aliases: &HashSet<String>) -> Option<String> {
    let Expr::Function(f) = expr else { return None };
    let name = f.name.to_string().to_ascii_lowercase();
    if !matches!(name.as_str(), "lower" | "upper") {
        return None;
    }
    match function_args(f).as_slice() {
        [arg] => column_name(arg, aliases),
        _ => None,
    }
}

fn function_args(f: &ast::Function) -> Vec<&Expr> {
    match &f.args {
        FunctionArguments::List(list) => list
            .args
            .iter()
            .filter_map(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                FunctionArg::Named {
                    arg: FunctionArgExpr::Expr(e),
                    ..
                } => Some(e),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn strip_cast(expr: &Expr) -> &Expr {
    match expr {
        Expr::Cast { expr, .. } => strip_cast(expr),
        other => other,
    }
}

/// A literal as a typed value.
fn literal(expr: &Expr) -> Option<Value> {
    match expr {
        Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s)
            | ast::Value::DoubleQuotedString(s)
            | ast::Value::TripleSingleQuotedString(s) => Some(Value::String(s.clone())),
            ast::Value::Number(n, _) => Some(Value::from_unquoted(n)),
            ast::Value::Boolean(b) => Some(Value::Bool(*b)),
            ast::Value::Null => Some(Value::Null),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match literal(expr)? {
            Value::Integer(i) => Some(Value::Integer(-i)),
            Value::Float(f) => Some(Value::Float(-f)),
            _ => None,
        },
        Expr::Cast { expr, .. } => literal(expr),
        Expr::Nested(inner) => literal(inner),
        _ => None,
    }
}

fn compare_op(op: &BinaryOperator) -> Option<Op> {
    Some(match op {
        BinaryOperator::Eq => Op::Eq,
        BinaryOperator::NotEq => Op::Ne,
        BinaryOperator::Gt => Op::Gt,
        BinaryOperator::GtEq => Op::Ge,
        BinaryOperator::Lt => Op::Lt,
        BinaryOperator::LtEq => Op::Le,
        _ => return None,
    })
}

fn flip(op: Op) -> Op {
    match op {
        Op::Gt => Op::Lt,
        Op::Ge => Op::Le,
        Op::Lt => Op::Gt,
        Op::Le => Op::Ge,
        other => other,
    }
}

/// A `LIKE` pattern (`%` any run, `_` one character, `\` escapes) as a
/// wildcard pattern.
fn like_pattern(text: &str) -> Pattern {
    let mut p = Pattern::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => p.push(PatternPart::AnyRun),
            '_' => p.push(PatternPart::AnyChar),
            '\\' => p.push_char(chars.next().unwrap_or('\\')),
            c => p.push_char(c),
        }
    }
    p
}

/// True when `expr` calls an aggregate function.
fn is_aggregate(expr: &Expr, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match expr {
        Expr::Function(f) => {
            let name = f.name.to_string().to_ascii_lowercase();
            f.over.is_none()
                && (matches!(
                    name.as_str(),
                    "count"
                        | "count_if"
                        | "sum"
                        | "min"
                        | "max"
                        | "avg"
                        | "array_agg"
                        | "array_unique_agg"
                        | "listagg"
                        | "any_value"
                        | "median"
                        | "stddev"
                        | "approx_count_distinct"
                        | "object_agg"
                ) || function_args(f).iter().any(|a| is_aggregate(a, depth + 1)))
        }
        Expr::BinaryOp { left, right, .. } => {
            is_aggregate(left, depth + 1) || is_aggregate(right, depth + 1)
        }
        Expr::Nested(e) | Expr::Cast { expr: e, .. } => is_aggregate(e, depth + 1),
        _ => false,
    }
}

/// The columns an expression reads.
fn columns_of(expr: &Expr, aliases: &HashSet<String>, depth: usize) -> Vec<String> {
    let mut out = Vec::new();
    if depth > MAX_DEPTH {
        return out;
    }
    if let Some(name) = column_name(expr, aliases) {
        out.push(name);
        return out;
    }
    let mut push_all = |e: &Expr| {
        for c in columns_of(e, aliases, depth + 1) {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    };
    match expr {
        Expr::Function(f) => function_args(f).into_iter().for_each(&mut push_all),
        Expr::BinaryOp { left, right, .. } => {
            push_all(left);
            push_all(right);
        }
        Expr::Nested(e) | Expr::UnaryOp { expr: e, .. } => push_all(e),
        _ => {}
    }
    out
}

/// The table and column a subquery of `IN (SELECT col FROM t …)` reads.
fn subquery_source(q: &Query) -> (String, Option<String>) {
    if let SetExpr::Select(s) = &*q.body {
        let table = s
            .from
            .first()
            .and_then(|t| match &t.relation {
                TableFactor::Table { name, .. } => Some(name.to_string()),
                _ => None,
            })
            .unwrap_or_else(|| "subquery".into());
        let table = match classify(&table) {
            TableKind::LogType(l) => l,
            TableKind::Lookup(l) => l,
            TableKind::Other => table,
        };
        let column = s.projection.first().and_then(|item| match item {
            SelectItem::UnnamedExpr(e) => column_name(e, &HashSet::new()),
            SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.clone()),
            _ => None,
        });
        return (table, column);
    }
    ("subquery".into(), None)
}

/// A template whose last `WITH` entry is followed by an expansion we
/// skipped (`WITH a AS (…), {{ macro(…) }}`): close the list by reading the
/// last named subquery. Appends only, so offsets stay.
fn close_dangling_with(text: &str) -> Option<String> {
    let trimmed = text.trim_end();
    if !trimmed.ends_with(',') {
        return None;
    }
    let name = last_cte_name(trimmed)?;
    let mut out = text.to_string();
    let comma = trimmed.len() - 1;
    out.replace_range(comma..comma + 1, " ");
    out.push_str(&format!("\nSELECT * FROM {name}"));
    Some(out)
}

/// The name before the last `AS (` of a text.
fn last_cte_name(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut found = None;
    let mut search = 0;
    while let Some(pos) = lower[search..].find("as") {
        let at = search + pos;
        search = at + 2;
        let before_ok = at > 0 && bytes[at - 1].is_ascii_whitespace();
        let after = skip_spaces(bytes, at + 2);
        if before_ok && bytes.get(after) == Some(&b'(') {
            let head = text[..at].trim_end();
            let start = head
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(0, |i| i + 1);
            if start < head.len() {
                found = Some(head[start..].to_string());
            }
        }
    }
    found
}

fn span(start: usize, end: usize) -> Span {
    Span::from_range(start..end)
}

/// Replace `bytes[start..end]` by spaces, keeping newlines (and so every
/// line and column after it).
fn blank(bytes: &mut [u8], start: usize, end: usize) {
    let end = end.min(bytes.len());
    for b in &mut bytes[start..end] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from >= haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn find_token(text: &str, token: &str, from: usize) -> Option<usize> {
    text.get(from..)?.find(token).map(|p| p + from)
}

fn skip_spaces(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

fn skip_string(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b'\'' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn starts_with_word(text: &str, at: usize, word: &str) -> bool {
    let bytes = text.as_bytes();
    let before_ok = at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
    before_ok
        && text
            .get(at..at + word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
}

/// The `)` matching the `(` at `open`, skipping strings.
fn matching_paren(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'\'' => {
                i = skip_string(bytes, i);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn shorten(text: &str) -> String {
    let text = ruledex_ir::collapse_whitespace(text);
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macros_become_true_without_moving_bytes() {
        let q = "SELECT * FROM t WHERE p_occurs_since(1h) AND x = 'a'";
        let p = prepare(q);
        assert_eq!(p.text.len(), q.len());
        assert_eq!(p.time_macros, vec!["p_occurs_since(1h)"]);
        assert!(p.text.contains("WHERE TRUE"));
        assert_eq!(p.text.find("x = 'a'"), q.find("x = 'a'"));
    }

    #[test]
    fn jinja_placeholders_and_blocks() {
        let q = "{% set a = 1 %}SELECT {{ field }} FROM t {# note #}";
        let p = prepare(q);
        assert_eq!(p.text.len(), q.len());
        assert_eq!(p.placeholders, 1);
        assert_eq!(p.skipped.len(), 1);
        assert!(p.text.contains("j________"));
        assert!(!p.text.contains("note"));
    }

    #[test]
    fn a_macro_library_is_no_query() {
        let q = "{% macro f(a) export %}select {{ a }}{% endmacro %}\n";
        assert!(prepare(q).library);
    }

    #[test]
    fn like_patterns_are_wildcards() {
        assert_eq!(
            like_pattern("%abc%").lowered(),
            (Op::Contains, "abc".into())
        );
        assert_eq!(like_pattern("a_c").lowered(), (Op::Wildcard, "a?c".into()));
    }

    #[test]
    fn dangling_with_is_closed() {
        let t = "WITH sub AS (SELECT 1 AS x), ";
        let closed = close_dangling_with(t).unwrap();
        assert!(closed.ends_with("SELECT * FROM sub"));
    }
}
