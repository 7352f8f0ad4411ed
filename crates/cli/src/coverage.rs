//! `ruledex coverage [--layer FILE]`: ATT&CK coverage of the catalog, as a
//! per-tactic summary or an ATT&CK Navigator layer.

use anyhow::{Context, Result};
use clap::Args;
use ruledex_catalog::{class_id, counts_in_coverage};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `ruledex coverage`.
#[derive(Args)]
pub struct CoverageArgs {
    #[command(flatten)]
    sources: crate::sources::SourceArgs,
    /// Write an ATT&CK Navigator layer (format 4.5) to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    layer: Option<PathBuf>,
    /// Also count these classes, normally left out (hunting,
    /// alert_forwarding, building_block, deprecated, filter); repeatable.
    #[arg(long = "include", value_name = "CLASS")]
    include: Vec<String>,
    /// Only rules of this language; repeatable.
    #[arg(long = "lang", value_name = "LANG")]
    languages: Vec<String>,
    /// Print JSON (technique → rule count).
    #[arg(long)]
    json: bool,
}

pub fn run(args: &CoverageArgs) -> Result<ExitCode> {
    let catalog = args.sources.catalog()?;
    let include = |e: &ruledex_catalog::Entry| {
        let class_ok = counts_in_coverage(e)
            || e.rule
                .classes
                .iter()
                .any(|c| args.include.iter().any(|i| i == class_id(*c)));
        let lang_ok =
            args.languages.is_empty() || args.languages.iter().any(|l| l == e.rule.language.id());
        class_ok && lang_ok
    };
    if let Some(path) = &args.layer {
        let layer = catalog.navigator_layer(include, "ruledex coverage");
        let text = serde_json::to_string_pretty(&layer)?;
        if path.as_os_str() == "-" {
            println!("{text}");
        } else {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let coverage = catalog.coverage(include);
    if args.json {
        let map: serde_json::Map<String, serde_json::Value> = coverage
            .iter()
            .map(|(id, rules)| (id.clone(), rules.len().into()))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "attack": catalog.attack().version_label(), "techniques": map })
            )?
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} (sub-techniques also count on their parent)",
        catalog.attack().version_label()
    );
    for column in catalog.attack().techniques_by_tactic() {
        let total = column.techniques.len();
        let covered: Vec<&str> = column
            .techniques
            .iter()
            .filter(|cell| coverage.contains_key(&cell.technique.id))
            .map(|cell| cell.technique.id.as_str())
            .collect();
        println!(
            "{:<24} {:>3}/{:<3} techniques covered",
            column.tactic.name,
            covered.len(),
            total
        );
    }
    Ok(ExitCode::SUCCESS)
}
