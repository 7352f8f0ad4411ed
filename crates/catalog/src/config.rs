//! Sources: what to ingest, from `ruledex.toml` or the command line.
//!
//! ```toml
//! [[source]]
//! name = "sigma"                                   # shown on pages, used in rule keys
//! path = "rules/sigma"                             # relative to this file
//! git = "https://github.com/SigmaHQ/sigma.git"     # optional: `ruledex sync` clones/updates it
//! branch = "master"                                # optional, with `git`
//! web = "https://github.com/SigmaHQ/sigma"          # optional: links to files at their commit
//! ```
//!
//! An event dictionary (a folder in the layout of the OSSEM data
//! dictionaries, for the event reference pages) is an `[[events]]` entry
//! with the same keys:
//!
//! ```toml
//! [[events]]
//! name = "ossem"
//! path = "sources/OSSEM-DD"
//! git = "https://github.com/OTRF/OSSEM-DD.git"
//! ```
//!
//! A folder given on the command line that holds a `MANIFEST.tsv` (the layout
//! of a rule corpus: one sub-folder per source with its upstream repository
//! and commit) expands into one source per listed folder.

use crate::ingest::SourceRoot;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The `ruledex.toml` of the public catalog, as `ruledex init --public`
/// writes it: the public detection-rule repositories with their git URLs,
/// branches and web addresses, cloned under `sources/` by `ruledex sync`.
pub const PUBLIC_SOURCES: &str = include_str!("../data/public-sources.toml");

/// Errors reading the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has the wrong shape.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
    /// Two sources share a name.
    #[error("{path}: two sources are named `{name}`")]
    DuplicateName {
        /// The file.
        path: PathBuf,
        /// The name.
        name: String,
    },
}

/// One configured source.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Name shown on pages and used in rule keys.
    pub name: String,
    /// Local folder (relative paths are relative to the config file).
    pub path: PathBuf,
    /// Git URL to clone from / update with `ruledex sync`.
    #[serde(default)]
    pub git: Option<String>,
    /// Branch to check out (default: the remote's default branch).
    #[serde(default)]
    pub branch: Option<String>,
    /// Web address of the repository, for links to files at a commit
    /// (`<web>/blob/<commit>/<path>`).
    #[serde(default)]
    pub web: Option<String>,
}

/// The whole `ruledex.toml`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Sources, in order.
    #[serde(default, rename = "source")]
    pub sources: Vec<SourceConfig>,
    /// Event dictionaries (the first one that exists is used); synced like
    /// sources.
    #[serde(default, rename = "events")]
    pub events: Vec<SourceConfig>,
}

impl Config {
    /// Read `path`; relative source paths become relative to its folder.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// Parse `text` as the config file at `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        for source in config.sources.iter_mut().chain(config.events.iter_mut()) {
            if source.path.is_relative() {
                source.path = base.join(&source.path);
            }
        }
        let mut names: Vec<&str> = config
            .sources
            .iter()
            .chain(&config.events)
            .map(|s| s.name.as_str())
            .collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(ConfigError::DuplicateName {
                path: path.to_path_buf(),
                name: w[0].to_string(),
            });
        }
        Ok(config)
    }

    /// The sources as ingest roots. A git source's commit is read from its
    /// checkout, so pages link each file at the commit it was read at.
    pub fn roots(&self) -> Vec<SourceRoot> {
        self.sources
            .iter()
            .map(|s| SourceRoot {
                name: s.name.clone(),
                path: s.path.clone(),
                commit: s
                    .git
                    .as_ref()
                    .and_then(|_| crate::git::checkout_commit(&s.path)),
                web: s.web.clone(),
            })
            .collect()
    }
}

/// Roots for paths given on the command line: a corpus folder with a
/// `MANIFEST.tsv` expands into its listed sources (with their commits and
/// repositories); anything else is one source named after its folder.
pub fn roots_from_paths(paths: &[PathBuf]) -> Vec<SourceRoot> {
    let mut roots = Vec::new();
    for path in paths {
        match read_manifest(path) {
            Some(listed) if !listed.is_empty() => roots.extend(listed),
            _ => roots.push(SourceRoot::from_path(path)),
        }
    }
    roots
}

/// Sources listed in `<folder>/MANIFEST.tsv` (columns `corpus`, `repo`,
/// `commit`, …, tab-separated, with a header row).
fn read_manifest(folder: &Path) -> Option<Vec<SourceRoot>> {
    let text = std::fs::read_to_string(folder.join("MANIFEST.tsv")).ok()?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next()?.split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let (corpus, repo, commit) = (col("corpus")?, col("repo"), col("commit"));
    let mut roots = Vec::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split('\t').collect();
        let Some(name) = cells.get(corpus) else {
            continue;
        };
        let path = folder.join(name);
        if !path.is_dir() {
            continue;
        }
        roots.push(SourceRoot {
            name: name.to_string(),
            path,
            commit: commit.and_then(|c| cells.get(c)).map(|c| c.to_string()),
            web: repo
                .and_then(|c| cells.get(c))
                .map(|r| format!("https://github.com/{r}")),
        });
    }
    Some(roots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_follow_the_config_file() {
        let config = Config::parse(
            "[[source]]\nname = \"a\"\npath = \"rules\"\ngit = \"file:///tmp/x.git\"\n",
            Path::new("/etc/ruledex/ruledex.toml"),
        )
        .unwrap();
        assert_eq!(config.sources[0].path, PathBuf::from("/etc/ruledex/rules"));
        assert_eq!(config.sources[0].git.as_deref(), Some("file:///tmp/x.git"));
    }

    #[test]
    fn unknown_keys_and_duplicate_names_are_errors() {
        let err = Config::parse(
            "[[source]]\nname = \"a\"\npath = \"x\"\ncolour = 1\n",
            Path::new("r.toml"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
        let err = Config::parse(
            "[[source]]\nname = \"a\"\npath = \"x\"\n[[source]]\nname = \"a\"\npath = \"y\"\n",
            Path::new("r.toml"),
        )
        .unwrap_err();
        assert!(matches!(err, ConfigError::DuplicateName { .. }));
    }

    #[test]
    fn the_public_catalog_lists_every_public_repository() {
        let config = Config::parse(PUBLIC_SOURCES, Path::new("/x/ruledex.toml")).unwrap();
        let names: Vec<&str> = config.sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "sigma",
                "hayabusa",
                "sentinel",
                "defender",
                "elastic",
                "elastic-endpoint",
                "splunk",
                "chronicle",
                "panther"
            ]
        );
        for source in &config.sources {
            let git = source.git.as_deref().unwrap();
            let web = source.web.as_deref().unwrap();
            assert!(source.branch.is_some(), "{}", source.name);
            assert_eq!(git.strip_suffix(".git"), Some(web), "{}", source.name);
            assert!(source.path.starts_with("/x/sources"), "{}", source.name);
        }
        // The OSSEM data dictionaries are the event dictionary.
        assert_eq!(config.events.len(), 1);
        assert_eq!(config.events[0].name, "ossem");
        assert!(config.events[0].git.is_some());
        assert!(config.events[0].path.starts_with("/x/sources"));
    }

    #[test]
    fn a_manifest_folder_expands_into_its_sources() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("one")).unwrap();
        std::fs::write(
            dir.path().join("MANIFEST.tsv"),
            "corpus\trepo\tcommit\none\towner/one\tabc123\nmissing\towner/two\tdef\n",
        )
        .unwrap();
        let roots = roots_from_paths(&[dir.path().to_path_buf()]);
        assert_eq!(roots.len(), 1);
        assert_eq!(roots[0].name, "one");
        assert_eq!(roots[0].commit.as_deref(), Some("abc123"));
        assert_eq!(
            roots[0].web.as_deref(),
            Some("https://github.com/owner/one")
        );
    }
}
