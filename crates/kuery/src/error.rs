//! Parse errors with stable codes.

use ruledex_ir::{QueryError, QueryErrorCode};

/// What went wrong. Each variant has a stable code (`KUE001`, …) that is
/// never reused for another meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `KUE001`: a token that cannot appear here (a stray `)`, a `:` without
    /// a field, an operator without operands).
    UnexpectedToken,
    /// `KUE002`: a `(` or `{` that is never closed.
    Unclosed,
    /// `KUE003`: a quoted string without its closing `"`.
    UnterminatedString,
    /// `KUE004`: a backslash in an unquoted value that escapes nothing
    /// kuery knows (only `\():<>"*{}`, `\t \r \n`, `\uXXXX` and the keywords
    /// can be escaped).
    InvalidEscape,
    /// `KUE005`: groups nested deeper than [`crate::MAX_DEPTH`].
    TooDeep,
    /// `KUE006`: a field with `:` or a range operator but no value.
    MissingValue,
    /// `KUE007` (warning): `\t`, `\n` or `\r` inside a quoted value right
    /// before a letter or digit (`"C:\Windows\temp"`). Kibana decodes it as
    /// whitespace, so the value holds a tab or line break where the author
    /// most likely meant a backslash: `\\t` is a backslash and `t`.
    WhitespaceEscape,
}

/// One problem in a query, with a span in the query text (not yet the
/// file): the shared [`ruledex_ir::QueryError`] with this crate's codes.
pub type ParseError = QueryError<ErrorCode>;

/// The stable codes (`KUE001`, …) and which of them are warnings.
impl QueryErrorCode for ErrorCode {
    /// True for codes that are warnings: the query is valid kuery, but
    /// probably does not mean what it says.
    fn is_warning(self) -> bool {
        matches!(self, ErrorCode::WhitespaceEscape)
    }

    /// The stable code, e.g. `KUE001`.
    fn code(self) -> &'static str {
        match self {
            ErrorCode::UnexpectedToken => "KUE001",
            ErrorCode::Unclosed => "KUE002",
            ErrorCode::UnterminatedString => "KUE003",
            ErrorCode::InvalidEscape => "KUE004",
            ErrorCode::TooDeep => "KUE005",
            ErrorCode::MissingValue => "KUE006",
            ErrorCode::WhitespaceEscape => "KUE007",
        }
    }
}
