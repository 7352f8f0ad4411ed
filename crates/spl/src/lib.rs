//! Splunk's Search Processing Language (SPL) for ruledex: lexer, parser,
//! macro expansion, lowering to the common model, and the loaders of the
//! files SPL detections come in.
//!
//! [`parse`] turns a search into an [`ast::Pipeline`] that always exists,
//! plus every problem found ([`diag::QueryDiagnostic`], codes `SPL0xx` for
//! errors and `SPL1xx` for warnings). [`analyze_with`] expands the
//! search's macros from a source's definitions ([`macros::Macros`]) and
//! lowers it: one stage per pipe command with its exact text, predicates
//! from `search`, `where`, `tstats … where` and `regex`, outputs from
//! `table`/`fields`/`stats`/`eval`/`rename`, data sources from indexes,
//! sourcetypes, data models and data macros, lookups and macros as
//! dependencies. The [`loader`]s read security_content detection YAML,
//! plain `.spl` files, Splunk apps' `savedsearches.conf` (with their
//! `macros.conf`, read by [`conf`]) and rule collections with a Splunk
//! variant.
//!
//! ```
//! use ruledex_ir::{OffsetMap, Rule};
//! use ruledex_spl::macros::{MacroDef, Macros};
//!
//! let search = "| tstats count from datamodel=Endpoint.Processes where `process_certutil` by Processes.dest Processes.process_name | `drop_dm_object_name(Processes)`";
//! let mut macros = Macros::new();
//! macros.insert(MacroDef::new(
//!     "process_certutil",
//!     &[],
//!     "(Processes.process_name=certutil.exe OR Processes.original_file_name=CertUtil.exe)",
//! ));
//! let analysis = ruledex_spl::analyze_with(search, &OffsetMap::identity(), Some(&macros));
//! assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
//! assert_eq!(analysis.stages[0].text, search.split(" | ").next().unwrap());
//! assert_eq!(analysis.data_sources[0].name, "Endpoint.Processes");
//!
//! let mut rule = Rule::default();
//! rule.absorb(analysis);
//! let first = &rule.indicators[0];
//! assert_eq!(first.field, "Processes.process_name");
//! assert_eq!(first.kind.name(), "eq");
//! assert_eq!(first.via.as_deref(), Some("process_certutil"));
//! let outputs: Vec<&str> = rule.outputs.iter().map(|o| o.name.as_str()).collect();
//! assert_eq!(outputs, ["count", "dest", "process_name"]);
//! ```

pub mod ast;
pub mod conf;
pub mod diag;
pub mod lexer;
pub mod loader;
pub mod lower;
pub mod macros;
mod parser;

pub use diag::{Code, QueryDiagnostic};
pub use loader::{
    CollectionFormat, PlainFormat, SavedSearchesFormat, SecurityContentFormat, SplunkContext,
};
pub use lower::{analyze, analyze_with};
pub use parser::parse_macro_call;

/// Deepest nesting the parser enters: parentheses, `NOT`s, subsearches,
/// function calls. Deeper input gets [`Code::TooDeep`] and the rest of the
/// command is skipped.
pub const MAX_DEPTH: usize = 64;

/// A parsed search and the problems found in it.
#[derive(Clone, Debug)]
pub struct Parsed {
    /// The tree.
    pub pipeline: ast::Pipeline,
    /// Every problem, sorted by position; spans in the search text.
    pub diagnostics: Vec<QueryDiagnostic>,
}

impl Parsed {
    /// True when no diagnostic is an error.
    pub fn is_valid(&self) -> bool {
        !self.diagnostics.iter().any(QueryDiagnostic::is_error)
    }
}

/// Parse a search (macros are not expanded: calls are [`ast::MacroCall`]
/// nodes). Never fails and never panics.
pub fn parse(search: &str) -> Parsed {
    let mut diagnostics = Vec::new();
    let pipeline = {
        let mut parser = parser::Parser {
            text: search,
            diagnostics: &mut diagnostics,
            depth: 0,
        };
        parser.pipeline(0, search.len(), true)
    };
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end, d.code.as_str()));
    diagnostics.dedup();
    Parsed {
        pipeline,
        diagnostics,
    }
}
