//! One test per diagnostic code: the query is embedded in a rule file
//! (as the Elastic loader will do), analyzed with an
//! [`OffsetMap`](ruledex_ir::OffsetMap), and the diagnostic must carry the
//! right code, line and column **in the file**.

/// The query's diagnostics as `(code, line, column)` in a TOML-like file
/// where the query starts on line 4, column 1.
fn diagnose(query: &str) -> Vec<(String, u32, u32)> {
    ruledex_testkit::diagnostics_in_toml(query, ruledex_kuery::analyze)
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
fn unexpected_token_is_kue001() {
    assert_reports("process.name : x )".to_string(), "KUE001", 1, 18);
}

#[test]
fn unclosed_group_is_kue002() {
    assert_reports("(process.name : x".to_string(), "KUE002", 1, 1);
}

#[test]
fn unterminated_string_is_kue003() {
    assert_reports("process.name : \"open".to_string(), "KUE003", 1, 16);
}

#[test]
fn invalid_escape_is_kue004() {
    assert_reports("process.name : a\\x".to_string(), "KUE004", 1, 17);
}

#[test]
fn missing_value_is_kue006() {
    assert_reports("process.name :".to_string(), "KUE006", 1, 15);
}

#[test]
fn whitespace_escape_in_a_quoted_path_is_kue007() {
    assert_reports(
        "process.executable : \"C:\\temp\\x.exe\"".to_string(),
        "KUE007",
        1,
        25,
    );
}

#[test]
fn nesting_too_deep_is_kue005() {
    let query = "(".repeat(100_000);
    let found = diagnose(&query);
    assert!(
        found
            .iter()
            .any(|(code, line, _)| code == "KUE005" && *line == 4),
        "{found:?}"
    );
}

#[test]
fn errors_on_later_lines_point_at_their_line() {
    assert_reports(
        "process.name : x and\n  user.name : \"open".to_string(),
        "KUE003",
        2,
        15,
    );
}

#[test]
fn spans_map_through_an_indented_block() {
    // A query whose lines were indented in the file (YAML block scalar):
    // the map puts the error behind the indentation of its line.
    let query = "process.name : x and\nuser.name : \"open";
    let found = ruledex_testkit::diagnostics_in_indented_block(query, ruledex_kuery::analyze);
    assert!(
        found.contains(&("KUE003".to_string(), 2 + 2, 15 - 2 + 4)),
        "{found:?}"
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let query = "process.name : x )\nand user.name : ( a or";
    let found = diagnose(query);
    assert!(found.len() >= 2, "{found:?}");
}
