//! `ruledex coverage [--layer FILE]`: ATT&CK coverage of the catalog, as a
//! per-tactic summary or an ATT&CK Navigator layer; `ruledex coverage
//! --events [PATH]`: per event provider, the events with and without rules.

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
    if args.sources.events_requested() {
        return events(&catalog, args.json);
    }
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

/// Event coverage: per provider, how many of its events some rule can
/// match (detections only, as the ATT&CK coverage counts), and which.
fn events(catalog: &ruledex_catalog::Catalog, json: bool) -> Result<ExitCode> {
    let Some(index) = catalog.events() else {
        anyhow::bail!(
            "no event dictionary: pass --events PATH or list one as [[events]] in ruledex.toml"
        );
    };
    let dictionary = index.dictionary();
    let counted = |p: &usize| counts_in_coverage(&catalog.entries()[*p]);
    let mut rows = Vec::new();
    for provider in &dictionary.providers {
        let mut with = Vec::new();
        let mut without = Vec::new();
        for &e in &provider.events {
            let rules = index
                .of_event(e)
                .rules
                .iter()
                .filter(|p| counted(p))
                .count();
            if rules > 0 {
                with.push((dictionary.events[e].id.clone(), rules));
            } else {
                without.push(dictionary.events[e].id.clone());
            }
        }
        rows.push((provider, with, without));
    }
    if json {
        let providers: Vec<serde_json::Value> = rows
            .iter()
            .map(|(p, with, without)| {
                serde_json::json!({
                    "provider": p.slug,
                    "name": p.name,
                    "events": p.events.len(),
                    "with_rules": with.iter().map(|(id, n)| serde_json::json!({"event": id, "rules": n})).collect::<Vec<_>>(),
                    "without_rules": without,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "providers": providers }))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<64} {:>7} {:>7} {:>8}  events with rules (rules)",
        "provider", "events", "w/rules", "coverage"
    );
    let (mut all, mut covered) = (0, 0);
    for (p, with, without) in &rows {
        all += with.len() + without.len();
        covered += with.len();
        let mut listed: Vec<String> = with.iter().map(|(id, n)| format!("{id} ({n})")).collect();
        if listed.len() > 12 {
            let more = listed.len() - 12;
            listed.truncate(12);
            listed.push(format!("… {more} more"));
        }
        println!(
            "{:<64} {:>7} {:>7} {:>7.1}%  {}",
            p.name,
            p.events.len(),
            with.len(),
            100.0 * with.len() as f64 / p.events.len().max(1) as f64,
            listed.join(", ")
        );
    }
    println!(
        "{covered} of {all} events have at least one rule ({:.1}%); {} providers",
        100.0 * covered as f64 / all.max(1) as f64,
        rows.len()
    );
    Ok(ExitCode::SUCCESS)
}
