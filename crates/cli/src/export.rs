//! `ruledex export --jsonl`: the whole catalog, one JSON object per rule.
//!
//! Each line is the rule's IR (the same object `ruledex show --json` prints)
//! with the catalog's additions under `catalog`: the unique `key`, the
//! resolved `logsources`, the `actions`, and, per indicator, the corpus
//! counts of each value.

use anyhow::{bail, Result};
use clap::Args;
use std::io::Write;
use std::process::ExitCode;

/// Arguments of `ruledex export`.
#[derive(Args)]
pub struct ExportArgs {
    #[command(flatten)]
    sources: crate::sources::SourceArgs,
    /// One JSON object per line (the only format).
    #[arg(long)]
    jsonl: bool,
}

pub fn run(args: &ExportArgs) -> Result<ExitCode> {
    if !args.jsonl {
        bail!("choose a format: --jsonl");
    }
    let catalog = args.sources.catalog()?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (position, e) in catalog.entries().iter().enumerate() {
        let mut value = serde_json::to_value(&e.rule)?;
        let counts: Vec<Vec<serde_json::Value>> = (0..e.rule.indicators.len())
            .map(|i| {
                catalog
                    .indicator_counts(position, i)
                    .into_iter()
                    .map(|c| {
                        let per: serde_json::Map<String, serde_json::Value> = c
                            .per_language
                            .iter()
                            .map(|(l, n)| (l.id().to_string(), (*n).into()))
                            .collect();
                        serde_json::json!({ "key": c.key, "others": c.total, "per_language": per })
                    })
                    .collect()
            })
            .collect();
        let actions: Vec<serde_json::Value> = e
            .actions
            .iter()
            .map(|a| serde_json::json!({ "logsource": a.logsource, "operation": a.operation, "field": a.field, "value": a.value }))
            .collect();
        value["catalog"] = serde_json::json!({
            "key": e.key,
            "source": catalog.source_of(e).name,
            "url": catalog.source_of(e).file_url(&e.rule.provenance.path),
            "logsources": e.logsources,
            "actions": actions,
            "indicator_counts": counts,
        });
        serde_json::to_writer(&mut out, &value)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
