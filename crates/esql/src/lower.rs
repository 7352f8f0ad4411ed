//! Lowering an ES|QL tree to the ruledex IR.
//!
//! One stage per command. While walking the pipeline the lowering keeps
//! two pieces of state:
//!
//! - **derivations**: for every column a command computed (`EVAL`,
//!   `STATS`, `RENAME`, `DISSECT`, `GROK`, `ENRICH`), how it was computed,
//!   so a later `WHERE` on it is traced to its source field (`IR
//!   Derivation`), case-insensitively after `TO_LOWER`/`TO_UPPER`, and as a
//!   threshold (`aggregate: true`) after `STATS`;
//! - **columns**: the output columns known so far and the stage that
//!   produced each. `FROM` rows carry every field of the index (an open set
//!   nobody lists); `EVAL` adds, `STATS` replaces with its aggregates and
//!   groups, `KEEP` narrows, `DROP` removes, `RENAME` renames.

use crate::ast::{BinaryOp, Command, CommandKind, Expr, Field, Literal, Name};
use crate::parser::Parsed;
use ruledex_ir::PatternShape;
use ruledex_ir::{
    collapse_whitespace, Analysis, Assignment, Call, Comparison, DataSource, DataSourceKind,
    Dependency, DependencyKind, Derivation, FieldComparison, FieldRef, OffsetMap, Op, OutputField,
    Predicate, Span, Stage, StageRef, Value,
};
use std::collections::BTreeMap;

/// Lower a parsed query into stages, outputs, data sources, dependencies
/// and diagnostics. Spans are file spans.
pub fn lower(parsed: &Parsed, text: &str, map: &OffsetMap) -> Analysis {
    let mut lowerer = Lowerer {
        text,
        map,
        derived: BTreeMap::new(),
        columns: Columns::default(),
        analysis: Analysis {
            diagnostics: parsed.errors.iter().map(|e| e.to_diagnostic(map)).collect(),
            ..Analysis::default()
        },
    };
    lowerer.pipeline(&parsed.query.commands);
    let Lowerer {
        mut analysis,
        columns,
        ..
    } = lowerer;
    analysis.outputs = columns
        .known
        .into_iter()
        .map(|c| OutputField {
            name: c.name,
            source: c.source,
            stage: Some(StageRef::main(c.stage)),
        })
        .collect();
    analysis
}

/// How a computed column came to be.
#[derive(Clone, Debug)]
struct Derived {
    /// The expression, as written (whitespace collapsed).
    expression: String,
    /// The one source field it reads, when there is exactly one.
    source: Option<String>,
    /// Computed through `TO_LOWER`/`TO_UPPER`: comparisons ignore case.
    case_folded: bool,
    /// Computed by an aggregation.
    aggregate: bool,
}

#[derive(Clone, Debug)]
struct Column {
    name: String,
    source: String,
    stage: usize,
}

/// The output columns known after a command.
#[derive(Clone, Debug, Default)]
struct Columns {
    /// Rows also carry fields nobody listed (everything `FROM` read).
    open: bool,
    /// Listed columns, in output order.
    known: Vec<Column>,
}

impl Columns {
    fn set(&mut self, name: &str, source: &str, stage: usize) {
        self.known.retain(|c| c.name != name);
        self.known.push(Column {
            name: name.to_string(),
            source: source.to_string(),
            stage,
        });
    }
}

struct Lowerer<'a> {
    text: &'a str,
    map: &'a OffsetMap,
    derived: BTreeMap<String, Derived>,
    columns: Columns,
    analysis: Analysis,
}

/// True when `name` matches the `KEEP`/`DROP` pattern (`*` any run).
fn matches_pattern(pattern: &str, name: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == name;
    }
    // Iterative glob match with backtracking to the last star: linear in
    // practice and never recursive.
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ni));
            pi += 1;
        } else if pi < p.len() && p[pi] == n[ni] {
            pi += 1;
            ni += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

impl Lowerer<'_> {
    fn file(&self, span: Span) -> Span {
        self.map.span_to_file(span)
    }

    fn source_text(&self, span: Span) -> String {
        collapse_whitespace(span.slice(self.text))
    }

    fn opaque(&self, span: Span) -> Predicate {
        Predicate::opaque(span.slice(self.text), Some(self.file(span)))
    }

    /// Lower `commands` onto the stages (those of the query, or of the
    /// subquery being lowered).
    fn pipeline(&mut self, commands: &[Command]) {
        for command in commands {
            let index = self.analysis.stages.len();
            let stage = self.command(index, command);
            self.analysis.stages.push(stage);
        }
    }

    /// The stages of a `FROM` subquery, lowered on their own: what the
    /// subquery computed is not seen by the outer query's columns.
    fn subquery(&mut self, commands: &[Command]) -> Vec<Stage> {
        let outer_stages = std::mem::take(&mut self.analysis.stages);
        let outer_columns = std::mem::take(&mut self.columns);
        let outer_derived = std::mem::take(&mut self.derived);
        self.pipeline(commands);
        self.columns = outer_columns;
        self.derived = outer_derived;
        std::mem::replace(&mut self.analysis.stages, outer_stages)
    }

    fn command(&mut self, index: usize, command: &Command) -> Stage {
        let kind = command.stage_kind();
        let mut stage = Stage::new(
            kind.clone(),
            command.span.slice(self.text),
            self.file(command.span),
        );
        match &command.kind {
            CommandKind::From {
                sources,
                metadata,
                subqueries,
            } => {
                for subquery in subqueries {
                    let stages = self.subquery(&subquery.commands);
                    stage.subqueries.push(stages);
                }
                for source in sources {
                    self.analysis
                        .data_sources
                        .push(DataSource::new(DataSourceKind::Index, source.name.clone()));
                }
                self.columns = Columns {
                    open: true,
                    known: Vec::new(),
                };
                for field in metadata {
                    self.columns.set(&field.name, &kind, index);
                }
                self.derived.clear();
            }
            CommandKind::Row { fields } => {
                self.columns = Columns::default();
                self.derived.clear();
                for field in fields {
                    let assignment = self.assign(field, &kind, index);
                    stage.assignments.push(assignment);
                }
            }
            CommandKind::Where { condition } => {
                stage.predicate = Some(self.predicate(condition));
            }
            CommandKind::Eval { fields } => {
                for field in fields {
                    let assignment = self.assign(field, &kind, index);
                    stage.assignments.push(assignment);
                }
            }
            CommandKind::Stats {
                inline,
                aggregates,
                groups,
            } => {
                // Filters of single aggregates (`COUNT(*) WHERE x == 1`)
                // still say what the rule looks for.
                let filters: Vec<Predicate> = aggregates
                    .iter()
                    .filter_map(|a| a.filter.as_ref())
                    .map(|f| self.predicate(f))
                    .collect();
                if !filters.is_empty() {
                    stage.predicate = Some(Predicate::and(filters));
                }
                let mut next = if *inline {
                    self.columns.clone()
                } else {
                    Columns::default()
                };
                let mut derived = BTreeMap::new();
                for aggregate in aggregates {
                    let name = self.column_name(&aggregate.field);
                    let (assignment, _) = self.assignment(&aggregate.field);
                    derived.insert(
                        name.clone(),
                        Derived {
                            expression: assignment.expression.clone(),
                            source: None,
                            case_folded: false,
                            aggregate: true,
                        },
                    );
                    next.set(&name, &kind, index);
                    stage.assignments.push(assignment);
                }
                for group in groups {
                    let name = self.column_name(group);
                    if group.name.is_some() {
                        let (assignment, info) = self.assignment(group);
                        derived.insert(name.clone(), info);
                        stage.assignments.push(assignment);
                    } else if let Some(info) = self.derived.get(&name) {
                        derived.insert(name.clone(), info.clone());
                    }
                    next.set(&name, &kind, index);
                }
                if *inline {
                    self.derived.extend(derived);
                } else {
                    self.derived = derived;
                }
                self.columns = next;
            }
            CommandKind::Keep { patterns } => {
                let mut known = Vec::new();
                for pattern in patterns {
                    let mut matched = false;
                    for column in &self.columns.known {
                        if matches_pattern(&pattern.name, &column.name)
                            && !known.iter().any(|c: &Column| c.name == column.name)
                        {
                            known.push(column.clone());
                            matched = true;
                        }
                    }
                    let listed = known.iter().any(|c| c.name == pattern.name);
                    if self.columns.open && !listed && (!matched || !pattern.name.contains('*')) {
                        known.push(Column {
                            name: pattern.name.clone(),
                            source: kind.clone(),
                            stage: index,
                        });
                    }
                }
                self.columns = Columns { open: false, known };
            }
            CommandKind::Drop { patterns } => {
                self.columns
                    .known
                    .retain(|c| !patterns.iter().any(|p| matches_pattern(&p.name, &c.name)));
                self.derived
                    .retain(|name, _| !patterns.iter().any(|p| matches_pattern(&p.name, name)));
            }
            CommandKind::Rename { renames } => {
                for rename in renames {
                    let (old, new) = (&rename.old.name, &rename.new.name);
                    let info = self.derived.remove(old).unwrap_or(Derived {
                        expression: old.clone(),
                        source: Some(old.clone()),
                        case_folded: false,
                        aggregate: false,
                    });
                    self.derived.insert(new.clone(), info);
                    let known = self.columns.known.iter().any(|c| &c.name == old);
                    if known || self.columns.open {
                        if let Some(column) = self.columns.known.iter_mut().find(|c| &c.name == old)
                        {
                            column.name = new.clone();
                            column.source = kind.clone();
                            column.stage = index;
                        } else {
                            self.columns.set(new, &kind, index);
                        }
                    }
                    stage.assignments.push(Assignment {
                        name: new.clone(),
                        expression: old.clone(),
                        reads: vec![self.resolve(old)],
                    });
                }
            }
            CommandKind::Dissect { input, pattern, .. }
            | CommandKind::Grok { input, pattern, .. } => {
                let keys = if matches!(command.kind, CommandKind::Grok { .. }) {
                    grok_keys(pattern)
                } else {
                    dissect_keys(pattern)
                };
                let reads = self.reads(input);
                let expression = self.source_text(command.span);
                for key in keys {
                    self.derived.insert(
                        key.clone(),
                        Derived {
                            expression: expression.clone(),
                            source: None,
                            case_folded: false,
                            aggregate: false,
                        },
                    );
                    self.columns.set(&key, &kind, index);
                    stage.assignments.push(Assignment {
                        name: key,
                        expression: expression.clone(),
                        reads: reads.clone(),
                    });
                }
            }
            CommandKind::Enrich { policy, with, .. } => {
                // `_any:policy` (also `_coordinator:`, `_remote:`) selects
                // where the policy runs; the dependency is the policy.
                let name = match policy.name.split_once(':') {
                    Some((mode, name)) if mode.starts_with('_') => name,
                    _ => policy.name.as_str(),
                };
                self.dependency(&Name {
                    name: name.to_string(),
                    span: policy.span,
                });
                for item in with {
                    let name = item.name.as_ref().unwrap_or(&item.field).name.clone();
                    self.derived.insert(
                        name.clone(),
                        Derived {
                            expression: format!(
                                "{} from enrich policy {}",
                                item.field.name, policy.name
                            ),
                            source: None,
                            case_folded: false,
                            aggregate: false,
                        },
                    );
                    self.columns.set(&name, &kind, index);
                    stage.assignments.push(Assignment {
                        name,
                        expression: item.field.name.clone(),
                        reads: Vec::new(),
                    });
                }
            }
            CommandKind::LookupJoin { index: lookup, .. } => self.dependency(lookup),
            CommandKind::MvExpand { .. }
            | CommandKind::Sort { .. }
            | CommandKind::Limit { .. }
            | CommandKind::Other => {}
        }
        stage
    }

    fn dependency(&mut self, name: &Name) {
        if name.name.is_empty() {
            return;
        }
        self.analysis.dependencies.push(Dependency {
            kind: DependencyKind::Lookup,
            name: name.name.clone(),
            span: Some(self.file(name.span)),
        });
    }

    /// The column a field item produces: its name, or the expression text
    /// (ES|QL names unnamed columns after what was written).
    fn column_name(&self, field: &Field) -> String {
        match &field.name {
            Some(name) => name.name.clone(),
            None => match &field.expr {
                Expr::Column(name) => name.name.clone(),
                expr => self.source_text(expr.span()),
            },
        }
    }

    /// The assignment for `field` and how its column derives.
    fn assignment(&self, field: &Field) -> (Assignment, Derived) {
        let name = self.column_name(field);
        let expression = self.source_text(field.expr.span());
        let reads = self.reads(&field.expr);
        let (source, case_folded, aggregate) = match self.subject(&field.expr) {
            Some(subject) => (
                subject
                    .field
                    .derived
                    .as_ref()
                    .map_or(Some(subject.field.name.clone()), |d| {
                        d.traced.then(|| subject.field.name.clone())
                    }),
                subject.case_folded,
                subject.field.derived.as_ref().is_some_and(|d| d.aggregate),
            ),
            None => (None, false, self.reads_aggregate(&field.expr)),
        };
        (
            Assignment {
                name,
                expression: expression.clone(),
                reads,
            },
            Derived {
                expression,
                source,
                case_folded,
                aggregate,
            },
        )
    }

    /// Record `field` as a computed column of stage `index`.
    fn assign(&mut self, field: &Field, kind: &str, index: usize) -> Assignment {
        let (assignment, info) = self.assignment(field);
        self.derived.insert(assignment.name.clone(), info);
        self.columns.set(&assignment.name, kind, index);
        assignment
    }

    /// The source field behind a column name.
    fn resolve(&self, name: &str) -> String {
        match self.derived.get(name) {
            Some(Derived {
                source: Some(source),
                ..
            }) => source.clone(),
            _ => name.to_string(),
        }
    }

    /// Every field `expr` reads, traced to source fields, in order.
    fn reads(&self, expr: &Expr) -> Vec<String> {
        let mut out = Vec::new();
        visit_columns(expr, &mut |name| {
            let field = self.resolve(name);
            if !out.contains(&field) {
                out.push(field);
            }
        });
        out
    }

    fn reads_aggregate(&self, expr: &Expr) -> bool {
        let mut aggregate = false;
        visit_columns(expr, &mut |name| {
            aggregate |= self.derived.get(name).is_some_and(|d| d.aggregate);
        });
        aggregate
    }

    // ----- predicates --------------------------------------------------

    fn predicate(&mut self, expr: &Expr) -> Predicate {
        match expr {
            Expr::Or { items, .. } => {
                Predicate::or(items.iter().map(|e| self.predicate(e)).collect())
            }
            Expr::And { items, .. } => {
                Predicate::and(items.iter().map(|e| self.predicate(e)).collect())
            }
            Expr::Not { expr, .. } => Predicate::not(self.predicate(expr)),
            Expr::Paren { expr, .. } => self.predicate(expr),
            Expr::Binary {
                op,
                left,
                right,
                span,
            } => self.compare(*op, left, right, *span),
            Expr::Like {
                expr,
                negated,
                regex,
                patterns,
                span,
            } => self.like(expr, *negated, *regex, patterns, *span),
            Expr::In {
                expr,
                negated,
                list,
                span,
            } => self.in_list(expr, *negated, list, *span),
            Expr::IsNull {
                expr,
                negated,
                span,
            } => match self.subject(expr) {
                Some(subject) => {
                    let op = if *negated { Op::Exists } else { Op::NotExists };
                    Predicate::Compare(
                        Comparison::new(subject.field, op, vec![]).at(self.file(*span)),
                    )
                }
                None => self.opaque(*span),
            },
            Expr::Match { field, query, span } => self.full_text(field, query, *span),
            Expr::Call {
                name, args, span, ..
            } => self.call(name, args, *span),
            Expr::Column(_) | Expr::Cast { .. } => match self.subject(expr) {
                // A boolean column used as a condition.
                Some(subject) => Predicate::Compare(
                    Comparison::new(subject.field, Op::Eq, vec![Value::Bool(true)])
                        .at(self.file(expr.span())),
                ),
                None => self.opaque(expr.span()),
            },
            other => self.opaque(other.span()),
        }
    }

    /// The field side of a comparison: a column (traced through earlier
    /// commands), or a function of exactly one column (`TO_LOWER(x)`,
    /// `LENGTH(x)`), or a cast of one.
    fn subject(&self, expr: &Expr) -> Option<Subject> {
        match expr {
            Expr::Column(name) => Some(match self.derived.get(&name.name) {
                Some(info) => Subject {
                    field: FieldRef {
                        name: info.source.clone().unwrap_or_else(|| name.name.clone()),
                        derived: Some(Derivation {
                            column: name.name.clone(),
                            expression: info.expression.clone(),
                            traced: info.source.is_some(),
                            aggregate: info.aggregate,
                        }),
                    },
                    case_folded: info.case_folded,
                },
                None => Subject {
                    field: FieldRef::new(name.name.clone()),
                    case_folded: false,
                },
            }),
            Expr::Paren { expr, .. } | Expr::Cast { expr, .. } => self.subject(expr),
            Expr::Call {
                name, args, span, ..
            } => {
                let columns: Vec<&Expr> = args
                    .iter()
                    .filter(|a| !matches!(a, Expr::Literal { .. }))
                    .collect();
                let [inner] = columns.as_slice() else {
                    return None;
                };
                let inner = self.subject(inner)?;
                let upper = name.to_ascii_uppercase();
                let folds = matches!(upper.as_str(), "TO_LOWER" | "TO_UPPER");
                let text = self.source_text(*span);
                let (traced, aggregate, expression) = match &inner.field.derived {
                    Some(d) => (d.traced, d.aggregate, text.clone()),
                    None => (true, false, text.clone()),
                };
                Some(Subject {
                    field: FieldRef {
                        name: if traced {
                            inner.field.name.clone()
                        } else {
                            text.clone()
                        },
                        derived: Some(Derivation {
                            column: text,
                            expression,
                            traced,
                            aggregate,
                        }),
                    },
                    case_folded: inner.case_folded || folds,
                })
            }
            _ => None,
        }
    }

    fn compare(&mut self, op: BinaryOp, left: &Expr, right: &Expr, span: Span) -> Predicate {
        let Some((ir_op, flipped)) = comparison_op(op) else {
            return self.opaque(span);
        };
        let file_span = self.file(span);
        let case_insensitive_op = op == BinaryOp::EqCi;
        if let (Some(subject), Some(value)) = (self.subject(left), literal_value(right)) {
            let folded = subject.case_folded || case_insensitive_op;
            return Predicate::Compare(
                Comparison::new(subject.field, ir_op, vec![value])
                    .case_sensitive(!folded)
                    .written(op.as_str())
                    .at(file_span),
            );
        }
        if let (Some(value), Some(subject)) = (literal_value(left), self.subject(right)) {
            let folded = subject.case_folded || case_insensitive_op;
            return Predicate::Compare(
                Comparison::new(subject.field, flipped, vec![value])
                    .case_sensitive(!folded)
                    .at(file_span),
            );
        }
        if let (Some(a), Some(b)) = (self.subject(left), self.subject(right)) {
            let folded = a.case_folded || b.case_folded || case_insensitive_op;
            let textual = matches!(ir_op, Op::Eq | Op::Ne);
            return Predicate::FieldCompare(FieldComparison {
                left: a.field,
                op: ir_op,
                right: b.field,
                case_sensitive: textual.then_some(!folded),
                written_op: Some(op.as_str().to_string()),
                span: Some(file_span),
            });
        }
        self.opaque(span)
    }

    fn like(
        &mut self,
        expr: &Expr,
        negated: bool,
        regex: bool,
        patterns: &[Expr],
        span: Span,
    ) -> Predicate {
        let Some(subject) = self.subject(expr) else {
            return self.opaque(span);
        };
        let file_span = self.file(span);
        let mut items = Vec::new();
        for pattern in patterns {
            let Some(Value::String(text)) = literal_value(pattern) else {
                return self.opaque(span);
            };
            let (op, value, keeps_text) = if regex {
                (Op::Regex, Value::String(text), true)
            } else {
                classify_like(&text)
            };
            let op = if negated {
                op.negated().unwrap_or(op)
            } else {
                op
            };
            let mut comparison = Comparison::new(subject.field.clone(), op, vec![value])
                .case_sensitive(!subject.case_folded)
                .at(file_span);
            if keeps_text {
                let word = if regex { "RLIKE" } else { "LIKE" };
                comparison = comparison.written(if negated {
                    format!("NOT {word}")
                } else {
                    word.to_string()
                });
            }
            items.push(Predicate::Compare(comparison));
        }
        // `x NOT LIKE ("a", "b")` matches none of them; `LIKE (…)` any.
        if negated {
            Predicate::and(items)
        } else {
            Predicate::or(items)
        }
    }

    fn in_list(&mut self, expr: &Expr, negated: bool, list: &[Expr], span: Span) -> Predicate {
        let Some(subject) = self.subject(expr) else {
            return self.opaque(span);
        };
        let values: Option<Vec<Value>> = list.iter().map(literal_value).collect();
        let Some(values) = values else {
            return self.opaque(span);
        };
        let op = if negated { Op::NotIn } else { Op::In };
        Predicate::Compare(
            Comparison::new(subject.field, op, values)
                .case_sensitive(!subject.case_folded)
                .written(if negated { "NOT IN" } else { "IN" })
                .at(self.file(span)),
        )
    }

    /// `field : "query"` and `MATCH(field, "query")`: full-text, so a term
    /// match that ignores case.
    fn full_text(&mut self, field: &Expr, query: &Expr, span: Span) -> Predicate {
        match (self.subject(field), literal_value(query)) {
            (Some(subject), Some(value)) => Predicate::Compare(
                Comparison::new(subject.field, Op::Has, vec![value])
                    .case_sensitive(false)
                    .at(self.file(span)),
            ),
            _ => self.opaque(span),
        }
    }

    fn call(&mut self, name: &str, args: &[Expr], span: Span) -> Predicate {
        let upper = name.to_ascii_uppercase();
        let file_span = self.file(span);
        let string_pair = |this: &Self| -> Option<(Subject, Value)> {
            let [field, value] = args else { return None };
            Some((this.subject(field)?, literal_value(value)?))
        };
        let simple = |op: Op, this: &Self| -> Option<Predicate> {
            let (subject, value) = string_pair(this)?;
            Some(Predicate::Compare(
                Comparison::new(subject.field, op, vec![value])
                    .case_sensitive(!subject.case_folded)
                    .at(file_span),
            ))
        };
        let lowered = match upper.as_str() {
            "STARTS_WITH" => simple(Op::StartsWith, self),
            "ENDS_WITH" => simple(Op::EndsWith, self),
            "CONTAINS" => simple(Op::Contains, self),
            "MATCH" | "MATCH_PHRASE" if args.len() >= 2 => {
                return self.full_text(&args[0], &args[1], span);
            }
            "CIDR_MATCH" => (|| {
                let (field, ranges) = args.split_first()?;
                let subject = self.subject(field)?;
                let values: Option<Vec<Value>> = ranges.iter().map(literal_value).collect();
                Some(Predicate::Compare(
                    Comparison::new(subject.field, Op::Cidr, values?)
                        .written("CIDR_MATCH")
                        .at(file_span),
                ))
            })(),
            "KQL" | "QSTR" => match args {
                [Expr::Literal {
                    value: Literal::String { value, offsets, .. },
                    ..
                }] => Some(self.embedded(&upper, value, offsets)),
                _ => None,
            },
            _ => None,
        };
        lowered.unwrap_or_else(|| {
            Predicate::Call(Call {
                name: name.to_string(),
                args: args.iter().map(|a| self.source_text(a.span())).collect(),
                span: Some(file_span),
            })
        })
    }

    /// A kuery (`KQL("…")`) or Lucene (`QSTR("…")`) query inside a string:
    /// analyzed by its own crate, with spans mapped through the string's
    /// escapes and then the query's map to the file.
    fn embedded(&mut self, function: &str, query: &str, offsets: &[(u32, u32)]) -> Predicate {
        let map = compose(query, offsets, self.map);
        let analysis = if function == "KQL" {
            ruledex_kuery::analyze(query, &map)
        } else {
            ruledex_lucene::analyze(query, &map)
        };
        self.analysis.diagnostics.extend(analysis.diagnostics);
        for source in analysis.data_sources {
            if !self.analysis.data_sources.contains(&source) {
                self.analysis.data_sources.push(source);
            }
        }
        analysis
            .stages
            .into_iter()
            .find_map(|s| s.predicate)
            .unwrap_or_else(|| Predicate::opaque(query, None))
    }
}

/// The field side of a comparison.
struct Subject {
    field: FieldRef,
    case_folded: bool,
}

/// The IR operator of a comparison and its mirror (for `5 < x`).
fn comparison_op(op: BinaryOp) -> Option<(Op, Op)> {
    Some(match op {
        BinaryOp::Eq | BinaryOp::EqCi => (Op::Eq, Op::Eq),
        BinaryOp::Ne => (Op::Ne, Op::Ne),
        BinaryOp::Lt => (Op::Lt, Op::Gt),
        BinaryOp::Le => (Op::Le, Op::Ge),
        BinaryOp::Gt => (Op::Gt, Op::Lt),
        BinaryOp::Ge => (Op::Ge, Op::Le),
        _ => return None,
    })
}

/// A literal operand: strings, numbers, booleans, null, time spans, and
/// casts or `TO_*` conversions of one (`"10.0.0.1"::ip`, `TO_IP("…")`).
fn literal_value(expr: &Expr) -> Option<Value> {
    match expr {
        Expr::Literal { value, .. } => match value {
            Literal::Null => Some(Value::Null),
            Literal::Bool(b) => Some(Value::Bool(*b)),
            Literal::Integer(i) => Some(Value::Integer(*i)),
            Literal::Decimal(f) => Some(Value::Float(*f)),
            Literal::String { value, .. } => Some(Value::String(value.clone())),
            Literal::TimeSpan { amount, unit } => Some(Value::Timespan {
                timespan: format!("{amount} {unit}"),
            }),
            Literal::Param(_) => None,
        },
        Expr::Negate {
            expr, minus: true, ..
        } => match literal_value(expr)? {
            Value::Integer(i) => Some(Value::Integer(i.checked_neg()?)),
            Value::Float(f) => Some(Value::Float(-f)),
            _ => None,
        },
        Expr::Paren { expr, .. } | Expr::Cast { expr, .. } => literal_value(expr),
        Expr::Call { name, args, .. }
            if name.len() > 3 && name[..3].eq_ignore_ascii_case("to_") && args.len() == 1 =>
        {
            literal_value(&args[0])
        }
        _ => None,
    }
}

/// Classify an ES|QL `LIKE` pattern (`*` any run, `?` one character, `\`
/// escapes): the operator, the value, and whether the value is the
/// pattern as written (so the `LIKE` keyword can be shown with it). `LIKE
/// "*"` matches every value the field has: it is an existence test.
///
/// A backslash before anything but a wildcard or a backslash makes the
/// pattern invalid (the parser reports it). Such a pattern was written
/// without the pattern layer of escaping (`"*\\Windows\\*"`, as query
/// converters write paths): every backslash in it is read as the literal
/// backslash it was evidently meant to be.
fn classify_like(pattern: &str) -> (Op, Value, bool) {
    let mended;
    let pattern = if crate::parser::invalid_like_escape(pattern).is_some() {
        mended = pattern.replace('\\', "\\\\");
        mended.as_str()
    } else {
        pattern
    };
    let (shape, text) = ruledex_ir::Pattern::parse(pattern, Some('\\')).shape();
    match shape {
        PatternShape::Exact => (Op::Eq, Value::from(text), true),
        PatternShape::Contains => (Op::Contains, Value::from(text), false),
        PatternShape::StartsWith => (Op::StartsWith, Value::from(text), false),
        PatternShape::EndsWith => (Op::EndsWith, Value::from(text), false),
        PatternShape::Any => (Op::Exists, Value::from("*"), false),
        PatternShape::Glob => (Op::Wildcard, Value::from(pattern), true),
    }
}

/// Names of the columns `DISSECT` extracts: `%{key}`, `%{+key}` (appended
/// to `key`), `%{key->}`; `%{}` and `%{?skipped}` produce none.
fn dissect_keys(pattern: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find("%{") {
        rest = &rest[open + 2..];
        let Some(close) = rest.find('}') else { break };
        let mut key = &rest[..close];
        rest = &rest[close + 1..];
        if key.starts_with('?') || key.starts_with('*') || key.starts_with('&') {
            continue;
        }
        key = key.trim_start_matches('+');
        key = key.split("->").next().unwrap_or(key);
        key = key.split('/').next().unwrap_or(key);
        if !key.is_empty() && !keys.iter().any(|k| k == key) {
            keys.push(key.to_string());
        }
    }
    keys
}

/// Names of the columns `GROK` extracts: `%{SYNTAX:name}` and
/// `%{SYNTAX:name:type}`; `%{SYNTAX}` alone and `(?<name>…)` captures too.
fn grok_keys(pattern: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find("%{") {
        rest = &rest[open + 2..];
        let Some(close) = rest.find('}') else { break };
        let inner = &rest[..close];
        rest = &rest[close + 1..];
        if let Some(name) = inner.split(':').nth(1) {
            if !name.is_empty() && !keys.iter().any(|k| k == name) {
                keys.push(name.to_string());
            }
        }
    }
    let mut rest = pattern;
    while let Some(open) = rest.find("(?<") {
        rest = &rest[open + 3..];
        let Some(close) = rest.find('>') else { break };
        let name = &rest[..close];
        if !name.is_empty() && !keys.iter().any(|k| k == name) {
            keys.push(name.to_string());
        }
        rest = &rest[close + 1..];
    }
    keys
}

/// Call `f` with every column name `expr` reads. Iterative: expressions are
/// depth-limited by the parser, but a work list costs nothing.
fn visit_columns(expr: &Expr, f: &mut impl FnMut(&str)) {
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        match e {
            Expr::Column(name) => f(&name.name),
            Expr::Literal { .. } | Expr::Error { .. } => {}
            Expr::List { items, .. } | Expr::Or { items, .. } | Expr::And { items, .. } => {
                stack.extend(items.iter().rev())
            }
            Expr::Map { entries, .. } => stack.extend(entries.iter().rev().map(|(_, v)| v)),
            Expr::Call { args, .. } => stack.extend(args.iter().rev()),
            Expr::Negate { expr, .. }
            | Expr::Not { expr, .. }
            | Expr::IsNull { expr, .. }
            | Expr::Cast { expr, .. }
            | Expr::Paren { expr, .. } => stack.push(expr),
            Expr::Binary { left, right, .. } => {
                stack.push(right);
                stack.push(left);
            }
            Expr::Like { expr, patterns, .. } => {
                stack.extend(patterns.iter().rev());
                stack.push(expr);
            }
            Expr::In { expr, list, .. } => {
                stack.extend(list.iter().rev());
                stack.push(expr);
            }
            Expr::Match { field, query, .. } => {
                stack.push(query);
                stack.push(field);
            }
        }
    }
}

/// The map from offsets in a decoded string to file offsets: through the
/// string's escape points, then through the query's own map. A segment
/// starts at every escape and after every line break (where the query's
/// map may jump).
fn compose(value: &str, offsets: &[(u32, u32)], outer: &OffsetMap) -> OffsetMap {
    let mut segments: Vec<(u32, u32)> = offsets
        .iter()
        .map(|&(decoded, query)| (decoded, outer.to_file(query)))
        .collect();
    let to_query = |decoded: u32| -> u32 {
        let i = match offsets.binary_search_by_key(&decoded, |p| p.0) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        offsets.get(i).map_or(decoded, |&(d, q)| q + (decoded - d))
    };
    for (i, _) in value.match_indices('\n') {
        let decoded = u32::try_from(i + 1).unwrap_or(u32::MAX);
        segments.push((decoded, outer.to_file(to_query(decoded))));
    }
    OffsetMap::from_segments(segments)
}
