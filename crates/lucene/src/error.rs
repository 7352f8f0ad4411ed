//! Parse errors with stable codes.

use ruledex_ir::{Diagnostic, OffsetMap, Span};

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

impl ErrorCode {
    /// The stable code, e.g. `LUC001`.
    pub fn code(self) -> &'static str {
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

/// One syntax error, with a span in the query text (not yet the file).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}", code = self.code.code())]
pub struct ParseError {
    /// The kind of error.
    pub code: ErrorCode,
    /// One sentence, lower case, no final period.
    pub message: String,
    /// Where, as a byte range of the query text.
    pub span: Span,
}

impl ParseError {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>, span: Span) -> Self {
        ParseError {
            code,
            message: message.into(),
            span,
        }
    }

    /// This error as an IR diagnostic placed in the file through `map`.
    pub fn to_diagnostic(&self, map: &OffsetMap) -> Diagnostic {
        Diagnostic::error(self.code.code(), self.message.clone())
            .with_span(map.span_to_file(self.span))
    }
}
