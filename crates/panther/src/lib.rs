//! Panther detections (`panther-analysis`), lowered to the ruledex model.
//!
//! [`PantherFormat`] is the loader ([`ruledex_ir::RuleFormat`]). It
//! recognizes Panther's YAML specs by their top-level `AnalysisType` key and
//! reads every analysis type ([`spec`]): rules, scheduled rules and
//! policies with their Python program ([`python`]), simple YAML detections
//! and inline filters ([`detection`]), correlation rules ([`correlation`]),
//! and scheduled and saved queries in Snowflake SQL ([`sql`]). Data models,
//! global helpers, lookup tables and packs are supporting files: they load
//! as no rule, and the programs, helpers, data models and queries of a
//! source are read once, before its rules, into a [`PantherContext`].
//!
//! Python rules and policies have language `python`, queries `sql`;
//! simple-detection and correlation rules are YAML but Panther rules all
//! the same, and count as `python` (Panther's rule language). Field names
//! are the event's JSON paths joined with `.` (`userIdentity.type`), the
//! `native` vocabulary of the field table.
//!
//! Nesting is bounded everywhere, so hostile input gets a diagnostic, never
//! a stack overflow: a Python program with brackets deeper than
//! [`python::module::MAX_NESTING`] is not parsed, and its lowering follows
//! 64 levels of expressions; YAML detections follow 64 levels of
//! combinators; the SQL parser refuses queries nested deeper than 64
//! levels; spec YAML deeper than [`ruledex_yaml::MAX_DEPTH`] levels
//! is broken YAML.
//!
//! ```
//! use ruledex_ir::{RuleFormat, SourceFile};
//! use ruledex_panther::PantherFormat;
//!
//! let spec = "AnalysisType: rule
//! Filename: root_login.py
//! RuleID: Example.Root.Login
//! DisplayName: Root console login
//! Enabled: true
//! LogTypes: [AWS.CloudTrail]
//! Severity: High
//! Reports:
//!   MITRE ATT&CK: [\"TA0001:T1078\"]
//! ";
//! let program = "def rule(event):
//!     if event.get(\"errorCode\"):
//!         return False
//!     return event.get(\"eventName\") == \"ConsoleLogin\" and event.deep_get(\"userIdentity\", \"type\") == \"Root\"
//! ";
//! let files = [SourceFile::standalone("rules/root_login.py", program)];
//! let context = PantherFormat.build_context(&files);
//! let file = SourceFile::standalone("rules/root_login.yml", spec).with_context(context.as_deref());
//! assert!(PantherFormat.sniff(&file));
//! let rule = &PantherFormat.load(&file)[0];
//! assert!(rule.parsed());
//! assert_eq!(rule.stages[0].kind, "guard");
//! assert_eq!(rule.stages[1].predicate.as_ref().unwrap().to_string(),
//!     r#"eventName == "ConsoleLogin" and userIdentity.type == "Root""#);
//! let error_code = &rule.indicators[0];
//! assert_eq!((error_code.field.as_str(), error_code.kind.name(), error_code.exclusion), ("errorCode", "exists".into(), true));
//! assert_eq!(rule.data_sources[0].name, "AWS.CloudTrail");
//! ```

pub mod codes;
pub mod context;
pub mod correlation;
pub mod detection;
pub mod logtypes;
pub mod python;
pub mod samples;
pub mod spec;
pub mod sql;

pub use context::PantherContext;

use ruledex_ir::{resolve_positions, Rule, RuleFormat, SourceContext, SourceFile};

/// The Panther format (`panther`).
#[derive(Clone, Copy, Debug, Default)]
pub struct PantherFormat;

impl RuleFormat for PantherFormat {
    fn name(&self) -> &'static str {
        spec::FORMAT
    }

    fn codes(&self) -> &'static [&'static [ruledex_ir::CodeInfo]] {
        &[codes::ALL]
    }

    /// A `.yml`/`.yaml` file with a top-level `AnalysisType:` key, or a
    /// Python program of a Panther repository (a global helper, a data
    /// model's program, or a file defining `rule()` or `policy()`).
    fn sniff(&self, file: &SourceFile<'_>) -> bool {
        match file.extension().as_str() {
            "yml" | "yaml" => file
                .text
                .lines()
                .any(|line| line.starts_with("AnalysisType:")),
            "py" => {
                let lower = file.path.to_ascii_lowercase();
                lower.contains("global_helpers/")
                    || lower.contains("data_models/")
                    || file
                        .text
                        .lines()
                        .any(|l| l.starts_with("def rule(") || l.starts_with("def policy("))
            }
            _ => false,
        }
    }

    fn load(&self, file: &SourceFile<'_>) -> Vec<Rule> {
        if file.extension() == "py" {
            // Programs are read through the source's context, with their spec.
            return Vec::new();
        }
        let mut rules = spec::load(file);
        resolve_positions(&mut rules, file.text);
        rules
    }

    fn context_path(&self, path: &str) -> bool {
        PantherContext::wants(path)
    }

    fn build_context(&self, files: &[SourceFile<'_>]) -> Option<SourceContext> {
        Some(Box::new(PantherContext::build(files)))
    }
}
