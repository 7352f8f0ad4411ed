//! Parse errors and warnings with stable codes.

use ruledex_ir::QueryError;

ruledex_ir::diagnostic_code_enum! {
    /// What went wrong. Each variant has a stable code (`ESQ001`, …) that is
    /// never reused for another meaning.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum ErrorCode {
        /// A token that cannot appear here.
        UnexpectedToken = "ESQ001",
        /// A `(` or `[` that is never closed.
        Unclosed = "ESQ002",
        /// A string, quoted identifier or block comment that is never
        /// closed.
        Unterminated = "ESQ003",
        /// A command name ES|QL does not have.
        UnknownCommand = "ESQ004",
        /// A command ES|QL has but this analysis does not
        /// model (`FORK`, `CHANGE_POINT`, …); its stage has no details.
        UnsupportedCommand = "ESQ005", Warning,
        /// Expressions nested deeper than [`crate::MAX_DEPTH`].
        TooDeep = "ESQ006",
        /// An empty command between two pipes, or a trailing pipe.
        EmptyCommand = "ESQ007",
        /// A command or operator missing its operand (`WHERE` alone,
        /// `a ==`, `RENAME a`).
        MissingOperand = "ESQ008",
        /// A character that starts no ES|QL token.
        InvalidCharacter = "ESQ009",
        /// The query does not start with a source command (`FROM`,
        /// `ROW`, `SHOW`, `TS`).
        NoSourceCommand = "ESQ010",
        /// A `LIKE` pattern with a backslash before a character that is not
        /// `*`, `?` or `\` (or at its end): Elasticsearch rejects the
        /// pattern ("escape character is not followed by special wildcard
        /// char").
        InvalidLikePattern = "ESQ011",
    }
}

/// One problem in a query, with a span in the query text (not yet the
/// file): the shared [`ruledex_ir::QueryError`] with this crate's codes.
pub type ParseError = QueryError<ErrorCode>;
