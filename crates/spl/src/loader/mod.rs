//! Loaders for the files SPL rules come in.
//!
//! - [`SecurityContentFormat`]: Splunk security_content detections
//!   (`detections/**/*.yml` with a `search`), and the supporting
//!   `macros/*.yml` and `lookups/*.yml` of the same source, which hold no
//!   rule: their definitions are read once per source
//!   ([`SplunkContext`]) and used to expand the detections' macros.
//! - [`PlainFormat`]: `.spl` files holding one search.
//! - [`SavedSearchesFormat`]: a Splunk app's `savedsearches.conf`, one rule
//!   per stanza with a `search`, its macros from the app's `macros.conf`.
//! - [`CollectionFormat`]: rule records that carry a query next to its
//!   language (`logic_format: Splunk`, `logic: …`): Splunk records are
//!   analyzed, records in other languages are listed with warning
//!   `SPL203`.
//!
//! Each loader cuts the search out of its file with an
//! [`ruledex_ir::OffsetMap`], so every stage, indicator and diagnostic
//! points into the file.

mod collection;
mod plain;
mod savedsearches;
mod security_content;

pub use collection::CollectionFormat;
pub use plain::PlainFormat;
pub use savedsearches::SavedSearchesFormat;
pub use security_content::SecurityContentFormat;

use crate::macros::{MacroDef, Macros};
use ruledex_ir::{Diagnostic, Language, LineIndex, OffsetMap, Platform, Query, Rule, SourceFile};
use std::collections::BTreeMap;

/// What a Splunk source defines for its searches: macros and lookups.
#[derive(Clone, Debug, Default)]
pub struct SplunkContext {
    /// Macro definitions (`macros/*.yml`).
    pub macros: Macros,
    /// Lookup definitions (`lookups/*.yml`): name → file or collection.
    pub lookups: BTreeMap<String, String>,
}

impl SplunkContext {
    /// Read the supporting files of a source (those
    /// [`is_supporting_path`] accepts).
    pub fn from_files(files: &[SourceFile<'_>]) -> Self {
        let mut context = SplunkContext::default();
        for file in files {
            match supporting_kind(file.path) {
                Some(Supporting::Macro) => {
                    if let Some(def) = crate::macros::from_yaml(file.text) {
                        context.macros.insert(def);
                    }
                }
                Some(Supporting::Lookup) => {
                    if let Some((name, target)) = lookup_from_yaml(file.text) {
                        context.lookups.insert(name, target);
                    }
                }
                Some(Supporting::MacroConf) => {
                    for def in crate::macros::from_conf(file.text) {
                        context.macros.insert(def);
                    }
                }
                None => {}
            }
        }
        context
    }

    /// Add a macro definition.
    pub fn define(&mut self, def: MacroDef) {
        self.macros.insert(def);
    }
}

/// Kinds of supporting files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Supporting {
    Macro,
    Lookup,
    /// A Splunk app's `macros.conf`.
    MacroConf,
}

/// `macros/x.yml`, `lookups/x.yml` or `macros.conf` at any depth of a
/// source.
pub(crate) fn supporting_kind(path: &str) -> Option<Supporting> {
    let lower = path.to_ascii_lowercase();
    if lower.rsplit(['/', '\\']).next() == Some("macros.conf") {
        return Some(Supporting::MacroConf);
    }
    if !(lower.ends_with(".yml") || lower.ends_with(".yaml")) {
        return None;
    }
    let mut parts = lower.rsplit('/');
    parts.next();
    match parts.next() {
        Some("macros") => Some(Supporting::Macro),
        Some("lookups") => Some(Supporting::Lookup),
        _ => None,
    }
}

/// True for the supporting files a Splunk source's context is built from.
pub fn is_supporting_path(path: &str) -> bool {
    supporting_kind(path).is_some()
}

fn lookup_from_yaml(text: &str) -> Option<(String, String)> {
    let docs = ruledex_yaml::parse(text).ok()?;
    let doc = docs.first()?;
    let name = doc.get("name")?.as_str()?.trim().to_string();
    let target = ["filename", "collection"]
        .iter()
        .find_map(|k| doc.get(k).and_then(|v| v.as_str()))
        .unwrap_or_default()
        .to_string();
    Some((name, target))
}

/// A rule of platform Splunk, language SPL, read from `file` by `format`.
pub(crate) fn new_rule(file: &SourceFile<'_>, format: &str, index: Option<usize>) -> Rule {
    Rule {
        id: match index {
            Some(i) => format!("{}#{i}", file.path),
            None => file.path.to_string(),
        },
        title: file.stem().to_string(),
        platform: Platform::Splunk,
        language: Language::Spl,
        provenance: file.provenance(format, index),
        body: file.text.to_string(),
        ..Rule::default()
    }
}

/// Analyze `search` (cut out of the file at `map`) into `rule` with the
/// source's macros.
pub(crate) fn attach_search(rule: &mut Rule, file: &SourceFile<'_>, search: &str, map: &OffsetMap) {
    let start = map.to_file(0);
    let line = LineIndex::new(file.text).line_col(file.text, start).line;
    rule.query = Some(Query {
        language: Language::Spl,
        text: search.to_string(),
        line,
    });
    let context = file.context::<SplunkContext>();
    let analysis = crate::analyze_with(search, map, context.map(|c| &c.macros));
    rule.absorb(analysis);
}

/// An error rule for a file that is not what its format expects.
pub(crate) fn unreadable(
    mut rule: Rule,
    code: &str,
    message: String,
    span: Option<ruledex_ir::Span>,
) -> Vec<Rule> {
    let mut d = Diagnostic::error(code, message);
    d.span = span;
    rule.diagnostics.push(d);
    vec![rule]
}
