//! Kibana Query Language (kuery) for ruledex: lexer, parser with recovery,
//! and lowering to the common rule model.
//!
//! Elastic detection rules of type `query`, `new_terms`, `threshold` and
//! `threat_match` are written in kuery (`language = "kuery"`). [`parse`]
//! turns a query into a [`Query`] tree plus every error found; [`analyze`]
//! lowers it into a [`ruledex_ir::Analysis`] with one `filter` stage.
//!
//! # Semantics decisions
//!
//! - **Precedence** is Kibana's: `not` > `and` > `or`; keywords are
//!   case-insensitive. There is no implicit operator: consecutive unquoted
//!   words form one value (`message: hello world`).
//! - **Case**: `field: value` lowers to `eq` with `case_sensitive: Some(true)`:
//!   Elastic detection rules run against `keyword` fields, which match
//!   exactly. Wildcard values (`*foo*`) are `Some(true)` as well: Kibana's
//!   wildcard query on a keyword field is case-sensitive unless the field is
//!   a `wildcard`/`text` type, which the rule text cannot tell.
//! - **Wildcards**: an unescaped `*` in an unquoted value is a wildcard:
//!   `*x*` → `contains`, `x*` → `startswith`, `*x` → `endswith`, any other
//!   pattern → `wildcard` (a glob where literal `*` and `\` are escaped with
//!   `\`). `field:*` → `exists`. A quoted value is a phrase and never a
//!   pattern; an escaped `\*` is a literal star.
//! - **Lists**: `field:(a or b)` with only plain values → one `in`
//!   comparison; otherwise an `or` (or `and`) of comparisons; `not` inside a
//!   list is kept as [`ruledex_ir::Predicate::Not`].
//! - **Types**: unquoted numbers and `true`/`false` keep their type;
//!   quoted values are strings.
//! - **Field-less values** (`"mimikatz"`) search the default fields as full
//!   text: they lower to `has` on the field `*` and are case-insensitive.
//! - **Nested** `field:{ sub: v }` compares `field.sub`.
//! - **Escapes in quoted values** follow Kibana: `\"`, `\\`, `\uXXXX`,
//!   and `\t`/`\n`/`\r` decode to whitespace; any other backslash is
//!   literal (`"C:\Windows"`). Because `"C:\temp"` therefore holds a tab,
//!   a whitespace escape before a letter or digit gets the warning
//!   `KUE007`.
//! - **Lenient where Kibana is strict**: `not not x` is accepted; a range
//!   bound with `*` is a literal star (ranges have no wildcards).
//! - **Datasets**: positive `eq`/`in` on `event.dataset` or
//!   `data_stream.dataset` also become [`ruledex_ir::DataSourceKind::Dataset`]
//!   data sources.
//!
//! ```
//! use ruledex_ir::{collect_indicators, OffsetMap};
//!
//! let analysis = ruledex_kuery::analyze(
//!     r#"process.name : ("cmd.exe" or "powershell.exe") and not process.args : *-enc*"#,
//!     &OffsetMap::identity(),
//! );
//! assert!(analysis.diagnostics.is_empty());
//! let indicators = collect_indicators(&[], &analysis.stages);
//! assert_eq!(indicators[0].kind.name(), "in");
//! assert_eq!(indicators[1].kind.name(), "contains");
//! assert!(indicators[1].exclusion);
//! ```

pub mod ast;
pub mod error;
pub mod lexer;
mod lower;
mod parser;

pub use ast::{Expr, Field, Literal, Part, Query, RangeOp, ValueExpr};
pub use error::{ErrorCode, ParseError};
pub use lower::STAGE_KIND;
pub use parser::{parse, Parsed};

use ruledex_ir::{Analysis, OffsetMap};

/// How deep groups, `not`s and nested queries may nest before the parser
/// stops with [`ErrorCode::TooDeep`]. Real rules stay below 10.
pub const MAX_DEPTH: usize = 100;

/// Parse `query` and lower it. Every span in the result (stage, comparisons,
/// diagnostics) is a file span: `map` translates offsets in `query` to
/// offsets in the file it was cut out of.
pub fn analyze(query: &str, map: &OffsetMap) -> Analysis {
    let parsed = parse(query);
    lower::lower(&parsed, query, map)
}
