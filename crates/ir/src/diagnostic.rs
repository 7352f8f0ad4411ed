//! Diagnostics: what went wrong (or looks wrong) in a rule, and where.
//!
//! Every language reports problems as [`Diagnostic`]s with a stable code
//! (`KQL001`, `SIG003`, …), a message, and a byte span in the file. The line
//! and column are resolved once, when the loader still holds the file text,
//! so a diagnostic can travel alone (JSON export, web page) and still say
//! `file:line:col`. [`Diagnostic::render`] prints the human form with a source
//! snippet and a caret underline.

use crate::span::{LineCol, LineIndex, OffsetMap, Span};
use serde::{Deserialize, Serialize};
use std::fmt::{self, Write as _};

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The rule (or part of it) could not be understood: it does not parse,
    /// or its metadata is unusable. A rule with an error counts as failed.
    Error,
    /// Understood, but suspicious or not fully analyzed (an unknown ATT&CK id,
    /// a construct the analysis cannot trace).
    Warning,
    /// Informational remark.
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

/// One problem found in a rule file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Error, warning or note.
    pub severity: Severity,
    /// Stable code: a language prefix and a number (`KQL001`). Codes are
    /// never reused for a different meaning.
    pub code: String,
    /// One-sentence description, lower case, no final period.
    pub message: String,
    /// Byte range in the file, when the problem has a place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// Line and column of `span.start` (1-based), resolved by the loader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// See `line`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// Extra hints ("expected one of …", "did you mean …").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// A departure from the format's specification that does not stop the
    /// rule from being understood (a Sigma tag without a namespace, an `id`
    /// that is no UUID): a warning in a catalog, an error for an author who
    /// lints with `ruledex check --strict` ([`Diagnostic::enforce`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub specification: bool,
}

impl Diagnostic {
    /// A new diagnostic without a place.
    pub fn new(severity: Severity, code: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code: code.into(),
            message: message.into(),
            span: None,
            line: None,
            column: None,
            notes: Vec::new(),
            specification: false,
        }
    }

    /// A warning about a departure from the format's specification (see
    /// [`Diagnostic::specification`]).
    ///
    /// ```
    /// use ruledex_ir::Diagnostic;
    /// let mut d = Diagnostic::specification_warning("SIG005", "tag `sysmon` has no namespace");
    /// assert!(!d.is_error());
    /// d.enforce();
    /// assert!(d.is_error());
    /// ```
    pub fn specification_warning(code: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            specification: true,
            ..Diagnostic::new(Severity::Warning, code, message)
        }
    }

    /// Make a specification warning an error (strict checking); other
    /// diagnostics are left as they are.
    pub fn enforce(&mut self) {
        if self.specification {
            self.severity = Severity::Error;
        }
    }

    /// An error.
    pub fn error(code: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Error, code, message)
    }

    /// A warning.
    pub fn warning(code: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Warning, code, message)
    }

    /// This diagnostic placed at `span` (a byte range in the file).
    pub fn with_span(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// This diagnostic with a note appended.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// True for [`Severity::Error`].
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Fill `line` and `column` from `span` using the file's line index.
    pub fn resolve(&mut self, text: &str, index: &LineIndex) {
        if let Some(span) = self.span {
            let LineCol { line, column } = index.line_col(text, span.start);
            self.line = Some(line);
            self.column = Some(column);
        }
    }

    /// `path:line:col: severity[code]: message`, the one-line form.
    pub fn headline(&self, path: &str) -> String {
        let mut out = String::new();
        out.push_str(path);
        if let (Some(line), Some(column)) = (self.line, self.column) {
            let _ = write!(out, ":{line}:{column}");
        }
        let _ = write!(out, ": {}[{}]: {}", self.severity, self.code, self.message);
        out
    }

    /// The human form: the headline, then the offending source line(s) with a
    /// caret underline, then the notes. `text` is the whole file.
    pub fn render(&self, path: &str, text: &str) -> String {
        let mut out = self.headline(path);
        out.push('\n');
        if let Some(span) = self.span {
            let index = LineIndex::new(text);
            render_snippet(&mut out, text, &index, span);
        }
        for note in &self.notes {
            let _ = writeln!(out, "  = note: {note}");
        }
        out
    }
}

/// Print the first line of `span` with a gutter and `^^^` under the span.
fn render_snippet(out: &mut String, text: &str, index: &LineIndex, span: Span) {
    let start = index.line_col(text, span.start);
    let line0 = start.line as usize - 1;
    let Some(line_span) = index.line_span(text, line0) else {
        return;
    };
    let line_text = line_span.slice(text);
    let gutter = start.line.to_string();
    let pad = " ".repeat(gutter.len());
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{gutter} | {}", line_text.replace('\t', " "));
    // Underline to the end of the span or the end of the line, whichever
    // comes first; at least one caret so empty spans still point somewhere.
    let underline_end = span.end.min(line_span.end).max(span.start);
    let width = text
        .get(span.start as usize..underline_end as usize)
        .map_or(0, |s| s.chars().count())
        .max(1);
    let _ = writeln!(
        out,
        "{pad} | {}{}",
        " ".repeat(start.column as usize - 1),
        "^".repeat(width)
    );
}

/// A stable diagnostic code of one query language (`KUE001`, `LUC002`, …),
/// as [`QueryError`] needs it.
pub trait QueryErrorCode: Copy + fmt::Debug + PartialEq + Eq {
    /// The code as shown.
    fn code(self) -> &'static str;

    /// True for codes that are warnings: the query is valid, but probably
    /// does not mean what it says.
    fn is_warning(self) -> bool {
        false
    }
}

/// Codes kept as plain strings (the KQL parser's `KQL001` …) are all
/// errors.
impl QueryErrorCode for &'static str {
    fn code(self) -> &'static str {
        self
    }
}

/// A problem a query parser found, with a span in the *query* text; the
/// loader that cut the query out of its file places it there with
/// [`QueryError::to_diagnostic`]. Every query language uses this one type
/// with its own codes.
///
/// ```
/// use ruledex_ir::{OffsetMap, QueryError, Span};
///
/// let e = QueryError::new("KQL006", "expected an expression", Span::new(3, 5));
/// assert_eq!(e.to_string(), "KQL006: expected an expression");
/// let d = e.to_diagnostic(&OffsetMap::shifted(100));
/// assert_eq!((d.code.as_str(), d.span.unwrap().start), ("KQL006", 103));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError<C> {
    /// The kind of problem.
    pub code: C,
    /// One sentence, lower case, no final period.
    pub message: String,
    /// Where, as a byte range of the query text.
    pub span: Span,
}

impl<C: QueryErrorCode> QueryError<C> {
    /// A problem with `code` at `span`.
    pub fn new(code: C, message: impl Into<String>, span: Span) -> Self {
        QueryError {
            code,
            message: message.into(),
            span,
        }
    }

    /// True unless the code is a warning.
    pub fn is_error(&self) -> bool {
        !self.code.is_warning()
    }

    /// This problem as a diagnostic placed in the file through `map`: an
    /// error, or a warning for codes that are warnings.
    pub fn to_diagnostic(&self, map: &OffsetMap) -> Diagnostic {
        let severity = if self.code.is_warning() {
            Severity::Warning
        } else {
            Severity::Error
        };
        Diagnostic::new(severity, self.code.code(), self.message.clone())
            .with_span(map.span_to_file(self.span))
    }
}

impl<C: QueryErrorCode> fmt::Display for QueryError<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.code(), self.message)
    }
}

impl<C: QueryErrorCode> std::error::Error for QueryError<C> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_points_at_the_span() {
        let text = "T\n| where x ==\n| take 1\n";
        let mut d = Diagnostic::error("KQL001", "expected an expression after `==`")
            .with_span(Span::new(12, 14))
            .with_note("the right side of a comparison is missing");
        d.resolve(text, &LineIndex::new(text));
        let shown = d.render("q.kql", text);
        assert_eq!(
            shown,
            "q.kql:2:11: error[KQL001]: expected an expression after `==`\n  |\n2 | | where x ==\n  |           ^^\n  = note: the right side of a comparison is missing\n"
        );
    }

    #[test]
    fn headline_without_place() {
        let d = Diagnostic::warning("SIG010", "no detection");
        assert_eq!(d.headline("a.yml"), "a.yml: warning[SIG010]: no detection");
    }
}
