//! Elastic's Event Query Language (EQL): lexer, parser, checks and
//! lowering to the ruledex IR.
//!
//! [`parse`] turns query text into a [`ast::Query`] that always exists, plus
//! every problem found ([`diag::QueryDiagnostic`], codes `EQL001`…). It
//! accepts what Elasticsearch's EQL accepts: event queries
//! (`process where …`), sequences (`by`, `with maxspan`, per-step `by`,
//! `with runs=N`, missing-event steps `![…]`, `until`), samples, pipes,
//! the string operators `:`, `like`, `like~`, `regex`, `regex~`, `in`,
//! `in~`, `not in`, optional fields `?field`, functions, arithmetic, and the
//! `"…"` / `"""…"""` strings with EQL's escapes. [`analyze`] lowers a query
//! to stages, predicates, outputs and data sources with spans in the file.
//!
//! ```
//! use ruledex_ir::{OffsetMap, Rule};
//!
//! let query = r#"sequence by host.id with maxspan=1m
//!   [process where process.name : "cmd.exe"]
//!   [network where destination.port == 4444]"#;
//! let analysis = ruledex_eql::analyze(query, &OffsetMap::identity());
//! assert!(analysis.diagnostics.is_empty());
//! let kinds: Vec<_> = analysis.stages.iter().map(|s| s.kind.as_str()).collect();
//! assert_eq!(kinds, ["sequence", "sequence-step", "sequence-step"]);
//! assert_eq!(analysis.outputs[0].name, "host.id");
//!
//! let mut rule = Rule::default();
//! rule.absorb(analysis);
//! let first = &rule.indicators[0];
//! assert_eq!((first.field.as_str(), first.kind.name()), ("process.name", "eq".to_string()));
//! assert_eq!(first.case_sensitive, Some(false)); // `:` ignores case
//! ```

pub mod ast;
pub mod check;
pub mod diag;
pub mod lexer;
pub mod lower;
pub mod parser;

pub use diag::{Code, QueryDiagnostic};
pub use parser::MAX_DEPTH;

/// Which EQL a query is written in.
///
/// Detection rules run in Elasticsearch; Elastic Defend's behaviour
/// (endpoint) rules run in the agent, whose EQL adds array searches:
/// `_arraysearch(array, $entry, condition)`, where `$entry.field` reads a
/// field of each element.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    /// Elasticsearch's EQL (detection rules), checked as Elasticsearch does.
    #[default]
    Elasticsearch,
    /// The endpoint's EQL (behaviour rules): also `_arraysearch` and its
    /// `$variables`.
    Endpoint,
}

use ruledex_ir::{Analysis, OffsetMap};

/// A parsed query and the problems found in it.
#[derive(Clone, Debug)]
pub struct Parsed {
    /// The tree; parts that did not parse are error nodes.
    pub query: ast::Query,
    /// Lexical, syntax and check diagnostics, spans in the query text.
    pub diagnostics: Vec<QueryDiagnostic>,
}

impl Parsed {
    /// True when no diagnostic is an error.
    pub fn is_valid(&self) -> bool {
        !self.diagnostics.iter().any(QueryDiagnostic::is_error)
    }
}

/// Parse and check `text`. Never fails and never panics: problems are
/// diagnostics, and the tree has error nodes where input was unusable.
pub fn parse(text: &str) -> Parsed {
    parse_dialect(text, Dialect::Elasticsearch)
}

/// [`parse`] for a query in `dialect`.
///
/// ```
/// use ruledex_eql::{parse_dialect, Dialect};
/// let q = r#"api where _arraysearch(process.thread.Ext.call_stack, $f, $f.symbol_info : "*ntdll*")"#;
/// assert!(parse_dialect(q, Dialect::Endpoint).is_valid());
/// assert!(!parse_dialect(q, Dialect::Elasticsearch).is_valid()); // no variables there
/// ```
pub fn parse_dialect(text: &str, dialect: Dialect) -> Parsed {
    let mut diagnostics = Vec::new();
    let tokens = lexer::tokenize(text, &mut diagnostics);
    let mut query = parser::parse_tokens(&tokens, &mut diagnostics);
    check::limit_height(&mut query, &mut diagnostics);
    check::check_dialect(&query, dialect, &mut diagnostics);
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    Parsed { query, diagnostics }
}

/// Parse, check and lower `query`; `map` places query offsets in the file.
///
/// This is the entry point every ruledex query language offers. When the
/// query has errors, the stages that could be built are still returned
/// with the diagnostics.
pub fn analyze(query: &str, map: &OffsetMap) -> Analysis {
    analyze_dialect(query, map, Dialect::Elasticsearch)
}

/// [`analyze`] for a query in `dialect`. In the endpoint dialect, a
/// condition on `$entry.field` inside `_arraysearch(array, $entry, ...)`
/// becomes a predicate on `array.field`.
pub fn analyze_dialect(query: &str, map: &OffsetMap, dialect: Dialect) -> Analysis {
    let parsed = parse_dialect(query, dialect);
    let mut analysis = lower::lower(&parsed.query, query, map);
    analysis
        .diagnostics
        .extend(parsed.diagnostics.iter().map(|d| d.to_diagnostic(map)));
    analysis
}
