//! Lowering: the EQL tree to the common model ([`ruledex_ir::Analysis`]).
//!
//! - An event query is one stage `event` (named after its category) whose
//!   predicate is the condition.
//! - A sequence is a `sequence` header stage (its `by` keys and `maxspan` as
//!   assignments) followed by one `sequence-step` stage per step (named `1`,
//!   `2`, …; a missing-event step `![...]` has its condition negated, since
//!   the rule fires when it does *not* happen) and an `until` stage. Samples
//!   and joins are lowered the same way (`sample`/`sample-step`,
//!   `join`/`join-step`).
//! - Pipes are stages named after the pipe (`head`, `filter`, …).
//!
//! Operators keep their meaning: `:` is case-insensitive, `==` and `like`
//! are case-sensitive, `~` variants are insensitive; a wildcard pattern is a
//! `contains`/`startswith`/`endswith` when it is one, `wildcard` otherwise,
//! never `eq`.

use crate::ast::*;
use ruledex_ir::{
    collapse_whitespace, Analysis, Assignment, Call, Comparison, DataSource, DataSourceKind,
    Derivation, FieldComparison, FieldRef, OffsetMap, Op, OutputField, Predicate, Span, Stage,
    StageRef, Value,
};

/// Lower a parsed query. `text` is the query text the spans refer to.
pub fn lower(query: &Query, text: &str, map: &OffsetMap) -> Analysis {
    let mut lowering = Lowering {
        text,
        map,
        analysis: Analysis::default(),
        aliases: Vec::new(),
    };
    lowering.query(query);
    lowering.analysis
}

struct Lowering<'a> {
    text: &'a str,
    map: &'a OffsetMap,
    analysis: Analysis,
    /// Step aliases (`[...] as event0`, endpoint EQL) of the sequence being
    /// lowered: `event0.file.path` reads `file.path` of that step's event.
    aliases: Vec<String>,
}

impl Lowering<'_> {
    fn file_span(&self, span: Span) -> Span {
        self.map.span_to_file(span)
    }

    fn source(&self, span: Span) -> &str {
        span.slice(self.text)
    }

    fn collapsed(&self, span: Span) -> String {
        collapse_whitespace(self.source(span))
    }

    fn stage(&self, kind: &str, span: Span) -> Stage {
        Stage::new(kind, self.source(span), self.file_span(span))
    }

    fn query(&mut self, query: &Query) {
        match &query.base {
            Some(BaseQuery::Event(event)) => {
                let mut stage = self.stage("event", event.span);
                stage.name = event.category.as_ref().map(|c| c.name.clone());
                stage.predicate = Some(self.predicate(&event.condition));
                self.category(event);
                self.analysis.stages.push(stage);
            }
            Some(BaseQuery::Sequence(s)) => self.sequence(s, "sequence"),
            Some(BaseQuery::Join(s)) => self.sequence(s, "join"),
            Some(BaseQuery::Sample(s)) => {
                let mut header = self.stage("sample", s.header_span);
                self.keys_assignment(&mut header, &s.by);
                let index = self.analysis.stages.len();
                self.analysis.stages.push(header);
                self.key_outputs(&s.by, "sample", index);
                for (n, step) in s.steps.iter().enumerate() {
                    self.step(step, "sample-step", (n + 1).to_string(), "sample");
                }
            }
            None => {}
        }
        for pipe in &query.pipes {
            self.pipe(pipe);
        }
    }

    fn sequence(&mut self, s: &Sequence, kind: &str) {
        let mut header = self.stage(kind, s.header_span);
        if let Some(maxspan) = &s.maxspan {
            header.assignments.push(Assignment {
                name: "maxspan".into(),
                expression: maxspan.text(),
                reads: Vec::new(),
            });
        }
        self.keys_assignment(&mut header, &s.by);
        let index = self.analysis.stages.len();
        self.analysis.stages.push(header);
        self.key_outputs(&s.by, kind, index);
        let step_kind = format!("{kind}-step");
        self.aliases = s
            .steps
            .iter()
            .filter_map(|step| step.alias.as_ref().map(|a| a.name.clone()))
            .collect();
        for (n, step) in s.steps.iter().enumerate() {
            self.step(step, &step_kind, (n + 1).to_string(), kind);
        }
        if let Some(until) = &s.until {
            self.step(until, "until", "until".into(), kind);
        }
    }

    fn keys_assignment(&self, stage: &mut Stage, keys: &[Expr]) {
        if keys.is_empty() {
            return;
        }
        let names: Vec<String> = keys.iter().map(|k| self.key_name(k)).collect();
        let reads = keys
            .iter()
            .filter_map(|k| match &k.unparen().kind {
                ExprKind::Field(f) => Some(f.path()),
                _ => None,
            })
            .collect();
        stage.assignments.push(Assignment {
            name: "by".into(),
            expression: names.join(", "),
            reads,
        });
    }

    fn key_name(&self, key: &Expr) -> String {
        match &key.unparen().kind {
            ExprKind::Field(f) => f.path(),
            _ => self.collapsed(key.span),
        }
    }

    fn key_outputs(&mut self, keys: &[Expr], source: &str, stage: usize) {
        for key in keys {
            let name = self.key_name(key);
            if !self.analysis.outputs.iter().any(|o| o.name == name) {
                self.analysis.outputs.push(OutputField {
                    name,
                    source: source.to_string(),
                    stage: Some(StageRef::main(stage)),
                });
            }
        }
    }

    fn category(&mut self, event: &EventQuery) {
        let Some(category) = &event.category else {
            return;
        };
        if category.name == "any" {
            return;
        }
        let mut source = DataSource::new(DataSourceKind::Dataset, category.name.clone());
        source
            .attributes
            .insert("field".into(), "event.category".into());
        if !self.analysis.data_sources.contains(&source) {
            self.analysis.data_sources.push(source);
        }
    }

    fn step(&mut self, step: &Step, kind: &str, name: String, key_source: &str) {
        let mut stage = self.stage(kind, step.span);
        stage.name = Some(name);
        let condition = self.predicate(&step.query.condition);
        stage.predicate = Some(if step.missing {
            Predicate::not(condition)
        } else {
            condition
        });
        if step.missing {
            stage.assignments.push(Assignment {
                name: "missing".into(),
                expression: "true".into(),
                reads: Vec::new(),
            });
        }
        if let Some(category) = &step.query.category {
            stage.assignments.push(Assignment {
                name: "category".into(),
                expression: category.name.clone(),
                reads: Vec::new(),
            });
        }
        self.keys_assignment(&mut stage, &step.by);
        if let Some(runs) = &step.runs {
            stage.assignments.push(Assignment {
                name: "runs".into(),
                expression: runs.count.map_or_else(String::new, |n| n.to_string()),
                reads: Vec::new(),
            });
        }
        self.category(&step.query);
        let index = self.analysis.stages.len();
        self.analysis.stages.push(stage);
        self.key_outputs(&step.by, key_source, index);
    }

    fn pipe(&mut self, pipe: &Pipe) {
        let mut stage = self.stage(&pipe.name.name, pipe.span);
        let index = self.analysis.stages.len();
        match pipe.name.name.as_str() {
            "filter" => {
                if let Some(condition) = pipe.args.first() {
                    stage.predicate = Some(self.predicate(condition));
                }
            }
            "count" | "unique_count" => {
                for arg in &pipe.args {
                    let name = self.key_name(arg);
                    self.analysis.outputs.push(OutputField {
                        name,
                        source: pipe.name.name.clone(),
                        stage: Some(StageRef::main(index)),
                    });
                }
                self.analysis.outputs.push(OutputField {
                    name: "count".into(),
                    source: pipe.name.name.clone(),
                    stage: Some(StageRef::main(index)),
                });
            }
            _ => {}
        }
        self.analysis.stages.push(stage);
    }

    // ----- predicates -----------------------------------------------------

    fn opaque(&self, e: &Expr) -> Predicate {
        Predicate::opaque(self.source(e.span), Some(self.file_span(e.span)))
    }

    fn predicate(&self, e: &Expr) -> Predicate {
        match &e.kind {
            ExprKind::Logical { and, operands } => {
                let items = operands.iter().map(|o| self.predicate(o)).collect();
                if *and {
                    Predicate::and(items)
                } else {
                    Predicate::or(items)
                }
            }
            ExprKind::Not(inner) => Predicate::not(self.predicate(inner)),
            ExprKind::Paren(inner) => self.predicate(inner),
            ExprKind::Binary { op, left, right } if op.is_comparison() => {
                self.comparison(*op, left, right, e)
            }
            ExprKind::In {
                value,
                list,
                negated,
                insensitive,
            } => self.in_list(value, list, *negated, *insensitive, e),
            ExprKind::Match {
                value,
                op,
                insensitive,
                patterns,
                ..
            } => self.string_match(value, *op, *insensitive, patterns, e),
            ExprKind::Call {
                name,
                insensitive,
                args,
                ..
            } => self.call(name, *insensitive, args, e),
            // A string where a condition belongs (`any where "shutdown"`) is
            // a type error (the check reports it); query converters write
            // it for keyword searches, and that is what it means: the text
            // anywhere in the event.
            ExprKind::Literal(Literal::String(text, _)) => Predicate::Compare(
                Comparison::new(
                    FieldRef::new(FieldRef::ANY),
                    Op::Contains,
                    vec![Value::from(text.as_str())],
                )
                .case_sensitive(false)
                .at(self.file_span(e.span)),
            ),
            _ => self.opaque(e),
        }
    }

    /// The field an operand reads: the field itself, or a computed value
    /// (`length(f)`, `f + 1`) traced to the single field it reads.
    fn field_ref(&self, e: &Expr) -> Option<FieldRef> {
        let e = e.unparen();
        if let ExprKind::Field(f) = &e.kind {
            return Some(self.aliased(f).unwrap_or_else(|| FieldRef::new(f.path())));
        }
        if let Some(name) = self.hyphenated_name(e) {
            return Some(FieldRef::new(name));
        }
        let mut fields = Vec::new();
        collect_fields(e, &mut fields);
        fields.dedup();
        if fields.len() != 1 {
            return None;
        }
        let text = self.collapsed(e.span);
        Some(FieldRef {
            name: fields.remove(0),
            derived: Some(Derivation {
                column: text.clone(),
                expression: text,
                traced: true,
                aggregate: false,
            }),
        })
    }

    /// `cs-uri-query` written without spaces: EQL reads a subtraction of
    /// three fields (a hyphenated name needs backticks, and the check
    /// reports the number that results where a string is expected), but
    /// what the query means is the field named so, as query converters
    /// write web-log and proxy fields. Only fields joined by `-`.
    fn hyphenated_name(&self, e: &Expr) -> Option<String> {
        fn fields_only(e: &Expr) -> bool {
            match &e.kind {
                ExprKind::Field(f) => !f.optional,
                ExprKind::Binary {
                    op: BinaryOp::Sub,
                    left,
                    right,
                    ..
                } => fields_only(left) && fields_only(right),
                _ => false,
            }
        }
        if !matches!(
            e.kind,
            ExprKind::Binary {
                op: BinaryOp::Sub,
                ..
            }
        ) || !fields_only(e)
        {
            return None;
        }
        let text = self.source(e.span);
        (!text.chars().any(|c| c.is_whitespace() || c == '`')).then(|| text.to_string())
    }

    /// `event0.file.path`, where `event0` names an earlier step: the field
    /// `file.path` of that step's event, kept as the written column.
    fn aliased(&self, f: &Field) -> Option<FieldRef> {
        let (Some(FieldPart::Name(first)), true) = (f.parts.first(), f.parts.len() > 1) else {
            return None;
        };
        if !self.aliases.contains(first) {
            return None;
        }
        let rest = Field {
            optional: f.optional,
            parts: f.parts[1..].to_vec(),
        };
        let written = f.path();
        Some(FieldRef {
            name: rest.path(),
            derived: Some(Derivation {
                column: written.clone(),
                expression: written,
                traced: true,
                aggregate: false,
            }),
        })
    }

    fn comparison(&self, op: BinaryOp, left: &Expr, right: &Expr, whole: &Expr) -> Predicate {
        let span = self.file_span(whole.span);
        let (field_side, value_side, flipped) = match (literal_value(left), literal_value(right)) {
            (None, Some(_)) => (left, right, false),
            (Some(_), None) => (right, left, true),
            (None, None) => {
                let (Some(l), Some(r)) = (self.field_ref(left), self.field_ref(right)) else {
                    return self.opaque(whole);
                };
                let Some(ir_op) = comparison_op(op, false) else {
                    return self.opaque(whole);
                };
                return Predicate::FieldCompare(FieldComparison {
                    left: l,
                    op: ir_op,
                    right: r,
                    case_sensitive: None,
                    written_op: Some(op.as_str().into()),
                    span: Some(span),
                });
            }
            (Some(_), Some(_)) => return self.opaque(whole),
        };
        let (Some(field), Some(value)) = (self.field_ref(field_side), literal_value(value_side))
        else {
            return self.opaque(whole);
        };
        if value == Value::Null && matches!(op, BinaryOp::Eq | BinaryOp::Ne | BinaryOp::SingleEq) {
            let ir_op = if op == BinaryOp::Ne {
                Op::Exists
            } else {
                Op::NotExists
            };
            return Predicate::Compare(Comparison::new(field, ir_op, Vec::new()).at(span));
        }
        let Some(ir_op) = comparison_op(op, flipped) else {
            return self.opaque(whole);
        };
        let written = if flipped {
            comparison_op(op, true).map_or(op.as_str(), written_of)
        } else {
            op.as_str()
        };
        Predicate::Compare(
            Comparison::new(field, ir_op, vec![value])
                .case_sensitive(true)
                .written(written)
                .at(span),
        )
    }

    fn in_list(
        &self,
        value: &Expr,
        list: &[Expr],
        negated: bool,
        insensitive: bool,
        whole: &Expr,
    ) -> Predicate {
        let Some(field) = self.field_ref(value) else {
            return self.opaque(whole);
        };
        let span = self.file_span(whole.span);
        let mut literals = Vec::new();
        let mut others = Vec::new();
        for item in list {
            match literal_value(item) {
                Some(v) => literals.push(v),
                None => match self.field_ref(item) {
                    Some(other) => others.push(Predicate::FieldCompare(FieldComparison {
                        left: field.clone(),
                        op: if negated { Op::Ne } else { Op::Eq },
                        right: other,
                        case_sensitive: None,
                        written_op: Some(if negated { "not in" } else { "in" }.into()),
                        span: Some(self.file_span(item.span)),
                    })),
                    None => others.push(self.opaque(item)),
                },
            }
        }
        let written = match (negated, insensitive) {
            (true, true) => "not in~",
            (true, false) => "not in",
            (false, true) => "in~",
            (false, false) => "in",
        };
        let mut parts = Vec::new();
        if !literals.is_empty() {
            let op = if negated { Op::NotIn } else { Op::In };
            parts.push(Predicate::Compare(
                Comparison::new(field, op, literals)
                    .case_sensitive(!insensitive)
                    .written(written)
                    .at(span),
            ));
        }
        parts.extend(others);
        if parts.is_empty() {
            return self.opaque(whole);
        }
        if negated {
            Predicate::and(parts)
        } else {
            Predicate::or(parts)
        }
    }

    fn string_match(
        &self,
        value: &Expr,
        op: StringOp,
        insensitive: bool,
        patterns: &[Expr],
        whole: &Expr,
    ) -> Predicate {
        let Some(field) = self.field_ref(value) else {
            return self.opaque(whole);
        };
        // Patterns are strings. A number or boolean among them (`port :
        // 443`, `port like~ (80, 443)`, as query converters write them for
        // numeric fields) is a type error Elasticsearch rejects (the check
        // reports it), but what it means is plain: that value, exactly.
        let mut strings: Vec<String> = Vec::new();
        let mut exact: Vec<Value> = Vec::new();
        for pattern in patterns {
            match &pattern.kind {
                ExprKind::Literal(Literal::String(s, _)) => strings.push(s.clone()),
                ExprKind::Literal(Literal::Null) => return self.opaque(whole),
                ExprKind::Literal(_) | ExprKind::Sign { .. } if op != StringOp::Regex => {
                    match literal_value(pattern) {
                        Some(value) => exact.push(value),
                        None => return self.opaque(whole),
                    }
                }
                _ => return self.opaque(whole),
            }
        }
        if strings.is_empty() && exact.is_empty() {
            return self.opaque(whole);
        }
        let span = self.file_span(whole.span);
        let written = op.written(insensitive);
        let strings = (!strings.is_empty()).then(|| match op {
            StringOp::Regex => Predicate::Compare(
                Comparison::new(
                    field.clone(),
                    Op::Regex,
                    strings.into_iter().map(Value::from).collect(),
                )
                .case_sensitive(!insensitive)
                .written(written)
                .at(span),
            ),
            StringOp::Colon => wildcard_predicate(field.clone(), &strings, false, written, span),
            StringOp::Like => {
                wildcard_predicate(field.clone(), &strings, !insensitive, written, span)
            }
        });
        let exact = (!exact.is_empty()).then(|| {
            let op = if exact.len() == 1 { Op::Eq } else { Op::In };
            Predicate::Compare(Comparison::new(field, op, exact).written(written).at(span))
        });
        match (exact, strings) {
            (Some(exact), Some(strings)) => Predicate::or(vec![exact, strings]),
            (Some(one), None) | (None, Some(one)) => one,
            (None, None) => self.opaque(whole),
        }
    }

    fn call(&self, name: &Ident, insensitive: bool, args: &[Expr], whole: &Expr) -> Predicate {
        // `_arraysearch(array, $e, condition)`: the condition, on the
        // array's element fields (`$e.name` is `array.name`).
        if crate::check::is_array_search(&name.name) {
            if let [array, variable, condition] = args {
                if let (ExprKind::Field(array), ExprKind::Variable(var)) =
                    (&array.unparen().kind, &variable.kind)
                {
                    let mut condition = condition.clone();
                    substitute_variable(&mut condition, var, array);
                    return self.predicate(&condition);
                }
            }
        }
        let span = self.file_span(whole.span);
        let as_call = || {
            Predicate::Call(Call {
                name: if insensitive {
                    format!("{}~", name.name)
                } else {
                    name.name.clone()
                },
                args: args.iter().map(|a| self.collapsed(a.span)).collect(),
                span: Some(span),
            })
        };
        let Some((subject, rest)) = args.split_first() else {
            return as_call();
        };
        let Some(field) = self.field_ref(subject) else {
            return as_call();
        };
        // Elasticsearch resolves function names case-insensitively (rules
        // write `cidrmatch`, `startswith~`), so the lowering does too.
        let function = name.name.to_ascii_lowercase();
        let written = if insensitive {
            format!("{}~", name.name)
        } else {
            name.name.clone()
        };
        // `stringContains(a, b)` between two fields.
        if let ([other], Some(op)) = (rest, text_function_op(&function)) {
            if literal_value(other).is_none() {
                return match self.field_ref(other) {
                    Some(right) => Predicate::FieldCompare(FieldComparison {
                        left: field,
                        op,
                        right,
                        case_sensitive: Some(!insensitive),
                        written_op: Some(written),
                        span: Some(span),
                    }),
                    None => as_call(),
                };
            }
        }
        let strings: Option<Vec<String>> = rest
            .iter()
            .map(|a| match &a.kind {
                ExprKind::Literal(Literal::String(s, _)) => Some(s.clone()),
                _ => None,
            })
            .collect();
        let Some(strings) = strings.filter(|s| !s.is_empty()) else {
            return as_call();
        };
        let simple = |op: Op| {
            if strings.len() != 1 {
                return as_call();
            }
            Predicate::Compare(
                Comparison::new(field.clone(), op, vec![Value::from(strings[0].clone())])
                    .case_sensitive(!insensitive)
                    .written(written.clone())
                    .at(span),
            )
        };
        if let Some(op) = text_function_op(&function) {
            return simple(op);
        }
        match function.as_str() {
            "cidrmatch" => Predicate::Compare(
                Comparison::new(
                    field,
                    Op::Cidr,
                    strings.into_iter().map(|s| Value::from(s.trim())).collect(),
                )
                .at(span),
            ),
            "wildcard" => wildcard_predicate(field, &strings, !insensitive, &written, span),
            "match" | "matchlite" => Predicate::Compare(
                Comparison::new(
                    field,
                    Op::Regex,
                    strings.into_iter().map(Value::from).collect(),
                )
                .case_sensitive(!insensitive)
                .written(written)
                .at(span),
            ),
            _ => as_call(),
        }
    }
}

/// The comparison a text function stands for (`startsWith(f, v)` is
/// `f startswith v`); `name` is lower case.
fn text_function_op(name: &str) -> Option<Op> {
    match name {
        "startswith" => Some(Op::StartsWith),
        "endswith" => Some(Op::EndsWith),
        "stringcontains" => Some(Op::Contains),
        _ => None,
    }
}

/// Replace `$var` and `$var.path` in `e` by the field `array` and
/// `array.path`. Iterative: conditions may be deep.
fn substitute_variable(e: &mut Expr, var: &str, array: &Field) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        if let ExprKind::Variable(name) = &e.kind {
            let rest = if name == var {
                Some("")
            } else {
                name.strip_prefix(var).and_then(|r| r.strip_prefix('.'))
            };
            if let Some(rest) = rest {
                let mut field = array.clone();
                field.parts.extend(
                    rest.split('.')
                        .filter(|p| !p.is_empty())
                        .map(|p| FieldPart::Name(p.to_string())),
                );
                e.kind = ExprKind::Field(field);
            }
            continue;
        }
        match &mut e.kind {
            ExprKind::Call { args, .. } => stack.extend(args.iter_mut()),
            ExprKind::Logical { operands, .. } => stack.extend(operands.iter_mut()),
            ExprKind::Not(inner) | ExprKind::Paren(inner) => stack.push(inner),
            ExprKind::Sign { operand, .. } => stack.push(operand),
            ExprKind::Binary { left, right, .. } => {
                stack.push(left);
                stack.push(right);
            }
            ExprKind::In { value, list, .. } => {
                stack.push(value);
                stack.extend(list.iter_mut());
            }
            ExprKind::Match {
                value, patterns, ..
            } => {
                stack.push(value);
                stack.extend(patterns.iter_mut());
            }
            _ => {}
        }
    }
}

fn collect_fields(e: &Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Field(f) => {
            let path = f.path();
            if !out.contains(&path) {
                out.push(path);
            }
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|a| collect_fields(a, out)),
        ExprKind::Sign { operand, .. } => collect_fields(operand, out),
        ExprKind::Paren(inner) => collect_fields(inner, out),
        ExprKind::Binary { op, left, right } if op.is_arithmetic() => {
            collect_fields(left, out);
            collect_fields(right, out);
        }
        ExprKind::Literal(_) => {}
        // Anything else (a condition inside a call) is not a plain read.
        _ => out.push(String::new()),
    }
}

/// A literal operand (a signed number counts) as an IR value.
fn literal_value(e: &Expr) -> Option<Value> {
    match &e.unparen().kind {
        ExprKind::Literal(lit) => Some(match lit {
            Literal::String(s, _) => Value::String(s.clone()),
            Literal::Integer(Some(i)) => Value::Integer(*i),
            Literal::Integer(None) => Value::Float(f64::MAX),
            Literal::Float(f) => Value::Float(*f),
            Literal::Bool(b) => Value::Bool(*b),
            Literal::Null => Value::Null,
        }),
        ExprKind::Sign { negative, operand } => match literal_value(operand)? {
            Value::Integer(i) if *negative => Some(Value::Integer(i.checked_neg()?)),
            Value::Float(f) if *negative => Some(Value::Float(-f)),
            v @ (Value::Integer(_) | Value::Float(_)) => Some(v),
            _ => None,
        },
        _ => None,
    }
}

/// The IR operator of a comparison, mirrored when the literal was on the
/// left (`5 < x` is `x > 5`).
fn comparison_op(op: BinaryOp, flipped: bool) -> Option<Op> {
    Some(match (op, flipped) {
        (BinaryOp::Eq | BinaryOp::SingleEq, _) => Op::Eq,
        (BinaryOp::Ne, _) => Op::Ne,
        (BinaryOp::Lt, false) | (BinaryOp::Gt, true) => Op::Lt,
        (BinaryOp::Le, false) | (BinaryOp::Ge, true) => Op::Le,
        (BinaryOp::Gt, false) | (BinaryOp::Lt, true) => Op::Gt,
        (BinaryOp::Ge, false) | (BinaryOp::Le, true) => Op::Ge,
        _ => return None,
    })
}

fn written_of(op: Op) -> &'static str {
    match op {
        Op::Lt => "<",
        Op::Le => "<=",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::Ne => "!=",
        _ => "==",
    }
}

/// How one wildcard pattern matches.
use ruledex_ir::PatternShape;

#[derive(Clone, Copy, PartialEq, Eq)]
enum PatternClass {
    Exact,
    Contains,
    StartsWith,
    EndsWith,
    Glob,
}

/// Classify an EQL wildcard pattern (`*` any run, `?` one character; EQL
/// has no escape for them) and return the value the class compares with
/// (`*foo*` → contains `foo`); see [`ruledex_ir::Pattern`].
fn classify(pattern: &str) -> (PatternClass, String) {
    let (shape, value) = ruledex_ir::Pattern::parse(pattern, None).shape();
    let class = match shape {
        PatternShape::Exact => PatternClass::Exact,
        PatternShape::Contains => PatternClass::Contains,
        PatternShape::StartsWith => PatternClass::StartsWith,
        PatternShape::EndsWith => PatternClass::EndsWith,
        PatternShape::Any | PatternShape::Glob => PatternClass::Glob,
    };
    (class, value)
}

/// `field : patterns` / `like` / `wildcard()`: one comparison per pattern
/// class (exact values together as `eq`/`in`), joined with `or`.
fn wildcard_predicate(
    field: FieldRef,
    patterns: &[String],
    case_sensitive: bool,
    written: &str,
    span: Span,
) -> Predicate {
    let mut groups: Vec<(PatternClass, Vec<Value>)> = Vec::new();
    for pattern in patterns {
        let (class, value) = classify(pattern);
        match groups.iter_mut().find(|(c, _)| *c == class) {
            Some((_, values)) => values.push(Value::String(value)),
            None => groups.push((class, vec![Value::String(value)])),
        }
    }
    let parts: Vec<Predicate> = groups
        .into_iter()
        .map(|(class, values)| {
            let (op, keep_written) = match class {
                PatternClass::Exact if values.len() == 1 => (Op::Eq, true),
                PatternClass::Exact => (Op::In, false),
                PatternClass::Contains => (Op::Contains, false),
                PatternClass::StartsWith => (Op::StartsWith, false),
                PatternClass::EndsWith => (Op::EndsWith, false),
                PatternClass::Glob => (Op::Wildcard, true),
            };
            let mut c = Comparison::new(field.clone(), op, values)
                .case_sensitive(case_sensitive)
                .at(span);
            // Stripped values render with the operator's own name
            // (`contains "x"`); exact and glob values are shown as written.
            if keep_written {
                c = c.written(written);
            }
            Predicate::Compare(c)
        })
        .collect();
    Predicate::or(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_classes() {
        assert!(classify("*foo*") == (PatternClass::Contains, "foo".into()));
        assert!(classify("foo*") == (PatternClass::StartsWith, "foo".into()));
        assert!(classify("*foo") == (PatternClass::EndsWith, "foo".into()));
        assert!(classify("f*o") == (PatternClass::Glob, "f*o".into()));
        assert!(classify("*") == (PatternClass::Glob, "*".into()));
        assert!(classify("**") == (PatternClass::Glob, "**".into()));
        assert!(classify("a?") == (PatternClass::Glob, "a?".into()));
        assert!(classify("*a*b*") == (PatternClass::Glob, "*a*b*".into()));
        assert!(classify("plain") == (PatternClass::Exact, "plain".into()));
    }
}
