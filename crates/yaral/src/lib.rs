//! Chronicle / Google SecOps YARA-L 2.0 for ruledex: tokenizer, parser,
//! lowering to the common model, and the `.yaral` loader.
//!
//! [`parse`] turns a file into an [`ast::File`] that always exists (one
//! [`ast::RuleDef`] per `rule name { … }`), plus every problem found
//! ([`QueryDiagnostic`], codes `YRL0xx` for errors, `YRL1xx` for
//! warnings). [`lower::lower_rule`] lowers one rule: a stage per section
//! (`events`, `match`, `outcome`, `condition`) with its exact text, the
//! events' predicates with UDM paths as fields, joins as field-to-field
//! comparisons, reference lists as value sources and dependencies, match
//! and outcome variables as output fields, the window and condition as
//! the schedule. [`YaralFormat`] loads `.yaral` files with their `meta:`.
//!
//! ```
//! use ruledex_ir::{Rule, RuleFormat, SourceFile};
//! use ruledex_yaral::YaralFormat;
//!
//! let text = r#"rule cloudtrail_console_login_no_mfa {
//!   meta:
//!     author = "ruledex"
//!     severity = "High"
//!     mitre_attack_tactic = "Initial Access"
//!   events:
//!     $login.metadata.product_event_type = "ConsoleLogin"
//!     $login.metadata.product_name = "AWS CloudTrail"
//!     $login.target.user.userid = $user
//!     not $login.principal.ip in %trusted_ips
//!   match:
//!     $user over 10m
//!   outcome:
//!     $risk_score = max(40)
//!     $ips = array_distinct($login.principal.ip)
//!   condition:
//!     $login and #login > 3
//! }"#;
//! let rules = YaralFormat.load(&SourceFile::standalone("login.yaral", text));
//! let rule: &Rule = &rules[0];
//! assert!(rule.parsed(), "{:?}", rule.diagnostics);
//! assert_eq!(rule.title, "cloudtrail_console_login_no_mfa");
//! assert_eq!(rule.schedule.window.as_deref(), Some("10m"));
//! let kinds: Vec<&str> = rule.stages.iter().map(|s| s.kind.as_str()).collect();
//! assert_eq!(kinds, ["events", "match", "outcome", "condition"]);
//! let first = &rule.indicators[0];
//! assert_eq!((first.field.as_str(), first.kind.name()), ("metadata.product_event_type", "eq".to_string()));
//! let list = rule.indicators.iter().find(|i| i.values_from.is_some()).unwrap();
//! assert_eq!(list.values_from.as_ref().unwrap().name, "%trusted_ips");
//! let outputs: Vec<&str> = rule.outputs.iter().map(|o| o.name.as_str()).collect();
//! assert_eq!(outputs, ["$user", "$risk_score", "$ips"]);
//! ```

pub mod ast;
pub mod diag;
pub mod functions;
pub mod lexer;
pub mod loader;
pub mod lower;
mod parser;

pub use diag::{Code, QueryDiagnostic};
pub use loader::YaralFormat;

use ruledex_ir::{Analysis, OffsetMap};

/// Deepest nesting the parser enters: parentheses, `not`s, function
/// calls. Deeper input gets [`Code::TooDeep`] and the rest of the
/// statement is skipped.
pub const MAX_DEPTH: usize = 64;

/// A parsed file and the problems found in it.
#[derive(Clone, Debug)]
pub struct Parsed {
    /// The tree.
    pub file: ast::File,
    /// Every problem, sorted by position; spans in the parsed text.
    pub diagnostics: Vec<QueryDiagnostic>,
}

impl Parsed {
    /// True when no diagnostic is an error.
    pub fn is_valid(&self) -> bool {
        !self.diagnostics.iter().any(QueryDiagnostic::is_error)
    }
}

/// Parse a file of YARA-L rules. Never fails and never panics.
pub fn parse(text: &str) -> Parsed {
    let mut parser = parser::Parser::new(text);
    let file = parser.file();
    let mut diagnostics = std::mem::take(&mut parser.diagnostics);
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end, d.code.as_str()));
    diagnostics.dedup();
    Parsed { file, diagnostics }
}

/// Parse `text` (cut out of a file at `map`) and lower every rule in it
/// into one analysis: stages, outputs, sources and dependencies of each
/// rule in turn, and every diagnostic placed in the file.
pub fn analyze(text: &str, map: &OffsetMap) -> Analysis {
    let parsed = parse(text);
    let mut analysis = Analysis::default();
    for rule in &parsed.file.rules {
        let lowered = lower::lower_rule(text, rule, map);
        analysis.stages.extend(lowered.analysis.stages);
        analysis.outputs.extend(lowered.analysis.outputs);
        analysis.data_sources.extend(lowered.analysis.data_sources);
        analysis.dependencies.extend(lowered.analysis.dependencies);
    }
    analysis.diagnostics = parsed
        .diagnostics
        .iter()
        .map(|d| d.to_diagnostic(map))
        .collect();
    analysis
}
