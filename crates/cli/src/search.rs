//! `ruledex search QUERY`: full text plus structured filters.

use anyhow::Result;
use clap::Args;
use std::process::ExitCode;

/// Arguments of `ruledex search`.
#[derive(Args)]
pub struct SearchArgs {
    /// The query: words, "phrases", and filters such as `technique:T1199
    /// lang:sigma logsource:aws.cloudtrail field:eventName`.
    query: String,
    #[command(flatten)]
    sources: crate::sources::SourceArgs,
    /// How many results.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Skip this many results.
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &SearchArgs) -> Result<ExitCode> {
    let catalog = args.sources.catalog()?;
    let results = catalog.search(&args.query, args.limit, args.offset)?;
    if args.json {
        let hits: Vec<serde_json::Value> = results
            .hits
            .iter()
            .map(|(p, score)| {
                let e = &catalog.entries()[*p];
                serde_json::json!({
                    "key": e.key, "id": e.rule.id, "title": e.rule.title,
                    "language": e.rule.language.id(), "platform": e.rule.platform.id(), "score": score,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "total": results.total, "hits": hits })
            )?
        );
        return Ok(ExitCode::SUCCESS);
    }
    for (p, _) in &results.hits {
        let e = &catalog.entries()[*p];
        println!(
            "[{:<6}] {}  ({})",
            e.rule.language.id(),
            e.rule.title,
            e.key
        );
    }
    let shown = args.offset + results.hits.len();
    if shown < results.total {
        println!(
            "… {} of {} shown; --offset {shown} for more",
            results.hits.len(),
            results.total
        );
    } else {
        println!("{} results", results.total);
    }
    Ok(ExitCode::SUCCESS)
}
