//! `ruledex sync [--only NAME]`: clone or fast-forward the git sources of
//! `ruledex.toml`, and its event dictionaries (`[[events]]`).

use anyhow::{bail, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ruledex_catalog::git::{sync, SyncOutcome};
use ruledex_catalog::{Config, SourceConfig};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `ruledex sync`.
#[derive(Args)]
pub struct SyncArgs {
    /// The sources file.
    #[arg(long, value_name = "FILE", default_value = "ruledex.toml")]
    config: PathBuf,
    /// Only the source with this name; repeatable.
    #[arg(long = "only", value_name = "NAME")]
    only: Vec<String>,
}

pub fn run(args: &SyncArgs) -> Result<ExitCode> {
    let config = Config::load(&args.config)?;
    let git_sources: Vec<&SourceConfig> = config
        .sources
        .iter()
        .chain(&config.events)
        .filter(|s| s.git.is_some())
        .collect();
    if git_sources.is_empty() {
        bail!("{} lists no source with a `git` URL", args.config.display());
    }
    for name in &args.only {
        if !git_sources.iter().any(|s| &s.name == name) {
            let known: Vec<&str> = git_sources.iter().map(|s| s.name.as_str()).collect();
            bail!(
                "{} has no git source named `{name}` (known: {})",
                args.config.display(),
                known.join(", ")
            );
        }
    }
    let chosen: Vec<&SourceConfig> = git_sources
        .into_iter()
        .filter(|s| args.only.is_empty() || args.only.contains(&s.name))
        .collect();
    let bar = progress_bar(chosen.len());
    // A hidden bar prints nothing, not even its `println` lines.
    let report = |line: String| {
        if bar.is_hidden() {
            println!("{line}");
        } else {
            bar.println(line);
        }
    };
    let mut failed = 0;
    for source in &chosen {
        let url = source.git.as_deref().unwrap_or_default();
        bar.set_message(source.name.clone());
        let progress = |line: &str| bar.set_message(format!("{}: {line}", source.name));
        match sync(url, source.branch.as_deref(), &source.path, &progress) {
            Ok(SyncOutcome::Cloned(commit)) => {
                report(format!("{}: cloned at {commit}", source.name))
            }
            Ok(SyncOutcome::Recloned(commit)) => report(format!(
                "{}: an interrupted clone was found and done again; at {commit}",
                source.name
            )),
            Ok(SyncOutcome::Updated(before, after)) if before == after => {
                report(format!("{}: up to date at {after}", source.name))
            }
            Ok(SyncOutcome::Updated(before, after)) => {
                report(format!("{}: {before} → {after}", source.name))
            }
            Err(e) if e.is_offline() => {
                bar.finish_and_clear();
                eprintln!(
                    "{}: cannot reach {url}: the network is unreachable (offline?)\n  git said: {}",
                    source.name, e.message
                );
                eprintln!(
                    "ruledex: sync stopped; finished clones are kept, and an interrupted one is redone by the next `ruledex sync`"
                );
                return Ok(ExitCode::from(1));
            }
            Err(e) => {
                report(format!("{}: {e}", source.name));
                failed += 1;
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A bar over the sources on a terminal, showing git's progress; hidden
/// otherwise (the per-source lines are printed either way).
fn progress_bar(sources: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(sources as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{pos}/{len}] {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}
