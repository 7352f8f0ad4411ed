//! `ruledex stats`: per language, how many rules have no query to analyze,
//! how many of the others parsed, and how many have a log source, an action
//! and a behaviour key resolved; with an event
//! dictionary, the share of Windows rules mapped to an event.

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
        "{:<8} {:>6} {:>8} {:>8} {:>13} {:>13} {:>17} {:>12} {:>17}",
        "language",
        "rules",
        "no query",
        "parsed",
        "log source",
        "action",
        "behaviour/parsed",
        "cloud rules",
        "cloud w/ action"
    );
    let (mut parsed, mut with_behaviour, mut without_query) = (0, 0, 0);
    for s in &stats {
        parsed += s.parsed;
        with_behaviour += s.with_behaviour;
        without_query += s.without_query;
        println!(
            "{:<8} {:>6} {:>8} {:>7.1}% {:>6} {:>5.1}% {:>6} {:>5.1}% {:>9} {:>6.1}% {:>12} {:>9} {:>6.1}%",
            s.language,
            s.rules,
            s.without_query,
            pct(s.parsed, s.rules - s.without_query),
            s.with_logsource,
            pct(s.with_logsource, s.rules),
            s.with_action,
            pct(s.with_action, s.rules),
            s.with_behaviour,
            pct(s.with_behaviour, s.parsed),
            s.cloud_rules,
            s.cloud_with_action,
            pct(s.cloud_with_action, s.cloud_rules),
        );
    }
    println!(
        "parsed rules with a behaviour key finer than their log source: {with_behaviour} of {parsed} ({:.1}%)",
        pct(with_behaviour, parsed)
    );
    if without_query > 0 {
        println!(
            "{without_query} rules have no query to analyze (machine-learning jobs, Panther specs whose program is not in the source): not counted as parsed"
        );
    }
    if stats.iter().any(|s| s.windows_rules.is_some()) {
        println!("Windows rules mapped to at least one event of the dictionary:");
        let (mut windows, mut mapped) = (0, 0);
        for s in &stats {
            let (w, m) = (
                s.windows_rules.unwrap_or(0),
                s.windows_with_event.unwrap_or(0),
            );
            if w == 0 {
                continue;
            }
            windows += w;
            mapped += m;
            println!("  {:<8} {m:>6} of {w:>6} ({:.1}%)", s.language, pct(m, w));
        }
        println!(
            "  {:<8} {mapped:>6} of {windows:>6} ({:.1}%)",
            "all",
            pct(mapped, windows)
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
