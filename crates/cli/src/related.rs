//! `ruledex related RULE`: rules in any language that share the rule's
//! behaviour, ranked, each with the evidence.

use anyhow::{bail, Result};
use clap::Args;
use ruledex_catalog::{Catalog, SourceRoot};
use serde::Serialize;
use std::path::Path;
use std::process::ExitCode;

/// Arguments of `ruledex related`.
#[derive(Args)]
pub struct RelatedArgs {
    /// A rule id, or the path of a rule file.
    rule: String,
    #[command(flatten)]
    sources: crate::sources::SourceArgs,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    key: &'a str,
    title: &'a str,
    language: &'static str,
    platform: &'static str,
    /// `same_operation`, `shared_behaviour` or `same_logsource`.
    rank: &'static str,
    score: f64,
    reason: String,
    evidence: Vec<ruledex_catalog::Evidence>,
}

pub fn run(args: &RelatedArgs) -> Result<ExitCode> {
    let path = Path::new(&args.rule);
    let mut roots = args.sources.roots()?;
    // A file outside the sources joins the catalog so it can be compared.
    if path.is_file() && !roots.iter().any(|r| path.starts_with(&r.path)) {
        roots.push(SourceRoot::from_path(path));
    }
    let catalog = crate::sources::build_catalog(&roots);
    let positions = find(&catalog, &args.rule);
    if positions.is_empty() {
        bail!("no rule with id or path `{}` in the sources", args.rule);
    }
    for position in positions {
        let me = &catalog.entries()[position];
        let related = catalog.related(position);
        let items: Vec<Item> = related
            .all()
            .map(|r| {
                let e = &catalog.entries()[r.position];
                Item {
                    id: &e.rule.id,
                    key: &e.key,
                    title: &e.rule.title,
                    language: e.rule.language.id(),
                    platform: e.rule.platform.id(),
                    rank: r.rank.id(),
                    score: (r.score * 1000.0).round() / 1000.0,
                    reason: catalog.related_reason(position, &r),
                    evidence: catalog.evidence(position, &r),
                }
            })
            .collect();
        if args.json {
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &serde_json::json!({ "rule": me.key, "related": items })
                )?
            );
            continue;
        }
        let actions: Vec<String> = me
            .actions
            .iter()
            .map(|a| match a.operation_name() {
                Some(op) => format!("{} {op}", a.logsource),
                None => a.logsource.clone(),
            })
            .collect();
        println!("{} ({}, {})", me.rule.title, me.rule.language.id(), me.key);
        println!(
            "actions: {}",
            if actions.is_empty() {
                "none resolved".to_string()
            } else {
                actions.join("; ")
            }
        );
        let ranked: Vec<&Item> = items
            .iter()
            .filter(|i| i.rank != "same_logsource")
            .collect();
        println!(
            "{} rules share its behaviour; {} more only read the same log source",
            ranked.len(),
            items.len() - ranked.len()
        );
        for item in ranked {
            println!(
                "  {:>5.2} [{:<6}] {}",
                item.score, item.language, item.title
            );
            for e in &item.evidence {
                let mark = |excluded: bool| if excluded { " (excluded)" } else { "" };
                println!(
                    "          {}: {}{} here; {}{} there",
                    e.key,
                    e.here,
                    mark(e.here_excludes),
                    e.there,
                    mark(e.there_excludes)
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Rules whose id is `rule`, or that come from the file `rule`.
fn find(catalog: &Catalog, rule: &str) -> Vec<usize> {
    let by_id: Vec<usize> = catalog
        .by_id(rule)
        .iter()
        .filter_map(|e| catalog.position(&e.key))
        .collect();
    if !by_id.is_empty() {
        return by_id;
    }
    let Ok(wanted) = std::fs::canonicalize(rule) else {
        return Vec::new();
    };
    catalog
        .entries()
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            let source = catalog.source_of(e);
            let file = if source.path.is_file() {
                source.path.clone()
            } else {
                source.path.join(&e.rule.provenance.path)
            };
            std::fs::canonicalize(file).is_ok_and(|f| f == wanted)
        })
        .map(|(i, _)| i)
        .collect()
}
