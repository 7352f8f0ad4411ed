//! `ruledex build --out DIR`: the static site.

use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `ruledex build`.
#[derive(Args)]
pub struct BuildArgs {
    #[command(flatten)]
    sources: crate::sources::SourceArgs,
    /// The folder to write the site to (created; an existing ruledex site
    /// there is overwritten).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

pub fn run(args: &BuildArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let catalog = args.sources.catalog()?;
    let loaded = started.elapsed();
    let site = ruledex_site::Site::new(catalog);
    let report = ruledex_site::static_site::build(&site, &args.out)
        .with_context(|| format!("writing the site to {}", args.out.display()))?;
    eprintln!(
        "wrote {} files ({:.1} MB) for {} rules to {} in {:.2} s (catalog {:.2} s, pages {:.2} s)",
        report.files,
        report.bytes as f64 / 1e6,
        report.rule_pages,
        args.out.display(),
        started.elapsed().as_secs_f64(),
        loaded.as_secs_f64(),
        report.elapsed.as_secs_f64(),
    );
    if let Some((path, bytes)) = &report.largest_page {
        eprintln!("largest page: {path} ({:.1} KB)", *bytes as f64 / 1e3);
    }
    Ok(ExitCode::SUCCESS)
}
