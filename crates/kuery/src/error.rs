//! Parse errors with stable codes.

use ruledex_ir::QueryError;

ruledex_ir::diagnostic_code_enum! {
    /// What went wrong. Each variant has a stable code (`KUE001`, …) that is
    /// never reused for another meaning.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum ErrorCode {
        /// A token that cannot appear here (a stray `)`, a `:` without
        /// a field, an operator without operands).
        UnexpectedToken = "KUE001",
        /// A `(` or `{` that is never closed.
        Unclosed = "KUE002",
        /// A quoted string without its closing `"`.
        UnterminatedString = "KUE003",
        /// A backslash in an unquoted value that escapes nothing
        /// kuery knows (only `\():<>"*{}`, `\t \r \n`, `\uXXXX` and the keywords
        /// can be escaped).
        InvalidEscape = "KUE004",
        /// Groups nested deeper than [`crate::MAX_DEPTH`].
        TooDeep = "KUE005",
        /// A field with `:` or a range operator but no value.
        MissingValue = "KUE006",
        /// `\t`, `\n` or `\r` inside a quoted value right
        /// before a letter or digit (`"C:\Windows\temp"`). Kibana decodes it as
        /// whitespace, so the value holds a tab or line break where the author
        /// most likely meant a backslash: `\\t` is a backslash and `t`.
        WhitespaceEscape = "KUE007", Warning,
    }
}

/// One problem in a query, with a span in the query text (not yet the
/// file): the shared [`ruledex_ir::QueryError`] with this crate's codes.
pub type ParseError = QueryError<ErrorCode>;
