//! Panther analysis specs (YAML) → rules.
//!
//! Every `AnalysisType` is read: `rule`, `scheduled_rule`, `policy`,
//! `correlation_rule`, `scheduled_query` and `saved_query` become rules;
//! `datamodel`, `global`, `lookup_table` and `pack` are supporting files
//! (read as context by [`crate::PantherContext`]) and load as no rule.
//!
//! Fields: `RuleID`/`PolicyID`/`QueryName` → id; `DisplayName` → title;
//! `Description`, `Severity`, `Reference` (references), `Tags`,
//! `Reports` (`MITRE ATT&CK: ["TA0006:T1110"]` → ATT&CK refs; other
//! frameworks in `properties.reports`), `Status` (`Deprecated` → class),
//! `CreateAlert: false` → building block; `LogTypes` (and a policy's
//! `ResourceTypes`) → `log_type` data sources; `DedupPeriodMinutes` →
//! window and `Threshold` → trigger; `SummaryAttributes` → outputs;
//! `InlineFilters` and `Detection` → stages; `ScheduledQueries` → rule
//! dependencies (and the queries' log types); `Runbook`, `Enabled`,
//! `Threshold`, `DedupPeriodMinutes` and `Tests` → `properties`.
//!
//! `properties.tests` keeps each test for the rule page:
//! `[{"name": …, "expected_result": true|false, "log": {…}}]`, with
//! `"resource"` instead of `"log"` for policies, `"mocks"` when the test
//! mocks functions, and `"rule_outputs"` for correlation rules.

use crate::codes;
use crate::context::{sibling, PantherContext};
use crate::python::{lower_program, Module};
use crate::{correlation, detection, sql};
use ruledex_ir::{
    Analysis, AttackKind, AttackRef, DataSource, DataSourceKind, Dependency, DependencyKind,
    Diagnostic, Language, OutputField, Platform, Query, Rule, RuleClass, Severity, SourceFile,
    Span, Stage,
};
use ruledex_yaml::Node;

/// The format name recorded in provenance.
pub const FORMAT: &str = "panther";

/// The analysis types that are rules (the others are supporting files).
pub const RULE_TYPES: [&str; 6] = [
    "rule",
    "scheduled_rule",
    "policy",
    "correlation_rule",
    "scheduled_query",
    "saved_query",
];

/// The analysis types that are supporting files.
pub const SUPPORT_TYPES: [&str; 4] = ["datamodel", "global", "lookup_table", "pack"];

/// Load the rules of one spec file.
pub fn load(file: &SourceFile<'_>) -> Vec<Rule> {
    let docs = match ruledex_yaml::parse(file.text)
        .or_else(|e| ruledex_yaml::parse(&relax_flow_closers(file.text)).map_err(|_| e))
    {
        Ok(docs) => docs,
        Err(e) => {
            let mut rule = empty_rule(file);
            rule.diagnostics
                .push(Diagnostic::error(codes::INVALID_YAML, e.message).with_span(e.span));
            return vec![rule];
        }
    };
    let Some(doc) = docs.first().filter(|d| d.is_mapping()) else {
        let mut rule = empty_rule(file);
        rule.diagnostics.push(Diagnostic::error(
            codes::INVALID_SPEC,
            "a Panther spec must be a YAML mapping",
        ));
        return vec![rule];
    };
    let analysis_type = doc.get("AnalysisType").and_then(Node::as_str).unwrap_or("");
    if SUPPORT_TYPES.contains(&analysis_type) {
        return Vec::new();
    }
    if !RULE_TYPES.contains(&analysis_type) {
        let mut rule = empty_rule(file);
        let span = doc.get("AnalysisType").map_or(doc.span, |n| n.span);
        rule.diagnostics.push(
            Diagnostic::error(
                codes::INVALID_SPEC,
                format!("unknown AnalysisType `{analysis_type}`"),
            )
            .with_span(span)
            .with_note(format!(
                "known: {}, {}",
                RULE_TYPES.join(", "),
                SUPPORT_TYPES.join(", ")
            )),
        );
        return vec![rule];
    }
    vec![lower_spec(file, doc, analysis_type)]
}

fn empty_rule(file: &SourceFile<'_>) -> Rule {
    Rule {
        id: file.path.to_string(),
        title: file.stem().to_string(),
        platform: Platform::Panther,
        language: if file.text.contains("Query:") {
            Language::Sql
        } else {
            Language::Python
        },
        provenance: file.provenance(FORMAT, None),
        body: file.text.to_string(),
        ..Rule::default()
    }
}

/// Read a spec into a rule.
fn lower_spec(file: &SourceFile<'_>, doc: &Node, analysis_type: &str) -> Rule {
    let ctx = file.context::<PantherContext>();
    let text = file.text;
    let query_type = matches!(analysis_type, "scheduled_query" | "saved_query");
    let mut rule = empty_rule(file);
    rule.language = if query_type {
        Language::Sql
    } else {
        Language::Python
    };
    rule.kind = Some(analysis_type.to_string());
    let mut diagnostics = Vec::new();
    let scalar = |key: &str| -> Option<String> {
        let node = doc.get(key)?;
        match node.to_json() {
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    };
    let strings = |key: &str, diagnostics: &mut Vec<Diagnostic>| -> Vec<String> {
        let Some(node) = doc.get(key) else {
            return Vec::new();
        };
        if node.is_mapping() {
            diagnostics.push(
                Diagnostic::error(
                    codes::WRONG_TYPE,
                    format!("`{key}` must be a list of strings"),
                )
                .with_span(node.span),
            );
            return Vec::new();
        }
        node.strings().into_iter().map(str::to_string).collect()
    };
    let id_key = match analysis_type {
        "policy" => "PolicyID",
        _ if query_type => "QueryName",
        _ => "RuleID",
    };
    match scalar(id_key) {
        Some(id) => rule.id = id,
        None => diagnostics.push(missing(doc, id_key)),
    }
    rule.title = scalar("DisplayName")
        .or_else(|| scalar(id_key))
        .unwrap_or_else(|| file.stem().to_string());
    rule.description = scalar("Description");
    if let Some(sev) = doc.get("Severity") {
        match sev.as_str().and_then(Severity::parse) {
            Some(s) => rule.severity = Some(s),
            None => diagnostics.push(
                Diagnostic::error(
                    codes::INVALID_VALUE,
                    format!("unknown Severity `{}`", sev.as_str().unwrap_or("")),
                )
                .with_span(sev.span)
                .with_note("known: Info, Low, Medium, High, Critical"),
            ),
        }
    } else if !query_type {
        diagnostics.push(missing(doc, "Severity"));
    }
    rule.status = scalar("Status");
    if rule
        .status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("deprecated"))
    {
        rule.add_class(RuleClass::Deprecated);
    }
    rule.references = strings("Reference", &mut diagnostics);
    rule.tags = strings("Tags", &mut diagnostics);
    if scalar("CreateAlert").as_deref() == Some("false") {
        // A signal for correlation rules, no alert of its own.
        rule.add_class(RuleClass::BuildingBlock);
    }
    match analysis_type {
        "correlation_rule" => rule.add_class(RuleClass::Correlation),
        "saved_query" => rule.add_class(RuleClass::Hunting),
        _ => {}
    }
    reports(doc, &mut rule, &mut diagnostics);
    for key in [
        "Enabled",
        "Runbook",
        "Threshold",
        "DedupPeriodMinutes",
        "OutputIds",
    ] {
        if let Some(node) = doc.get(key) {
            rule.properties.insert(snake(key), node.to_json());
        }
    }
    if let Some(minutes) = scalar("DedupPeriodMinutes") {
        rule.schedule.window = Some(format!("{minutes}m"));
    }
    if let Some(threshold) = scalar("Threshold").filter(|t| t != "1") {
        rule.schedule.trigger = Some(format!("{threshold} matches"));
    }
    if let Some(schedule) = doc.get("Schedule") {
        if let Some(rate) = schedule.get("RateMinutes").and_then(Node::as_str) {
            rule.schedule.frequency = Some(format!("{rate}m"));
        } else if let Some(cron) = schedule.get("CronExpression").and_then(Node::as_str) {
            rule.schedule.frequency = Some(cron.to_string());
        }
    }
    tests(doc, &mut rule, analysis_type);

    let mut analysis = Analysis::default();
    // Data sources: log types, resource types, scheduled queries.
    let log_types = strings("LogTypes", &mut diagnostics);
    for log_type in &log_types {
        analysis
            .data_sources
            .push(DataSource::new(DataSourceKind::LogType, log_type.clone()));
    }
    for resource in strings("ResourceTypes", &mut diagnostics) {
        let mut ds = DataSource::new(DataSourceKind::LogType, resource);
        ds.attributes.insert("kind".into(), "resource_type".into());
        analysis.data_sources.push(ds);
    }
    let scheduled = strings("ScheduledQueries", &mut diagnostics);
    let mut query_log_types = Vec::new();
    for name in &scheduled {
        analysis.dependencies.push(Dependency {
            kind: DependencyKind::Rule,
            name: name.clone(),
            span: doc.get("ScheduledQueries").map(|n| n.span),
        });
        for lt in ctx
            .and_then(|c| c.query_log_types(name))
            .unwrap_or_default()
        {
            if !log_types.contains(lt) && !query_log_types.contains(lt) {
                query_log_types.push(lt.clone());
                let mut ds = DataSource::new(DataSourceKind::LogType, lt.clone());
                ds.attributes.insert("query".into(), name.clone());
                analysis.data_sources.push(ds);
            }
        }
    }
    match analysis_type {
        "rule" if log_types.is_empty() => diagnostics.push(missing(doc, "LogTypes")),
        "scheduled_rule" if scheduled.is_empty() => {
            diagnostics.push(missing(doc, "ScheduledQueries"))
        }
        "policy" if doc.get("ResourceTypes").is_none() => {
            diagnostics.push(missing(doc, "ResourceTypes"))
        }
        _ => {}
    }
    for attribute in strings("SummaryAttributes", &mut diagnostics) {
        analysis.outputs.push(OutputField {
            name: attribute,
            source: "summary_attributes".into(),
            stage: None,
        });
    }
    if let Some(filters) = doc.get("InlineFilters") {
        if let Some(p) = detection::lower(filters, &mut diagnostics) {
            let mut stage = Stage::new("inline_filters", filters.span.slice(text), filters.span);
            stage.predicate = Some(p);
            analysis.stages.push(stage);
        }
    }

    if query_type {
        query(file, doc, &mut rule, &mut analysis, &mut diagnostics);
    } else if analysis_type == "correlation_rule" {
        match doc.get("Detection") {
            Some(det) => {
                rule.query = Some(query_of(text, doc, "Detection", Language::Python));
                if let Some(window) = correlation::lower(text, det, &mut analysis) {
                    rule.schedule.window = Some(window);
                }
            }
            None => diagnostics.push(missing(doc, "Detection")),
        }
    } else if let Some(det) = doc.get("Detection") {
        rule.properties
            .insert("detection".into(), serde_json::json!("simple"));
        rule.query = Some(query_of(text, doc, "Detection", Language::Python));
        let mut stage = Stage::new("detection", det.span.slice(text), det.span);
        stage.predicate = detection::lower(det, &mut diagnostics);
        analysis.stages.push(stage);
    } else if let Some(filename) = doc.get("Filename") {
        let all_log_types: Vec<String> =
            log_types.iter().chain(&query_log_types).cloned().collect();
        program(
            file,
            ctx,
            filename,
            analysis_type,
            &all_log_types,
            &mut rule,
            &mut analysis,
        );
    } else {
        diagnostics.push(
            missing(doc, "Filename").with_note("a rule needs `Filename` (Python) or `Detection`"),
        );
    }
    analysis.diagnostics.extend(diagnostics);
    rule.absorb(analysis);
    rule
}

/// The Python program of a rule or policy.
fn program(
    file: &SourceFile<'_>,
    ctx: Option<&PantherContext>,
    filename: &Node,
    analysis_type: &str,
    log_types: &[String],
    rule: &mut Rule,
    analysis: &mut Analysis,
) {
    let anchor = filename.span;
    let name = filename.as_str().unwrap_or("");
    let path = sibling(file.path, name);
    rule.properties
        .insert("program".into(), serde_json::json!(path));
    let Some(source) = ctx.and_then(|c| c.program(&path)) else {
        analysis.diagnostics.push(
            Diagnostic::warning(
                codes::PROGRAM_NOT_FOUND,
                format!(
                    "the program `{name}` is not in the source; the rule's logic is not analyzed"
                ),
            )
            .with_span(anchor),
        );
        return;
    };
    rule.query = Some(Query {
        language: Language::Python,
        text: source.to_string(),
        line: 1,
    });
    let module = Module::parse(&path, source);
    if let Some(problem) = &module.problem {
        let line = module.line_of(problem.span.start);
        let code = if problem.too_deep {
            codes::TOO_DEEP
        } else {
            codes::PYTHON_SYNTAX
        };
        analysis.diagnostics.push(
            Diagnostic::error(code, format!("{path}:{line}: {}", problem.message))
                .with_span(anchor),
        );
        let mut stage = Stage::new("return", source, anchor);
        stage.predicate = Some(ruledex_ir::Predicate::opaque("rule(event)", None));
        analysis.stages.push(stage);
        return;
    }
    let entry = if analysis_type == "policy" {
        "policy"
    } else {
        "rule"
    };
    let lowered = lower_program(&module, entry, ctx, log_types, anchor);
    analysis.stages.extend(lowered.stages);
    for output in lowered.outputs {
        if !analysis.outputs.iter().any(|o| o.name == output.name) {
            analysis.outputs.push(output);
        }
    }
    analysis.dependencies.extend(lowered.dependencies);
    analysis.diagnostics.extend(lowered.diagnostics);
    if lowered.alert.is_some() {
        rule.alert = lowered.alert;
    }
    if !lowered.functions.is_empty() {
        rule.properties
            .insert("functions".into(), serde_json::json!(lowered.functions));
    }
}

/// A scheduled or saved query.
fn query(
    file: &SourceFile<'_>,
    doc: &Node,
    rule: &mut Rule,
    analysis: &mut Analysis,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let key = ["Query", "SnowflakeQuery", "AthenaQuery"]
        .into_iter()
        .find(|k| doc.get(k).is_some());
    let Some(key) = key else {
        diagnostics.push(missing(doc, "Query"));
        return;
    };
    let node = doc.get(key).expect("found above");
    let Some(sql_text) = node.as_str() else {
        diagnostics.push(
            Diagnostic::error(codes::WRONG_TYPE, format!("`{key}` must be a string"))
                .with_span(node.span),
        );
        return;
    };
    rule.query = Some(Query {
        language: Language::Sql,
        text: sql_text.to_string(),
        line: line_of(file.text, node.span.start)
            + u32::from(matches!(
                node.style(),
                Some(ruledex_yaml::Style::Literal | ruledex_yaml::Style::Folded)
            )),
    });
    let lowered = sql::lower_query(sql_text, &node.text_map(file.text));
    if let Some(window) = lowered.time_macros.first() {
        rule.schedule.lookback = Some(window.clone());
    }
    let inner = lowered.analysis;
    analysis.bindings.extend(inner.bindings);
    analysis.stages.extend(inner.stages);
    analysis.outputs.extend(inner.outputs);
    analysis.data_sources.extend(inner.data_sources);
    analysis.dependencies.extend(inner.dependencies);
    analysis.diagnostics.extend(inner.diagnostics);
}

/// `Reports`: ATT&CK pairs as references, other frameworks kept.
fn reports(doc: &Node, rule: &mut Rule, diagnostics: &mut Vec<Diagnostic>) {
    let Some(reports) = doc.get("Reports") else {
        return;
    };
    let mut others = serde_json::Map::new();
    for (key, value) in reports.entries() {
        let framework = key.as_str().unwrap_or("");
        if !framework.eq_ignore_ascii_case("MITRE ATT&CK") {
            others.insert(framework.to_string(), value.to_json());
            continue;
        }
        for item in value.items() {
            let Some(text) = item.as_str() else { continue };
            let mut found = false;
            for part in text.split(':') {
                let part = part.trim();
                let kind = if part.starts_with("TA") {
                    AttackKind::Tactic
                } else if part.starts_with('T')
                    && part[1..].starts_with(|c: char| c.is_ascii_digit())
                {
                    AttackKind::Technique
                } else {
                    continue;
                };
                found = true;
                let r = AttackRef {
                    kind,
                    id: Some(part.to_string()),
                    name: None,
                };
                if !rule.attack.contains(&r) {
                    rule.attack.push(r);
                }
            }
            if !found {
                diagnostics.push(
                    Diagnostic::warning(
                        codes::INVALID_VALUE,
                        format!("`{text}` is not a `TA…:T…` ATT&CK reference"),
                    )
                    .with_span(item.span),
                );
            }
        }
    }
    if !others.is_empty() {
        rule.properties
            .insert("reports".into(), serde_json::Value::Object(others));
    }
}

/// `Tests` in the documented shape (see the module documentation).
fn tests(doc: &Node, rule: &mut Rule, analysis_type: &str) {
    let Some(tests) = doc.get("Tests") else {
        return;
    };
    let mut out = Vec::new();
    for test in tests.items() {
        let mut entry = serde_json::Map::new();
        entry.insert(
            "name".into(),
            test.get("Name")
                .map_or(serde_json::Value::Null, Node::to_json),
        );
        entry.insert(
            "expected_result".into(),
            test.get("ExpectedResult")
                .map_or(serde_json::Value::Null, Node::to_json),
        );
        let (key, field) = if analysis_type == "policy" {
            ("Resource", "resource")
        } else {
            ("Log", "log")
        };
        if let Some(event) = test.get(key).or_else(|| test.get("Log")) {
            entry.insert(field.into(), event.to_json());
        }
        if let Some(mocks) = test.get("Mocks") {
            entry.insert("mocks".into(), mocks.to_json());
        }
        if let Some(outputs) = test.get("RuleOutputs") {
            entry.insert("rule_outputs".into(), outputs.to_json());
        }
        out.push(serde_json::Value::Object(entry));
    }
    if !out.is_empty() {
        rule.properties
            .insert("tests".into(), serde_json::Value::Array(out));
    }
}

/// The query of a detection section: the section as written from its key.
fn query_of(text: &str, doc: &Node, key: &str, language: Language) -> Query {
    let (k, v) = doc.entry(key).expect("checked by the caller");
    let span = k.span.cover(v.span);
    Query {
        language,
        text: span.slice(text).to_string(),
        line: line_of(text, span.start),
    }
}

fn line_of(text: &str, offset: u32) -> u32 {
    let before = text.get(..offset as usize).unwrap_or("");
    u32::try_from(before.bytes().filter(|&b| b == b'\n').count() + 1).unwrap_or(u32::MAX)
}

fn missing(doc: &Node, key: &str) -> Diagnostic {
    Diagnostic::error(codes::MISSING_KEY, format!("the spec has no `{key}`"))
        .with_span(Span::empty(doc.span.start))
}

/// The text with every flow-collection closer that starts a line (`}` or
/// `]` alone, indented no deeper than its key) moved to the end of the line
/// before, keeping every byte offset: `"a": 1\n    }` becomes
/// `"a": 1 }\n   `. PyYAML, which Panther's tools use, accepts such
/// closers; the YAML reader here does not, so specs that rely on it are
/// read through this.
fn relax_flow_closers(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\n' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] == b' ' {
                j += 1;
            }
            let indent = j - i - 1;
            if indent >= 2 && matches!(bytes.get(j), Some(b'}' | b']')) {
                let closer = bytes[j];
                bytes[i] = b' ';
                bytes[i + 1] = closer;
                bytes[i + 2] = b'\n';
                for b in &mut bytes[i + 3..=j] {
                    *b = b' ';
                }
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

/// `DedupPeriodMinutes` → `dedup_period_minutes`.
fn snake(key: &str) -> String {
    let mut out = String::new();
    for (i, c) in key.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_closers_move_up_without_moving_bytes() {
        let text = "Log:\n  {\n  \"a\": 1\n  }\nNext: 2\n";
        let relaxed = relax_flow_closers(text);
        assert_eq!(relaxed.len(), text.len());
        assert_eq!(relaxed.find("Next"), text.find("Next"));
        assert!(relaxed.contains("1 }"));
    }
}
