//! One test per diagnostic code: the query is embedded in a rule file
//! (as the Elastic loader will do), analyzed with an
//! [`OffsetMap`](ruledex_ir::OffsetMap), and the diagnostic must carry the
//! right code, line and column **in the file**.

/// The query's diagnostics as `(code, line, column)` in a TOML-like file
/// where the query starts on line 4, column 1.
fn diagnose(query: &str) -> Vec<(String, u32, u32)> {
    ruledex_testkit::diagnostics_in_toml(query, ruledex_lucene::analyze)
}

/// `query` reports `code` at `line:column` of the query (1-based), i.e.
/// line `line + 3` of the file.
fn assert_reports(query: String, code: &str, line: u32, column: u32) {
    let found = diagnose(&query);
    assert!(
        found.contains(&(code.to_string(), line + 3, column)),
        "{query:?}: expected {code} at {}:{column}, found {found:?}",
        line + 3
    );
}

#[test]
fn unexpected_token_is_luc001() {
    assert_reports("process.name:x )".to_string(), "LUC001", 1, 16);
}

#[test]
fn unclosed_group_is_luc002() {
    assert_reports("(process.name:x".to_string(), "LUC002", 1, 1);
}

#[test]
fn unterminated_phrase_is_luc003() {
    assert_reports("process.name:\"open".to_string(), "LUC003", 1, 14);
}

#[test]
fn dangling_escape_is_luc004() {
    assert_reports("process.name:x\\".to_string(), "LUC004", 1, 15);
}

#[test]
fn missing_value_is_luc006() {
    assert_reports("process.name:".to_string(), "LUC006", 1, 14);
}

#[test]
fn malformed_range_is_luc007() {
    assert_reports("port:[1 5]".to_string(), "LUC007", 1, 6);
}

#[test]
fn boost_without_number_is_luc008() {
    assert_reports("process.name:x^".to_string(), "LUC008", 1, 15);
}

#[test]
fn nesting_too_deep_is_luc005() {
    let query = "(".repeat(100_000);
    let found = diagnose(&query);
    assert!(
        found
            .iter()
            .any(|(code, line, _)| code == "LUC005" && *line == 4),
        "{found:?}"
    );
}

#[test]
fn errors_on_later_lines_point_at_their_line() {
    assert_reports("a:b AND\n  c:\"open".to_string(), "LUC003", 2, 5);
}

#[test]
fn spans_map_through_an_indented_block() {
    // A query whose lines were indented in the file (YAML block scalar):
    // the map puts the error behind the indentation of its line.
    let query = "a:b AND\nc:\"open";
    let found = ruledex_testkit::diagnostics_in_indented_block(query, ruledex_lucene::analyze);
    assert!(
        found.contains(&("LUC003".to_string(), 2 + 2, 5 - 2 + 4)),
        "{found:?}"
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let query = "process.name:x )\nAND (a:b";
    let found = diagnose(query);
    assert!(found.len() >= 2, "{found:?}");
}
