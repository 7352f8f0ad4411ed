//! Snapshots of the lowered model of every valid fixture (rules we wrote),
//! in a compact view: what a reader of the rule page checks.

mod common;

use ruledex_ir::Rule;
use serde_json::{json, Value};

fn view(rule: &Rule) -> Value {
    json!({
        "id": rule.id,
        "title": rule.title,
        "language": rule.language,
        "kind": rule.kind,
        "classes": rule.classes,
        "severity": rule.severity,
        "schedule": rule.schedule,
        "attack": rule.attack,
        "data_sources": rule.data_sources,
        "bindings": rule.bindings.iter().map(|b| json!({
            "name": b.name,
            "stages": b.stages.iter().map(|s| json!({
                "kind": s.kind,
                "predicate": s.predicate.as_ref().map(ToString::to_string),
                "uses": s.uses,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "stages": rule.stages.iter().map(|s| json!({
            "kind": s.kind,
            "predicate": s.predicate.as_ref().map(ToString::to_string),
            "uses": s.uses,
            "assignments": s.assignments.iter().map(|a| format!("{} = {}", a.name, a.expression)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "indicators": rule.indicators.iter().map(|i| json!({
            "field": i.field,
            "kind": i.kind.name(),
            "values": i.values,
            "case_sensitive": i.case_sensitive,
            "negated": i.negated,
            "exclusion": i.exclusion,
            "stage": i.stage.index,
            "derived": i.derived.as_ref().map(|d| json!({"column": d.column, "traced": d.traced, "aggregate": d.aggregate})),
            "values_from": i.values_from.as_ref().map(|v| v.name.clone()),
        })).collect::<Vec<_>>(),
        "outputs": rule.outputs.iter().map(|o| format!("{} ({})", o.name, o.source)).collect::<Vec<_>>(),
        "dependencies": rule.dependencies.iter().map(|d| format!("{:?} {}", d.kind, d.name)).collect::<Vec<_>>(),
        "alert": rule.alert,
        "properties": rule.properties.keys().collect::<Vec<_>>(),
        "tests": rule.properties.get("tests").and_then(Value::as_array).map(Vec::len),
        "diagnostics": rule.diagnostics.iter().map(|d| format!("{}:{} {}[{}] {}", d.line.unwrap_or(0), d.column.unwrap_or(0), d.severity, d.code, d.message)).collect::<Vec<_>>(),
    })
}

#[test]
fn valid_fixtures_lower_as_snapshotted() {
    let loaded = common::load_folder(&common::fixture("valid"));
    assert!(loaded.len() >= 12, "{} specs", loaded.len());
    for (path, rules) in loaded {
        if rules.is_empty() {
            continue;
        }
        let name = path.replace('/', "__");
        let views: Vec<Value> = rules.iter().map(view).collect();
        insta::assert_json_snapshot!(name, views);
        for rule in &rules {
            assert!(rule.parsed(), "{path}: {:?}", rule.diagnostics);
        }
    }
}

#[test]
fn supporting_files_load_as_no_rules() {
    let loaded = common::load_folder(&common::fixture("valid"));
    for (path, rules) in &loaded {
        let supporting = path.starts_with("global_helpers/")
            || path.starts_with("data_models/")
            || path.starts_with("packs/")
            || path.ends_with(".py");
        assert_eq!(supporting, rules.is_empty(), "{path}");
    }
}

#[test]
fn fixture_tests_are_reproduced_by_the_evaluator() {
    let loaded = common::load_folder(&common::fixture("valid"));
    let mut evaluator = ruledex_eval::Evaluator::new();
    let (mut evaluated, mut reproduced) = (0, 0);
    for (path, rules) in &loaded {
        for rule in rules {
            for outcome in ruledex_panther::samples::evaluate(rule, &mut evaluator) {
                evaluated += 1;
                if outcome.mocked {
                    continue;
                }
                // Known results are the expected ones; a test whose result
                // hangs on an opaque construct (the policy's loop) is
                // unknown, never wrong.
                assert!(
                    outcome.reproduced() || outcome.evaluated == ruledex_eval::Truth::Unknown,
                    "{path}: {outcome:?}"
                );
                reproduced += usize::from(outcome.reproduced());
            }
        }
    }
    assert!(evaluated >= 6, "{evaluated} tests evaluated");
    assert!(
        reproduced * 10 >= evaluated * 8,
        "{reproduced} of {evaluated} reproduced"
    );
}
