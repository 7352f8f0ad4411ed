//! Parse errors with stable codes.

use ruledex_ir::{QueryError, QueryErrorCode};

/// What went wrong. Each variant has a stable code (`LUC001`, …) that is
/// never reused for another meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `LUC001`: a token that cannot appear here (a stray `)`, an operator
    /// without operands, a `:` without a field).
    UnexpectedToken,
    /// `LUC002`: a `(`, `[` or `{` that is never closed.
    Unclosed,
    /// `LUC003`: a phrase `"…` or regex `/…` without its closing quote or
    /// slash.
    Unterminated,
    /// `LUC004`: a backslash at the very end of the query, escaping nothing.
    DanglingEscape,
    /// `LUC005`: groups nested deeper than [`crate::MAX_DEPTH`].
    TooDeep,
    /// `LUC006`: a field with `:` but no value, or an operator without its
    /// right operand.
    MissingValue,
    /// `LUC007`: a range without `TO` or without a bound (`[1 5]`, `[1 TO]`).
    MalformedRange,
    /// `LUC008`: `^` without a number (a boost needs one), or a number after
    /// `~` or `^` that is not one.
    BadNumber,
}

/// One problem in a query, with a span in the query text (not yet the
/// file): the shared [`ruledex_ir::QueryError`] with this crate's codes.
pub type ParseError = QueryError<ErrorCode>;

/// The stable codes (`LUC001`, …) and which of them are warnings.
impl QueryErrorCode for ErrorCode {
    /// The stable code, e.g. `LUC001`.
    fn code(self) -> &'static str {
        match self {
            ErrorCode::UnexpectedToken => "LUC001",
            ErrorCode::Unclosed => "LUC002",
            ErrorCode::Unterminated => "LUC003",
            ErrorCode::DanglingEscape => "LUC004",
            ErrorCode::TooDeep => "LUC005",
            ErrorCode::MissingValue => "LUC006",
            ErrorCode::MalformedRange => "LUC007",
            ErrorCode::BadNumber => "LUC008",
        }
    }
}
