//! `ruledex stats`: per language, how many rules parsed and how many have a
//! log source and an action resolved.

use anyhow::Result;
use clap::Args;
use std::process::ExitCode;

/// Arguments of `ruledex stats`.
#[derive(Args)]
pub struct StatsArgs {
    #[command(flatten)]
    sources: crate::sources::SourceArgs,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn pct(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

pub fn run(args: &StatsArgs) -> Result<ExitCode> {
    let catalog = args.sources.catalog()?;
    let stats = catalog.stats();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "languages": stats }))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<8} {:>6} {:>8} {:>13} {:>13} {:>12} {:>17}",
        "language", "rules", "parsed", "log source", "action", "cloud rules", "cloud w/ action"
    );
    for s in &stats {
        println!(
            "{:<8} {:>6} {:>7.1}% {:>6} {:>5.1}% {:>6} {:>5.1}% {:>12} {:>9} {:>6.1}%",
            s.language,
            s.rules,
            pct(s.parsed, s.rules),
            s.with_logsource,
            pct(s.with_logsource, s.rules),
            s.with_action,
            pct(s.with_action, s.rules),
            s.cloud_rules,
            s.cloud_with_action,
            pct(s.cloud_with_action, s.cloud_rules),
        );
    }
    let report = catalog.report();
    println!(
        "{} files read, {} unknown, {} unreadable",
        report.files,
        report.unknown.len(),
        report.unreadable.len()
    );
    Ok(ExitCode::SUCCESS)
}
