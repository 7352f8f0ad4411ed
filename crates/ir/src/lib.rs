//! The common model every rule language lowers to.
//!
//! ruledex reads detection rules written in many languages (KQL, Sigma,
//! Elastic's four query languages, SPL, YARA-L, Panther Python). Each language
//! crate parses its own syntax and *lowers* it into the types here, so the
//! catalog, the site and the CLI handle one model:
//!
//! - [`Rule`]: metadata, provenance, bindings, stages, indicators, outputs,
//!   entities, data sources, dependencies and diagnostics of one detection.
//! - [`Stage`]: one step of the logic with its exact text, span and
//!   [`Predicate`] tree.
//! - [`Indicator`]: a (field, kind, values) the rule matches, extracted from
//!   predicates by [`collect_indicators`], the same way for every language.
//! - [`Diagnostic`]: a problem with a stable code and a file span, resolved to
//!   line and column.
//! - [`Span`], [`LineIndex`], [`OffsetMap`]: byte positions in the file,
//!   including for queries embedded in YAML or TOML strings.
//!
//! This crate does no parsing and no I/O.
//!
//! ```
//! use ruledex_ir::{collect_indicators, Comparison, Op, Predicate, Stage, Span, Value};
//!
//! let mut stage = Stage::new("where", "| where AppDisplayName =~ \"Azure Portal\"", Span::new(0, 40));
//! stage.predicate = Some(Predicate::Compare(
//!     Comparison::new("AppDisplayName", Op::Eq, vec![Value::from("Azure Portal")]).case_sensitive(false),
//! ));
//! let indicators = collect_indicators(&[], &[stage]);
//! assert_eq!(indicators[0].kind.name(), "eq");
//! assert_eq!(indicators[0].case_sensitive, Some(false));
//! ```

pub mod codes;
pub mod diagnostic;
pub mod indicator;
pub mod pattern;
pub mod predicate;
pub mod rule;
pub mod source;
pub mod span;
pub mod value;

pub use codes::CodeInfo;
pub use diagnostic::{Diagnostic, QueryError, QueryErrorCode, Severity as DiagnosticSeverity};
pub use indicator::{indicators_of, Indicator, IndicatorKind, StageRef};
pub use pattern::{Pattern, PatternPart, PatternShape};
pub use predicate::{
    collapse_whitespace, Call, Comparison, Derivation, FieldComparison, FieldRef, Op, Predicate,
    ValueSource, ValueSourceKind,
};
pub use rule::{
    collect_indicators, AlertTemplate, Analysis, Assignment, AttackKind, AttackRef, Binding,
    BindingKind, DataSource, DataSourceKind, Dependency, DependencyKind, EntityField,
    EntityMapping, Language, OutputField, Platform, Provenance, Query, Rule, RuleClass, Schedule,
    Severity, Stage,
};
pub use source::{resolve_positions, RuleFormat, SourceContext, SourceFile};
pub use span::{LineCol, LineIndex, OffsetMap, Span};
pub use value::Value;
