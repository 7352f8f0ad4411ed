//! The loader interface: a rule file in, rules out.

use crate::rule::{Provenance, Rule};
use crate::span::LineIndex;

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
}

impl<'a> SourceFile<'a> {
    /// A file outside any configured source (CLI arguments, tests).
    pub fn standalone(path: &'a str, text: &'a str) -> Self {
        SourceFile {
            source: "",
            path,
            text,
            commit: None,
        }
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
    /// shows up (with its body) in the catalog.
    fn load(&self, file: &SourceFile<'_>) -> Vec<Rule>;
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
