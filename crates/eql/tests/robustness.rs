//! Deterministic robustness: truncated, mutated and deeply nested input
//! must never panic, overflow the stack, or take more than linear-ish time.

use ruledex_eql::{analyze, parse, MAX_DEPTH};
use ruledex_ir::OffsetMap;
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
    assert!(out.len() > 40);
    out
}

#[test]
fn every_prefix_of_every_fixture() {
    for text in fixtures() {
        for end in (0..=text.len()).filter(|i| text.is_char_boundary(*i)) {
            let _ = analyze(&text[..end], &OffsetMap::identity());
        }
    }
}

#[test]
fn deterministic_mutations() {
    // A small xorshift generator keeps the test reproducible.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let pieces = [
        "(",
        ")",
        "[",
        "]",
        "![",
        "\"",
        "\"\"\"",
        "'",
        "?",
        "`",
        " and ",
        " or ",
        " not ",
        ":",
        "==",
        "=",
        "|",
        " by ",
        " with ",
        "maxspan=",
        "runs=",
        "~",
        "\\",
        "\\u{",
        "*",
        "-",
        "$",
        "sequence ",
        "sample ",
        " until ",
        ",",
        "/*",
        "//",
        "\n",
        "é",
        "\u{0}",
    ];
    for text in fixtures() {
        for _ in 0..60 {
            let mut bytes: Vec<char> = text.chars().collect();
            for _ in 0..(1 + next() % 4) {
                let at = (next() as usize) % (bytes.len() + 1);
                match next() % 3 {
                    0 if !bytes.is_empty() => {
                        bytes.remove(at.min(bytes.len() - 1));
                    }
                    1 => {
                        let piece = pieces[(next() as usize) % pieces.len()];
                        for (i, c) in piece.chars().enumerate() {
                            bytes.insert((at + i).min(bytes.len()), c);
                        }
                    }
                    _ => {
                        if bytes.len() > 2 {
                            let a = (next() as usize) % bytes.len();
                            let b = (next() as usize) % bytes.len();
                            bytes.swap(a, b);
                        }
                    }
                }
            }
            let mutated: String = bytes.into_iter().collect();
            let analysis = analyze(&mutated, &OffsetMap::identity());
            // Every diagnostic span lies inside the input.
            for d in &analysis.diagnostics {
                let span = d.span.expect("placed");
                assert!(span.end as usize <= mutated.len(), "{mutated:?}: {d:?}");
            }
        }
    }
}

fn assert_fast(label: &str, text: &str) -> ruledex_eql::Parsed {
    let parsed = parse(text);
    let analysis = analyze(text, &OffsetMap::identity());
    assert!(
        analysis.diagnostics.len() >= parsed.diagnostics.len(),
        "{label}"
    );
    parsed
}

#[test]
fn deep_nesting_is_reported_not_overflowed() {
    let n = 50_000;
    let cases = [
        (
            "parens",
            format!("process where {}a == 1{}", "(".repeat(n), ")".repeat(n)),
        ),
        ("nots", format!("process where {}a", "not ".repeat(n))),
        (
            "calls",
            format!("process where {}a{}", "f(".repeat(n), ")".repeat(n)),
        ),
        ("lists", format!("process where a in {}", "(".repeat(n))),
        ("steps", format!("sequence {}", "[process where ".repeat(n))),
        (
            "subqueries",
            format!(
                "process where {}",
                "descendant of [process where ".repeat(n)
            ),
        ),
        (
            "methods",
            format!("process where a{}", ":length()".repeat(n)),
        ),
        ("unclosed", "(".repeat(n)),
    ];
    for (label, text) in cases {
        let parsed = assert_fast(label, &text);
        assert!(!parsed.is_valid(), "{label} should be rejected");
    }
    // At the limit itself the query is fine.
    let ok = format!(
        "process where {}a == 1{}",
        "(".repeat(MAX_DEPTH - 2),
        ")".repeat(MAX_DEPTH - 2)
    );
    assert!(parse(&ok).is_valid());
}

#[test]
fn long_flat_input_is_linear() {
    let n = 20_000;
    let cases = [
        (
            "and chain",
            format!("process where {}a == 1", "a == 1 and ".repeat(n)),
        ),
        (
            "or chain",
            format!("process where {}a == 1", "a : \"x\" or ".repeat(n)),
        ),
        (
            "arith chain",
            format!("process where {}1 > 0", "a + ".repeat(n)),
        ),
        (
            "big list",
            format!("process where a in ({}\"z\")", "\"x\", ".repeat(n)),
        ),
        (
            "many steps",
            format!("sequence {}", "[process where true] ".repeat(n)),
        ),
        (
            "many pipes",
            format!("process where true {}", "| head 1 ".repeat(n)),
        ),
        ("garbage", "]]]]".repeat(n)),
        (
            "long string",
            format!("process where a : \"{}\"", "x".repeat(n * 10)),
        ),
    ];
    for (label, text) in cases {
        assert_fast(label, &text);
    }
}
