//! `ruledex`: a catalog and analyzer for security detection rules across
//! languages.
//!
//! ```text
//! ruledex show RULE_FILE [--json]          one rule page in the terminal, or its IR as JSON
//! ruledex check PATH... [--json]           parse everything, print diagnostics and a summary
//! ```

mod check;
mod formats;
mod show;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Command-line interface.
#[derive(Parser)]
#[command(
    name = "ruledex",
    version,
    about = "Catalog and analyzer for security detection rules across languages"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show the rules of a file: stages, predicates, indicators, outputs.
    Show(show::ShowArgs),
    /// Parse every rule under the given paths and report diagnostics and
    /// per-language parse rates.
    Check(check::CheckArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<ExitCode> = match cli.command {
        Command::Show(args) => show::run(&args),
        Command::Check(args) => check::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("ruledex: {error:#}");
            ExitCode::from(2)
        }
    }
}
