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
//! let OperatorKind::Where { predicate, .. } = &stage.kind else { panic!() };
//! assert!(matches!(predicate.kind, ExprKind::Binary { .. }));
//!
//! // Errors come with codes and spans; the rest is still parsed.
//! let parsed = ruledex_kql::parse("T | where x == | take 1");
//! assert_eq!(parsed.errors[0].code, "KQL006");
//! assert_eq!(parsed.script.queries().next().unwrap().operators.len(), 2);
//! ```
//!
//! [`analyze`] lowers a query to the common model ([`ruledex_ir::Analysis`]:
//! bindings, stages, predicates, outputs, data sources, dependencies), and
//! the [`loader`]s read the files KQL rules come in (Sentinel YAML, Markdown
//! hunting queries, plain `.kql` files).
//!
//! Modules: [`lexer`] (tokens), [`ast`] (the tree), [`visit`] (walking it),
//! [`sexpr`] (a compact S-expression rendering used by the snapshot tests
//! and handy when debugging), [`error`] (codes).
//!
//! # A guide to the tree (for lowering)
//!
//! - **Script and statements.** [`ast::Script::statements`] in order:
//!   [`ast::Statement::Let`], `Query`, `Set`, `Declare`, `Alias`, `Error`.
//!   [`ast::Script::queries`] gives the queries; a rule normally has one,
//!   after its `let`s.
//! - **Let-bound names.** A `let` value is [`ast::LetValue::Expr`] (scalar,
//!   or a single name or call: `let T = SecurityEvent;` is an `Expr` holding
//!   a name, the parser cannot tell a table from a scalar),
//!   [`ast::LetValue::Tabular`] (a pipeline, `materialize(...)`,
//!   `datatable`, `union`, …), `Function` or `View` (parameters and body
//!   statements; the last body statement is the result). Uses of a
//!   let-bound name appear as [`ast::SourceKind::Name`] when they start a
//!   query, or [`ast::ExprKind::Name`] inside expressions (`x in (list)`)
//!   — resolve them against the `let`s seen so far, by name.
//! - **Calls.** Function calls, stored functions (ASIM parsers such as
//!   `imAuthentication(...)`, `_GetWatchlist('x')`) and let-bound functions
//!   are all [`ast::Call`]: as a query source ([`ast::SourceKind::Call`]) or
//!   inside expressions ([`ast::ExprKind::Call`]). Arguments are
//!   [`ast::Argument`]s, named ones carry `name`. `not(x)` is a call too.
//! - **Pipelines.** [`ast::TabularExpression`] = [`ast::Source`] +
//!   [`ast::Operator`]s. Each operator has `name` (as written: `filter`,
//!   `order`, `mv-expand`), `kind` (structured arguments, one
//!   [`ast::OperatorKind`] variant per operator), and `span` covering
//!   `| op ...` with the pipe: `op.span.slice(query)` is the stage text.
//!   Union items, join/lookup right sides and subqueries are nested
//!   `TabularExpression`s; subqueries of `mv-apply`, `fork`, `facet` and
//!   `partition (...)` start with [`ast::SourceKind::Implicit`].
//! - **Columns.** Operators that produce columns hold
//!   [`ast::ColumnAssignment`]s: `names` is empty when the name is implicit
//!   (`count()` gives `count_`, `make_set(X)` gives `set_X`), one name for
//!   `Name = expr`, several for `(a, b) = f(x)`.
//! - **Predicates.** [`ast::ExprKind::Binary`] with a [`ast::BinaryOp`] that
//!   spells out negation and case sensitivity
//!   ([`ast::BinaryOp::case_sensitive`], [`ast::BinaryOp::is_negated`]);
//!   `in`/`!in`/`in~`/`!in~` are [`ast::ExprKind::In`], `has_any`/`has_all`
//!   [`ast::ExprKind::HasAny`], `between` [`ast::ExprKind::Between`].
//!   `where Col = x` (accepted by Kusto) is [`ast::BinaryOp::Equals`].
//!   Field references are `Name`, `Path` (`Props.Name`, `$left.Col`) and
//!   `Index` (`Arr[0]`, `Bag["k"]`). Parentheses are kept
//!   ([`ast::ExprKind::Paren`]; [`ast::Expr::unparenthesized`] skips them).
//! - **Values.** [`ast::Literal`]: strings carry the decoded `value` (the
//!   raw text is `span.slice(query)`); timespans their ticks; typed
//!   literals (`datetime(...)`, `int(null)`) their type and inner text;
//!   `dynamic(...)` a [`ast::DynamicValue`] tree.
//! - **Text.** Every node has a span into the parsed text:
//!   [`ast::Expr::text`] or `span.slice(query)` renders any expression
//!   exactly as written; [`sexpr::render_expr`] gives a normalized form.
//!   Map spans to file positions with [`ruledex_ir::OffsetMap`].
//! - **Walking.** [`visit::Visitor`] visits every statement, tabular
//!   expression, operator and expression; override what you need.

pub mod ast;
pub mod error;
pub mod lexer;
pub mod loader;
pub mod lower;
mod parser;
pub mod sexpr;
pub mod visit;

pub use error::{codes, ParseError};
pub use loader::{MarkdownFormat, PlainFormat, SentinelFormat};
pub use lower::analyze;

/// Deepest recursion the parser enters (parentheses, calls, subqueries,
/// dynamic literals, function bodies). Deeper input gets a
/// [`codes::TOO_DEEP`] error and the too-deep part is skipped.
pub const MAX_DEPTH: usize = 64;

/// Tallest tree the parser builds: recursion plus chains of binary
/// operators and postfix accesses (`a or b or c ...`). Keeps the tree
/// shallow enough for recursive visitors, `Drop` and `Debug` even on a
/// 1 MiB stack in a debug build (the deep-input tests of
/// `tests/robustness.rs` pass with `RUST_MIN_STACK=1000000`).
pub const MAX_HEIGHT: usize = 1000;

/// The result of [`parse`]: the tree and every error.
#[derive(Clone, Debug)]
pub struct Parsed {
    /// The syntax tree; parts that did not parse are `Error` nodes.
    pub script: ast::Script,
    /// All errors, sorted by position. Empty when the query is valid.
    pub errors: Vec<ParseError>,
    /// Problems in a query that parses: Kusto's parser accepts it, but it
    /// probably fails or misleads when it runs (`int(abc)`). Their codes
    /// are warnings (see [`codes`]).
    pub warnings: Vec<ParseError>,
}

impl Parsed {
    /// True when the query parsed without any error.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The errors and warnings as IR diagnostics placed in the file through
    /// `map` (see [`ParseError::to_diagnostic`]).
    pub fn diagnostics(&self, map: &ruledex_ir::OffsetMap) -> Vec<ruledex_ir::Diagnostic> {
        let warnings = self.warnings.iter().map(|w| {
            let mut d = w.to_diagnostic(map);
            d.severity = ruledex_ir::DiagnosticSeverity::Warning;
            d
        });
        self.errors
            .iter()
            .map(|e| e.to_diagnostic(map))
            .chain(warnings)
            .collect()
    }
}

/// Parse a KQL query text (one or more statements separated by `;`).
///
/// Never fails and never panics; see [`Parsed`]. Spans in the result are
/// byte offsets into `query`.
pub fn parse(query: &str) -> Parsed {
    parser::parse_script(query)
}
