//! ES|QL for ruledex: lexer, parser with recovery, and lowering to the
//! common rule model.
//!
//! Elastic detection rules of type `esql` and many hunting queries are ES|QL
//! pipelines. [`parse`] turns a query into a [`Query`] (one [`Command`] per
//! `|`) plus every problem found, recovering at each pipe; [`analyze`]
//! lowers it into a [`ruledex_ir::Analysis`].
//!
//! # Semantics decisions
//!
//! - **Stages**: one per command; the kind is the command in lower case
//!   (`from`, `where`, `eval`, `stats`, `inline_stats`, `keep`, `drop`,
//!   `rename`, `dissect`, `grok`, `enrich`, `mv_expand`, `lookup_join`,
//!   `sort`, `limit`, `row`, and the name of any other command). `METADATA`
//!   belongs to `from`.
//! - **Comparisons**: `==` is case-sensitive, `=~` case-insensitive;
//!   `LIKE` patterns (`*`, `?`, `\` escapes) are classified into
//!   `contains`/`startswith`/`endswith`/`wildcard` (`eq` without
//!   wildcards); `RLIKE` → `regex`; `NOT LIKE`/`NOT RLIKE`/`NOT IN`/`!=` are
//!   negative operators; a prefix `NOT` is kept as
//!   [`ruledex_ir::Predicate::Not`]; `IS NULL` → `not_exists`, `IS NOT NULL`
//!   → `exists`; `CIDR_MATCH` → `cidr`; `STARTS_WITH`/`ENDS_WITH`/`CONTAINS`
//!   → their operators; `MATCH(f, q)` and `f : q` → `has`, case-insensitive.
//!   `KQL("…")` and `QSTR("…")` are analyzed by `ruledex-kuery` and
//!   `ruledex-lucene`, with spans mapped into the file through the string.
//!   Anything else is a [`ruledex_ir::Predicate::Call`] or an opaque
//!   condition.
//! - **Tracing**: a column computed by `EVAL` (or renamed, or grouped) and
//!   compared later is traced to the one field it reads, with an
//!   [`ruledex_ir::Derivation`]; through `TO_LOWER`/`TO_UPPER` the
//!   comparison becomes case-insensitive. A function of one column in a
//!   comparison (`LENGTH(x) > 5`) is traced the same way. Columns computed
//!   by `STATS` are marked `aggregate: true` (thresholds, not indicators).
//!   Columns from `DISSECT`, `GROK` and `ENRICH` are derived but not traced.
//! - **Outputs**: `FROM` rows carry every field of the index (not listed);
//!   `METADATA` fields, `EVAL`, `DISSECT`, `GROK`, `ENRICH … WITH` add
//!   columns, `STATS` replaces them with its aggregates and groups, `KEEP`
//!   narrows (patterns match known columns; on an open set an unmatched
//!   name or pattern is listed as itself), `DROP` removes, `RENAME` renames.
//!   The final listed columns are the outputs, each with the stage kind
//!   that produced it.
//! - **Sources**: `FROM` patterns → `index` data sources; positive `eq`/`in`
//!   on `event.dataset`/`data_stream.dataset` → `dataset` data sources;
//!   `ENRICH` policies and `LOOKUP JOIN` indexes → `lookup` dependencies.
//! - `STATS … WHERE` filters of single aggregates go into the `stats`
//!   stage's predicate: they still say what the rule looks for.
//!
//! ```
//! use ruledex_ir::{collect_indicators, OffsetMap};
//!
//! let query = "FROM logs-endpoint.events.process-*
//! | WHERE process.name == \"cmd.exe\"
//! | EVAL cmd = TO_LOWER(process.command_line)
//! | WHERE cmd LIKE \"*whoami*\"
//! | STATS hits = COUNT(*) BY host.name
//! | WHERE hits > 3";
//! let analysis = ruledex_esql::analyze(query, &OffsetMap::identity());
//! assert!(analysis.diagnostics.is_empty());
//! let kinds: Vec<_> = analysis.stages.iter().map(|s| s.kind.as_str()).collect();
//! assert_eq!(kinds, ["from", "where", "eval", "where", "stats", "where"]);
//! let indicators = collect_indicators(&[], &analysis.stages);
//! // `hits > 3` is a threshold on an aggregate, not an indicator.
//! assert_eq!(indicators.len(), 2);
//! assert_eq!(indicators[1].field, "process.command_line");
//! assert_eq!(indicators[1].kind.name(), "contains");
//! assert_eq!(indicators[1].case_sensitive, Some(false));
//! let outputs: Vec<_> = analysis.outputs.iter().map(|o| o.name.as_str()).collect();
//! assert_eq!(outputs, ["hits", "host.name"]);
//! ```

pub mod ast;
pub mod error;
pub mod lexer;
mod lower;
mod parser;

pub use ast::{
    Aggregate, BinaryOp, Command, CommandKind, EnrichField, Expr, Field, Literal, Name, Query,
    Rename, SortKey,
};
pub use error::{ErrorCode, ParseError};
pub use parser::{parse, Parsed};

use ruledex_ir::{Analysis, OffsetMap};

/// How deep expressions may nest (parentheses, calls, `NOT`, operator
/// chains) before the parser stops with [`ErrorCode::TooDeep`].
pub const MAX_DEPTH: usize = 100;

/// Parse `query` and lower it. Every span in the result (stages,
/// comparisons, diagnostics) is a file span: `map` translates offsets in
/// `query` to offsets in the file it was cut out of.
pub fn analyze(query: &str, map: &OffsetMap) -> Analysis {
    let parsed = parse(query);
    lower::lower(&parsed, query, map)
}
