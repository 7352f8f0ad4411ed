//! Deterministic robustness: truncated, mutated and deeply nested rules
//! never panic, never overflow the stack, and keep every span inside the
//! text.

use ruledex_ir::{RuleFormat, SourceFile};
use ruledex_testkit::Language;
use ruledex_yaral::{analyze, parse, Code, YaralFormat, MAX_DEPTH};
use std::path::Path;

fn fixtures() -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["valid", "invalid"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(sub);
        for entry in std::fs::read_dir(dir).expect("fixtures").flatten() {
            out.push(std::fs::read_to_string(entry.path()).expect("readable"));
        }
    }
    out.sort();
    assert!(out.len() > 25);
    out
}

fn parse_errors(text: &str) -> Vec<ruledex_yaral::QueryDiagnostic> {
    parse(text).diagnostics
}

const YARAL: Language<Code> = Language {
    parse_errors,
    analyze,
    too_deep: Code::TooDeep,
};

fn exercise(text: &str) {
    YARAL.exercise(text);
    let rules = YaralFormat.load(&SourceFile::standalone("r.yaral", text));
    assert!(!rules.is_empty());
    for rule in &rules {
        for stage in &rule.stages {
            if let Some(p) = &stage.predicate {
                let _ = p.to_string();
            }
        }
    }
}

#[test]
fn every_truncation_of_every_fixture() {
    ruledex_testkit::each_truncation(&fixtures(), exercise);
}

#[test]
fn deterministic_mutations() {
    let specials = [
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "\"",
        "`",
        "/",
        "/*",
        "//",
        "$",
        "#",
        "%",
        ":",
        ":=",
        "?.",
        " and ",
        " or ",
        " not ",
        "=",
        "!=",
        "!",
        " nocase",
        " in ",
        " regex ",
        "\n",
        "é",
        "\u{0}",
        "events:",
        "match:",
        "outcome:",
        "condition:",
        " over 5m",
        "re.regex(",
        "\\",
    ];
    ruledex_testkit::each_mutation(&fixtures(), &specials, 40, exercise);
}

#[test]
fn deep_nesting_is_reported_not_overflowed() {
    let n = 20_000;
    let rule = |events: String| format!("rule r {{ events: {events} condition: $e }}");
    YARAL.assert_depth_limited(vec![
        rule(format!("{}$e.x = 1{}", "(".repeat(n), ")".repeat(n))),
        rule(format!("{}$e.x = 1", "not ".repeat(n))),
        rule(format!("{}$e.x = 1", "!".repeat(n))),
        rule(format!("$e.x = {}1", "-".repeat(n))),
        rule(format!(
            "$e.x = {}1{}",
            "strings.to_lower(".repeat(n),
            ")".repeat(n)
        )),
        rule(format!("$e.x = {}", "[".repeat(n))),
        rule(format!("{}$e.x = 1", "any ".repeat(n))),
        format!(
            "rule r {{ events: $e.x = 1 outcome: $o = {}1{} condition: $e }}",
            "if(".repeat(n),
            ")".repeat(n)
        ),
        format!(
            "rule r {{ events: $e.x = 1 condition: {}$e{} }}",
            "(".repeat(n),
            ")".repeat(n)
        ),
    ]);
    // At the limit itself the rule is fine.
    let ok = format!(
        "rule r {{ events: {}$e.x = 1{} condition: $e }}",
        "(".repeat(MAX_DEPTH - 2),
        ")".repeat(MAX_DEPTH - 2)
    );
    assert!(parse(&ok).is_valid(), "{:?}", parse(&ok).diagnostics);
}

#[test]
fn long_flat_input_stays_linear() {
    let n = 20_000;
    for text in [
        format!(
            "rule r {{ events: {}$e.x = 1 condition: $e }}",
            "$e.x = 1 or ".repeat(n)
        ),
        format!(
            "rule r {{ events: {} condition: $e }}",
            "$e.x = 1\n".repeat(n)
        ),
        format!(
            "rule r {{ events: $e.x = strings.concat({}\"a\") condition: $e }}",
            "\"y\", ".repeat(n)
        ),
        "rule r { ".repeat(n),
        "}}}}".repeat(n),
        "/*".repeat(n),
        format!("rule r {{ meta: {} }}", "a = \"b\"\n".repeat(n)),
        format!(
            "rule r {{ events: $e.x = \"{}\" condition: $e }}",
            "x".repeat(n * 10)
        ),
    ] {
        exercise(&text);
    }
}
