//! Where catalog commands get their rules: `--source PATH` (repeatable),
//! else `--config FILE`, else `ruledex.toml` in the current folder.

use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ruledex_catalog::{roots_from_paths, Catalog, Config, SourceRoot};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Source selection shared by every catalog command.
#[derive(Args, Clone, Debug)]
pub struct SourceArgs {
    /// A folder or file of rules; repeatable. A folder with a MANIFEST.tsv
    /// (a rule corpus) expands into its listed sources.
    #[arg(long = "source", value_name = "PATH")]
    pub sources: Vec<PathBuf>,
    /// The sources file (default: ./ruledex.toml when it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl SourceArgs {
    /// The roots to ingest.
    pub fn roots(&self) -> Result<Vec<SourceRoot>> {
        if !self.sources.is_empty() {
            for path in &self.sources {
                if !path.exists() {
                    bail!("source {} does not exist", path.display());
                }
            }
            return Ok(roots_from_paths(&self.sources));
        }
        let config = match &self.config {
            Some(path) => path.clone(),
            None if PathBuf::from("ruledex.toml").is_file() => PathBuf::from("ruledex.toml"),
            None => bail!(
                "no sources: pass --source PATH or --config FILE, or run where a ruledex.toml is"
            ),
        };
        let config = Config::load(&config)?;
        let mut roots = Vec::new();
        for (root, source) in config.roots().into_iter().zip(&config.sources) {
            if root.path.exists() {
                roots.push(root);
            } else if source.git.is_some() {
                // Sync may have fetched some sources only (`--only`).
                eprintln!(
                    "note: source `{}` is not synced yet and is left out (`ruledex sync --only {}` fetches it)",
                    root.name, root.name
                );
            } else {
                bail!(
                    "source `{}` points at {}, which does not exist",
                    root.name,
                    root.path.display()
                );
            }
        }
        if roots.is_empty() {
            bail!("no source of the configuration exists yet: run `ruledex sync` first");
        }
        Ok(roots)
    }

    /// Ingest every source into a catalog, with a progress bar on a
    /// terminal.
    pub fn catalog(&self) -> Result<Catalog> {
        let roots = self.roots().context("choosing sources")?;
        Ok(build_catalog(&roots))
    }
}

/// Build the catalog of `roots`, showing progress on stderr when it is a
/// terminal.
pub fn build_catalog(roots: &[SourceRoot]) -> Catalog {
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {pos} files read {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let catalog = Catalog::build(roots, &crate::formats::all(), &|_| bar.inc(1));
    bar.finish_and_clear();
    catalog
}
