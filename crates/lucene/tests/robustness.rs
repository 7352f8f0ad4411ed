//! Deterministic robustness tests (they run in CI; the fuzz target in
//! `fuzz/` explores further): truncated and mutated fixtures and deeply
//! nested input must never panic, overflow the stack, or take long.

use ruledex_ir::OffsetMap;

fn fixtures() -> Vec<String> {
    ruledex_testkit::fixtures(env!("CARGO_MANIFEST_DIR"), "lucene", 8)
}

/// Parse and analyze; both must return, and spans must stay in the text.
fn exercise(query: &str) {
    let parsed = ruledex_lucene::parse(query);
    for error in &parsed.errors {
        assert!(
            error.span.end as usize <= query.len(),
            "{query:?}: {error:?}"
        );
    }
    let analysis = ruledex_lucene::analyze(query, &OffsetMap::shifted(7));
    ruledex_testkit::assert_spans_inside(query, &analysis, 7);
}

#[test]
fn every_truncation_parses() {
    ruledex_testkit::each_truncation(&fixtures(), exercise);
}

/// Characters and words that stress the lucene lexer and parser.
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
    for query in [
        "(".repeat(100_000),
        "NOT ".repeat(60_000) + "a",
        "a:".repeat(50_000) + "b",
        "-".repeat(100_000) + "a",
        "a".to_string() + &"^2".repeat(50_000),
        "a".to_string() + &"~".repeat(50_000),
    ] {
        // Run on a thread with a small stack: the depth limit, not the
        // stack size, must stop the recursion.
        let handle = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let parsed = ruledex_lucene::parse(&query);
                assert!(
                    parsed
                        .errors
                        .iter()
                        .any(|e| e.code == ruledex_lucene::ErrorCode::TooDeep),
                    "no depth error for input starting {:?}",
                    &query[..40.min(query.len())]
                );
                exercise(&query);
            })
            .expect("thread starts");
        handle.join().expect("no panic, no overflow");
    }
}

#[test]
fn long_flat_input_is_linear() {
    let query = "process.name:x* OR ".repeat(40_000) + "y";
    let parsed = ruledex_lucene::parse(&query);
    assert!(parsed.is_ok(), "{:?}", parsed.errors.first());
    exercise(&query);
    // No timed assertion: a quadratic parser would make this test take
    // minutes, and the benchmarks measure speed.
}
