//! One rule in the catalog, and the source it came from.
//!
//! The modules that compute over the catalog (corpus counts, related rules,
//! ATT&CK coverage, changes, statistics) take entries and sources as
//! arguments; [`crate::Catalog`] sits above them and owns both.

use ruledex_ir::Rule;
use std::path::PathBuf;

/// A configured source as the catalog keeps it.
#[derive(Clone, Debug)]
pub struct SourceInfo {
    /// Source name.
    pub name: String,
    /// Folder read.
    pub path: PathBuf,
    /// Commit of the checkout, when known.
    pub commit: Option<String>,
    /// Web address of the repository, when known.
    pub web: Option<String>,
}

impl SourceInfo {
    /// A link to `path` (relative to the source) at the source's commit, for
    /// sources with a known web address and commit.
    pub fn file_url(&self, path: &str) -> Option<String> {
        let web = self.web.as_ref()?;
        let commit = self.commit.as_ref()?;
        let encoded: String = path
            .split('/')
            .map(|part| {
                part.bytes()
                    .map(|b| match b {
                        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                            (b as char).to_string()
                        }
                        _ => format!("%{b:02X}"),
                    })
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("/");
        Some(format!(
            "{}/blob/{commit}/{encoded}",
            web.trim_end_matches('/')
        ))
    }
}

/// One rule in the catalog.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Unique, URL-safe key: `<source>/<path>` (plus `--<n>` for the n-th
    /// rule of a file holding several).
    pub key: String,
    /// The rule.
    pub rule: Rule,
    /// Index of the rule's source in [`Catalog::sources`].
    pub source: usize,
    /// Normalized log-source ids the rule reads.
    pub logsources: Vec<String>,
    /// The actions the rule watches (log source and operation).
    pub actions: Vec<crate::normalize::Action>,
    /// Its ATT&CK references, resolved.
    pub attack: Vec<ruledex_attack::Finding>,
    /// The matrix cells they cover.
    pub cells: std::collections::BTreeSet<ruledex_attack::Cell>,
}

/// The id of a rule class in JSON, URLs and search (`building_block`).
pub fn class_id(class: ruledex_ir::RuleClass) -> &'static str {
    use ruledex_ir::RuleClass as C;
    match class {
        C::Hunting => "hunting",
        C::BuildingBlock => "building_block",
        C::Deprecated => "deprecated",
        C::AlertForwarding => "alert_forwarding",
        C::Correlation => "correlation",
        C::Filter => "filter",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_links_encode_paths() {
        let s = SourceInfo {
            name: "s".into(),
            path: "x".into(),
            commit: Some("abc".into()),
            web: Some("https://github.com/o/r/".into()),
        };
        assert_eq!(
            s.file_url("Hunting Queries/a&b.yaml").unwrap(),
            "https://github.com/o/r/blob/abc/Hunting%20Queries/a%26b.yaml"
        );
    }
}
