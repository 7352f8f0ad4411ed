//! Lowering SPL to the common model.
//!
//! [`analyze_with`] expands the search's macros, parses the expanded text
//! and turns it into an [`Analysis`]:
//!
//! - **One stage per pipe command of the search as written**, with its
//!   exact text: `` | `security_content_ctime(firstTime)` `` is a
//!   `convert` stage named after the macro. Commands a macro expanded into
//!   belong to the stage of the call. Each expanded call is also a nested
//!   `macro` stage holding the expansion, and the stage `uses` the macro.
//!   A `*_filter` macro that filters nothing (undefined, empty or
//!   `search *`) is an exclusion point: a dependency, not a stage.
//! - **Predicates** from `search` (and the implicit first search),
//!   `tstats … where`, `where`, `regex`, `inputlookup … where` and
//!   subsearches; comparisons that come from a macro carry its name
//!   (`via`).
//! - **Fields are tracked** from command to command ([`columns`]):
//!   `rename`, `eval` copies and `drop_dm_object_name` are traced to the
//!   field they came from, comparisons on aggregates are thresholds, and
//!   the outputs are the fields left after the last command.
//! - **Data sources**: `index`, `sourcetype`, `source` and `eventtype`
//!   values, `tstats`/`from`/`datamodel` data models, macros that only name
//!   data; **dependencies**: every macro and lookup.

pub mod columns;
mod expr;
mod search;

use crate::ast::{Arg, Command, CommandKind, Pipeline, SearchExpr};
use crate::diag::{Code, QueryDiagnostic};
use crate::lexer;
use crate::macros::{self, Expansion, Macros};
use columns::{Column, Columns, Origin};
use ruledex_ir::{
    collapse_whitespace, Analysis, Assignment, DataSource, DataSourceKind, Dependency,
    DependencyKind, Diagnostic, OffsetMap, OutputField, Predicate, Span, Stage, StageRef,
};
use std::collections::HashSet;

/// `(?<name>body)` when the group is the whole regular expression.
fn whole_group(regex: &str) -> Option<(String, String)> {
    let rest = regex
        .strip_prefix("(?<")
        .or_else(|| regex.strip_prefix("(?P<"))?;
    let (name, body) = rest.split_once('>')?;
    let body = body.strip_suffix(')')?;
    // The closing parenthesis must close the group, not an inner one.
    let mut depth = 0i32;
    let mut escaped = false;
    for c in body.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            _ => {}
        }
    }
    (depth == 0).then(|| (name.to_string(), body.to_string()))
}

/// Fields whose values name where events come from.
const DATA_FIELDS: &[&str] = &["index", "sourcetype", "source", "eventtype"];

/// Parse and lower `search` without macro definitions (only the built-in
/// ones). `map` places search offsets in the file.
pub fn analyze(search: &str, map: &OffsetMap) -> Analysis {
    analyze_with(search, map, None)
}

/// Expand the macros of `search` from `macros`, parse and lower it; `map`
/// places search offsets in the file. Never fails: problems are
/// diagnostics, and what could be analyzed is returned.
pub fn analyze_with(search: &str, map: &OffsetMap, macros: Option<&Macros>) -> Analysis {
    let empty = Macros::new();
    let expansion = macros::expand(search, macros.unwrap_or(&empty));
    let parsed = crate::parse(&expansion.text);
    let mut lower = Lower {
        search,
        expanded: &expansion.text,
        expansion: &expansion,
        map,
        macros,
        columns: Columns::default(),
        analysis: Analysis::default(),
        dependencies: HashSet::new(),
        sources: HashSet::new(),
    };
    for d in &expansion.diagnostics {
        lower.analysis.diagnostics.push(d.to_diagnostic(map));
    }
    for d in &parsed.diagnostics {
        let mut moved = d.clone();
        moved.span = expansion.span_to_original(d.span);
        lower.analysis.diagnostics.push(moved.to_diagnostic(map));
    }
    lower.main(&parsed.pipeline);
    lower.finish()
}

/// What one command contributes to its stage.
#[derive(Default)]
struct Part {
    kind: String,
    predicate: Option<Predicate>,
    assignments: Vec<Assignment>,
    subqueries: Vec<Vec<Stage>>,
}

pub(crate) struct Lower<'a> {
    /// The search as written.
    search: &'a str,
    /// The text that was parsed (macros expanded).
    pub(crate) expanded: &'a str,
    expansion: &'a Expansion,
    map: &'a OffsetMap,
    macros: Option<&'a Macros>,
    pub(crate) columns: Columns,
    analysis: Analysis,
    dependencies: HashSet<(DependencyKind, String)>,
    sources: HashSet<(String, String)>,
}

impl<'a> Lower<'a> {
    /// A span of the parsed text as a file span.
    pub(crate) fn file_span(&self, span: Span) -> Span {
        self.map.span_to_file(self.expansion.span_to_original(span))
    }

    /// The macro a span of the parsed text was expanded from.
    pub(crate) fn via(&self, span: Span) -> Option<String> {
        self.expansion.call_at(span.start).map(|c| c.name.clone())
    }

    /// The parsed text of a span, whitespace collapsed.
    pub(crate) fn text_of(&self, span: Span) -> String {
        collapse_whitespace(span.slice(self.expanded))
    }

    fn dependency(&mut self, kind: DependencyKind, name: &str, span: Option<Span>) {
        if self.dependencies.insert((kind, name.to_string())) {
            self.analysis.dependencies.push(Dependency {
                kind,
                name: name.to_string(),
                span,
            });
        }
    }

    pub(crate) fn data_source(&mut self, what: &str, name: &str) {
        let name = name.trim();
        if name.is_empty() || name == "*" {
            return;
        }
        if self.sources.insert((what.to_string(), name.to_string())) {
            let mut source = DataSource::new(DataSourceKind::Sourcetype, name);
            source.attributes.insert("type".into(), what.into());
            self.analysis.data_sources.push(source);
        }
    }

    fn main(&mut self, pipeline: &Pipeline) {
        let mut ignored = Vec::new();
        let segments =
            lexer::split_commands(self.search, 0, self.search.len(), false, &mut ignored);
        // The commands of each segment of the search as written.
        let mut groups: Vec<(usize, Vec<&Command>)> = Vec::new();
        for command in &pipeline.commands {
            let original = self.expansion.to_original(command.span.start);
            let segment = segments
                .iter()
                .rposition(|s| s.pipe.unwrap_or(s.start) <= original)
                .unwrap_or(0);
            match groups.last_mut() {
                Some((s, commands)) if *s == segment => commands.push(command),
                _ => groups.push((segment, vec![command])),
            }
        }
        self.macro_dependencies(&segments);
        let mut first = true;
        for (segment, commands) in groups {
            let seg = segments[segment];
            let seg_span = seg.span(self.search);
            let calls: Vec<&macros::Call> = self
                .expansion
                .calls
                .iter()
                .filter(|c| {
                    c.span.start >= seg_span.start && c.span.end <= seg_span.end.max(seg_span.start)
                })
                .collect();
            if self.is_exclusion_point(seg_span, &calls, &commands) {
                continue;
            }
            let index = self.analysis.stages.len();
            let stage_ref = StageRef::main(index);
            let mut stage = Stage::new(
                "",
                seg_span.slice(self.search),
                self.map.span_to_file(seg_span),
            );
            let mut predicates = Vec::new();
            for command in &commands {
                let part = self.command(command, &stage_ref, first);
                first = false;
                if stage.kind.is_empty() {
                    stage.kind = part.kind;
                }
                predicates.extend(part.predicate);
                stage.assignments.extend(part.assignments);
                stage.subqueries.extend(part.subqueries);
            }
            if !predicates.is_empty() {
                stage.predicate = Some(Predicate::and(predicates));
            }
            // A stage that is one macro call is named after it.
            let body = seg_span.slice(self.search).trim_start_matches('|').trim();
            if let [call] = calls.as_slice() {
                if body == call.span.slice(self.search) {
                    stage.name = Some(call.name.clone());
                }
            }
            for call in &calls {
                if !stage.uses.contains(&call.name) {
                    stage.uses.push(call.name.clone());
                }
                if let Some(expansion) = &call.expansion {
                    let mut inner =
                        Stage::new("macro", expansion.trim(), self.map.span_to_file(call.span));
                    inner.name = Some(call.name.clone());
                    stage.subqueries.push(vec![inner]);
                }
            }
            self.analysis.stages.push(stage);
        }
    }

    /// A segment that is only a `*_filter` macro filtering nothing.
    fn is_exclusion_point(
        &self,
        seg_span: Span,
        calls: &[&macros::Call],
        commands: &[&Command],
    ) -> bool {
        let body = seg_span.slice(self.search).trim_start_matches('|').trim();
        let [call] = calls else { return false };
        if body != call.span.slice(self.search) || !call.name.ends_with("_filter") {
            return false;
        }
        let empty = match (&call.expansion, &call.definition) {
            (None, _) => true,
            (Some(_), Some(def)) => def.is_empty_filter(),
            (Some(text), None) => text.trim().is_empty(),
        };
        empty
            && commands.iter().all(|c| match &c.kind {
                CommandKind::Macro(_) => true,
                CommandKind::Search { expr: None } => true,
                CommandKind::Search {
                    expr: Some(SearchExpr::Term(v)),
                } => v.text == "*",
                _ => false,
            })
    }

    /// Every macro the search calls is a dependency; undefined ones are
    /// warnings, except `*_filter` macros that stand as a command (the
    /// tuning point security_content leaves empty).
    fn macro_dependencies(&mut self, segments: &[lexer::Segment]) {
        let calls = self.expansion.calls.clone();
        for call in &calls {
            let span = self.map.span_to_file(call.span);
            self.dependency(DependencyKind::Macro, &call.name, Some(span));
            for nested in &call.nested {
                self.dependency(DependencyKind::Macro, nested, Some(span));
            }
            if let Some(def) = &call.definition {
                if let Some(text) = &call.expansion {
                    if search::is_data_only(text) {
                        self.data_source("macro", &call.name);
                    }
                }
                let _ = def;
            }
            if call.expansion.is_some() || macros::is_builtin(&call.name) {
                continue;
            }
            let arity_reported = self
                .macros
                .is_some_and(|m| !m.arities(&call.name).is_empty());
            let whole_command = segments.iter().any(|s| {
                let body = s
                    .span(self.search)
                    .slice(self.search)
                    .trim_start_matches('|')
                    .trim();
                body == call.span.slice(self.search)
            });
            if (whole_command && call.name.ends_with("_filter")) || arity_reported {
                continue;
            }
            let d = QueryDiagnostic::new(
                Code::UndefinedMacro,
                format!("macro `{}` is not defined in this source", call.name),
                call.span,
            );
            self.analysis.diagnostics.push(d.to_diagnostic(self.map));
        }
    }

    fn finish(mut self) -> Analysis {
        for column in &self.columns.known {
            if let Some((source, stage)) = &column.produced_by {
                self.analysis.outputs.push(OutputField {
                    name: column.name.clone(),
                    source: source.clone(),
                    stage: Some(stage.clone()),
                });
            }
        }
        let mut seen = HashSet::new();
        self.analysis
            .diagnostics
            .retain(|d: &Diagnostic| seen.insert((d.code.clone(), d.span, d.message.clone())));
        self.analysis
            .diagnostics
            .sort_by_key(|d| d.span.map(|s| (s.start, s.end)));
        self.analysis
    }

    /// Lower one command of a pipeline; `first` for the command that
    /// starts the main search (its macros and index terms name its data).
    fn command(&mut self, command: &Command, stage: &StageRef, first: bool) -> Part {
        let kind = match &command.kind {
            CommandKind::Macro(_) => "macro".to_string(),
            _ => command.name.text.to_ascii_lowercase(),
        };
        let produced = (kind.clone(), stage.clone());
        let mut part = Part {
            kind: kind.clone(),
            ..Part::default()
        };
        match &command.kind {
            CommandKind::Search { expr } => {
                if let Some(expr) = expr {
                    if first {
                        self.data_terms(expr, true);
                    } else {
                        self.data_terms(expr, false);
                    }
                    part.predicate = Some(self.search_predicate(expr, stage, &mut part.subqueries));
                }
            }
            CommandKind::Where { expr } => {
                if let Some(expr) = expr {
                    part.predicate = Some(self.where_predicate(expr));
                }
            }
            CommandKind::Eval { assignments } => {
                for a in assignments {
                    let expression = self.text_of(a.value.span);
                    let reads = self.reads(&a.value);
                    let origin = self.eval_origin(&a.value, &expression, &reads);
                    self.columns.set(Column {
                        name: a.name.text.clone(),
                        origin,
                        produced_by: Some(produced.clone()),
                    });
                    part.assignments.push(Assignment {
                        name: a.name.text.clone(),
                        expression,
                        reads,
                    });
                }
            }
            CommandKind::Stats { aggregates, by, .. } => {
                let keep = matches!(kind.as_str(), "eventstats" | "streamstats");
                if !keep {
                    self.columns.known.clear();
                }
                self.aggregates(aggregates, &produced, &mut part);
                for field in by {
                    self.keep_field(&field.text, &produced);
                }
            }
            CommandKind::Tstats {
                aggregates,
                datamodel,
                filter,
                by,
                ..
            } => {
                if let Some(model) = datamodel {
                    self.data_source("datamodel", &model.text);
                }
                if let Some(filter) = filter {
                    self.data_terms(filter, kind == "mstats");
                    part.predicate =
                        Some(self.search_predicate(filter, stage, &mut part.subqueries));
                }
                self.columns.known.clear();
                self.aggregates(aggregates, &produced, &mut part);
                for field in by {
                    self.keep_field(&field.text, &produced);
                }
            }
            CommandKind::Rex {
                field,
                regex,
                captures,
                sed,
            } => {
                let source = field.as_ref().map_or("_raw", |f| f.text.as_str());
                let expression = self.text_of(command.span);
                let whole = regex.as_ref().and_then(|r| whole_group(&r.text));
                for capture in captures {
                    let origin = match &whole {
                        Some((name, body)) if name == capture => Origin::Matched {
                            field: source.to_string(),
                            regex: body.clone(),
                        },
                        _ => Origin::Computed {
                            expression: expression.clone(),
                        },
                    };
                    self.columns.set(Column {
                        name: capture.clone(),
                        origin,
                        produced_by: Some(produced.clone()),
                    });
                    part.assignments.push(Assignment {
                        name: capture.clone(),
                        expression: expression.clone(),
                        reads: vec![source.to_string()],
                    });
                }
                if *sed {
                    if let Some(r) = regex {
                        part.assignments.push(Assignment {
                            name: source.to_string(),
                            expression: format!("sed {}", r.text),
                            reads: vec![source.to_string()],
                        });
                    }
                }
            }
            CommandKind::Regex {
                field,
                negated,
                regex,
            } => {
                if let Some(regex) = regex {
                    part.predicate =
                        Some(self.regex_predicate(field.as_ref(), *negated, regex, command.span));
                }
            }
            CommandKind::Lookup {
                table,
                inputs,
                outputs,
            } => {
                if let Some(t) = table {
                    let span = self.file_span(t.span);
                    self.dependency(DependencyKind::Lookup, &t.text, Some(span));
                }
                let expression = self.text_of(command.span);
                for o in outputs {
                    self.columns.set(Column {
                        name: o.to.text.clone(),
                        origin: Origin::Computed {
                            expression: expression.clone(),
                        },
                        produced_by: Some(produced.clone()),
                    });
                }
                let _ = inputs;
            }
            CommandKind::InputLookup {
                output,
                table,
                filter,
            } => {
                if let Some(t) = table {
                    let span = self.file_span(t.span);
                    self.dependency(DependencyKind::Lookup, &t.text, Some(span));
                }
                if let Some(filter) = filter {
                    part.predicate =
                        Some(self.search_predicate(filter, stage, &mut part.subqueries));
                }
                if !output {
                    self.columns.known.clear();
                }
            }
            CommandKind::Rename { renamings } => {
                for r in renamings {
                    let expression = format!("rename {} as {}", r.from.text, r.to.text);
                    self.columns
                        .rename(&r.from.text, &r.to.text, &expression, &produced);
                }
            }
            CommandKind::Fields { remove, fields } => {
                if *remove {
                    for f in fields {
                        self.columns.remove(&f.text);
                    }
                } else {
                    let names: Vec<&str> = fields.iter().map(|f| f.text.as_str()).collect();
                    self.columns.keep(&names, &produced);
                    if kind == "table" {
                        for c in &mut self.columns.known {
                            c.produced_by = Some(produced.clone());
                        }
                    }
                }
            }
            CommandKind::Convert { conversions, .. } => {
                for (function, field, alias) in conversions {
                    let name = alias.as_ref().unwrap_or(field);
                    let expression = match alias {
                        Some(a) => format!("{}({}) as {}", function.text, field.text, a.text),
                        None => format!("{}({})", function.text, field.text),
                    };
                    let origin = self.column_origin_or_field(&field.text);
                    let origin = match origin {
                        Origin::Aggregate { .. } => Origin::Aggregate {
                            expression: expression.clone(),
                        },
                        _ => Origin::Computed {
                            expression: expression.clone(),
                        },
                    };
                    self.columns.set(Column {
                        name: name.text.clone(),
                        origin,
                        produced_by: Some(produced.clone()),
                    });
                }
            }
            CommandKind::Macro(_) => {}
            CommandKind::Generic { args } => {
                self.generic(&kind, args, stage, &produced, &mut part, command)
            }
        }
        part
    }

    fn column_origin_or_field(&self, name: &str) -> Origin {
        self.columns
            .get(name)
            .map_or(Origin::Field, |c| c.origin.clone())
    }

    /// A field the stage outputs without computing it (`by` fields).
    fn keep_field(&mut self, name: &str, produced: &(String, StageRef)) {
        let origin = self.column_origin_or_field(name);
        self.columns.set(Column {
            name: name.to_string(),
            origin,
            produced_by: Some(produced.clone()),
        });
    }

    fn aggregates(
        &mut self,
        aggregates: &[crate::ast::Aggregate],
        produced: &(String, StageRef),
        part: &mut Part,
    ) {
        for a in aggregates {
            let name = a.output_name();
            let expression = self.text_of(a.span);
            let reads = a
                .argument
                .as_ref()
                .filter(|_| a.condition.is_none())
                .map(|arg| vec![arg.text.clone()])
                .unwrap_or_default();
            self.columns.set(Column {
                name: name.clone(),
                origin: Origin::Aggregate {
                    expression: expression.clone(),
                },
                produced_by: Some(produced.clone()),
            });
            part.assignments.push(Assignment {
                name,
                expression,
                reads,
            });
            if let Some(condition) = &a.condition {
                // `count(eval(x="y"))`: what is counted is a filter too.
                let p = self.where_predicate(condition);
                part.predicate = Some(match part.predicate.take() {
                    Some(existing) => Predicate::and(vec![existing, p]),
                    None => p,
                });
            }
        }
    }

    fn generic(
        &mut self,
        kind: &str,
        args: &[Arg],
        stage: &StageRef,
        produced: &(String, StageRef),
        part: &mut Part,
        command: &Command,
    ) {
        // Subsearches: nested pipelines of the stage.
        let saved = std::mem::take(&mut self.columns);
        for arg in args {
            if let Arg::Subsearch(p) = arg {
                let stages = self.nested(p, stage);
                part.subqueries.push(stages);
            }
        }
        let inner = std::mem::replace(&mut self.columns, saved);
        let option = |name: &str| {
            args.iter().find_map(|a| match a {
                Arg::Option(o) if o.name.text.eq_ignore_ascii_case(name) => {
                    Some(o.value.text.clone())
                }
                _ => None,
            })
        };
        let values: Vec<&str> = args
            .iter()
            .filter_map(|a| match a {
                Arg::Value(v) => Some(v.text.as_str()),
                _ => None,
            })
            .collect();
        match kind {
            "join" | "append" | "appendcols" | "union" | "multisearch" => {
                for c in inner.known {
                    if self.columns.get(&c.name).is_none() {
                        self.columns.known.push(c);
                    }
                }
            }
            "from" | "datamodel" => {
                // `from datamodel:X.Y`, `from datamodel X.Y`, `datamodel X Y search`.
                let mut words = values.iter().copied();
                let model = match kind {
                    "from" => {
                        let w = words.next().unwrap_or_default();
                        match w.strip_prefix("datamodel:") {
                            Some(m) => Some(m.to_string()),
                            None if w.eq_ignore_ascii_case("datamodel") => {
                                words.next().map(str::to_string)
                            }
                            None => None,
                        }
                    }
                    _ => {
                        let model = words.next();
                        let dataset = words.next().filter(|d| !d.eq_ignore_ascii_case("search"));
                        model.map(|m| match dataset {
                            Some(d) => format!("{m}.{d}"),
                            None => m.to_string(),
                        })
                    }
                };
                if let Some(model) = model.or_else(|| option("datamodel")) {
                    self.data_source("datamodel", &model);
                }
            }
            "iplocation" => {
                let prefix = option("prefix").unwrap_or_default();
                for f in ["City", "Country", "Region", "lat", "lon"] {
                    self.keep_field(&format!("{prefix}{f}"), produced);
                }
            }
            "top" | "rare" => {
                self.columns.known.clear();
                for v in values.iter().filter(|v| !v.eq_ignore_ascii_case("by")) {
                    self.keep_field(v, produced);
                }
                for n in ["count", "percent"] {
                    self.columns.set(Column {
                        name: n.into(),
                        origin: Origin::Aggregate {
                            expression: self.text_of(command.span),
                        },
                        produced_by: Some(produced.clone()),
                    });
                }
            }
            _ => {}
        }
    }

    /// The stages of a subsearch, each referring to the enclosing stage.
    fn nested(&mut self, pipeline: &Pipeline, outer: &StageRef) -> Vec<Stage> {
        let mut stages = Vec::new();
        for command in &pipeline.commands {
            let part = self.command(command, outer, false);
            let original = self.expansion.span_to_original(command.span);
            let mut stage = Stage::new(
                part.kind,
                original.slice(self.search),
                self.map.span_to_file(original),
            );
            stage.predicate = part.predicate;
            stage.assignments = part.assignments;
            stage.subqueries = part.subqueries;
            stages.push(stage);
        }
        stages
    }

    /// The fields an expression reads.
    fn reads(&self, expr: &crate::ast::Expr) -> Vec<String> {
        let mut out = Vec::new();
        expr::fields_of(expr, &mut out);
        out
    }

    fn eval_origin(&self, value: &crate::ast::Expr, expression: &str, reads: &[String]) -> Origin {
        if let Some(origin) = self.condition_flag(value) {
            return origin;
        }
        if let Some((field, folds_case)) = expr::copied_field(value) {
            return match self.columns.get(&field).map(|c| &c.origin) {
                Some(Origin::Traced {
                    field: source,
                    folds_case: f,
                    ..
                }) => Origin::Traced {
                    field: source.clone(),
                    expression: expression.to_string(),
                    folds_case: folds_case || *f,
                },
                Some(Origin::Aggregate { .. }) => Origin::Aggregate {
                    expression: expression.to_string(),
                },
                Some(Origin::Computed { .. }) => Origin::Computed {
                    expression: expression.to_string(),
                },
                _ => Origin::Traced {
                    field,
                    expression: expression.to_string(),
                    folds_case,
                },
            };
        }
        let aggregated = !reads.is_empty()
            && reads.iter().all(|r| {
                matches!(
                    self.columns.get(r).map(|c| &c.origin),
                    Some(Origin::Aggregate { .. })
                )
            });
        if aggregated {
            Origin::Aggregate {
                expression: expression.to_string(),
            }
        } else {
            Origin::Computed {
                expression: expression.to_string(),
            }
        }
    }

    /// `if(isnotnull(m), T, F)` over a capture `m` of a whole-regex `rex`:
    /// a flag that is `T` when the field matches.
    fn condition_flag(&self, value: &crate::ast::Expr) -> Option<Origin> {
        use crate::ast::ExprKind;
        let ExprKind::Call { name, args } = &value.kind else {
            return None;
        };
        let [test, truthy, _] = args.as_slice() else {
            return None;
        };
        if !name.text.eq_ignore_ascii_case("if") {
            return None;
        }
        let ExprKind::Call {
            name: test_name,
            args: test_args,
        } = &test.kind
        else {
            return None;
        };
        let [ExprKind::Field(captured)] = test_args.iter().map(|a| &a.kind).collect::<Vec<_>>()[..]
        else {
            return None;
        };
        if !test_name.text.eq_ignore_ascii_case("isnotnull") {
            return None;
        }
        let Some(Origin::Matched { field, regex }) = self.columns.get(captured).map(|c| &c.origin)
        else {
            return None;
        };
        let truthy = match &truthy.kind {
            ExprKind::Str(s) | ExprKind::Number(s) => s.clone(),
            _ => return None,
        };
        let (field_ref, _) = self.field_ref(field);
        let predicate = Predicate::Compare(
            ruledex_ir::Comparison::new(
                field_ref,
                ruledex_ir::Op::Regex,
                vec![ruledex_ir::Value::String(regex.clone())],
            )
            .case_sensitive(!regex.starts_with("(?i)"))
            .written("rex"),
        );
        Some(Origin::Condition { predicate, truthy })
    }

    /// Data sources named by a search: `index`/`sourcetype`/`source`/
    /// `eventtype` values matched positively, and with `leading`, a macro
    /// without arguments the search starts with (security_content's
    /// `` `sysmon` ``, whose definition may live elsewhere).
    fn data_terms(&mut self, expr: &SearchExpr, leading: bool) {
        let items: Vec<&SearchExpr> = match expr {
            SearchExpr::And(items, _) => items.iter().collect(),
            other => vec![other],
        };
        if leading {
            if let Some(SearchExpr::Macro(call)) = items.first() {
                let defined = self
                    .expansion
                    .calls
                    .iter()
                    .any(|c| c.name == call.name && c.expansion.is_some());
                if call.args.is_empty() && !defined {
                    self.data_source("macro", &call.name);
                }
            }
        }
        let mut stack: Vec<&SearchExpr> = items;
        while let Some(e) = stack.pop() {
            match e {
                SearchExpr::And(items, _) | SearchExpr::Or(items, _) => stack.extend(items.iter()),
                SearchExpr::Group(inner, _) => stack.push(inner),
                SearchExpr::Compare {
                    field,
                    op: crate::ast::SearchOp::Eq,
                    value,
                    ..
                } if DATA_FIELDS.contains(&field.text.to_ascii_lowercase().as_str()) => {
                    let what = field.text.to_ascii_lowercase();
                    self.data_source(&what, &value.text);
                }
                SearchExpr::In { field, values, .. }
                    if DATA_FIELDS.contains(&field.text.to_ascii_lowercase().as_str()) =>
                {
                    let what = field.text.to_ascii_lowercase();
                    for v in values {
                        self.data_source(&what, &v.text);
                    }
                }
                _ => {}
            }
        }
    }
}
