//! Syntax errors and their stable codes.

use ruledex_ir::QueryError;

/// The stable diagnostic codes of KQL: the parser's syntax errors
/// (`KQL0xx`) and the loaders' problems with rule files (`KQL1xx`). A code
/// never changes meaning; new problems get new codes.
pub mod codes {
    ruledex_ir::diagnostic_codes! {
        /// Every KQL code, for reports that describe codes (SARIF).
        pub const ALL;

        /// A token the grammar does not allow here (`expected X, found Y`).
        UNEXPECTED_TOKEN = "KQL001";
        /// A string literal without its closing quote (strings end at the line
        /// end; only ```` ``` ```` strings span lines).
        UNTERMINATED_STRING = "KQL002";
        /// A character that starts no KQL token (`#`, `&`, `^`, …).
        UNEXPECTED_CHARACTER = "KQL003";
        /// A word after `|` that is not a tabular operator.
        UNKNOWN_OPERATOR = "KQL004";
        /// Nesting deeper than [`crate::MAX_DEPTH`] (parentheses, calls,
        /// subqueries, dynamic literals, long operator chains).
        TOO_DEEP = "KQL005";
        /// An expression was required but none was written (`where x ==`).
        MISSING_EXPRESSION = "KQL006";
        /// Text left over after a complete statement: statements are separated
        /// by `;`.
        EXPECTED_SEMICOLON = "KQL007";
        /// A number that does not fit or is malformed.
        INVALID_NUMBER = "KQL008";
        /// A `dynamic(...)` literal whose inside is not a JSON-like value.
        INVALID_DYNAMIC = "KQL009";
        /// A `|` with no operator after it.
        MISSING_OPERATOR = "KQL010";
        /// An opening bracket without its closing one.
        UNCLOSED_BRACKET = "KQL011";
        /// A closing bracket without an opening one.
        UNMATCHED_CLOSE = "KQL012";
        /// A malformed typed literal: a `(` or a line break before its `)`
        /// (`int(f(x))`), or no `)` at all.
        INVALID_LITERAL = "KQL013";
        /// A backslash escape Kusto does not know (`"C:\Temp"`: `\T`). Valid
        /// escapes are `\\ \' \" \n \t \r \a \b \f \v`, octal `\101`,
        /// `\xHH` and `\uHHHH`.
        INVALID_ESCAPE = "KQL014";
        /// A type name that is not a Kusto scalar type (`flag:strig`).
        UNKNOWN_TYPE = "KQL015";
        /// A keyword used where a name is expected (`extend between = 1`,
        /// `where title == "x"`); Kusto requires the bracketed form
        /// `['between']`.
        RESERVED_NAME = "KQL016";
        /// A typed literal whose inside is not a value of its type
        /// (`int(abc)`, `bool(maybe)`). Kusto's parser accepts it; the
        /// engine rejects it when the query runs.
        INVALID_LITERAL_VALUE = "KQL017", Warning;
        /// A Sentinel rule file that is not YAML, or not a YAML mapping.
        INVALID_RULE_FILE = "KQL100";
        /// A Sentinel rule without a query, or with an empty one.
        MISSING_QUERY = "KQL101";
        /// A Sentinel rule severity other than Informational, Low, Medium or
        /// High; the rule is shown without one.
        UNKNOWN_SEVERITY = "KQL103", Warning;
        /// A Sentinel rule without an `id`: the file name stands in for it.
        MISSING_ID = "KQL104", Warning;
        /// A Sentinel rule without a `name`: the file name stands in for it.
        MISSING_NAME = "KQL105", Warning;
        /// A text holding several queries separated by blank lines and no
        /// `;` (a webcast script, a query collection): each query is
        /// analyzed as its own rule, as the Defender XDR editor and Kusto
        /// Explorer run the query around the cursor.
        SEVERAL_QUERIES = "KQL106", Warning;
        /// A Markdown code block closed by a fence that carries a language
        /// tag (```` ```kusto ````): CommonMark keeps the block open, but its
        /// author meant it to end, so the query ends there.
        TAGGED_CLOSING_FENCE = "KQL107", Warning;
    }
}

/// One syntax error: a stable code (see [`codes`]), a message, and where it
/// is in the query (a byte range of the query text). It becomes a
/// diagnostic placed in the file with [`QueryError::to_diagnostic`]; line
/// and column are filled later by [`ruledex_ir::resolve_positions`] (the
/// loader holds the file text).
///
/// ```
/// use ruledex_ir::OffsetMap;
/// let parsed = ruledex_kql::parse("T | where x ==");
/// let d = parsed.errors[0].to_diagnostic(&OffsetMap::shifted(100));
/// assert_eq!(d.code, "KQL006");
/// assert!(d.span.unwrap().start >= 100);
/// ```
pub type ParseError = QueryError<&'static str>;
