//! Deterministic robustness tests (they run in CI; the fuzz target in
//! `fuzz/` explores further): truncated and mutated fixtures and deeply
//! nested input must never panic, overflow the stack, or take long.

fn fixtures() -> Vec<String> {
    ruledex_testkit::fixtures(env!("CARGO_MANIFEST_DIR"), "kuery", 10)
}

/// The kuery parser and analysis, as the shared harness drives them.
const LANGUAGE: ruledex_testkit::Language<ruledex_kuery::ErrorCode> = ruledex_testkit::Language {
    parse_errors: |query| ruledex_kuery::parse(query).errors,
    analyze: ruledex_kuery::analyze,
    too_deep: ruledex_kuery::ErrorCode::TooDeep,
};

/// Parse and analyze; both must return, and spans must stay in the text.
fn exercise(query: &str) {
    LANGUAGE.exercise(query);
}

#[test]
fn every_truncation_parses() {
    ruledex_testkit::each_truncation(&fixtures(), exercise);
}

/// Characters and words that stress the kuery lexer and parser.
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
        "(".repeat(100_000),
        "not ".repeat(60_000) + "a",
        "a:".to_string() + &"(".repeat(100_000),
        "a:{".repeat(50_000),
        "a:(".repeat(20) + &"not ".repeat(60_000),
    ]);
}

#[test]
fn long_flat_input_is_linear() {
    let query = "process.name : x* or ".repeat(40_000) + "y";
    let parsed = ruledex_kuery::parse(&query);
    assert!(parsed.is_ok(), "{:?}", parsed.errors.first());
    exercise(&query);
    // No timed assertion: a quadratic parser would make this test take
    // minutes, and the benchmarks measure speed.
}
