//! The static site: every page written to a folder, with relative links,
//! so any static host (or a browser opening the files) serves it.

use crate::pages::{self, render};
use crate::paths::LinkStyle;
use crate::site::Site;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Errors writing the site.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A file or folder could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The output folder is not empty and does not look like a ruledex
    /// site, so it is not overwritten.
    #[error("{0} exists and is not a ruledex site (no .ruledex-site marker); choose an empty or new folder")]
    NotASite(PathBuf),
}

/// What a build wrote.
#[derive(Clone, Debug, Default)]
pub struct BuildReport {
    /// Files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
    /// Rule pages written.
    pub rule_pages: usize,
    /// The largest HTML page (path, bytes): what the page size bar
    /// ([`crate::PAGE_MAX_BYTES`]) is about. The search index and the
    /// plain-text copies of huge rules are data, not pages.
    pub largest_page: Option<(String, u64)>,
    /// Time spent rendering and writing.
    pub elapsed: Duration,
}

/// The file that marks a folder as a ruledex site, so a rebuild may
/// replace it.
pub const MARKER: &str = ".ruledex-site";

/// Write every page of `site` under `out`.
pub fn build(site: &Site, out: &Path) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BuildError::Write { path, source }
    };
    if out.exists() {
        let empty = std::fs::read_dir(out)
            .map_err(write_err(out))?
            .next()
            .is_none();
        if !empty && !out.join(MARKER).exists() {
            return Err(BuildError::NotASite(out.to_path_buf()));
        }
    }
    std::fs::create_dir_all(out).map_err(write_err(out))?;
    std::fs::write(out.join(MARKER), "written by ruledex build\n").map_err(write_err(out))?;
    let mut paths = pages::page_paths(site);
    paths.extend(crate::assets::ASSETS.iter().map(|(p, _)| p.to_string()));
    // Create folders once, up front, rather than per file.
    let mut dirs: Vec<PathBuf> = paths
        .iter()
        .filter_map(|p| Path::new(p).parent().map(|d| out.join(d)))
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in &dirs {
        std::fs::create_dir_all(dir).map_err(write_err(dir))?;
    }
    let bytes = AtomicU64::new(0);
    let largest = std::sync::Mutex::new(None::<(String, u64)>);
    paths
        .par_iter()
        .try_for_each(|path| -> Result<(), BuildError> {
            let Some(page) = render(site, path, LinkStyle::Relative, None) else {
                return Ok(());
            };
            let file = out.join(path);
            std::fs::write(&file, page.body.as_bytes()).map_err(write_err(&file))?;
            let size = page.body.len() as u64;
            bytes.fetch_add(size, Ordering::Relaxed);
            if path.ends_with(".html") {
                let mut l = largest.lock().unwrap_or_else(|e| e.into_inner());
                if l.as_ref().is_none_or(|(_, s)| size > *s) {
                    *l = Some((path.clone(), size));
                }
            }
            Ok(())
        })?;
    Ok(BuildReport {
        files: paths.len() + 1,
        bytes: bytes.into_inner(),
        rule_pages: site.entries().len(),
        largest_page: largest.into_inner().unwrap_or_else(|e| e.into_inner()),
        elapsed: started.elapsed(),
    })
}
