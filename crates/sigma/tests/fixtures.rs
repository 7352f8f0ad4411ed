//! Snapshot tests of the lowered IR for every fixture, and one test per
//! error path (each `invalid/sigNNN_*.yml` must report code `SIGNNN`).

use ruledex_ir::{Rule, RuleFormat, SourceFile};
use ruledex_sigma::SigmaFormat;
use std::path::Path;

fn load(path: &Path) -> (String, Vec<Rule>) {
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let rules = SigmaFormat.load(&SourceFile::standalone(&name, &text));
    (text, rules)
}

/// The rules as JSON without their bodies (the fixture itself).
fn without_bodies(rules: &[Rule]) -> serde_json::Value {
    let mut value = serde_json::to_value(rules).expect("rules serialize");
    if let Some(list) = value.as_array_mut() {
        for rule in list {
            if let Some(obj) = rule.as_object_mut() {
                obj.remove("body");
            }
        }
    }
    value
}

#[test]
fn valid_fixtures_lower_to_the_expected_ir() {
    insta::glob!("fixtures/valid/*.yml", |path| {
        let (_, rules) = load(path);
        for rule in &rules {
            assert!(rule.parsed(), "{}: {:#?}", path.display(), rule.diagnostics);
            assert!(!rule.stages.is_empty(), "{}: no stages", path.display());
        }
        insta::assert_json_snapshot!(without_bodies(&rules));
    });
}

#[test]
fn valid_fixtures_render_readable_predicates() {
    insta::glob!("fixtures/valid/*.yml", |path| {
        let (_, rules) = load(path);
        let mut out = String::new();
        for rule in &rules {
            out.push_str(&format!("# {} ({})\n", rule.title, rule.id));
            for stage in &rule.stages {
                let name = stage.name.as_deref().unwrap_or("");
                let pred = stage
                    .predicate
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                out.push_str(&format!("{} {name}: {pred}\n", stage.kind));
            }
            for i in &rule.indicators {
                out.push_str(&format!(
                    "  indicator {} {} {:?} cs={:?} negated={}\n",
                    i.field,
                    i.kind.name(),
                    i.values.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    i.case_sensitive,
                    i.negated
                ));
            }
        }
        insta::assert_snapshot!(out);
    });
}

#[test]
fn invalid_fixtures_report_their_code_with_a_position() {
    insta::glob!("fixtures/invalid/*.yml", |path| {
        let (text, rules) = load(path);
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        let code = stem[..6].to_ascii_uppercase();
        let diagnostics: Vec<_> = rules.iter().flat_map(|r| &r.diagnostics).collect();
        assert!(
            diagnostics.iter().any(|d| d.code == code && d.is_error()),
            "{}: expected an error {code}, got {diagnostics:#?}",
            path.display()
        );
        for d in &diagnostics {
            assert!(
                d.line.is_some(),
                "{}: {d:?} has no position",
                path.display()
            );
        }
        assert!(rules.iter().all(|r| !r.parsed()));
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let rendered: String = diagnostics.iter().map(|d| d.render(&name, &text)).collect();
        insta::assert_snapshot!(rendered);
    });
}

#[test]
fn every_error_of_a_file_is_reported() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let (_, rules) = load(&dir.join("sig005_invalid_values.yml"));
    let errors = rules[0].diagnostics.iter().filter(|d| d.is_error()).count();
    // The logsource; id, status, level, date, tag and related are
    // specification warnings (metadata only).
    assert_eq!(errors, 1, "{:#?}", rules[0].diagnostics);
    let specification = rules[0]
        .diagnostics
        .iter()
        .filter(|d| d.specification)
        .count();
    assert_eq!(specification, 6, "{:#?}", rules[0].diagnostics);
    let (_, rules) = load(&dir.join("sig007_bad_modifier_chain.yml"));
    let errors = rules[0].diagnostics.iter().filter(|d| d.is_error()).count();
    assert_eq!(errors, 4, "{:#?}", rules[0].diagnostics);
}

#[test]
fn shipped_examples_load_cleanly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/sigma");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("examples/sigma exists") {
        let path = entry.expect("entry").path();
        let (text, rules) = load(&path);
        assert!(ruledex_sigma::sniff_text(&text), "{}", path.display());
        for rule in &rules {
            assert!(
                rule.diagnostics.is_empty(),
                "{}: {:#?}",
                path.display(),
                rule.diagnostics
            );
            seen += 1;
        }
    }
    assert!(seen >= 7, "expected the shipped example rules, saw {seen}");
}
