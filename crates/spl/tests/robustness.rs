//! Deterministic robustness: truncated, mutated and deeply nested searches
//! never panic, never overflow the stack, and keep every span inside the
//! text.

use ruledex_ir::OffsetMap;
use ruledex_spl::{analyze, analyze_with, parse, Code, MAX_DEPTH};
use ruledex_testkit::Language;
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
    assert!(out.len() > 30);
    out
}

fn parse_errors(text: &str) -> Vec<ruledex_spl::QueryDiagnostic> {
    parse(text).diagnostics
}

const SPL: Language<Code> = Language {
    parse_errors,
    analyze,
    too_deep: Code::TooDeep,
};

#[test]
fn every_truncation_of_every_fixture() {
    ruledex_testkit::each_truncation(&fixtures(), |text| SPL.exercise(text));
}

#[test]
fn deterministic_mutations() {
    let specials = [
        "(", ")", "[", "]", "\"", "`", "```", "'", "|", " OR ", " AND ", " NOT ", "=", "!=", "<=",
        " IN (", ",", "\\", "*", "$", " by ", " as ", " where ", "\n", "é", "\u{0}", "[|", "eval(",
    ];
    ruledex_testkit::each_mutation(&fixtures(), &specials, 40, |text| SPL.exercise(text));
}

#[test]
fn deep_nesting_is_reported_not_overflowed() {
    let n = 20_000;
    SPL.assert_depth_limited(vec![
        format!("a {}b{}", "(".repeat(n), ")".repeat(n)),
        format!("a {}b", "NOT ".repeat(n)),
        format!("| where {}x=1{}", "(".repeat(n), ")".repeat(n)),
        format!("| eval x={}1{}", "f(".repeat(n), ")".repeat(n)),
        format!("| where {}x", "NOT ".repeat(n)),
        format!("| eval x={}1", "-".repeat(n)),
        format!("a {}", "[search a ".repeat(n)),
        format!("| join x {}", "[search a | join x ".repeat(n)),
        format!(
            "| stats count(eval({}x=1{})) as c",
            "(".repeat(n),
            ")".repeat(n)
        ),
        format!("| where x IN {}", "(".repeat(n)),
    ]);
    // At the limit itself the search is fine.
    let ok = format!(
        "a {}b{}",
        "(".repeat(MAX_DEPTH - 1),
        ")".repeat(MAX_DEPTH - 1)
    );
    assert!(parse(&ok).is_valid(), "{:?}", parse(&ok).diagnostics);
}

#[test]
fn long_flat_input_stays_linear() {
    let n = 20_000;
    for text in [
        format!("a {}", "x=1 OR ".repeat(n)),
        format!("a {}", "x=1 ".repeat(n)),
        format!("| where {}x=1", "x=1 AND ".repeat(n)),
        format!("a x IN ({}z)", "\"y\", ".repeat(n)),
        format!("a {}", "| eval a=1 ".repeat(n)),
        "]]]]".repeat(n),
        "````".repeat(n),
        format!("a=\"{}\"", "x".repeat(n * 10)),
    ] {
        SPL.exercise(&text);
    }
}

#[test]
fn macro_expansion_is_bounded() {
    use ruledex_spl::macros::{MacroDef, Macros};
    // Each macro doubles the previous: 2^30 bytes if unbounded.
    let mut m = Macros::new();
    m.insert(MacroDef::new("m0", &[], "x=1"));
    for i in 1..30 {
        let prev = format!("`m{}`", i - 1);
        m.insert(MacroDef::new(
            &format!("m{i}"),
            &[],
            &format!("{prev} {prev}"),
        ));
    }
    let analysis = analyze_with("`m29`", &OffsetMap::identity(), Some(&m));
    assert!(analysis.diagnostics.iter().any(|d| d.code == "SPL103"));
}
