//! Syntax errors and their stable codes.

use ruledex_ir::QueryError;

/// The stable error codes. A code never changes meaning; new problems get
/// new codes.
pub mod codes {
    /// A token the grammar does not allow here (`expected X, found Y`).
    pub const UNEXPECTED_TOKEN: &str = "KQL001";
    /// A string literal without its closing quote (strings end at the line
    /// end; only ```` ``` ```` strings span lines).
    pub const UNTERMINATED_STRING: &str = "KQL002";
    /// A character that starts no KQL token (`#`, `&`, `^`, …).
    pub const UNEXPECTED_CHARACTER: &str = "KQL003";
    /// A word after `|` that is not a tabular operator.
    pub const UNKNOWN_OPERATOR: &str = "KQL004";
    /// Nesting deeper than [`crate::MAX_DEPTH`] (parentheses, calls,
    /// subqueries, dynamic literals, long operator chains).
    pub const TOO_DEEP: &str = "KQL005";
    /// An expression was required but none was written (`where x ==`).
    pub const MISSING_EXPRESSION: &str = "KQL006";
    /// Text left over after a complete statement: statements are separated
    /// by `;`.
    pub const EXPECTED_SEMICOLON: &str = "KQL007";
    /// A number that does not fit or is malformed.
    pub const INVALID_NUMBER: &str = "KQL008";
    /// A `dynamic(...)` literal whose inside is not a JSON-like value.
    pub const INVALID_DYNAMIC: &str = "KQL009";
    /// A `|` with no operator after it.
    pub const MISSING_OPERATOR: &str = "KQL010";
    /// An opening bracket without its closing one.
    pub const UNCLOSED_BRACKET: &str = "KQL011";
    /// A closing bracket without an opening one.
    pub const UNMATCHED_CLOSE: &str = "KQL012";
    /// A malformed typed literal: a `(` or a line break before its `)`
    /// (`int(f(x))`), or no `)` at all.
    pub const INVALID_LITERAL: &str = "KQL013";
    /// A backslash escape Kusto does not know (`"C:\Temp"`: `\T`). Valid
    /// escapes are `\\ \' \" \n \t \r \a \b \f \v`, octal `\101`,
    /// `\xHH` and `\uHHHH`.
    pub const INVALID_ESCAPE: &str = "KQL014";
    /// A type name that is not a Kusto scalar type (`flag:strig`).
    pub const UNKNOWN_TYPE: &str = "KQL015";
    /// A keyword used where a name is expected (`extend between = 1`,
    /// `where title == "x"`); Kusto requires the bracketed form
    /// `['between']`.
    pub const RESERVED_NAME: &str = "KQL016";
    /// A warning, not an error: a typed literal whose inside is not a
    /// value of its type (`int(abc)`, `bool(maybe)`). Kusto's parser
    /// accepts it; the engine rejects it when the query runs.
    pub const INVALID_LITERAL_VALUE: &str = "KQL017";
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
