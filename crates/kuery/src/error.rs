//! Parse errors with stable codes.

use ruledex_ir::{Diagnostic, OffsetMap, Span};

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

impl ErrorCode {
    /// True for codes that are warnings: the query is valid kuery, but
    /// probably does not mean what it says.
    pub fn is_warning(self) -> bool {
        matches!(self, ErrorCode::WhitespaceEscape)
    }

    /// The stable code, e.g. `KUE001`.
    pub fn code(self) -> &'static str {
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

/// One syntax error (or warning), with a span in the query text (not yet the file).
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
        let diagnostic = if self.code.is_warning() {
            Diagnostic::warning(self.code.code(), self.message.clone())
        } else {
            Diagnostic::error(self.code.code(), self.message.clone())
        };
        diagnostic.with_span(map.span_to_file(self.span))
    }
}
