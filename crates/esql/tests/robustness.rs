//! Deterministic robustness tests (they run in CI; the fuzz target in
//! `fuzz/` explores further): truncated and mutated fixtures and deeply
//! nested input must never panic, overflow the stack, or take long.

fn fixtures() -> Vec<String> {
    ruledex_testkit::fixtures(env!("CARGO_MANIFEST_DIR"), "esql", 9)
}

/// The esql parser and analysis, as the shared harness drives them.
const LANGUAGE: ruledex_testkit::Language<ruledex_esql::ErrorCode> = ruledex_testkit::Language {
    parse_errors: |query| ruledex_esql::parse(query).errors,
    analyze: ruledex_esql::analyze,
    too_deep: ruledex_esql::ErrorCode::TooDeep,
};

/// Parse and analyze; both must return, and spans must stay in the text.
fn exercise(query: &str) {
    LANGUAGE.exercise(query);
}

#[test]
fn every_truncation_parses() {
    ruledex_testkit::each_truncation(&fixtures(), exercise);
}

/// Characters and words that stress the esql lexer and parser.
const SPECIALS: &[&str] = &[
    "(", ")", "{", "}", "[", "]", "\"", "\\", "*", "?", ":", "|", "/", "/*", "//", "`", "\"\"\"",
    " and ", " or ", " not ", "AND", "NOT", "~", "^", "<=", "=", "é", "\n", "",
];

#[test]
fn mutations_parse() {
    ruledex_testkit::each_mutation(&fixtures(), SPECIALS, 300, exercise);
}

#[test]
fn deep_nesting_is_cut_off_without_overflow() {
    LANGUAGE.assert_depth_limited(vec![
        "FROM x | WHERE ".to_string() + &"(".repeat(100_000),
        "FROM x | WHERE ".to_string() + &"NOT ".repeat(60_000) + "a",
        "FROM x | EVAL a = ".to_string() + &"f(".repeat(50_000),
        "FROM x | EVAL a = ".to_string() + &"-".repeat(100_000) + "1",
        "FROM x | EVAL a = 1".to_string() + &" + 1".repeat(50_000),
        "FROM x | EVAL a = b".to_string() + &"::long".repeat(50_000),
        "FROM x | WHERE a == [".to_string() + &"[".repeat(50_000),
    ]);
}

#[test]
fn long_flat_input_is_linear() {
    let query = "FROM x | WHERE ".to_string() + &"a LIKE \"*x*\" OR ".repeat(30_000) + "b == 1";
    let parsed = ruledex_esql::parse(&query);
    assert!(parsed.is_ok(), "{:?}", parsed.errors.first());
    exercise(&query);
    // No timed assertion: a quadratic parser would make this test take
    // minutes, and the benchmarks measure speed.
}
