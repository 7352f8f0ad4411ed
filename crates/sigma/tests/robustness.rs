//! The loader never panics: truncated and mutated fixtures, deep nesting,
//! huge conditions. (The cargo-fuzz target in `fuzz/` explores further.)

use ruledex_ir::{RuleFormat, SourceFile};
use ruledex_sigma::SigmaFormat;
use std::path::Path;

fn fixtures() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [
        "tests/fixtures/valid",
        "tests/fixtures/invalid",
        "../../examples/sigma",
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            if let Ok(t) = std::fs::read_to_string(e.path()) {
                out.push(t);
            }
        }
    }
    assert!(out.len() >= 20, "fixtures missing");
    out
}

fn load(text: &str) {
    let rules = SigmaFormat.load(&SourceFile::standalone("f.yml", text));
    assert!(!rules.is_empty());
    for r in &rules {
        for d in &r.diagnostics {
            if let Some(span) = d.span {
                assert!(span.end as usize <= text.len(), "{d:?}");
            }
        }
    }
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn truncated_fixtures_do_not_panic() {
    for text in fixtures() {
        let mut cut = 0;
        while cut < text.len() {
            if text.is_char_boundary(cut) {
                load(&text[..cut]);
            }
            cut += 7;
        }
    }
}

#[test]
fn mutated_fixtures_do_not_panic() {
    const NOISE: &[&str] = &[
        "|",
        "*",
        "?",
        "\\",
        ":",
        "- ",
        "{",
        "}",
        "[",
        "]",
        "'",
        "\"",
        "\n",
        "  ",
        "not ",
        "1 of ",
        "|re",
        "|base64offset",
        "|windash",
        "|cidr",
        "|exists",
        "|all",
        "|fieldref",
        "|expand",
        "%",
        "&a ",
        "*a ",
        "---\n",
        "action: repeat\n",
        "é",
        "\u{2013}",
        "null",
        "~",
        "0x1f",
    ];
    let mut rng = Rng(0x5eed_1234_abcd);
    for text in fixtures() {
        for _ in 0..150 {
            let mut t = text.clone();
            for _ in 0..(1 + rng.next() % 4) {
                let mut at = (rng.next() as usize) % (t.len() + 1);
                while !t.is_char_boundary(at) {
                    at -= 1;
                }
                if rng.next().is_multiple_of(3) && at < t.len() {
                    let mut end = (at + 1 + (rng.next() as usize) % 8).min(t.len());
                    while !t.is_char_boundary(end) {
                        end += 1;
                    }
                    t.replace_range(at..end, "");
                } else {
                    t.insert_str(at, NOISE[(rng.next() as usize) % NOISE.len()]);
                }
            }
            load(&t);
        }
    }
}

#[test]
fn deep_nesting_is_diagnosed_not_fatal() {
    let deep_condition = format!(
        "title: t\nlogsource: {{product: x}}\ndetection:\n  s: {{A: 1}}\n  condition: {}s{}\n",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let rules = SigmaFormat.load(&SourceFile::standalone("d.yml", &deep_condition));
    assert!(rules[0].diagnostics.iter().any(|d| d.code == "SIG010"));

    let nots = format!(
        "title: t\nlogsource: {{product: x}}\ndetection:\n  s: {{A: 1}}\n  condition: {}s\n",
        "not ".repeat(5000)
    );
    load(&nots);

    let deep_lists = format!(
        "title: t\nlogsource: {{product: x}}\ndetection:\n  s: {}{{A: 1}}{}\n  condition: s\n",
        "[".repeat(120),
        "]".repeat(120)
    );
    load(&deep_lists);
    load(&"[".repeat(100_000));
    load(&"a: ".repeat(50_000));
}

#[test]
fn big_conditions_stay_linear() {
    let mut text = String::from("title: t\nlogsource: {product: x}\ndetection:\n");
    for i in 0..2000 {
        text.push_str(&format!("  sel{i}: {{A{i}: {i}}}\n"));
    }
    text.push_str("  condition: ");
    for i in 0..2000 {
        if i > 0 {
            text.push_str(" or ");
        }
        text.push_str(&format!("sel{i}"));
    }
    text.push_str(" and not 1 of sel1*\n");
    let rules = SigmaFormat.load(&SourceFile::standalone("big.yml", &text));
    assert!(rules[0].parsed(), "{:?}", &rules[0].diagnostics[..1]);
}

#[test]
fn wide_mappings_and_duplicates_stay_linear() {
    let mut text = String::from("action: global\ntitle: t\ndetection:\n  condition: s\n  s:\n");
    for i in 0..30_000 {
        text.push_str(&format!("    F{}: {i}\n", i % 20_000));
    }
    text.push_str("---\nlogsource: {product: x}\ndetection:\n  s:\n");
    for i in 0..30_000 {
        text.push_str(&format!("    G{i}: {i}\n"));
    }
    let rules = SigmaFormat.load(&SourceFile::standalone("wide.yml", &text));
    assert!(rules[0].parsed(), "{:?}", rules[0].diagnostics.first());
}

#[test]
fn multibyte_timespans_do_not_panic() {
    // Found by cargo-fuzz: a timespan ending inside a multi-byte character.
    let text = "title: t\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 1\u{2d2}\n  condition: {gte: 1}\n";
    let rules = SigmaFormat.load(&SourceFile::standalone("c.yml", text));
    assert!(rules[0].diagnostics.iter().any(|d| d.code == "SIG014"));
}

#[test]
fn carriage_returns_and_multibyte_text_keep_spans_in_the_file() {
    // Found by cargo-fuzz: lone `\r` line breaks before a non-ASCII
    // character pushed spans past the end of the file.
    let text = "title: t\r\r\r\nlogsource: {product: x}\ndetection:\n  a: {A: 1}\n  condition: a \u{750}r a\n";
    let rules = SigmaFormat.load(&SourceFile::standalone("cr.yml", text));
    let d = rules[0]
        .diagnostics
        .iter()
        .find(|d| d.code == "SIG010")
        .expect("a condition error");
    assert_eq!(d.span.map(|s| s.slice(text)), Some("\u{750}"));
}
