//! The literal forms of the current ES|QL grammar, each in a query that
//! must parse cleanly, and the near misses Elasticsearch rejects.

use ruledex_ir::QueryErrorCode;

fn errors(query: &str) -> Vec<String> {
    ruledex_esql::parse(query)
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.code.code(), e.message))
        .collect()
}

#[test]
fn current_literal_forms_parse() {
    for query in [
        // Time spans, with the unit glued to the number or apart.
        "FROM logs-* | WHERE @timestamp > NOW() - 5m",
        "FROM logs-* | EVAL t = DATE_TRUNC(5m, @timestamp)",
        "FROM logs-* | STATS c = COUNT(*) BY b = BUCKET(@timestamp, 1h)",
        "ROW a = 1 day, b = 2 HOURS, c = 3 minutes, d = 1w, e = 1mo, f = 1q, g = 1yr, h = 10ms, i = 5s, j = 2M",
        "FROM logs-* | WHERE @timestamp >= NOW() - 15 minutes AND @timestamp < NOW() + 1d",
        // Numbers.
        "ROW a = 1., b = .5, c = 1e3, d = 1.5E-3, e = 9223372036854775807, f = -2, g = 1.e2",
        // Strings and quoted names.
        r#"ROW a = "tab\t", b = """raw \d+ "quoted" text""", c = "uni\u00e9""#,
        "FROM logs-* | KEEP `host.name`, `odd``name` | RENAME `host.name` AS host",
        // Parameters.
        "FROM logs-* | WHERE user.name == ?user AND event.code == ?1 AND host.name == ?",
        // Casts.
        r#"ROW a = "1"::integer, b = 1::double, c = "10.0.0.1"::ip, d = x::keyword"#,
        // Lists of patterns.
        r#"FROM logs-* | WHERE process.name LIKE ("cmd*", "powershell*") AND file.path NOT RLIKE (".*\\.tmp", ".*\\.log")"#,
        r#"FROM logs-* | WHERE process.name LIKE "cmd*" AND file.path RLIKE ".*\\.tmp""#,
        // Function options as a map.
        r#"FROM logs-* | WHERE MATCH(message, "failed login", {"fuzziness": 1, "operator": "AND"})"#,
        // Null tests, lists and booleans.
        "FROM logs-* | WHERE a IS NOT NULL AND b IS NULL AND c IN (1, 2, 3) AND d NOT IN (\"x\") AND e == true",
        "ROW a = [1, 2, -3], b = [\"x\", \"y\"], c = null, d = false",
    ] {
        assert_eq!(errors(query), Vec::<String>::new(), "{query}");
    }
}

#[test]
fn near_misses_are_rejected() {
    for query in [
        // A unit takes an integer.
        "ROW a = 1.5 hours",
        // Not a unit.
        "ROW a = 5 parsecs",
        // Two units.
        "ROW a = 1 day day",
    ] {
        assert!(!errors(query).is_empty(), "{query} was accepted");
    }
}
