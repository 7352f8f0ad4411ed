//! One test per diagnostic code: the query is embedded in a rule file
//! (as the Elastic loader will do), analyzed with an
//! [`OffsetMap`](ruledex_ir::OffsetMap), and the diagnostic must carry the
//! right code, line and column **in the file**.

/// The query's diagnostics as `(code, line, column)` in a TOML-like file
/// where the query starts on line 4, column 1.
fn diagnose(query: &str) -> Vec<(String, u32, u32)> {
    ruledex_testkit::diagnostics_in_toml(query, ruledex_esql::analyze)
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
fn unexpected_token_is_esq001() {
    assert_reports("FROM logs-* | WHERE a == 1 )".to_string(), "ESQ001", 1, 28);
}

#[test]
fn unclosed_group_is_esq002() {
    assert_reports("FROM logs-* | WHERE (a == 1".to_string(), "ESQ002", 1, 21);
}

#[test]
fn unterminated_string_is_esq003() {
    assert_reports(
        "FROM logs-* | WHERE a == \"open".to_string(),
        "ESQ003",
        1,
        26,
    );
}

#[test]
fn unknown_command_is_esq004() {
    assert_reports("FROM logs-* | FROB a".to_string(), "ESQ004", 1, 15);
}

#[test]
fn unsupported_command_is_esq005() {
    assert_reports(
        "FROM logs-* | FORK (WHERE a == 1)".to_string(),
        "ESQ005",
        1,
        15,
    );
}

#[test]
fn empty_command_is_esq007() {
    assert_reports("FROM logs-* | | LIMIT 1".to_string(), "ESQ007", 1, 15);
}

#[test]
fn missing_operand_is_esq008() {
    assert_reports("FROM logs-* | WHERE".to_string(), "ESQ008", 1, 20);
}

#[test]
fn invalid_character_is_esq009() {
    assert_reports("FROM logs-* | WHERE a == #".to_string(), "ESQ009", 1, 26);
}

#[test]
fn no_source_command_is_esq010() {
    assert_reports("WHERE a == 1".to_string(), "ESQ010", 1, 1);
}

#[test]
fn like_escape_of_no_wildcard_is_esq011() {
    // The string `*\Windows\*` reaches LIKE as `*\Windows\*`: `\W` escapes
    // no wildcard, which Elasticsearch rejects.
    assert_reports(
        r#"FROM logs-* | WHERE file.path LIKE "*\\Windows\\*""#.to_string(),
        "ESQ011",
        1,
        36,
    );
    // A backslash ending the pattern escapes nothing either.
    assert_reports(
        r#"FROM logs-* | WHERE a LIKE """x\""""#.to_string(),
        "ESQ011",
        1,
        28,
    );
    // Escaped wildcards and backslashes are the pattern's own.
    for query in [
        r#"FROM logs-* | WHERE a LIKE "*\\\\Windows\\\\*""#,
        r#"FROM logs-* | WHERE a LIKE """*\\Windows\\*""""#,
        r#"FROM logs-* | WHERE a LIKE "a\\*b\\?c""#,
        r#"FROM logs-* | WHERE a RLIKE ".*\\d+""#,
    ] {
        assert!(diagnose(query).is_empty(), "{query}: {:?}", diagnose(query));
    }
}

#[test]
fn nesting_too_deep_is_esq006() {
    let query = "FROM x | WHERE ".to_string() + &"(".repeat(100_000);
    let found = diagnose(&query);
    assert!(
        found
            .iter()
            .any(|(code, line, _)| code == "ESQ006" && *line == 4),
        "{found:?}"
    );
}

#[test]
fn errors_on_later_lines_point_at_their_line() {
    assert_reports(
        "FROM logs-*\n  | WHERE a == 1\n  | EVAL b = (a".to_string(),
        "ESQ002",
        3,
        14,
    );
}

#[test]
fn spans_map_through_an_indented_block() {
    // A query whose lines were indented in the file (YAML block scalar):
    // the map puts the error behind the indentation of its line.
    let query = "FROM logs-*\n| WHERE a == 1\n| EVAL b = (a";
    let found = ruledex_testkit::diagnostics_in_indented_block(query, ruledex_esql::analyze);
    assert!(
        found.contains(&("ESQ002".to_string(), 3 + 2, 14 - 2 + 4)),
        "{found:?}"
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let query = "FROM logs-*\n  | WHERE a == 1\n  | EVAL b = (a\nFROM logs-* | WHERE a == 1 )";
    let found = diagnose(query);
    assert!(found.len() >= 2, "{found:?}");
}

#[test]
fn unclosed_subquery_is_esq002() {
    assert_reports("FROM a, (FROM b | WHERE x == 1".to_string(), "ESQ002", 1, 9);
}

#[test]
fn empty_subquery_is_esq007_and_a_subquery_starts_with_from() {
    // `( )` is no subquery: it is not a source name either.
    assert_reports("FROM a, (FROM b | )".to_string(), "ESQ007", 1, 17);
    assert_reports(
        "FROM a, (FROM b | WHERE x == 1 | EVAL y = )".to_string(),
        "ESQ008",
        1,
        43,
    );
}

#[test]
fn subqueries_nest_at_most_eight_deep() {
    let mut query = "FROM a".to_string();
    for _ in 0..9 {
        query = format!("FROM a, ({query})");
    }
    // The ninth `(` is one level too many.
    assert_reports(query, "ESQ006", 1, 81);
}

#[test]
fn limit_by_needs_a_count_and_keys() {
    assert_reports("FROM a | LIMIT BY host.id".to_string(), "ESQ001", 1, 16);
    assert_reports("FROM a | LIMIT 1 BY".to_string(), "ESQ008", 1, 20);
}
