//! Parse errors and warnings with stable codes.

use ruledex_ir::{QueryError, QueryErrorCode};

/// What went wrong. Each variant has a stable code (`ESQ001`, …) that is
/// never reused for another meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `ESQ001`: a token that cannot appear here.
    UnexpectedToken,
    /// `ESQ002`: a `(` or `[` that is never closed.
    Unclosed,
    /// `ESQ003`: a string, quoted identifier or block comment that is never
    /// closed.
    Unterminated,
    /// `ESQ004`: a command name ES|QL does not have.
    UnknownCommand,
    /// `ESQ005` (warning): a command ES|QL has but this analysis does not
    /// model (`FORK`, `CHANGE_POINT`, …); its stage has no details.
    UnsupportedCommand,
    /// `ESQ006`: expressions nested deeper than [`crate::MAX_DEPTH`].
    TooDeep,
    /// `ESQ007`: an empty command between two pipes, or a trailing pipe.
    EmptyCommand,
    /// `ESQ008`: a command or operator missing its operand (`WHERE` alone,
    /// `a ==`, `RENAME a`).
    MissingOperand,
    /// `ESQ009`: a character that starts no ES|QL token.
    InvalidCharacter,
    /// `ESQ010`: the query does not start with a source command (`FROM`,
    /// `ROW`, `SHOW`, `TS`).
    NoSourceCommand,
}

/// One problem in a query, with a span in the query text (not yet the
/// file): the shared [`ruledex_ir::QueryError`] with this crate's codes.
pub type ParseError = QueryError<ErrorCode>;

/// The stable codes (`ESQ001`, …) and which of them are warnings.
impl QueryErrorCode for ErrorCode {
    /// The stable code, e.g. `ESQ001`.
    fn code(self) -> &'static str {
        match self {
            ErrorCode::UnexpectedToken => "ESQ001",
            ErrorCode::Unclosed => "ESQ002",
            ErrorCode::Unterminated => "ESQ003",
            ErrorCode::UnknownCommand => "ESQ004",
            ErrorCode::UnsupportedCommand => "ESQ005",
            ErrorCode::TooDeep => "ESQ006",
            ErrorCode::EmptyCommand => "ESQ007",
            ErrorCode::MissingOperand => "ESQ008",
            ErrorCode::InvalidCharacter => "ESQ009",
            ErrorCode::NoSourceCommand => "ESQ010",
        }
    }

    /// True for codes that are warnings rather than errors (the query is
    /// valid ES|QL, only the analysis is incomplete).
    fn is_warning(self) -> bool {
        matches!(self, ErrorCode::UnsupportedCommand)
    }
}
