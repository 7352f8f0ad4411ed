//! Snapshot tests over the fixture folders.
//!
//! - `fixtures/valid/*.kql`: queries that must parse without any error
//!   (each was also checked against Microsoft's parser); the snapshot is the
//!   S-expression rendering of the tree, so a change in how a construct is
//!   understood shows up as a readable diff.
//! - `fixtures/invalid/*.kql`: queries with mistakes; the snapshot lists
//!   every error with its code, message and line:column, followed by the
//!   tree the parser still built.

use ruledex_ir::LineIndex;
use std::fmt::Write as _;

#[test]
fn valid_fixtures_parse_cleanly() {
    let mut seen = 0;
    insta::glob!("fixtures/valid/*.kql", |path| {
        seen += 1;
        let text = std::fs::read_to_string(path).expect("fixture is readable");
        let parsed = ruledex_kql::parse(&text);
        assert!(
            parsed.errors.is_empty(),
            "{}: unexpected errors {:#?}",
            path.display(),
            parsed.errors
        );
        insta::assert_snapshot!(ruledex_kql::sexpr::render(&parsed.script));
    });
    assert!(seen >= 9, "the valid fixtures were not found");
}

#[test]
fn invalid_fixtures_report_errors_and_keep_parsing() {
    let mut seen = 0;
    insta::glob!("fixtures/invalid/*.kql", |path| {
        seen += 1;
        let text = std::fs::read_to_string(path).expect("fixture is readable");
        let parsed = ruledex_kql::parse(&text);
        assert!(
            !parsed.errors.is_empty(),
            "{}: no error reported",
            path.display()
        );
        let index = LineIndex::new(&text);
        let mut out = String::new();
        for e in &parsed.errors {
            let at = index.line_col(&text, e.span.start);
            let _ = writeln!(
                out,
                "{at} {}: {} `{}`",
                e.code,
                e.message,
                e.span.slice(&text)
            );
        }
        out.push('\n');
        out.push_str(&ruledex_kql::sexpr::render(&parsed.script));
        insta::assert_snapshot!(out);
    });
    assert!(seen >= 1, "the invalid fixtures were not found");
}
