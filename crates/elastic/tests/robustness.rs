//! Deterministic robustness of the loader: truncated and mutated fixtures
//! and deeply nested TOML never panic, always give a rule, and keep every
//! diagnostic inside the file.

use ruledex_elastic::ElasticFormat;
use ruledex_ir::{RuleFormat, SourceFile};
use std::path::Path;

fn inputs() -> Vec<String> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![
        base.join("tests/fixtures"),
        base.join("../../examples/elastic"),
    ];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(std::fs::read_to_string(path).expect("readable"));
            }
        }
    }
    assert!(out.len() > 20);
    out
}

fn check(text: &str) {
    let file = SourceFile::standalone("rules/_deprecated/x.toml", text);
    let _ = ElasticFormat.sniff(&file);
    let rules = ElasticFormat.load(&file);
    assert!(!rules.is_empty());
    for rule in &rules {
        for d in &rule.diagnostics {
            if let Some(span) = d.span {
                assert!(span.end as usize <= text.len(), "{d:?} in {text:?}");
            }
        }
    }
}

#[test]
fn prefixes_of_every_fixture() {
    for text in inputs() {
        let step = (text.len() / 150).max(1);
        for end in (0..=text.len())
            .step_by(step)
            .filter(|i| text.is_char_boundary(*i))
        {
            check(&text[..end]);
        }
    }
}

#[test]
fn deterministic_mutations() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let pieces = [
        "'''", "\"\"\"", "\"", "'", "[", "]", "[[", "=", "\n", "\\", "\0", "query = ", "[hunt]\n",
        "[rule]\n", "é",
    ];
    for text in inputs() {
        for _ in 0..25 {
            let mut chars: Vec<char> = text.chars().collect();
            for _ in 0..(1 + next() % 5) {
                let at = (next() as usize) % (chars.len() + 1);
                if next() % 2 == 0 && !chars.is_empty() {
                    let end = (at + (next() as usize % 40)).min(chars.len());
                    chars.drain(at.min(end)..end);
                } else {
                    let piece = pieces[(next() as usize) % pieces.len()];
                    for (i, c) in piece.chars().enumerate() {
                        chars.insert((at + i).min(chars.len()), c);
                    }
                }
            }
            check(&chars.into_iter().collect::<String>());
        }
    }
}

#[test]
fn unterminated_query_in_a_hunt() {
    // The shape of a fuzzer finding: a hunt whose ''' query never closes
    // and swallows the rest of the file, with NUL bytes inside.
    check("[hunt]\nname = \"x\"\nlanguage = [\"EQL\"]\nquery = [\n'''\nsequence by a [file where a == \"b\" a\0\0\0\0 1\0\0 and [rule]\nx = 1\n");
}

/// Inputs the fuzzer found, kept as files (`tests/regressions`).
#[test]
fn fuzzer_regressions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).expect("regressions").flatten() {
        let bytes = std::fs::read(entry.path()).expect("readable");
        check(&String::from_utf8_lossy(&bytes));
        seen += 1;
    }
    assert!(seen >= 1);
}

#[test]
fn recovered_value_starting_inside_a_character() {
    // A fuzzer finding: a broken string whose recovered span starts in the
    // middle of a multi-byte character.
    check("[hunt]\nauthor = \"\u{58c}\u{58c}\nquery = [\n'''\nsql\nfrom x\n'''\n\"\u{58c}sql\nfrom y\u{58c}\"]\n");
    check("[rule]\nlanguage = \"eql\"\nquery = \"\u{58c}a\\u{58c}\nprocess where \u{58c}\"\n");
}

#[test]
fn deep_nesting_does_not_overflow() {
    let n = 20_000;
    check(&format!(
        "[rule]\nname = \"x\"\nthreshold = {}1{}\n",
        "[".repeat(n),
        "]".repeat(n)
    ));
    check(&format!(
        "[rule]\nname = \"x\"\nthreshold = {}\n",
        "{a=".repeat(n)
    ));
    check(&format!("[rule]\n{}x = 1\n", "[a.".repeat(n)));
}
