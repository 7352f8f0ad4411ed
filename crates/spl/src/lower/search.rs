//! Search expressions to predicates.
//!
//! Search values are case-insensitive (unless `CASE(…)`) and may hold `*`
//! wildcards (SPL's only wildcard: `?` is literal), classified once by [`ruledex_ir::Pattern`]: `*x*` is
//! `contains`, `x*` `startswith`, `*x` `endswith`, other globs `wildcard`.
//! `field=*` is `exists`, a CIDR value (`src=10.0.0.0/8`) is `cidr`, an
//! unquoted number is a number. Terms without a field match the raw event
//! (the field `*`).

use super::columns::Origin;
use super::Lower;
use crate::ast::{Pipeline, SearchExpr, SearchOp, SearchValue, Spanned};
use crate::lexer::{self, Mode};
use ruledex_ir::{
    Comparison, Derivation, FieldRef, Op, Pattern, PatternPart, Predicate, Span, Stage, StageRef,
    Value, ValueSource, ValueSourceKind,
};

/// Search modifiers that set the time range, not a field filter.
const TIME_MODIFIERS: &[&str] = &[
    "earliest",
    "latest",
    "_index_earliest",
    "_index_latest",
    "starttime",
    "endtime",
    "starttimeu",
    "endtimeu",
    "timeformat",
    "daysago",
    "hoursago",
    "minutesago",
    "searchtimespandays",
    "searchtimespanhours",
];

impl Lower<'_> {
    /// The field a comparison reads, traced through the fields the
    /// pipeline computed; true when the tracing folded case.
    pub(crate) fn field_ref(&self, name: &str) -> (FieldRef, bool) {
        match self.columns.get(name).map(|c| &c.origin) {
            Some(Origin::Traced {
                field,
                expression,
                folds_case,
            }) => (
                FieldRef {
                    name: field.clone(),
                    derived: Some(Derivation {
                        column: name.to_string(),
                        expression: expression.clone(),
                        traced: true,
                        aggregate: false,
                    }),
                },
                *folds_case,
            ),
            Some(Origin::Aggregate { expression }) | Some(Origin::Computed { expression }) => (
                FieldRef {
                    name: name.to_string(),
                    derived: Some(Derivation {
                        column: name.to_string(),
                        expression: expression.clone(),
                        traced: false,
                        aggregate: matches!(
                            self.columns.get(name).map(|c| &c.origin),
                            Some(Origin::Aggregate { .. })
                        ),
                    }),
                },
                false,
            ),
            _ => (FieldRef::new(name), false),
        }
    }

    /// Lower a search expression; subsearches become nested stages of
    /// `stage` (in `subqueries`).
    pub(crate) fn search_predicate(
        &mut self,
        expr: &SearchExpr,
        stage: &StageRef,
        subqueries: &mut Vec<Vec<Stage>>,
    ) -> Predicate {
        match expr {
            SearchExpr::And(items, _) => Predicate::and(
                items
                    .iter()
                    .map(|i| self.search_predicate(i, stage, subqueries))
                    .collect(),
            ),
            SearchExpr::Or(items, _) => Predicate::or(
                items
                    .iter()
                    .map(|i| self.search_predicate(i, stage, subqueries))
                    .collect(),
            ),
            SearchExpr::Not(inner, _) => {
                Predicate::not(self.search_predicate(inner, stage, subqueries))
            }
            SearchExpr::Group(inner, _) => self.search_predicate(inner, stage, subqueries),
            SearchExpr::Compare {
                field,
                op,
                value,
                span,
            } => self.search_compare(field, *op, value, *span),
            SearchExpr::In {
                field,
                values,
                span,
            } => self.search_in(field, values, *span),
            // `*` alone matches every event.
            SearchExpr::Term(value) if value.text == "*" && !value.quoted => {
                Predicate::opaque("*", Some(self.file_span(value.span)))
            }
            SearchExpr::Term(value) => {
                self.value_comparison(FieldRef::any(), false, SearchOp::Eq, value, value.span)
            }
            SearchExpr::Subsearch(pipeline, span) => {
                self.subsearch(pipeline, *span, stage, subqueries)
            }
            SearchExpr::Macro(call) => Predicate::opaque(
                call.span.slice(self.expanded),
                Some(self.file_span(call.span)),
            ),
        }
    }

    fn search_compare(
        &mut self,
        field: &Spanned,
        op: SearchOp,
        value: &SearchValue,
        span: Span,
    ) -> Predicate {
        if TIME_MODIFIERS.contains(&field.text.to_ascii_lowercase().as_str()) {
            return Predicate::opaque(span.slice(self.expanded), Some(self.file_span(span)));
        }
        if value.directive.as_deref() == Some("macro") {
            return Predicate::opaque(span.slice(self.expanded), Some(self.file_span(span)));
        }
        if let Some(p) =
            self.condition_comparison(&field.text, op == SearchOp::Ne, &value.text, span)
        {
            return p;
        }
        let (field_ref, folds_case) = self.field_ref(&field.text);
        self.value_comparison(field_ref, folds_case, op, value, span)
    }

    /// `field op value` with the value's wildcards, type and case.
    fn value_comparison(
        &self,
        field: FieldRef,
        folds_case: bool,
        op: SearchOp,
        value: &SearchValue,
        span: Span,
    ) -> Predicate {
        let case_sensitive = value.directive.as_deref() == Some("CASE") && !folds_case;
        let ordering = match op {
            SearchOp::Lt => Some(Op::Lt),
            SearchOp::Le => Some(Op::Le),
            SearchOp::Gt => Some(Op::Gt),
            SearchOp::Ge => Some(Op::Ge),
            _ => None,
        };
        let comparison = if let Some(ordering) = ordering {
            let v = if value.quoted {
                Value::String(value.text.clone())
            } else {
                Value::from_unquoted(&value.text)
            };
            Comparison::new(field, ordering, vec![v]).case_sensitive(case_sensitive)
        } else {
            let (base, v) = classify(value);
            let op = if op == SearchOp::Ne {
                base.negated().unwrap_or(base)
            } else {
                base
            };
            let values = v.into_iter().collect();
            Comparison::new(field, op, values).case_sensitive(case_sensitive)
        };
        self.placed(comparison, span)
    }

    /// A comparison of a condition flag with its true (or another) value:
    /// the condition (or its negation), placed at the comparison.
    pub(crate) fn condition_comparison(
        &self,
        name: &str,
        negated: bool,
        value: &str,
        span: Span,
    ) -> Option<Predicate> {
        let Some(Origin::Condition { predicate, truthy }) =
            self.columns.get(name).map(|c| &c.origin)
        else {
            return None;
        };
        let mut p = predicate.clone();
        if let Predicate::Compare(c) = &mut p {
            c.span = Some(self.file_span(span));
            c.via = self.via(span);
        }
        Some(if (value == truthy) != negated {
            p
        } else {
            Predicate::not(p)
        })
    }

    /// Place a comparison: its file span, and the macro it came from.
    pub(crate) fn placed(&self, comparison: Comparison, span: Span) -> Predicate {
        let mut c = comparison.at(self.file_span(span));
        if let Some(via) = self.via(span) {
            c = c.via(via);
        }
        Predicate::Compare(c)
    }

    /// `field IN (…)`: exact values are one `in`; wildcard values are
    /// grouped by their shape (`contains` of several values, …).
    fn search_in(&self, field: &Spanned, values: &[SearchValue], span: Span) -> Predicate {
        let (field_ref, folds_case) = self.field_ref(&field.text);
        let mut groups: Vec<(Op, Vec<Value>, bool)> = Vec::new();
        let mut macros = Vec::new();
        for value in values {
            if value.directive.as_deref() == Some("macro") {
                // Values an undefined macro lists: kept as written.
                macros.push(Predicate::opaque(
                    &format!("{} IN ({})", field.text, value.text),
                    Some(self.file_span(value.span)),
                ));
                continue;
            }
            let (op, v) = classify(value);
            let op = if op == Op::Eq { Op::In } else { op };
            let cased = value.directive.as_deref() == Some("CASE") && !folds_case;
            match groups.iter_mut().find(|(o, _, c)| *o == op && *c == cased) {
                Some((_, vs, _)) => vs.extend(v),
                None => groups.push((op, v.into_iter().collect(), cased)),
            }
        }
        if groups.is_empty() && macros.is_empty() {
            groups.push((Op::In, Vec::new(), false));
        }
        let items: Vec<Predicate> = groups
            .into_iter()
            .map(|(op, vs, cased)| {
                self.placed(
                    Comparison::new(field_ref.clone(), op, vs)
                        .case_sensitive(cased)
                        .written("IN"),
                    span,
                )
            })
            .chain(macros)
            .collect();
        Predicate::or(items)
    }

    /// A subsearch: its stages are nested in the stage; as a condition,
    /// `[| inputlookup t | fields a]` is `a` in the lookup's values, and
    /// anything else is kept as written.
    fn subsearch(
        &mut self,
        pipeline: &Pipeline,
        span: Span,
        stage: &StageRef,
        subqueries: &mut Vec<Vec<Stage>>,
    ) -> Predicate {
        let saved = std::mem::take(&mut self.columns);
        let stages = self.nested(pipeline, stage);
        let inner = std::mem::replace(&mut self.columns, saved);
        subqueries.push(stages);
        let lookup = pipeline.commands.first().and_then(|c| match &c.kind {
            crate::ast::CommandKind::InputLookup {
                output: false,
                table: Some(t),
                ..
            } => Some(t.text.clone()),
            _ => None,
        });
        let fields: Vec<String> = inner
            .known
            .iter()
            .filter(|c| c.produced_by.is_some())
            .map(|c| c.name.clone())
            .collect();
        match lookup {
            Some(table) if !fields.is_empty() && fields.len() <= 8 => Predicate::and(
                fields
                    .into_iter()
                    .map(|f| {
                        let (field, _) = self.field_ref(&f);
                        self.placed(
                            Comparison::new(field, Op::In, Vec::new())
                                .from_source(ValueSource {
                                    kind: ValueSourceKind::Lookup,
                                    name: table.clone(),
                                    column: Some(f),
                                })
                                .case_sensitive(false),
                            span,
                        )
                    })
                    .collect(),
            ),
            _ => Predicate::opaque(span.slice(self.expanded), Some(self.file_span(span))),
        }
    }

    /// `regex [field](=|!=)"re"`.
    pub(crate) fn regex_predicate(
        &self,
        field: Option<&Spanned>,
        negated: bool,
        regex: &Spanned,
        span: Span,
    ) -> Predicate {
        let name = field.map_or("_raw", |f| f.text.as_str());
        let (field_ref, _) = self.field_ref(name);
        let op = if negated { Op::NotRegex } else { Op::Regex };
        let insensitive = regex.text.starts_with("(?i)");
        self.placed(
            Comparison::new(field_ref, op, vec![Value::String(regex.text.clone())])
                .case_sensitive(!insensitive)
                .written("regex"),
            span,
        )
    }
}

/// The operator and value of a search value: `*` is existence, a CIDR a
/// range, wildcards a pattern, an unquoted number a number.
fn classify(value: &SearchValue) -> (Op, Option<Value>) {
    let text = value.text.as_str();
    if text == "*" {
        return (Op::Exists, None);
    }
    if is_cidr(text) {
        return (Op::Cidr, Some(Value::String(text.to_string())));
    }
    let (op, v) = spl_pattern(text).lowered();
    if op == Op::Eq && !value.quoted && value.directive.is_none() {
        return (Op::Eq, Some(Value::from_unquoted(text)));
    }
    (op, Some(v))
}

/// A search value as a pattern: `*` is SPL's only wildcard (a `?` is
/// literal text), and nothing escapes it (a backslash before `*` is a
/// backslash).
fn spl_pattern(text: &str) -> Pattern {
    let mut pattern = Pattern::new();
    for c in text.chars() {
        if c == '*' {
            pattern.push(PatternPart::AnyRun);
        } else {
            pattern.push_char(c);
        }
    }
    pattern
}

/// `10.0.0.0/8`, `fe80::/10`.
pub(crate) fn is_cidr(text: &str) -> bool {
    let Some((address, bits)) = text.split_once('/') else {
        return false;
    };
    let Ok(bits) = bits.parse::<u8>() else {
        return false;
    };
    if let Ok(ip) = address.parse::<std::net::IpAddr>() {
        return match ip {
            std::net::IpAddr::V4(_) => bits <= 32,
            std::net::IpAddr::V6(_) => bits <= 128,
        };
    }
    false
}

/// True when `text`, read as a search, only names data: `index`,
/// `sourcetype`, `source`, `eventtype`, `host` terms joined by `AND`/`OR`.
pub(crate) fn is_data_only(text: &str) -> bool {
    let mut diagnostics = Vec::new();
    let segments = lexer::split_commands(text, 0, text.len(), false, &mut diagnostics);
    if segments.len() != 1 {
        return false;
    }
    let tokens = lexer::lex(text, 0, text.len(), Mode::Search);
    let parsed = crate::parse(text);
    if !parsed.is_valid() || tokens.len() <= 1 {
        return false;
    }
    let Some(command) = parsed.pipeline.commands.first() else {
        return false;
    };
    let crate::ast::CommandKind::Search { expr: Some(expr) } = &command.kind else {
        return false;
    };
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        match e {
            SearchExpr::And(items, _) | SearchExpr::Or(items, _) => stack.extend(items.iter()),
            SearchExpr::Group(inner, _) => stack.push(inner),
            SearchExpr::Compare { field, .. } | SearchExpr::In { field, .. } => {
                let f = field.text.to_ascii_lowercase();
                if !matches!(
                    f.as_str(),
                    "index" | "sourcetype" | "source" | "eventtype" | "host"
                ) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs() {
        assert!(is_cidr("10.0.0.0/8"));
        assert!(is_cidr("fe80::/10"));
        assert!(!is_cidr("a/b"));
        assert!(!is_cidr("10.0.0.0/33"));
    }

    #[test]
    fn star_is_the_only_wildcard() {
        let shape = |t: &str| spl_pattern(t).lowered();
        assert_eq!(shape("?"), (Op::Eq, Value::String("?".into())));
        assert_eq!(
            shape("*\\\\?\\GLOBALROOT*"),
            (Op::Contains, Value::String("\\\\?\\GLOBALROOT".into()))
        );
        // A backslash does not escape `*`: the value is a glob.
        assert_eq!(
            shape("*\\*.tmp*"),
            (Op::Wildcard, Value::String("*\\*.tmp*".into()))
        );
    }

    #[test]
    fn data_only_macros() {
        assert!(is_data_only(
            "index=win (sourcetype=a OR sourcetype IN (b, c))"
        ));
        assert!(!is_data_only("index=win EventCode=1"));
        assert!(!is_data_only("search *"));
    }
}
