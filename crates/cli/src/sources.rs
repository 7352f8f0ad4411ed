//! Where catalog commands get their rules: `--source PATH` (repeatable),
//! else `--config FILE`, else `ruledex.toml` in the current folder; and
//! their event dictionary: `--events PATH`, else the configuration's
//! `[[events]]`.

use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ruledex_catalog::{roots_from_paths, Catalog, Config, Dictionary, SourceRoot};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// An event dictionary folder (the layout of the OSSEM data
    /// dictionaries), for event pages, `event:`/`provider:` search and event
    /// coverage; without PATH, the configuration's `[[events]]` (which
    /// catalog commands read anyway, unless `--source` is given).
    #[arg(long = "events", value_name = "PATH", num_args = 0..=1)]
    pub events: Option<Option<PathBuf>>,
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

    /// True when `--events` was given, with or without a folder.
    pub fn events_requested(&self) -> bool {
        self.events.is_some()
    }

    /// The event dictionary folder: `--events`, else the first
    /// `[[events]]` of the configuration that exists (none with
    /// `--source`, which names everything on the command line).
    pub fn events_path(&self) -> Result<Option<PathBuf>> {
        if let Some(Some(path)) = &self.events {
            if !path.is_dir() {
                bail!("event dictionary {} is not a folder", path.display());
            }
            return Ok(Some(path.clone()));
        }
        if !self.sources.is_empty() && self.events.is_none() {
            return Ok(None);
        }
        let config = match &self.config {
            Some(path) => path.clone(),
            None if PathBuf::from("ruledex.toml").is_file() => PathBuf::from("ruledex.toml"),
            None => return Ok(None),
        };
        let config = Config::load(&config)?;
        for events in &config.events {
            if events.path.is_dir() {
                return Ok(Some(events.path.clone()));
            }
            eprintln!(
                "note: event dictionary `{}` is not synced yet and is left out (`ruledex sync --only {}` fetches it)",
                events.name, events.name
            );
        }
        Ok(None)
    }

    /// Ingest every source into a catalog, with a progress bar on a
    /// terminal, and map it onto the event dictionary when there is one.
    pub fn catalog(&self) -> Result<Catalog> {
        let roots = self.roots().context("choosing sources")?;
        let events = self.events_path()?;
        build_catalog_with_events(&roots, events.as_deref())
    }
}

/// Load the event dictionary at `path`, reporting its problems on stderr
/// (a count, and the first few).
pub fn load_dictionary(path: &Path) -> Result<Dictionary> {
    let dictionary = Dictionary::load(path)?;
    let shown = 5;
    for d in dictionary.diagnostics.iter().take(shown) {
        eprintln!("events: {d}");
    }
    if dictionary.diagnostics.len() > shown {
        eprintln!(
            "events: … and {} more diagnostics",
            dictionary.diagnostics.len() - shown
        );
    }
    Ok(dictionary)
}

/// Build the catalog of `roots` and, while it builds, load the event
/// dictionary at `events`; then map the rules onto it.
pub fn build_catalog_with_events(roots: &[SourceRoot], events: Option<&Path>) -> Result<Catalog> {
    let (mut catalog, dictionary) = std::thread::scope(|scope| {
        let dictionary = events.map(|path| scope.spawn(move || load_dictionary(path)));
        let catalog = build_catalog(roots);
        let dictionary = dictionary.map(|handle| {
            handle
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("loading the event dictionary failed")))
        });
        (catalog, dictionary)
    });
    if let Some(dictionary) = dictionary {
        catalog.set_events(Arc::new(dictionary?));
    }
    Ok(catalog)
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
