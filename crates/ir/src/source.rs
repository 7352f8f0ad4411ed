//! The loader interface: a rule file in, rules out.

use crate::codes::CodeInfo;
use crate::rule::{Provenance, Rule};
use crate::span::LineIndex;
use std::any::Any;

/// What a format learned from a whole source before loading its files:
/// Splunk macro definitions, Panther data models and global helpers. Each
/// format builds its own (see [`RuleFormat::build_context`]) and downcasts
/// it back in [`RuleFormat::load`] from [`SourceFile::context`].
pub type SourceContext = Box<dyn Any + Send + Sync>;

/// A file handed to a loader.
#[derive(Clone, Copy, Debug)]
pub struct SourceFile<'a> {
    /// The configured source name.
    pub source: &'a str,
    /// Path relative to the source root, `/`-separated.
    pub path: &'a str,
    /// The whole file.
    pub text: &'a str,
    /// The commit the file was read at, for git sources.
    pub commit: Option<&'a str>,
    /// The context the loading format built from the file's source, when it
    /// builds one (see [`RuleFormat::build_context`]).
    pub context: Option<&'a (dyn Any + Send + Sync)>,
}

impl<'a> SourceFile<'a> {
    /// A file outside any configured source (CLI arguments, tests).
    pub fn standalone(path: &'a str, text: &'a str) -> Self {
        SourceFile {
            source: "",
            path,
            text,
            commit: None,
            context: None,
        }
    }

    /// The same file with `context` attached.
    pub fn with_context(self, context: Option<&'a (dyn Any + Send + Sync)>) -> Self {
        SourceFile { context, ..self }
    }

    /// The context of this file's source as the format's own type `T`, when
    /// the format built one of that type.
    pub fn context<T: Any>(&self) -> Option<&'a T> {
        self.context.and_then(|c| c.downcast_ref::<T>())
    }

    /// Provenance for a rule of this file read by `format`; `index` for files
    /// holding several rules.
    pub fn provenance(&self, format: &str, index: Option<usize>) -> Provenance {
        Provenance {
            source: self.source.to_string(),
            path: self.path.to_string(),
            commit: self.commit.map(str::to_string),
            format: format.to_string(),
            index,
        }
    }

    /// The file name without folders and extension, for derived ids and
    /// titles.
    pub fn stem(&self) -> &'a str {
        let name = self.path.rsplit('/').next().unwrap_or(self.path);
        name.rsplit_once('.').map_or(name, |(stem, _)| stem)
    }

    /// The extension, lower case, without the dot (`""` when none).
    pub fn extension(&self) -> String {
        let name = self.path.rsplit('/').next().unwrap_or(self.path);
        name.rsplit_once('.')
            .map_or(String::new(), |(_, ext)| ext.to_ascii_lowercase())
    }
}

/// A rule file format: how to recognize it and how to load it.
///
/// Implemented once per format by the language crates; the catalog's ingest
/// asks each registered format in turn whether it recognizes a file.
pub trait RuleFormat: Send + Sync {
    /// Stable name (`sentinel-yaml`, `sigma`, `elastic-toml`), recorded in
    /// each rule's provenance.
    fn name(&self) -> &'static str;

    /// Whether this format recognizes the file, from its path and content.
    /// Must be cheap: it runs for every file of every source.
    fn sniff(&self, file: &SourceFile<'_>) -> bool;

    /// Load every rule of the file. Never fails: a file that cannot be read
    /// as this format becomes one rule carrying error diagnostics, so it still
    /// shows up (with its body) in the catalog. Supporting files the format
    /// recognizes but that hold no rule (macro definitions, data models)
    /// load as no rules.
    fn load(&self, file: &SourceFile<'_>) -> Vec<Rule>;

    /// Whether the file at `path` (relative to its source root) is one this
    /// format reads for context before loading the source's rules (Splunk
    /// `macros/*.yml`, Panther `data_models/`, `global_helpers/`). Cheap,
    /// path only. The default: none.
    fn context_path(&self, path: &str) -> bool {
        let _ = path;
        false
    }

    /// Build this format's context for one source from the files
    /// [`RuleFormat::context_path`] accepted (in path order). Called once
    /// per source, before any [`RuleFormat::load`] of its files, which then
    /// find it in [`SourceFile::context`]. Never fails: problems of
    /// supporting files are reported where they are used (an undefined
    /// macro is a warning on the rule using it). The default: no context.
    fn build_context(&self, files: &[SourceFile<'_>]) -> Option<SourceContext> {
        let _ = files;
        None
    }

    /// The diagnostic codes this format's rules may carry (its loader's and
    /// those of the query languages it parses), as the code tables declare
    /// them ([`crate::codes`]). Reports describe codes from this (SARIF's
    /// rule descriptions). The default: none.
    fn codes(&self) -> &'static [&'static [CodeInfo]] {
        &[]
    }
}

/// Resolve the line and column of every diagnostic of `rules` against the
/// file text. Loaders call this once before returning.
pub fn resolve_positions(rules: &mut [Rule], text: &str) {
    let index = LineIndex::new(text);
    for rule in rules {
        for diagnostic in &mut rule.diagnostics {
            diagnostic.resolve(text, &index);
        }
    }
}
