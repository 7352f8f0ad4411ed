//! `ruledex sync`: clone or fast-forward the git sources of `ruledex.toml`.

use anyhow::{bail, Result};
use clap::Args;
use ruledex_catalog::git::{sync, SyncOutcome};
use ruledex_catalog::Config;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `ruledex sync`.
#[derive(Args)]
pub struct SyncArgs {
    /// The sources file.
    #[arg(long, value_name = "FILE", default_value = "ruledex.toml")]
    config: PathBuf,
}

pub fn run(args: &SyncArgs) -> Result<ExitCode> {
    let config = Config::load(&args.config)?;
    let mut failed = 0;
    let git_sources: Vec<_> = config.sources.iter().filter(|s| s.git.is_some()).collect();
    if git_sources.is_empty() {
        bail!("{} lists no source with a `git` URL", args.config.display());
    }
    for source in git_sources {
        let url = source.git.as_deref().unwrap_or_default();
        match sync(url, source.branch.as_deref(), &source.path) {
            Ok(SyncOutcome::Cloned(commit)) => println!("{}: cloned at {commit}", source.name),
            Ok(SyncOutcome::Updated(before, after)) if before == after => {
                println!("{}: up to date at {after}", source.name)
            }
            Ok(SyncOutcome::Updated(before, after)) => {
                println!("{}: {before} → {after}", source.name)
            }
            Err(e) => {
                eprintln!("{}: {e}", source.name);
                failed += 1;
            }
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
