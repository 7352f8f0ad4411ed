//! The parser must never panic, overflow the stack or take quadratic time,
//! whatever the input. These tests run in CI on the default test thread
//! (a 2 MiB stack, debug build), which is the harshest setting.

use ruledex_kql::visit::{walk_expr, Visitor};
use ruledex_kql::{codes, parse, Parsed};

/// Parse and check the invariants every result must satisfy; lower it too,
/// so the analysis is held to the same bar as the parser.
fn parse_checked(query: &str) -> Parsed {
    let analysis = ruledex_kql::analyze(query, &ruledex_ir::OffsetMap::identity());
    let all_stages = analysis
        .bindings
        .iter()
        .flat_map(|b| &b.stages)
        .chain(&analysis.stages);
    for stage in all_stages {
        assert!(stage.span.end as usize <= query.len(), "{stage:?}");
        if let Some(p) = &stage.predicate {
            let _ = p.to_string();
        }
    }
    let _ = ruledex_ir::collect_indicators(&analysis.bindings, &analysis.stages);
    let parsed = parse(query);
    let len = query.len() as u32;
    for e in &parsed.errors {
        assert!(e.span.start <= e.span.end && e.span.end <= len, "{e:?}");
        assert!(e.code.starts_with("KQL"));
    }
    assert!(
        parsed
            .errors
            .windows(2)
            .all(|w| w[0].span.start <= w[1].span.start),
        "errors are sorted"
    );
    // Every expression span lies inside the text; walking and rendering the
    // whole tree works (no stack overflow on the deepest trees).
    struct Spans(u32);
    impl Visitor for Spans {
        fn visit_expr(&mut self, expr: &ruledex_kql::ast::Expr) {
            assert!(expr.span.end <= self.0, "{:?} beyond {}", expr.span, self.0);
            walk_expr(self, expr);
        }
    }
    Spans(len).visit_script(&parsed.script);
    let _ = ruledex_kql::sexpr::render(&parsed.script);
    parsed
}

fn assert_too_deep(query: &str) {
    let parsed = parse_checked(query);
    assert!(
        parsed.errors.iter().any(|e| e.code == codes::TOO_DEEP),
        "expected a nesting error, got {:?}",
        parsed.errors.iter().take(3).collect::<Vec<_>>()
    );
}

const DEEP: usize = 100_000;

#[test]
fn hundred_thousand_nested_parentheses() {
    let query = format!("print {}1{}", "(".repeat(DEEP), ")".repeat(DEEP));
    assert_too_deep(&query);
}

#[test]
fn hundred_thousand_nested_not_calls() {
    let query = format!("T | where {}x{}", "not(".repeat(DEEP), ")".repeat(DEEP));
    assert_too_deep(&query);
}

#[test]
fn unclosed_nesting_does_not_recurse_either() {
    assert_too_deep(&format!("print {}", "(".repeat(DEEP)));
    assert_too_deep(&format!("print {}", "f(".repeat(DEEP)));
}

#[test]
fn deep_dynamic_literals() {
    assert_too_deep(&format!(
        "print dynamic({}1{})",
        "[".repeat(DEEP),
        "]".repeat(DEEP)
    ));
    assert_too_deep(&format!(
        "print dynamic({}1{})",
        "{\"a\":".repeat(DEEP),
        "}".repeat(DEEP)
    ));
}

#[test]
fn deep_subqueries_and_function_bodies() {
    assert_too_deep(&format!(
        "T {} {}",
        "| join (T ".repeat(DEEP / 10),
        ") on x".repeat(DEEP / 10)
    ));
    assert_too_deep(&format!(
        "let f = () {{ {} 1 {} }}; f()",
        "let g = () {".repeat(DEEP / 10),
        "}; g()".repeat(DEEP / 10)
    ));
}

#[test]
fn long_operator_chains_stay_shallow() {
    // Left-leaning chains are built iteratively, but the tree height is
    // capped so that walking and dropping it cannot overflow.
    assert_too_deep(&format!("T | where a{}", " or a".repeat(DEEP)));
    assert_too_deep(&format!("print x = 1{}", " + 1".repeat(DEEP)));
    assert_too_deep(&format!("print x = a{}", ".b".repeat(DEEP)));
    assert_too_deep(&format!("print x = a{}", "[0]".repeat(DEEP)));
    assert_too_deep(&format!("print x = {}1", "-".repeat(DEEP)));
}

#[test]
fn long_flat_inputs_are_fine() {
    // Many operators, list items and statements are not nesting.
    let pipes = format!("T{}", "\n| where x == 1".repeat(20_000));
    let parsed = parse_checked(&pipes);
    assert!(parsed.errors.is_empty());
    let list = format!(
        "T | where x in ({})",
        (0..50_000)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    assert!(parse_checked(&list).errors.is_empty());
    let statements = "let x = 1;\n".repeat(20_000) + "print x";
    assert!(parse_checked(&statements).errors.is_empty());
    // A chain of a few hundred `or`s (long IOC lists) is normal KQL.
    let ors = format!("T | where a == 0{}", " or a == 1".repeat(500));
    assert!(parse_checked(&ors).errors.is_empty());
}

#[test]
fn pathological_tokens() {
    for query in [
        "",
        ";",
        "|",
        "| | |",
        "(((",
        ")))",
        "]]]}}}",
        "'",
        "\"",
        "@",
        "@'",
        "h'",
        "```",
        "$",
        "!",
        "!~",
        "=~",
        "..",
        "0x",
        "1e",
        "1e+",
        "datetime(",
        "datetime(2020",
        "dynamic(",
        "dynamic([",
        "typeof(",
        "let",
        "let x",
        "let x =",
        "let f = (",
        "let f = (a:",
        "let f = (a:string) {",
        "set",
        "declare query_parameters(",
        "T | join",
        "T | join kind=",
        "T | mv-apply x on (",
        "T | scan with (step",
        "T | parse x with",
        "T | render timechart with (",
        "T | where x between (",
        "T | where x in (",
        "\u{feff}T",
        "T\u{200b}| take 1",
        "é | where ü == 'ö'",
        "\0\u{1}\u{7f}",
    ] {
        parse_checked(query);
    }
}

/// Every fixture, truncated at every character, with each character
/// deleted, and with bracket-heavy noise inserted, parses without panic.
#[test]
fn mutated_and_truncated_fixtures() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = Vec::new();
    for sub in ["valid", "invalid"] {
        for entry in std::fs::read_dir(dir.join(sub)).expect("fixture folder") {
            files.push(entry.expect("entry").path());
        }
    }
    assert!(files.len() >= 10);
    let noise = [
        "(", ")", "[", "]", "{", "}", "|", ";", "'", "\"", "!", "=", ",", "*", "$",
    ];
    let mut parses = 0usize;
    for path in files {
        let text = std::fs::read_to_string(&path).expect("fixture text");
        let boundaries: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        for (n, &i) in boundaries.iter().enumerate() {
            parse_checked(&text[..i]);
            if let Some(&next) = boundaries.get(n + 1) {
                let deleted = format!("{}{}", &text[..i], &text[next..]);
                parse_checked(&deleted);
                let inserted = format!("{}{}{}", &text[..i], noise[n % noise.len()], &text[i..]);
                parse_checked(&inserted);
                parses += 2;
            }
            parses += 1;
        }
    }
    assert!(parses > 10_000, "only {parses} mutants parsed");
}

/// A long script of many statements. A parser with quadratic behaviour
/// would make this test take minutes (no timed assertion: the benchmarks
/// measure speed).
#[test]
fn a_long_script_parses() {
    let unit = "T | where a has 'x' and (b == 1 or c in (1, 2, 3)) | extend d = f(a, b) | summarize count() by d;\n";
    let text = unit.repeat(8_000);
    let parsed = parse(&text);
    assert!(parsed.errors.is_empty());
    assert_eq!(parsed.script.queries().count(), 8_000);
}
