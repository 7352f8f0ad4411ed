//! Parse errors and warnings with stable codes.

use ruledex_ir::{Diagnostic, OffsetMap, Span};

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

impl ErrorCode {
    /// The stable code, e.g. `ESQ001`.
    pub fn code(self) -> &'static str {
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
    pub fn is_warning(self) -> bool {
        matches!(self, ErrorCode::UnsupportedCommand)
    }
}

/// One problem, with a span in the query text (not yet the file).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}", code = self.code.code())]
pub struct ParseError {
    /// The kind of problem.
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

    /// This problem as an IR diagnostic placed in the file through `map`.
    pub fn to_diagnostic(&self, map: &OffsetMap) -> Diagnostic {
        let diagnostic = if self.code.is_warning() {
            Diagnostic::warning(self.code.code(), self.message.clone())
        } else {
            Diagnostic::error(self.code.code(), self.message.clone())
        };
        diagnostic.with_span(map.span_to_file(self.span))
    }
}
