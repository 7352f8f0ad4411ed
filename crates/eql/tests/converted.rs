//! Queries as Sigma converters write them: numbers after `:` and `like~`,
//! hyphenated field names without backticks, and bare strings for keyword
//! searches. Elasticsearch rejects all three (the check reports them as
//! errors), but each means one plain thing, and the lowering reads that:
//! a rule with such a query still says what it looks for.

use ruledex_eql::{analyze, Code};
use ruledex_ir::{OffsetMap, Rule};

/// The indicators of `query` as `field op values` lines, and whether the
/// check rejected it with a type error.
fn indicators(query: &str) -> (Vec<String>, bool) {
    let analysis = analyze(query, &OffsetMap::identity());
    let type_error = analysis
        .diagnostics
        .iter()
        .any(|d| d.code == Code::TypeMismatch.as_str());
    let mut rule = Rule::default();
    rule.absorb(analysis);
    let lines = rule
        .indicators
        .iter()
        .map(|i| {
            let values: Vec<String> = i.values.iter().map(|v| v.to_string()).collect();
            format!("{} {:?} {}", i.field, i.kind, values.join(","))
        })
        .collect();
    (lines, type_error)
}

#[test]
fn numbers_after_colon_and_like_are_exact_values() {
    let (lines, type_error) = indicators(
        r#"any where network.direction:"egress" and destination.port:9389 and process.pid like~ (4, 8)"#,
    );
    assert!(type_error, "Elasticsearch rejects a number after `:`");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("destination.port Value(Eq) 9389")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("process.pid Value(In) 4,8")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("network.direction")),
        "{lines:?}"
    );
}

#[test]
fn numbers_and_strings_mixed_in_one_like() {
    let (lines, _) = indicators(r#"any where action like~ ("forward*", 2)"#);
    assert!(
        lines.iter().any(|l| l.starts_with("action Value(Eq) 2")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("action Value(StartsWith)")),
        "{lines:?}"
    );
}

#[test]
fn hyphenated_names_written_without_spaces_are_fields() {
    let (lines, type_error) =
        indicators(r#"any where cs-uri-query:"*/upload.action*" and sc-status:200"#);
    assert!(type_error);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("cs-uri-query Value(Contains)")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("sc-status Value(Eq) 200")),
        "{lines:?}"
    );
    // With spaces it is the subtraction EQL reads: no field of that name.
    let (lines, _) = indicators(r#"any where a - b == 3"#);
    assert!(lines.iter().all(|l| !l.starts_with("a - b")), "{lines:?}");
}

#[test]
fn a_bare_string_is_a_keyword_search() {
    let (lines, type_error) = indicators(r#"any where "shutdown" or "config-register 0x2100""#);
    assert!(type_error, "a string is no condition to Elasticsearch");
    assert_eq!(
        lines,
        [
            r#"* Value(Contains) "shutdown""#,
            r#"* Value(Contains) "config-register 0x2100""#
        ]
    );
}
