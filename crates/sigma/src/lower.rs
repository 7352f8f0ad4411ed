//! Lowering a checked Sigma document to the common rule model.
//!
//! # Stages
//!
//! A rule becomes one `selection` stage per detection (name = detection
//! name, text = its exact YAML, predicate = its logic), then one
//! `condition` stage per condition whose predicate combines the detections
//! *by name* (`selection and not(filter)`, quantifiers expanded to the names
//! they match). A deprecated aggregation pipe adds an `aggregation` (or
//! `near`) stage. A correlation rule has one `correlation` stage.
//!
//! # Negation without double counting
//!
//! Indicators are computed from every stage's predicate, so comparisons live
//! only in the detection stages; the condition stage references detections
//! by name (opaque leaves, no indicators). The condition decides whether a
//! detection *excludes*: when the condition uses a detection only under an
//! odd number of `not`s, its stage predicate is wrapped in `Not`, so its
//! indicators come out `negated` (exclusions) exactly as if the condition
//! had been expanded inline. A detection used both ways keeps its positive
//! form (warning `SIG018`); an unused one too (warning `SIG017`).
//!
//! # Values
//!
//! A value's wildcards decide its kind: `*foo*` is `contains`, `foo*`
//! `startswith`, `*foo` `endswith`, other globs `wildcard`; the modifiers
//! `contains`/`startswith`/`endswith` add those wildcards first, as in
//! pySigma. Encoding modifiers (`base64`, `base64offset`, `wide`, `utf16*`,
//! `windash`) keep the value as written — what the author looks for — and
//! show in `written_op` (`|base64offset|contains`). Several values of one
//! item with the same kind are one comparison with several values (any of
//! them); with `all`, one comparison per value under `and`. Strings match
//! case-insensitively except under `cased` and in regexes without `i`.
//!
//! # Data source name
//!
//! `DataSourceKind::Logsource` named `product/category/service` with the
//! absent parts left out (`windows/process_creation`, `aws/cloudtrail`,
//! `windows/security`); the parts (and `definition`) are attributes. A rule
//! without `logsource` whose detection selects a Windows channel
//! (`Channel: Security`, as Hayabusa's rules do) gets the log source of
//! that channel ([`crate::channels`]), with attribute `from`.

use crate::codes;
use crate::condition::{select, Aggregation, Expr};
use crate::modifier::Modifier;
use crate::parse::{
    typed, ConditionEntry, Detection, DetectionChild, DetectionNode, DocumentKind, FilterRules,
    Item, SigmaDocument, Typed,
};
use crate::value::{CompareOp, Part, SigmaValue};
use ruledex_ir::{
    Analysis, AttackKind, AttackRef, Comparison, DataSource, DataSourceKind, Dependency,
    DependencyKind, Derivation, Diagnostic, FieldComparison, FieldRef, Language, OffsetMap, Op,
    OutputField, Platform, Predicate, Query, Rule, RuleClass, Severity, SourceFile, Span, Stage,
    StageRef, Value, ValueSource, ValueSourceKind,
};
use std::collections::BTreeMap;

/// Lower one document of `file` to a [`Rule`]. `index` is the document's
/// position among the file's rules when the file holds several.
pub fn lower_document(file: &SourceFile<'_>, doc: &SigmaDocument, index: Option<usize>) -> Rule {
    let text = file.text;
    let node = &doc.node;
    let str_of = |key: &str| {
        node.get(key).and_then(|v| match typed(v) {
            Typed::Str(s) | Typed::Timestamp(s) => Some(s.to_string()),
            Typed::Int(i) => Some(i.to_string()),
            _ => None,
        })
    };
    let strings = |key: &str| -> Vec<String> {
        node.get(key)
            .map(|v| v.strings().into_iter().map(str::to_string).collect())
            .unwrap_or_default()
    };
    let mut rule = Rule {
        id: str_of("id").unwrap_or_else(|| match index {
            Some(i) => format!("{}#{i}", file.path),
            None => file.path.to_string(),
        }),
        title: str_of("title").unwrap_or_else(|| file.stem().to_string()),
        description: str_of("description"),
        severity: str_of("level").and_then(|l| Severity::parse(&l)),
        status: str_of("status"),
        platform: Platform::Sigma,
        language: Language::Sigma,
        kind: match doc.kind {
            DocumentKind::Rule => None,
            other => Some(other.name().to_string()),
        },
        provenance: file.provenance("sigma", index),
        authors: str_of("author")
            .map(|a| {
                a.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        references: strings("references"),
        false_positives: strings("falsepositives"),
        created: str_of("date"),
        modified: str_of("modified"),
        version: str_of("version"),
        ..Rule::default()
    };
    // Converted rule sets write `author` as a list, against the
    // specification (a warning): the names are still the authors.
    if rule.authors.is_empty() {
        rule.authors = strings("author");
    }
    match doc.kind {
        DocumentKind::Correlation => rule.add_class(RuleClass::Correlation),
        DocumentKind::Filter => rule.add_class(RuleClass::Filter),
        DocumentKind::Rule => {}
    }
    if str_of("status").as_deref() == Some("deprecated") {
        rule.add_class(RuleClass::Deprecated);
    }
    for tag in strings("tags") {
        match attack_ref(&tag) {
            Some(r) => rule.attack.push(r),
            None => rule.tags.push(tag),
        }
    }
    let (body, offset) = if index.is_some() {
        (doc.span.slice(text).to_string(), doc.span.start)
    } else {
        (text.to_string(), 0)
    };
    rule.body = body;
    rule.body_offset = offset;
    for key in ["name", "taxonomy", "license"] {
        if let Some(v) = str_of(key) {
            rule.properties
                .insert(key.into(), serde_json::Value::String(v));
        }
    }
    if let Some(scope) = node.get("scope") {
        rule.properties
            .insert("scope".into(), serde_json::json!(scope.strings()));
    }
    if let Some(related) = node.get("related") {
        let items: Vec<serde_json::Value> = related
            .items()
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.get("id").and_then(|v| v.as_str()),
                    "type": r.get("type").and_then(|v| v.as_str()),
                })
            })
            .collect();
        rule.properties
            .insert("related".into(), serde_json::Value::Array(items));
    }

    let mut analysis = Analysis::default();
    if let Some(ls) = node.get("logsource").filter(|l| l.is_mapping()) {
        analysis.data_sources.push(logsource(ls));
    }
    if let Some(fields) = node.get("fields") {
        for f in fields.strings() {
            analysis.outputs.push(OutputField {
                name: f.to_string(),
                source: "fields".into(),
                stage: None,
            });
        }
    }
    let mut extra = Vec::new();
    if let Some(det) = &doc.detections {
        let section = match doc.kind {
            DocumentKind::Filter => node.entry("filter"),
            _ => node.entry("detection"),
        };
        // The query is the section as written, from its key (`detection:`)
        // so that every line keeps its indentation.
        if let Some((key, section)) = section {
            let span = key.span.cover(section.span);
            let before = text.get(..span.start as usize).unwrap_or("");
            let line = u32::try_from(before.bytes().filter(|&b| b == b'\n').count() + 1)
                .unwrap_or(u32::MAX);
            rule.query = Some(Query {
                language: Language::Sigma,
                text: span.slice(text).to_string(),
                line,
            });
        }
        if let Some((tf, _)) = &det.timeframe {
            rule.schedule.window = Some(tf.clone());
        }
        lower_detections(text, det, &mut analysis, &mut extra);
        if node.get("logsource").is_none() {
            analysis
                .data_sources
                .extend(channel_logsources(&analysis.stages));
        }
    }
    if let Some(rules) = &doc.filter_rules {
        if let FilterRules::Rules(list) = rules {
            for (name, span) in list {
                analysis.dependencies.push(Dependency {
                    kind: DependencyKind::Rule,
                    name: name.clone(),
                    span: Some(*span),
                });
            }
        }
        rule.properties.insert(
            "filter_rules".into(),
            match rules {
                FilterRules::Any => serde_json::json!("any"),
                FilterRules::Rules(list) => {
                    serde_json::json!(list.iter().map(|(n, _)| n).collect::<Vec<_>>())
                }
            },
        );
    }
    if let Some(corr) = &doc.correlation {
        rule.schedule.window = corr.timespan.clone();
        let stage_index = analysis.stages.len();
        let mut stage = Stage::new("correlation", corr.span.slice(text), corr.span);
        stage.name = corr.kind.clone();
        let kind = corr.kind.clone().unwrap_or_default().to_ascii_lowercase();
        if let Some((op, threshold, field)) = &corr.condition {
            let column = match field {
                Some(f) => format!("{kind}({f})"),
                None => kind.clone(),
            };
            let value = threshold
                .parse::<i64>()
                .map(Value::Integer)
                .or_else(|_| threshold.parse::<f64>().map(Value::Float))
                .unwrap_or_else(|_| Value::String(threshold.clone()));
            let cmp_op = match op.as_str() {
                "lt" => Op::Lt,
                "lte" => Op::Le,
                "gt" => Op::Gt,
                "gte" => Op::Ge,
                "neq" => Op::Ne,
                _ => Op::Eq,
            };
            stage.predicate = Some(Predicate::Compare(
                Comparison::new(
                    FieldRef {
                        name: field.clone().unwrap_or_else(|| column.clone()),
                        derived: Some(Derivation {
                            column: column.clone(),
                            expression: column,
                            traced: field.is_some(),
                            aggregate: true,
                        }),
                    },
                    cmp_op,
                    vec![value],
                )
                .written(op.clone()),
            ));
        } else if let Some((expr, _)) = &corr.extended {
            let mut names = Vec::new();
            stage.predicate = Some(refs_predicate(
                expr,
                &[],
                &OffsetMap::identity(),
                &mut |n, _| names.push(n.to_string()),
            ));
        }
        let mut referenced: Vec<(String, Option<Span>)> = corr
            .rules
            .iter()
            .map(|(n, s)| (n.clone(), Some(*s)))
            .collect();
        if referenced.is_empty() {
            if let Some((expr, _)) = &corr.extended {
                let mut names = Vec::new();
                collect_names(expr, &mut names);
                referenced.extend(names.into_iter().map(|n| (n, None)));
            }
        }
        stage.uses = referenced.iter().map(|(n, _)| n.clone()).collect();
        for (name, span) in referenced {
            analysis.dependencies.push(Dependency {
                kind: DependencyKind::Rule,
                name,
                span,
            });
        }
        for (field, _) in &corr.group_by {
            analysis.outputs.push(OutputField {
                name: field.clone(),
                source: "group-by".into(),
                stage: Some(StageRef::main(stage_index)),
            });
        }
        analysis.stages.push(stage);
        let mut props = serde_json::Map::new();
        props.insert("type".into(), serde_json::json!(corr.kind));
        props.insert("generate".into(), serde_json::json!(corr.generate));
        if let Some((op, t, f)) = &corr.condition {
            props.insert(
                "condition".into(),
                serde_json::json!({"op": op, "count": t, "field": f}),
            );
        }
        if let Some((_, text)) = &corr.extended {
            props.insert("condition".into(), serde_json::json!(text));
        }
        if !corr.aliases.is_empty() {
            let aliases: serde_json::Map<String, serde_json::Value> = corr
                .aliases
                .iter()
                .map(|(a, m)| {
                    (
                        a.clone(),
                        serde_json::Value::Object(
                            m.iter()
                                .map(|(r, f)| (r.clone(), serde_json::json!(f)))
                                .collect(),
                        ),
                    )
                })
                .collect();
            props.insert("aliases".into(), serde_json::Value::Object(aliases));
        }
        rule.properties
            .insert("correlation".into(), serde_json::Value::Object(props));
    }
    analysis.diagnostics = doc.diagnostics.clone();
    analysis.diagnostics.extend(extra);
    rule.absorb(analysis);
    rule
}

/// ATT&CK reference from a tag: `attack.t1059.001` → technique
/// `T1059.001`, `attack.ta0002` → tactic id, `attack.execution` → tactic by
/// name as written. Groups (`attack.g0016`) and software (`attack.s0002`)
/// are not tactics or techniques and stay tags.
pub fn attack_ref(tag: &str) -> Option<AttackRef> {
    let rest = tag.strip_prefix("attack.")?;
    let lower = rest.to_ascii_lowercase();
    let is_id = |prefix: &str| {
        lower.strip_prefix(prefix).is_some_and(|n| {
            let (main, sub) = n.split_once('.').unwrap_or((n, ""));
            main.len() == 4
                && main.bytes().all(|b| b.is_ascii_digit())
                && (sub.is_empty() || (sub.len() == 3 && sub.bytes().all(|b| b.is_ascii_digit())))
        })
    };
    if is_id("ta") {
        return Some(AttackRef {
            kind: AttackKind::Tactic,
            id: Some(rest.to_ascii_uppercase()),
            name: None,
        });
    }
    if is_id("t") {
        return Some(AttackRef {
            kind: AttackKind::Technique,
            id: Some(rest.to_ascii_uppercase()),
            name: None,
        });
    }
    if is_id("g") || is_id("s") || is_id("m") || is_id("ds") {
        return None;
    }
    if !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'-')
    {
        return Some(AttackRef {
            kind: AttackKind::Tactic,
            id: None,
            name: Some(rest.to_string()),
        });
    }
    None
}

/// For a rule without `logsource` (as Hayabusa writes its own rules): the
/// Windows log sources of the channels its detection selects
/// (`Channel: Security` → `windows/security`), named as the `logsource`
/// would have named them.
fn channel_logsources(stages: &[Stage]) -> Vec<DataSource> {
    let mut services: Vec<&'static str> = Vec::new();
    for indicator in ruledex_ir::collect_indicators(&[], stages) {
        let positive = !indicator.negated
            && !indicator.exclusion
            && matches!(
                indicator.kind,
                ruledex_ir::IndicatorKind::Value(Op::Eq | Op::In)
            );
        if !positive || !indicator.field.eq_ignore_ascii_case("Channel") {
            continue;
        }
        for value in &indicator.values {
            if let Some(service) = value.as_str().and_then(crate::channels::service_of) {
                if !services.contains(&service) {
                    services.push(service);
                }
            }
        }
    }
    services
        .into_iter()
        .map(|service| {
            let mut ds = DataSource::new(DataSourceKind::Logsource, format!("windows/{service}"));
            ds.attributes.insert("product".into(), "windows".into());
            ds.attributes.insert("service".into(), service.into());
            ds.attributes
                .insert("from".into(), "the detection's Channel".into());
            ds
        })
        .collect()
}

fn logsource(ls: &ruledex_yaml::Node) -> DataSource {
    let mut attributes = BTreeMap::new();
    let mut parts = Vec::new();
    for key in ["product", "category", "service", "definition"] {
        if let Some(v) = ls
            .get(key)
            .and_then(|v| v.as_str())
            .filter(|v| !v.is_empty())
        {
            attributes.insert(key.to_string(), v.to_string());
            if key != "definition" {
                parts.push(v.to_string());
            }
        }
    }
    let mut ds = DataSource::new(DataSourceKind::Logsource, parts.join("/"));
    ds.attributes = attributes;
    ds
}

#[derive(Clone, Copy, Default)]
struct Polarity {
    positive: bool,
    negative: bool,
}

fn lower_detections(
    text: &str,
    det: &crate::parse::Detections,
    analysis: &mut Analysis,
    extra: &mut Vec<Diagnostic>,
) {
    let names: Vec<&str> = det.detections.iter().map(|d| d.name.as_str()).collect();
    let mut polarity: BTreeMap<String, Polarity> = BTreeMap::new();
    let mut condition_stages = Vec::new();
    for entry in &det.conditions {
        condition_stages.extend(condition_stages_of(text, entry, &names, &mut polarity));
    }
    let timeframe = det.timeframe.is_some();
    for d in &det.detections {
        if timeframe && d.name == "timeframe" {
            continue;
        }
        let mut predicate = lower_node(&d.node);
        let p = polarity.get(&d.name).copied().unwrap_or_default();
        match (p.positive, p.negative) {
            (false, true) => predicate = Predicate::not(predicate),
            (true, true) => extra.push(
                Diagnostic::warning(
                    codes::MIXED_POLARITY,
                    format!(
                        "detection `{}` is used both negated and not negated; its indicators are listed as positive",
                        d.name
                    ),
                )
                .with_span(d.key_span),
            ),
            (false, false)
                if !det.conditions.is_empty()
                    && det.conditions.iter().all(|c| c.parsed.is_some()) =>
            {
                extra.push(
                Diagnostic::warning(
                    codes::UNUSED_DETECTION,
                    format!("detection `{}` is not used by the condition", d.name),
                )
                .with_span(d.key_span),
                )
            }
            _ => {}
        }
        analysis.stages.push(detection_stage(text, d, predicate));
    }
    for (stage, outputs) in condition_stages {
        let index = analysis.stages.len();
        for name in outputs {
            analysis.outputs.push(OutputField {
                name,
                source: "group-by".into(),
                stage: Some(StageRef::main(index)),
            });
        }
        analysis.stages.push(stage);
    }
}

fn detection_stage(text: &str, d: &Detection, predicate: Predicate) -> Stage {
    let mut stage = Stage::new("selection", d.span.slice(text), d.span);
    stage.name = Some(d.name.clone());
    stage.predicate = Some(predicate);
    stage
}

/// The condition stage (and the aggregation stage of a pipe), with the
/// group-by outputs of each.
fn condition_stages_of(
    text: &str,
    entry: &ConditionEntry,
    names: &[&str],
    polarity: &mut BTreeMap<String, Polarity>,
) -> Vec<(Stage, Vec<String>)> {
    let mut out = Vec::new();
    let mut stage = Stage::new("condition", entry.span.slice(text), entry.span);
    let Some(parsed) = &entry.parsed else {
        stage.predicate = Some(Predicate::opaque(&entry.text, Some(entry.span)));
        out.push((stage, Vec::new()));
        return out;
    };
    let mut mark = |name: &str, negated: bool| {
        let p = polarity.entry(name.to_string()).or_default();
        if negated {
            p.negative = true;
        } else {
            p.positive = true;
        }
    };
    stage.predicate = Some(refs_predicate(&parsed.expr, names, &entry.map, &mut mark));
    stage.uses = used_names(&parsed.expr, names);
    out.push((stage, Vec::new()));
    if let Some((agg, span)) = &parsed.aggregation {
        let file_span = entry.map.span_to_file(*span);
        let agg_text = file_span.slice(text);
        match agg {
            Aggregation::Near(expr) => {
                let mut s = Stage::new("near", agg_text, file_span);
                s.predicate = Some(refs_predicate(expr, names, &entry.map, &mut mark));
                s.uses = used_names(expr, names);
                out.push((s, Vec::new()));
            }
            Aggregation::Function {
                function,
                field,
                group_by,
                op,
                threshold,
            } => {
                let mut s = Stage::new("aggregation", agg_text, file_span);
                let column = format!("{function}({})", field.as_deref().unwrap_or(""));
                let cmp = match op.as_str() {
                    "<" => Op::Lt,
                    "<=" => Op::Le,
                    ">" => Op::Gt,
                    ">=" => Op::Ge,
                    "!=" => Op::Ne,
                    _ => Op::Eq,
                };
                let value = threshold
                    .parse::<i64>()
                    .map(Value::Integer)
                    .or_else(|_| threshold.parse::<f64>().map(Value::Float))
                    .unwrap_or_else(|_| Value::String(threshold.clone()));
                s.predicate = Some(Predicate::Compare(
                    Comparison::new(
                        FieldRef {
                            name: field.clone().unwrap_or_else(|| column.clone()),
                            derived: Some(Derivation {
                                column: column.clone(),
                                expression: column,
                                traced: field.is_some(),
                                aggregate: true,
                            }),
                        },
                        cmp,
                        vec![value],
                    )
                    .written(op.clone())
                    .at(file_span),
                ));
                out.push((s, group_by.iter().cloned().collect()));
            }
        }
    }
    out
}

fn used_names(expr: &Expr, names: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut patterns = std::collections::HashSet::new();
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        match e {
            Expr::And(items, _) | Expr::Or(items, _) => stack.extend(items.iter().rev()),
            Expr::Not(inner, _) => stack.push(inner),
            Expr::Ident(n, _) => {
                if seen.insert(n.clone()) {
                    out.push(n.clone());
                }
            }
            Expr::Selector { pattern, .. } => {
                if !patterns.insert(pattern.clone()) {
                    continue;
                }
                for n in select(pattern, names.iter().copied()) {
                    if seen.insert(n.to_string()) {
                        out.push(n.to_string());
                    }
                }
            }
        }
    }
    out
}

fn collect_names(expr: &Expr, out: &mut Vec<String>) {
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        match e {
            Expr::And(items, _) | Expr::Or(items, _) => stack.extend(items.iter().rev()),
            Expr::Not(inner, _) => stack.push(inner),
            Expr::Ident(n, _) => {
                if !out.contains(n) {
                    out.push(n.clone());
                }
            }
            Expr::Selector { .. } => {}
        }
    }
}

/// The condition as a predicate over detection *names* (opaque leaves):
/// readable, and free of indicators. `mark` is told each name's negation
/// parity.
fn refs_predicate(
    expr: &Expr,
    names: &[&str],
    map: &OffsetMap,
    mark: &mut dyn FnMut(&str, bool),
) -> Predicate {
    fn go(
        e: &Expr,
        negated: bool,
        names: &[&str],
        map: &OffsetMap,
        mark: &mut dyn FnMut(&str, bool),
    ) -> Predicate {
        match e {
            Expr::And(items, _) => Predicate::and(
                items
                    .iter()
                    .map(|i| go(i, negated, names, map, mark))
                    .collect(),
            ),
            Expr::Or(items, _) => Predicate::or(
                items
                    .iter()
                    .map(|i| go(i, negated, names, map, mark))
                    .collect(),
            ),
            Expr::Not(inner, _) => Predicate::not(go(inner, !negated, names, map, mark)),
            Expr::Ident(n, span) => {
                mark(n, negated);
                Predicate::Opaque {
                    text: n.clone(),
                    span: Some(map.span_to_file(*span)),
                }
            }
            Expr::Selector {
                quantifier,
                pattern,
                span,
            } => {
                let matched = select(pattern, names.iter().copied());
                if matched.is_empty() {
                    return Predicate::Opaque {
                        text: format!("{quantifier} of {pattern}"),
                        span: Some(map.span_to_file(*span)),
                    };
                }
                let file_span = map.span_to_file(*span);
                let refs: Vec<Predicate> = matched
                    .into_iter()
                    .map(|n| {
                        mark(n, negated);
                        Predicate::Opaque {
                            text: n.to_string(),
                            span: Some(file_span),
                        }
                    })
                    .collect();
                if quantifier == "all" {
                    Predicate::and(refs)
                } else {
                    Predicate::or(refs)
                }
            }
        }
    }
    go(expr, false, names, map, mark)
}

/// A detection's logic as a predicate. Iterative over nesting depth is not
/// needed: detection nesting is limited when parsing.
fn lower_node(node: &DetectionNode) -> Predicate {
    let items: Vec<Predicate> = node
        .children
        .iter()
        .map(|c| match c {
            DetectionChild::Item(item) => lower_item(item),
            DetectionChild::Nested(inner) => lower_node(inner),
        })
        .collect();
    if items.is_empty() {
        return Predicate::opaque("<empty detection>", Some(node.span));
    }
    if node.and {
        Predicate::and(items)
    } else {
        Predicate::or(items)
    }
}

/// One leaf before grouping.
enum Leaf {
    Value {
        op: Op,
        value: Option<Value>,
        case_sensitive: Option<bool>,
    },
    Field {
        op: Op,
        other: String,
    },
    /// A whole `%name%` placeholder (`expand`): the values come from a
    /// list the deployment defines.
    Placeholder {
        op: Op,
        name: String,
        case_sensitive: bool,
    },
}

fn lower_item(item: &Item) -> Predicate {
    let field_name = item
        .field
        .clone()
        .unwrap_or_else(|| FieldRef::ANY.to_string());
    let time = item.modifiers.iter().find_map(|m| match m {
        Modifier::Time(p) => Some(*p),
        _ => None,
    });
    let field = match (time, &item.field) {
        (Some(part), Some(f)) => FieldRef {
            name: f.clone(),
            derived: Some(Derivation {
                column: format!("{}({f})", part.name()),
                expression: format!("{}({f})", part.name()),
                traced: true,
                aggregate: false,
            }),
        },
        _ => FieldRef::new(field_name.clone()),
    };
    let written =
        (!item.modifier_names.is_empty()).then(|| format!("|{}", item.modifier_names.join("|")));
    let span = match item.key_span {
        Some(k) => k.cover(item.value_span),
        None => item.value_span,
    };
    if item.semantic().is_empty() {
        if item.field.is_none() {
            return Predicate::opaque("<keyword list without values>", Some(span));
        }
        let mut c = Comparison::new(field, Op::Eq, vec![Value::Null]).at(span);
        c.written_op = written;
        return negate(item.negated, Predicate::Compare(c));
    }
    let mut leaves: Vec<Leaf> = Vec::with_capacity(item.semantic().len());
    for v in item.semantic() {
        push_leaves(v, &mut leaves);
    }
    let mut predicates: Vec<Predicate> = Vec::new();
    let make = |op: Op, values: Vec<Value>, cs: Option<bool>| {
        let mut c = Comparison::new(field.clone(), op, values).at(span);
        if let Some(cs) = cs {
            c = c.case_sensitive(cs);
        }
        // Existence renders as `Field exists`; `|exists` as a function
        // name would read `|exists(Field)`.
        if !matches!(op, Op::Exists | Op::NotExists) {
            c.written_op = written.clone();
        }
        Predicate::Compare(c)
    };
    if item.all {
        for leaf in leaves {
            predicates.push(match leaf {
                Leaf::Value {
                    op,
                    value,
                    case_sensitive,
                } => make(op, value.into_iter().collect(), case_sensitive),
                Leaf::Field { op, other } => field_compare(&field, op, other, &written, span),
                Leaf::Placeholder {
                    op,
                    name,
                    case_sensitive,
                } => placeholder_compare(&field, op, name, case_sensitive, &written, span),
            });
        }
        return negate(item.negated, Predicate::and(predicates));
    }
    // Group values of the same kind into one comparison, in order of first
    // appearance.
    let mut groups: Vec<(Op, Option<bool>, Vec<Value>)> = Vec::new();
    let mut order: Vec<Result<usize, Predicate>> = Vec::new();
    for leaf in leaves {
        match leaf {
            Leaf::Value {
                op,
                value,
                case_sensitive,
            } => {
                let at = groups
                    .iter()
                    .position(|(o, cs, _)| *o == op && *cs == case_sensitive);
                match at {
                    Some(i) => groups[i].2.extend(value),
                    None => {
                        groups.push((op, case_sensitive, value.into_iter().collect()));
                        order.push(Ok(groups.len() - 1));
                    }
                }
            }
            Leaf::Field { op, other } => {
                order.push(Err(field_compare(&field, op, other, &written, span)))
            }
            Leaf::Placeholder {
                op,
                name,
                case_sensitive,
            } => order.push(Err(placeholder_compare(
                &field,
                op,
                name,
                case_sensitive,
                &written,
                span,
            ))),
        }
    }
    for entry in order {
        predicates.push(match entry {
            Ok(i) => {
                let (op, cs, values) = groups[i].clone();
                make(op, values, cs)
            }
            Err(p) => p,
        });
    }
    negate(item.negated, Predicate::or(predicates))
}

fn negate(negated: bool, p: Predicate) -> Predicate {
    if negated {
        Predicate::not(p)
    } else {
        p
    }
}

fn field_compare(
    field: &FieldRef,
    op: Op,
    other: String,
    written: &Option<String>,
    span: Span,
) -> Predicate {
    Predicate::FieldCompare(FieldComparison {
        left: field.clone(),
        op,
        right: FieldRef::new(other),
        case_sensitive: Some(false),
        written_op: written.clone(),
        span: Some(span),
    })
}

fn placeholder_compare(
    field: &FieldRef,
    op: Op,
    name: String,
    case_sensitive: bool,
    written: &Option<String>,
    span: Span,
) -> Predicate {
    let mut c = Comparison::new(field.clone(), op, Vec::new())
        .from_source(ValueSource {
            kind: ValueSourceKind::Lookup,
            name,
            column: None,
        })
        .case_sensitive(case_sensitive)
        .at(span);
    c.written_op = written.clone();
    Predicate::Compare(c)
}

fn push_leaves(v: &SigmaValue, out: &mut Vec<Leaf>) {
    let leaf = |op, value, cs| Leaf::Value {
        op,
        value,
        case_sensitive: cs,
    };
    out.push(match v {
        SigmaValue::String(s) | SigmaValue::Cased(s) => {
            let cased = matches!(v, SigmaValue::Cased(_));
            let front = usize::from(s.starts_with_any());
            let back = usize::from(s.ends_with_any() && s.parts.len() > front);
            if let [Part::Placeholder(name)] = &s.parts[front..s.parts.len() - back] {
                return out.push(Leaf::Placeholder {
                    op: match (front, back) {
                        (1, 1) => Op::Contains,
                        (1, 0) => Op::EndsWith,
                        (0, 1) => Op::StartsWith,
                        _ => Op::Eq,
                    },
                    name: name.clone(),
                    case_sensitive: cased,
                });
            }
            let (op, value) = s.pattern().lowered();
            leaf(op, Some(value), Some(cased))
        }
        SigmaValue::Number(n) | SigmaValue::TimestampPart(_, n) => {
            leaf(Op::Eq, Some(n.to_ir()), None)
        }
        SigmaValue::Bool(b) => leaf(Op::Eq, Some(Value::Bool(*b)), None),
        SigmaValue::Null => leaf(Op::Eq, Some(Value::Null), None),
        SigmaValue::Regex { pattern, flags } => leaf(
            Op::Regex,
            Some(Value::String(pattern.clone())),
            Some(!flags.contains('i')),
        ),
        SigmaValue::Cidr(c) => leaf(Op::Cidr, Some(Value::String(c.clone())), None),
        SigmaValue::Compare(op, n, _) => leaf(
            match op {
                CompareOp::Gt => Op::Gt,
                CompareOp::Gte => Op::Ge,
                CompareOp::Lt => Op::Lt,
                CompareOp::Lte => Op::Le,
            },
            Some(n.to_ir()),
            None,
        ),
        SigmaValue::Exists(b) => leaf(if *b { Op::Exists } else { Op::NotExists }, None, None),
        SigmaValue::FieldRef {
            field,
            starts_with,
            ends_with,
        } => Leaf::Field {
            op: match (starts_with, ends_with) {
                (true, true) => Op::Contains,
                (true, false) => Op::StartsWith,
                (false, true) => Op::EndsWith,
                (false, false) => Op::Eq,
            },
            other: field.clone(),
        },
        SigmaValue::Expansion(items) => {
            for item in items {
                push_leaves(item, out);
            }
            return;
        }
        SigmaValue::RegexList { file, matches } => Leaf::Placeholder {
            op: if *matches { Op::Regex } else { Op::NotRegex },
            name: file.clone(),
            case_sensitive: false,
        },
    });
}
