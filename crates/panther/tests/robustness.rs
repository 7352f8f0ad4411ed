//! Hostile input: deep nesting, truncations and mutations of the fixtures
//! never panic or overflow the stack.

mod common;

use ruledex_ir::{RuleFormat, SourceFile};
use ruledex_panther::python::{lower_program, Module};
use ruledex_panther::{sql, PantherFormat};

#[test]
fn deep_python_nesting_is_refused_or_bounded() {
    for depth in [50usize, 99, 100_000] {
        for (open, close) in [("(", ")"), ("[", "]"), ("not ", ""), ("-", "")] {
            let program = format!(
                "def rule(event):\n    return {}event.get(\"a\"){}\n",
                open.repeat(depth),
                close.repeat(depth)
            );
            let module = Module::parse("deep.py", &program);
            let lowered = lower_program(&module, "rule", None, &[], ruledex_ir::Span::empty(0));
            if depth > 100 {
                assert!(
                    module.problem.as_ref().is_some_and(|p| p.too_deep),
                    "{open} x {depth}"
                );
            }
            let _ = lowered;
        }
    }
    // Long flat conditions are fine and stay linear.
    let wide = format!(
        "def rule(event):\n    return {}\n",
        (0..5_000)
            .map(|i| format!("event.get(\"f{i}\") == {i}"))
            .collect::<Vec<_>>()
            .join(" or ")
    );
    let module = Module::parse("wide.py", &wide);
    assert!(module.problem.is_none());
    let lowered = lower_program(&module, "rule", None, &[], ruledex_ir::Span::empty(0));
    assert_eq!(lowered.stages.len(), 1);
}

/// Found by the `sql` fuzz target: an unclosed Jinja block or placeholder
/// ending in a multi-byte character made the pre-pass slice inside it.
#[test]
fn unclosed_jinja_before_a_multibyte_character_is_skipped() {
    for query in [
        "{%\u{1d0}o",
        "{#\u{1d0}o",
        "{{\u{1d0}o",
        "SELECT a FROM t WHERE {% if \u{e9}",
    ] {
        let prepared = sql::prepare(query);
        assert_eq!(prepared.text.len(), query.len());
        let _ = sql::lower_query(query, &ruledex_ir::OffsetMap::identity());
    }
    let prepared = sql::prepare("SELECT a {% if x \u{e9}");
    assert_eq!(prepared.skipped.len(), 1);
    assert_eq!(prepared.skipped[0].1, "if x \u{e9}");
}

#[test]
fn deep_sql_nesting_is_an_error_not_a_crash() {
    let query = format!(
        "SELECT * FROM t WHERE {}a = 1{}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let lowered = sql::lower_query(&query, &ruledex_ir::OffsetMap::identity());
    assert!(lowered.analysis.diagnostics.iter().any(|d| d.is_error()));
}

#[test]
fn deep_yaml_detection_is_bounded() {
    let mut det =
        String::from("AnalysisType: rule\nRuleID: X\nSeverity: Low\nLogTypes: [A.B]\nDetection:\n");
    for i in 0..100 {
        det.push_str(&format!("{}- Any:\n", "  ".repeat(i + 1)));
    }
    let file = SourceFile::standalone("deep.yml", &det);
    let _ = PantherFormat.load(&file);
}

#[test]
fn truncations_and_mutations_of_fixtures_never_panic() {
    let files = common::files(&common::fixture("valid"));
    let texts: Vec<String> = files.iter().map(|(_, t)| t.clone()).collect();
    let check = |text: &str| {
        let module = Module::parse("m.py", text);
        let _ = lower_program(
            &module,
            "rule",
            None,
            &["AWS.CloudTrail".into()],
            ruledex_ir::Span::empty(0),
        );
        let _ = sql::lower_query(text, &ruledex_ir::OffsetMap::identity());
        let file = SourceFile::standalone("m.yml", text);
        let _ = PantherFormat.load(&file);
    };
    ruledex_testkit::each_truncation(&texts, |t| check(t));
    ruledex_testkit::each_mutation(
        &texts,
        &["(", "{{", "{%", "'", "\"", ":", "\n  - ", "not "],
        20,
        |t| check(t),
    );
}
