//! Deterministic robustness tests (they run in CI; the fuzz target in
//! `fuzz/` explores further): truncated and mutated fixtures and deeply
//! nested input must never panic, overflow the stack, or take long.

use ruledex_ir::OffsetMap;

fn fixtures() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .expect("fixture folder")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "esql"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    out.sort();
    assert!(out.len() >= 9, "fixtures missing");
    out
}

/// Parse and analyze; both must return, and spans must stay in the text.
fn exercise(query: &str) {
    let parsed = ruledex_esql::parse(query);
    for error in &parsed.errors {
        assert!(
            error.span.end as usize <= query.len(),
            "{query:?}: {error:?}"
        );
    }
    let analysis = ruledex_esql::analyze(query, &OffsetMap::shifted(7));
    for d in &analysis.diagnostics {
        let span = d.span.unwrap_or_default();
        assert!(span.end as usize <= query.len() + 7, "{query:?}: {d:?}");
    }
}

#[test]
fn every_truncation_parses() {
    for fixture in fixtures() {
        for (i, _) in fixture.char_indices() {
            exercise(&fixture[..i]);
            exercise(&fixture[i..]);
        }
    }
}

#[test]
fn mutations_parse() {
    // A fixed linear congruential generator: the same mutations every run.
    let mut state: u64 = 0x5eed;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    let specials = [
        "(", ")", "{", "}", "[", "]", "\"", "\\", "*", "?", ":", "|", "/", "/*", "//", "`",
        "\"\"\"", " and ", " or ", " not ", "AND", "NOT", "~", "^", "<=", "=", "é", "\n", "",
    ];
    for fixture in fixtures() {
        let chars: Vec<char> = fixture.chars().collect();
        for _ in 0..300 {
            let mut text: Vec<char> = chars.clone();
            for _ in 0..1 + next() % 4 {
                let at = next() % (text.len() + 1);
                match next() % 3 {
                    0 if at < text.len() => {
                        text.remove(at);
                    }
                    1 if at < text.len() => {
                        let end = (at + next() % 8).min(text.len());
                        text.drain(at..end);
                    }
                    _ => {
                        let insert = specials[next() % specials.len()];
                        for (k, c) in insert.chars().enumerate() {
                            text.insert(at + k, c);
                        }
                    }
                }
            }
            exercise(&text.iter().collect::<String>());
        }
    }
}

#[test]
fn deep_nesting_is_cut_off_without_overflow() {
    for query in [
        "FROM x | WHERE ".to_string() + &"(".repeat(100_000),
        "FROM x | WHERE ".to_string() + &"NOT ".repeat(60_000) + "a",
        "FROM x | EVAL a = ".to_string() + &"f(".repeat(50_000),
        "FROM x | EVAL a = ".to_string() + &"-".repeat(100_000) + "1",
        "FROM x | EVAL a = 1".to_string() + &" + 1".repeat(50_000),
        "FROM x | EVAL a = b".to_string() + &"::long".repeat(50_000),
        "FROM x | WHERE a == [".to_string() + &"[".repeat(50_000),
    ] {
        // Run on a thread with a small stack: the depth limit, not the
        // stack size, must stop the recursion.
        let handle = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let parsed = ruledex_esql::parse(&query);
                assert!(
                    parsed
                        .errors
                        .iter()
                        .any(|e| e.code == ruledex_esql::ErrorCode::TooDeep),
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
    let query = "FROM x | WHERE ".to_string() + &"a LIKE \"*x*\" OR ".repeat(30_000) + "b == 1";
    let parsed = ruledex_esql::parse(&query);
    assert!(parsed.is_ok(), "{:?}", parsed.errors.first());
    exercise(&query);
    // No timed assertion: a quadratic parser would make this test take
    // minutes, and the benchmarks measure speed.
}
