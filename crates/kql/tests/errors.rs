//! One test per error code: the code, the message and the line:column where
//! it is reported, and that parsing went on after it.

use ruledex_ir::{LineCol, LineIndex, OffsetMap};
use ruledex_kql::{codes, parse};

/// The first error of `query`: (code, message, line, column, text under the
/// span).
fn first_error(query: &str) -> (&'static str, String, u32, u32, String) {
    let parsed = parse(query);
    let e = parsed
        .errors
        .first()
        .unwrap_or_else(|| panic!("no error for {query:?}"));
    let LineCol { line, column } = LineIndex::new(query).line_col(query, e.span.start);
    (
        e.code,
        e.message.clone(),
        line,
        column,
        e.span.slice(query).to_string(),
    )
}

#[test]
fn kql001_unexpected_token() {
    let (code, message, line, column, text) = first_error("T\n| top 5 by a, b");
    assert_eq!(code, codes::UNEXPECTED_TOKEN);
    assert_eq!(message, "unexpected `,` in the `top` operator");
    assert_eq!((line, column, text.as_str()), (2, 13, ","));
}

#[test]
fn kql001_chained_comparison() {
    let (code, message, line, column, _) = first_error("T | where a == b == c");
    assert_eq!(code, codes::UNEXPECTED_TOKEN);
    assert_eq!(
        message,
        "unexpected `==`: comparisons cannot be chained, add parentheses"
    );
    assert_eq!((line, column), (1, 18));
}

#[test]
fn kql002_unterminated_string() {
    let query = "T\n| where Name == \"abc\n| take 1";
    let (code, message, line, column, text) = first_error(query);
    assert_eq!(code, codes::UNTERMINATED_STRING);
    assert_eq!(message, "unterminated string literal");
    assert_eq!((line, column, text.as_str()), (2, 17, "\"abc"));
    // The next line is still parsed as an operator.
    let parsed = parse(query);
    assert_eq!(parsed.script.queries().next().unwrap().operators.len(), 2);
}

#[test]
fn kql003_unexpected_character() {
    let (code, message, line, column, text) = first_error("T | where x == 1 # comment");
    assert_eq!(code, codes::UNEXPECTED_CHARACTER);
    assert_eq!(message, "unexpected character `#`");
    assert_eq!((line, column, text.as_str()), (1, 18, "#"));
}

#[test]
fn kql004_unknown_operator() {
    let query = "SigninLogs\n| wher ResultType == 0\n| take 1";
    let (code, message, line, column, text) = first_error(query);
    assert_eq!(code, codes::UNKNOWN_OPERATOR);
    assert_eq!(message, "unknown tabular operator `wher`");
    assert_eq!((line, column, text.as_str()), (2, 3, "wher"));
    let parsed = parse(query);
    let q = parsed.script.queries().next().unwrap();
    assert_eq!(
        q.operators.len(),
        2,
        "the take after the bad operator survives"
    );
    assert_eq!(q.operators[1].name.name, "take");
}

#[test]
fn kql005_too_deep() {
    let query = format!("print {}1{}", "(".repeat(500), ")".repeat(500));
    let (code, message, line, _, _) = first_error(&query);
    assert_eq!(code, codes::TOO_DEEP);
    assert_eq!(
        message,
        format!(
            "nesting too deep (the limit is {} levels)",
            ruledex_kql::MAX_DEPTH
        )
    );
    assert_eq!(line, 1);
    assert_eq!(parse(&query).errors.len(), 1, "reported once, no cascade");
}

#[test]
fn kql006_missing_expression() {
    let (code, message, line, column, _) = first_error("T\n| where x ==\n| take 1");
    assert_eq!(code, codes::MISSING_EXPRESSION);
    assert_eq!(message, "expected an expression, found `|`");
    // Reported right after `==`, where the expression is missing.
    assert_eq!((line, column), (2, 13));
    let (code, message, ..) = first_error("T | where");
    assert_eq!(code, codes::MISSING_EXPRESSION);
    assert_eq!(
        message,
        "expected an expression after `where`, found end of query"
    );
}

#[test]
fn kql007_expected_semicolon() {
    let (code, message, line, column, text) = first_error("let x = 1\nT | take x");
    assert_eq!(code, codes::EXPECTED_SEMICOLON);
    assert_eq!(message, "expected `;` or the end of the query, found `T`");
    assert_eq!((line, column, text.as_str()), (2, 1, "T"));
}

#[test]
fn kql008_invalid_number() {
    // Too large for a long and written in hex: not representable.
    let (code, message, _, column, _) = first_error("print 0x1FFFFFFFFFFFFFFFFFF");
    assert_eq!(code, codes::INVALID_NUMBER);
    assert_eq!(message, "invalid number `0x1FFFFFFFFFFFFFFFFFF`");
    assert_eq!(column, 7);
}

#[test]
fn kql009_invalid_dynamic() {
    let (code, message, line, column, text) = first_error("print d = dynamic([1, 2,])");
    assert_eq!(code, codes::INVALID_DYNAMIC);
    assert_eq!(message, "expected a value in a dynamic literal, found `]`");
    assert_eq!((line, column, text.as_str()), (1, 25, "]"));
    let (code, message, ..) = first_error("print d = dynamic({key: 1})");
    assert_eq!(code, codes::INVALID_DYNAMIC);
    assert_eq!(
        message,
        "expected a string key in a dynamic object, found `key`"
    );
}

#[test]
fn kql010_missing_operator() {
    let (code, message, line, column, text) = first_error("T\n| where x > 1\n|\n| take 1");
    assert_eq!(code, codes::MISSING_OPERATOR);
    assert_eq!(message, "expected a tabular operator after `|`, found `|`");
    assert_eq!((line, column, text.as_str()), (3, 1, "|"));
}

#[test]
fn kql011_unclosed_bracket() {
    let (code, message, line, column, _) = first_error("T\n| where (a == 1\n| take 1;\nU");
    assert_eq!(code, codes::UNCLOSED_BRACKET);
    assert_eq!(
        message,
        "expected `)` to close the `(` opened at line 2, column 9, found `;`"
    );
    assert_eq!((line, column), (3, 9));
}

#[test]
fn kql012_unmatched_close() {
    let (code, message, line, column, text) = first_error("T\n| take 1 )\n| count");
    assert_eq!(code, codes::UNMATCHED_CLOSE);
    assert_eq!(message, "unmatched `)`: there is no opening bracket for it");
    assert_eq!((line, column, text.as_str()), (2, 10, ")"));
}

#[test]
fn kql013_malformed_literal() {
    // The literal's value runs to the first `)` on its line.
    let (code, message, line, column, text) =
        first_error("print d = datetime(2024-01-01\n| take 1");
    assert_eq!(code, codes::INVALID_LITERAL);
    assert_eq!(
        message,
        "malformed `datetime(...)` literal: its value runs to the first `)`, on the same line"
    );
    assert_eq!(
        (line, column, text.as_str()),
        (1, 11, "datetime(2024-01-01")
    );
}

#[test]
fn kql017_invalid_literal_value_is_a_warning() {
    // Kusto's parser takes any text in a typed literal; the value is
    // checked when the query runs.
    let query = "print b = bool(maybe), i = int(1.5), n = long(-9223372036854775808)";
    let parsed = parse(query);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let warnings: Vec<_> = parsed
        .warnings
        .iter()
        .map(|w| (w.code, w.span.slice(query)))
        .collect();
    assert_eq!(
        warnings,
        [
            (codes::INVALID_LITERAL_VALUE, "bool(maybe)"),
            (codes::INVALID_LITERAL_VALUE, "int(1.5)"),
        ]
    );
    let diagnostics = parsed.diagnostics(&OffsetMap::identity());
    assert!(diagnostics.iter().all(|d| !d.is_error()));
}

#[test]
fn kql014_invalid_escape() {
    let (code, message, line, column, text) = first_error("T | where Path == \"C:\\Temp\"");
    assert_eq!(code, codes::INVALID_ESCAPE);
    assert_eq!(
        message,
        "invalid escape sequence `\\T` (write `\\\\` for a backslash, or use a verbatim @'...' string)"
    );
    assert_eq!((line, column, text.as_str()), (1, 22, "\\T"));
}

#[test]
fn kql014_hex_escape_with_too_few_digits() {
    let (code, message, line, column, text) = first_error("print s = \"\\u00e\"");
    assert_eq!(code, codes::INVALID_ESCAPE);
    assert_eq!(
        message,
        "invalid escape sequence `\\u`: it takes exactly 4 hex digits"
    );
    assert_eq!((line, column, text.as_str()), (1, 12, "\\u"));
    assert!(parse("print s = \"\\u00e9\\x41\\U0001F600\"").is_ok());
}

#[test]
fn kql003_line_separator_is_no_whitespace() {
    let (code, message, line, column, text) = first_error("T\u{2028}| take 1");
    assert_eq!(code, codes::UNEXPECTED_CHARACTER);
    assert_eq!(message, "unexpected character `\\u{2028}`");
    assert_eq!((line, column, text.as_str()), (1, 2, "\u{2028}"));
    // ... but it ends a comment, as a line break does.
    assert!(!parse("// note\u{2028}more\nT").is_ok());
    assert!(parse("T\u{a0}|\u{200b}take 1 // note\u{2028}").is_ok());
    assert!(!parse("T // note\u{2028}\u{2028}| take 1").is_ok());
}

#[test]
fn kql015_unknown_type() {
    let (code, message, line, column, text) = first_error("datatable(Name:strin)[\"x\"]");
    assert_eq!(code, codes::UNKNOWN_TYPE);
    assert_eq!(message, "`strin` is not a scalar type");
    assert_eq!((line, column, text.as_str()), (1, 16, "strin"));
}

#[test]
fn kql016_reserved_name() {
    let (code, message, _, column, text) = first_error("T | extend between = 1");
    assert_eq!(code, codes::RESERVED_NAME);
    assert_eq!(
        message,
        "`between` is a keyword; write ['between'] to use it as a name"
    );
    assert_eq!((column, text.as_str()), (12, "between"));
    assert!(parse("T | extend ['between'] = 1").errors.is_empty());
}

#[test]
fn several_errors_are_all_reported_in_order() {
    let query = "T\n| where a ==\n| wher b\n| take;\nU | project x,";
    let parsed = parse(query);
    let got: Vec<_> = parsed.errors.iter().map(|e| e.code).collect();
    assert_eq!(
        got,
        [
            codes::MISSING_EXPRESSION,
            codes::UNKNOWN_OPERATOR,
            codes::MISSING_EXPRESSION,
            codes::MISSING_EXPRESSION
        ]
    );
    assert_eq!(parsed.script.statements.len(), 2);
}

#[test]
fn diagnostics_point_into_the_file() {
    // A query embedded in a YAML block scalar: line 3 of the file holds the
    // query's second line, indented by two spaces.
    let file = "name: x\nquery: |\n  T\n  | where a ==\n";
    let query = "T\n| where a ==\n";
    let map = OffsetMap::locate_lines(file, 8, query);
    let parsed = parse(query);
    let mut diagnostic = parsed.errors[0].to_diagnostic(&map);
    diagnostic.resolve(file, &LineIndex::new(file));
    assert_eq!(diagnostic.code, "KQL006");
    assert_eq!(diagnostic.line, Some(4));
    assert!(diagnostic.is_error());
}

#[test]
fn a_second_query_without_semicolon_gets_a_hint() {
    let (code, message, line, column, _) =
        first_error("DeviceEvents\n| take 10\nDeviceFileEvents\n| take 10");
    assert_eq!(code, codes::UNEXPECTED_TOKEN);
    assert_eq!(
        message,
        "unexpected `DeviceFileEvents` in the `take` operator (is a `;` missing before a new statement?)"
    );
    assert_eq!((line, column), (3, 1));
}
