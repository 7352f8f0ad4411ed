//! Lucene query strings for ruledex: lexer, parser with recovery, and
//! lowering to the common rule model.
//!
//! A few Elastic detection rules use `language = "lucene"` (Elasticsearch's
//! `query_string` syntax). [`parse`] turns a query into a [`Query`] tree plus
//! every error found; [`analyze`] lowers it into a [`ruledex_ir::Analysis`]
//! with one `filter` stage.
//!
//! # Semantics decisions
//!
//! - **Operators**: `AND`/`&&`, `OR`/`||`, `NOT`/`!` (upper case only; a
//!   lower-case `or` is a term, as in Lucene), prefixes `+` (required) and
//!   `-` (prohibited). Clauses side by side use the default operator `OR`:
//!   when one of them is `+required`, the optional ones only affect scoring
//!   and are dropped from the predicate; `-x` and `NOT x` lower to
//!   [`ruledex_ir::Predicate::Not`].
//! - **Precedence** is luqum's: side by side < `OR` < `AND` < prefixes.
//! - **Values**: `field:term` → `eq` (`case_sensitive: Some(true)`, as for
//!   kuery); unquoted numbers keep their type. `*`/`?` wildcards are
//!   classified (`*x*` contains, `x*` startswith, `*x` endswith, else
//!   `wildcard` with literal `*`, `?` and `\` escaped by `\`); `field:*` and
//!   `_exists_:field` → `exists`; `/re/` → `regex`; `[a TO b]` → `between`,
//!   other ranges and `>=x` → `gt`/`ge`/`lt`/`le`; `field:(a b c)` of plain
//!   terms → one `in`.
//! - **Approximate matches** (`term~2`, `"a b"~3`) are kept as opaque
//!   conditions: no exact indicator follows from them. Boosts are ignored.
//! - **Field-less** terms and phrases → `has` on the field `*`,
//!   case-insensitive (full-text search of the default fields).
//!
//! ```
//! use ruledex_ir::{collect_indicators, OffsetMap};
//!
//! let analysis = ruledex_lucene::analyze(
//!     "event.category:process AND process.name:(cmd.exe powershell.exe) AND NOT user.name:root",
//!     &OffsetMap::identity(),
//! );
//! assert!(analysis.diagnostics.is_empty());
//! let kinds: Vec<_> = collect_indicators(&[], &analysis.stages)
//!     .iter()
//!     .map(|i| (i.field.clone(), i.kind.name(), i.exclusion))
//!     .collect();
//! assert_eq!(kinds[1], ("process.name".to_string(), "in".to_string(), false));
//! assert_eq!(kinds[2], ("user.name".to_string(), "eq".to_string(), true));
//! ```

pub mod ast;
pub mod error;
pub mod lexer;
mod lower;
mod parser;

pub use ast::{Bound, CompareOp, Node, Part, Query, Range, Term};
pub use error::{ErrorCode, ParseError};
pub use lower::STAGE_KIND;
pub use parser::{parse, Parsed};

use ruledex_ir::{Analysis, OffsetMap};

/// How deep groups, fields and prefix operators may nest before the parser
/// stops with [`ErrorCode::TooDeep`].
pub const MAX_DEPTH: usize = 100;

/// Parse `query` and lower it. Every span in the result is a file span:
/// `map` translates offsets in `query` to offsets in the file.
pub fn analyze(query: &str, map: &OffsetMap) -> Analysis {
    let parsed = parse(query);
    lower::lower(&parsed, query, map)
}
