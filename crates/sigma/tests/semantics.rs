//! Behaviour that pages and the catalog rely on: negation parity,
//! exclusions, case sensitivity, value kinds, correlation references.

use ruledex_ir::{DependencyKind, Rule, RuleClass, RuleFormat, SourceFile};
use ruledex_sigma::SigmaFormat;

fn load(text: &str) -> Vec<Rule> {
    SigmaFormat.load(&SourceFile::standalone("t.yml", text))
}

fn summary(rule: &Rule) -> Vec<String> {
    rule.indicators
        .iter()
        .map(|i| {
            format!(
                "{} {} {} cs={:?} neg={} excl={}",
                i.field,
                i.kind.name(),
                i.values
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
                i.case_sensitive,
                i.negated,
                i.exclusion
            )
        })
        .collect()
}

#[test]
fn exclusions_come_from_the_condition() {
    let rules = load(
        "title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    Image|endswith: '\\a.exe'\n  filter:\n    User: SYSTEM\n  condition: sel and not filter\n",
    );
    assert_eq!(
        summary(&rules[0]),
        [
            r#"Image endswith "\\a.exe" cs=Some(false) neg=false excl=false"#,
            r#"User eq "SYSTEM" cs=Some(false) neg=true excl=true"#,
        ]
    );
    // Indicators are not double counted by the condition stage.
    assert_eq!(rules[0].indicators.len(), 2);
}

#[test]
fn double_negation_and_neq_cancel() {
    let rules = load(
        "title: t\nlogsource: {product: x}\ndetection:\n  sel:\n    A: 1\n  f:\n    B|neq: x\n  condition: sel and not f\n",
    );
    let s = summary(&rules[0]);
    assert_eq!(s[1], r#"B eq "x" cs=Some(false) neg=false excl=false"#);
}

#[test]
fn wildcards_classify_and_numbers_have_no_case() {
    let rules = load(
        "title: t\nlogsource: {product: x}\ndetection:\n  sel:\n    A: ['*x*', 'y*', 'a*b']\n    B: 5\n    C|re: 'a.c'\n    D|re|i: 'a.c'\n    E|cased: Q\n  condition: sel\n",
    );
    assert_eq!(
        summary(&rules[0]),
        [
            r#"A contains "x" cs=Some(false) neg=false excl=false"#,
            r#"A startswith "y" cs=Some(false) neg=false excl=false"#,
            r#"A wildcard "a*b" cs=Some(false) neg=false excl=false"#,
            "B eq 5 cs=None neg=false excl=false",
            r#"C regex "a.c" cs=Some(true) neg=false excl=false"#,
            r#"D regex "a.c" cs=Some(false) neg=false excl=false"#,
            r#"E eq "Q" cs=Some(true) neg=false excl=false"#,
        ]
    );
}

#[test]
fn keywords_match_any_field() {
    let rules = load(
        "title: t\nlogsource: {product: x}\ndetection:\n  kw:\n    - 'evil'\n  condition: kw\n",
    );
    assert_eq!(rules[0].indicators[0].field, "*");
}

#[test]
fn correlation_rules_reference_rules_and_set_the_window() {
    let rules = load(
        "title: c\ncorrelation:\n  type: event_count\n  rules: [base]\n  group-by: [User]\n  timespan: 5m\n  condition: {gte: 3}\n",
    );
    let rule = &rules[0];
    assert!(rule.parsed(), "{:?}", rule.diagnostics);
    assert!(rule.has_class(RuleClass::Correlation));
    assert_eq!(rule.schedule.window.as_deref(), Some("5m"));
    assert_eq!(rule.dependencies[0].kind, DependencyKind::Rule);
    assert_eq!(rule.dependencies[0].name, "base");
    assert_eq!(rule.outputs[0].name, "User");
    assert_eq!(rule.outputs[0].source, "group-by");
    // The threshold is not an indicator.
    assert!(rule.indicators.is_empty());
}

#[test]
fn attack_tags_become_references() {
    let rules = load(
        "title: t\nlogsource: {product: x}\ndetection: {s: {A: 1}, condition: s}\ntags: [attack.t1059.001, attack.stealth, attack.g0016, car.2013-05-004]\n",
    );
    let attack: Vec<String> = rules[0]
        .attack
        .iter()
        .map(|a| format!("{:?} {:?} {:?}", a.kind, a.id, a.name))
        .collect();
    assert_eq!(
        attack,
        [
            r#"Technique Some("T1059.001") None"#,
            r#"Tactic None Some("stealth")"#
        ]
    );
    assert_eq!(rules[0].tags, ["attack.g0016", "car.2013-05-004"]);
}

#[test]
fn sniff_rejects_other_yaml_formats() {
    let sentinel = "id: 1\nname: x\nquery: |\n  SigninLogs\nseverity: Medium\n";
    let splunk = "name: x\nsearch: '| tstats count'\ntags:\n  analytic_story: [a]\n";
    let panther = "AnalysisType: rule\nFilename: x.py\nRuleID: A.B\nDetection:\n  - Key: a\n";
    for text in [sentinel, splunk, panther] {
        assert!(!ruledex_sigma::sniff_text(text), "{text}");
    }
    assert!(ruledex_sigma::sniff_text(
        "title: t\nlogsource: {}\ndetection: {}\n"
    ));
}

#[test]
fn sniff_finds_documents_indented_as_a_whole() {
    // pySigma's own test rules indent the whole document; YAML allows it.
    let indented = "    title: t\n    logsource:\n        product: windows\n    detection:\n        sel:\n            A: 1\n        condition: sel\n";
    assert!(ruledex_sigma::sniff_text(indented));
    let rules = load(indented);
    assert!(rules[0].parsed(), "{:?}", rules[0].diagnostics);
    // Keys of nested mappings are not top-level keys.
    let nested = "  name: x\n  params:\n    title: t\n    detection: d\n";
    assert!(!ruledex_sigma::sniff_text(nested));
    // The second document sets its own indentation.
    assert!(ruledex_sigma::sniff_text(
        "a: 1\n---\n  title: t\n  detection:\n    sel: {A: 1}\n    condition: sel\n"
    ));
}

#[test]
fn near_pipes_become_a_stage_over_detection_names() {
    let rules = load(
        "title: t\nlogsource: {product: linux}\ndetection:\n  a: {A: 1}\n  b: {B: 2}\n  c: {C: 3}\n  condition: a | near b and not c\n",
    );
    let rule = &rules[0];
    assert!(rule.parsed(), "{:?}", rule.diagnostics);
    assert!(rule.diagnostics.iter().any(|d| d.code == "SIG013"));
    let near = rule
        .stages
        .iter()
        .find(|s| s.kind == "near")
        .expect("near stage");
    assert_eq!(
        near.predicate.as_ref().map(ToString::to_string).as_deref(),
        Some("b and not(c)")
    );
    // `c` is only used negated (inside `near`): its indicator is an exclusion.
    let c = rule.indicators.iter().find(|i| i.field == "C").expect("C");
    assert!(c.negated);
}
