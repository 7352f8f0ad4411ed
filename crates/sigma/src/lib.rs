//! Sigma rules, correlation rules and filters, read the way pySigma reads
//! them and lowered to the ruledex model.
//!
//! [`SigmaFormat`] is the loader ([`ruledex_ir::RuleFormat`]): it recognizes
//! Sigma YAML, reads every document of a file (merging the legacy
//! `action: global` / `repeat` documents), checks each rule as pySigma does
//! — reporting *every* problem as a diagnostic `SIG001`… at the offending
//! key or value — and lowers it (see [`lower`] for the stage design):
//!
//! - [`value`]: strings with wildcards and Sigma's escapes; typed values.
//! - [`modifier`]: every value modifier, applied with pySigma's semantics.
//! - [`condition`]: the condition language (and the old aggregation pipes).
//! - [`parse`]: documents → checked rules, correlation rules and filters.
//! - [`lower`]: checked rules → [`ruledex_ir::Rule`].
//! - [`dump`]: the (field, modifiers, values) dump compared with pySigma.
//!
//! ```
//! use ruledex_ir::{RuleFormat, SourceFile};
//! use ruledex_sigma::SigmaFormat;
//!
//! let text = "title: Whoami
//! id: 0d1a5a3e-8f7c-4a57-9d1e-3c1b6f3f2a10
//! logsource:
//!   product: windows
//!   category: process_creation
//! detection:
//!   selection:
//!     Image|endswith: '\\whoami.exe'
//!   filter:
//!     User: 'SYSTEM'
//!   condition: selection and not filter
//! tags:
//!   - attack.discovery
//!   - attack.t1033
//! level: low
//! ";
//! let file = SourceFile::standalone("whoami.yml", text);
//! assert!(SigmaFormat.sniff(&file));
//! let rules = SigmaFormat.load(&file);
//! let rule = &rules[0];
//! assert!(rule.parsed());
//! assert_eq!(rule.stages[2].predicate.as_ref().unwrap().to_string(), "selection and not(filter)");
//! let image = &rule.indicators[0];
//! assert_eq!((image.field.as_str(), image.kind.name(), image.negated), ("Image", "endswith".into(), false));
//! let user = &rule.indicators[1];
//! assert!(user.negated && user.exclusion);
//! assert_eq!(rule.data_sources[0].name, "windows/process_creation");
//! ```

pub mod channels;
pub mod codes;
pub mod condition;
pub mod dump;
pub mod lower;
pub mod modifier;
pub mod parse;
pub mod regex_syntax_check;
pub mod value;

use ruledex_ir::{resolve_positions, Diagnostic, Platform, Rule, RuleFormat, SourceFile};

/// The Sigma rule format (`sigma`).
#[derive(Clone, Copy, Debug, Default)]
pub struct SigmaFormat;

impl RuleFormat for SigmaFormat {
    fn name(&self) -> &'static str {
        "sigma"
    }

    fn codes(&self) -> &'static [&'static [ruledex_ir::CodeInfo]] {
        &[codes::ALL]
    }

    /// A `.yml`/`.yaml` file with a top-level `detection:`, `correlation:`
    /// or `filter:` key and a `title:`, `logsource:` or `action:` key.
    /// Sentinel, Splunk and Panther YAML have none of those keys at the top
    /// level.
    fn sniff(&self, file: &SourceFile<'_>) -> bool {
        let ext = file.extension();
        if ext != "yml" && ext != "yaml" {
            return false;
        }
        sniff_text(file.text)
    }

    fn load(&self, file: &SourceFile<'_>) -> Vec<Rule> {
        load(file)
    }
}

/// True when `text` looks like a Sigma document (see [`SigmaFormat::sniff`]).
pub fn sniff_text(text: &str) -> bool {
    let (mut body, mut meta) = (false, false);
    // The indentation of the current document's top-level keys: that of
    // its first line. YAML lets a whole document be indented (pySigma's
    // own test rules are, by four spaces); legacy multi-document files
    // sometimes indent documents by one space.
    let mut top: Option<usize> = None;
    for line in text.lines() {
        if line.starts_with("---") || line.starts_with("...") {
            top = None;
            continue;
        }
        let key = line.trim_start_matches(' ');
        if key.is_empty() || key.starts_with('#') || line.starts_with('%') {
            continue;
        }
        let indent = line.len() - key.len();
        let top_indent = *top.get_or_insert(indent);
        if indent != top_indent && indent > 1 {
            continue;
        }
        let key = key.split(':').next().unwrap_or("");
        if !line.contains(':') {
            continue;
        }
        match key {
            "detection" | "correlation" | "filter" => body = true,
            "title" | "logsource" | "action" => meta = true,
            _ => {}
        }
        if body && meta {
            return true;
        }
    }
    false
}

/// Load every rule of a Sigma file (see [`SigmaFormat`]).
pub fn load(file: &SourceFile<'_>) -> Vec<Rule> {
    let parsed = parse::parse_file(file.text);
    let several = parsed.documents.len() > 1;
    let mut rules: Vec<Rule> = parsed
        .documents
        .iter()
        .enumerate()
        .map(|(i, doc)| lower::lower_document(file, doc, several.then_some(i)))
        .collect();
    if rules.is_empty() {
        let mut rule = Rule {
            id: file.path.to_string(),
            title: file.stem().to_string(),
            platform: Platform::Sigma,
            language: ruledex_ir::Language::Sigma,
            provenance: file.provenance("sigma", None),
            body: file.text.to_string(),
            ..Rule::default()
        };
        rule.diagnostics = parsed.diagnostics;
        if rule.diagnostics.is_empty() {
            rule.diagnostics.push(Diagnostic::error(
                codes::INVALID_DOCUMENT,
                "the file holds no Sigma rule document",
            ));
        }
        rules.push(rule);
    } else if let Some(first) = rules.first_mut() {
        first.diagnostics.extend(parsed.diagnostics);
    }
    // Building the line index costs a pass over the file: skip it when
    // there is nothing to place.
    if rules
        .iter()
        .any(|r| r.diagnostics.iter().any(|d| d.span.is_some()))
    {
        resolve_positions(&mut rules, file.text);
    }
    rules
}
