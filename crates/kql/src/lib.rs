//! A parser for the Kusto Query Language (KQL) as written in Microsoft
//! Sentinel analytics and hunting rules and Defender XDR advanced-hunting
//! queries.
//!
//! [`parse`] never fails and never panics: it always returns a syntax tree
//! ([`ast::Script`]) and every error it found ([`ParseError`], each with a
//! stable `KQL0xx` code and a byte span). The tree has a span on every node,
//! so a consumer can show the exact text of any stage or expression.
//!
//! ```
//! use ruledex_kql::ast::{ExprKind, OperatorKind, SourceKind, Statement};
//!
//! let query = "SigninLogs\n| where ResultType == 50126 and AppDisplayName =~ 'Azure Portal'\n| take 10";
//! let parsed = ruledex_kql::parse(query);
//! assert!(parsed.errors.is_empty());
//!
//! let Statement::Query(pipeline) = &parsed.script.statements[0] else { panic!() };
//! assert!(matches!(&pipeline.source.kind, SourceKind::Name(t) if t.name == "SigninLogs"));
//! let stage = &pipeline.operators[0];
//! assert_eq!(stage.span.slice(query), "| where ResultType == 50126 and AppDisplayName =~ 'Azure Portal'");
//! let OperatorKind::Where { predicate } = &stage.kind else { panic!() };
//! assert!(matches!(predicate.kind, ExprKind::Binary { .. }));
//!
//! // Errors come with codes and spans; the rest is still parsed.
//! let parsed = ruledex_kql::parse("T | where x == | take 1");
//! assert_eq!(parsed.errors[0].code, "KQL006");
//! assert_eq!(parsed.script.queries().next().unwrap().operators.len(), 2);
//! ```
//!
//! Modules: [`lexer`] (tokens), [`ast`] (the tree), [`visit`] (walking it),
//! [`sexpr`] (a compact S-expression rendering used by the snapshot tests
//! and handy when debugging), [`error`] (codes).

pub mod ast;
pub mod error;
pub mod lexer;
mod parser;
pub mod sexpr;
pub mod visit;

pub use error::{codes, ParseError};

/// Deepest recursion the parser enters (parentheses, calls, subqueries,
/// dynamic literals, function bodies). Deeper input gets a
/// [`codes::TOO_DEEP`] error and the too-deep part is skipped.
pub const MAX_DEPTH: usize = 64;

/// Tallest tree the parser builds: recursion plus chains of binary
/// operators and postfix accesses (`a or b or c ...`). Keeps the tree
/// shallow enough for recursive visitors, `Drop` and `Debug` even on a
/// 1 MiB stack in a debug build (the robustness tests check this).
pub const MAX_HEIGHT: usize = 1000;

/// The result of [`parse`]: the tree and every error.
#[derive(Clone, Debug)]
pub struct Parsed {
    /// The syntax tree; parts that did not parse are `Error` nodes.
    pub script: ast::Script,
    /// All errors, sorted by position. Empty when the query is valid.
    pub errors: Vec<ParseError>,
}

impl Parsed {
    /// True when the query parsed without any error.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The errors as IR diagnostics placed in the file through `map` (see
    /// [`ParseError::to_diagnostic`]).
    pub fn diagnostics(&self, map: &ruledex_ir::OffsetMap) -> Vec<ruledex_ir::Diagnostic> {
        self.errors.iter().map(|e| e.to_diagnostic(map)).collect()
    }
}

/// Parse a KQL query text (one or more statements separated by `;`).
///
/// Never fails and never panics; see [`Parsed`]. Spans in the result are
/// byte offsets into `query`.
pub fn parse(query: &str) -> Parsed {
    parser::parse_script(query)
}
