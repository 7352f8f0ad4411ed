//! `ruledex init [--public]`: write a `ruledex.toml` to start from.

use anyhow::{bail, Context, Result};
use clap::Args;
use ruledex_catalog::{Config, PUBLIC_SOURCES};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `ruledex init`.
#[derive(Args)]
pub struct InitArgs {
    /// List the public rule repositories (SigmaHQ, Elastic, Sentinel,
    /// Defender, Splunk, Chronicle, Panther, …) for `ruledex sync` to clone.
    #[arg(long)]
    public: bool,
    /// The sources file to write.
    #[arg(long, value_name = "FILE", default_value = "ruledex.toml")]
    config: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    force: bool,
}

/// A sources file for one folder of the user's own rules.
const LOCAL_SOURCES: &str = r#"# Sources of the ruledex catalog. Paths are relative to this file.
# `ruledex init --public` writes the public rule repositories instead.

[[source]]
name = "rules"
path = "rules"

# A git repository, cloned and updated by `ruledex sync`:
#
# [[source]]
# name = "sigma"
# path = "sources/sigma"
# git = "https://github.com/SigmaHQ/sigma.git"
# branch = "master"
# web = "https://github.com/SigmaHQ/sigma"
"#;

pub fn run(args: &InitArgs) -> Result<ExitCode> {
    if args.config.exists() && !args.force {
        bail!(
            "{} exists; pass --force to replace it",
            args.config.display()
        );
    }
    let text = if args.public {
        PUBLIC_SOURCES
    } else {
        LOCAL_SOURCES
    };
    // What is written must load: catch a broken template here, not later.
    let config = Config::parse(text, &args.config)?;
    std::fs::write(&args.config, text)
        .with_context(|| format!("writing {}", args.config.display()))?;
    let git = config.sources.iter().filter(|s| s.git.is_some()).count();
    println!(
        "wrote {} with {} sources{}",
        args.config.display(),
        config.sources.len(),
        if git > 0 {
            "; next: `ruledex sync` (or `ruledex sync --only NAME`), then `ruledex serve`"
        } else {
            "; put rules in its folders, then `ruledex serve`"
        }
    );
    Ok(ExitCode::SUCCESS)
}
