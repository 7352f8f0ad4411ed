//! `ruledex related RULE...`: rules in any language that share the rule's
//! behaviour, ranked, each with the evidence; then, counted apart, those that
//! only read the same log source.
//!
//! One rule is the everyday use. Several rules (arguments, or one per line
//! with `--rules-from`) share one catalog build, which is what measurements
//! over thousands of rules need (`tools/related/`): building the catalog
//! costs seconds, one related list milliseconds.

use anyhow::{bail, Context, Result};
use clap::Args;
use rayon::prelude::*;
use ruledex_catalog::{Catalog, Entry, SourceRoot};
use serde::Serialize;
use std::collections::HashMap;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `ruledex related`.
#[derive(Args)]
pub struct RelatedArgs {
    /// Rule ids, catalog keys, or paths of rule files.
    #[arg(required_unless_present = "rules_from")]
    rules: Vec<String>,
    /// Also read rules from FILE, one per line (`-`: standard input).
    #[arg(long, value_name = "FILE")]
    rules_from: Option<PathBuf>,
    #[command(flatten)]
    sources: crate::sources::SourceArgs,
    /// Print JSON, one pretty object per rule.
    #[arg(long, conflicts_with = "jsonl")]
    json: bool,
    /// Print JSON Lines, one compact object per rule (for batches).
    #[arg(long)]
    jsonl: bool,
    /// List at most N related rules per rule (`total` still counts all).
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
}

/// One related rule as printed.
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
    /// True when it is the same detection (every key of each rule is a key
    /// of the other): the same rule in another language.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    same_detection: bool,
    reason: String,
    /// The shared keys, as both rules write them.
    evidence: Vec<ruledex_catalog::Evidence>,
    /// Undocumented rules with exactly this rule's keys, folded into this
    /// entry: copies of one detection, listed once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    copies: Vec<Copy<'a>>,
}

/// A copy folded into a related rule's entry.
#[derive(Serialize)]
struct Copy<'a> {
    id: &'a str,
    key: &'a str,
    title: &'a str,
    language: &'static str,
}

/// The related rules of one rule as printed.
#[derive(Serialize)]
struct Report<'a> {
    /// The argument that named the rule, so batch output can be matched
    /// back to its input.
    asked: &'a str,
    rule: &'a str,
    logsources: &'a [String],
    /// Every related rule, both groups, copies included.
    total: usize,
    /// Rules sharing behaviour (the ranked group), copies included.
    behaviour: usize,
    related: Vec<Item<'a>>,
}

pub fn run(args: &RelatedArgs) -> Result<ExitCode> {
    let asked = asked_rules(args)?;
    let mut roots = args.sources.roots()?;
    // A file outside the sources joins the catalog so it can be compared.
    for rule in &asked {
        let path = Path::new(rule);
        if path.is_file() && !roots.iter().any(|r| path.starts_with(&r.path)) {
            roots.push(SourceRoot::from_path(path));
        }
    }
    let catalog = crate::sources::build_catalog(&roots);
    let finder = Finder::new(&catalog, &asked);
    if asked.len() == 1 && finder.find(&asked[0]).is_empty() {
        bail!("no rule with id, key or path `{}` in the sources", asked[0]);
    }

    // Related lists are independent: compute them on every core, print in
    // the order asked.
    let reports: Vec<(usize, Vec<Report>)> = asked
        .par_iter()
        .enumerate()
        .map(|(n, rule)| {
            let reports = finder
                .find(rule)
                .iter()
                .map(|&position| report(&catalog, rule, position, args.limit))
                .collect();
            (n, reports)
        })
        .collect();

    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut missing = 0usize;
    for (n, reports) in &reports {
        if reports.is_empty() {
            eprintln!(
                "ruledex: no rule with id, key or path `{}` in the sources",
                asked[*n]
            );
            missing += 1;
        }
        for report in reports {
            if args.jsonl {
                serde_json::to_writer(&mut out, report)?;
                writeln!(out)?;
            } else if args.json {
                serde_json::to_writer_pretty(&mut out, report)?;
                writeln!(out)?;
            } else {
                print_text(&mut out, &catalog, report)?;
            }
        }
    }
    out.flush()?;
    Ok(if missing == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The rules named on the command line, then those of `--rules-from`.
fn asked_rules(args: &RelatedArgs) -> Result<Vec<String>> {
    let mut rules = args.rules.clone();
    if let Some(file) = &args.rules_from {
        let lines: Vec<String> = if file.as_os_str() == "-" {
            std::io::stdin()
                .lock()
                .lines()
                .collect::<Result<_, _>>()
                .context("reading rules from standard input")?
        } else {
            std::fs::read_to_string(file)
                .with_context(|| format!("reading {}", file.display()))?
                .lines()
                .map(str::to_string)
                .collect()
        };
        rules.extend(
            lines
                .into_iter()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty()),
        );
    }
    if rules.is_empty() {
        bail!("no rule asked for");
    }
    Ok(rules)
}

fn report<'a>(
    catalog: &'a Catalog,
    asked: &'a str,
    position: usize,
    limit: Option<usize>,
) -> Report<'a> {
    let me = &catalog.entries()[position];
    let related = catalog.related(position);
    let total = related.rules();
    let behaviour = related.behaviour_rules();
    let related = related
        .all()
        .take(limit.unwrap_or(usize::MAX))
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
                same_detection: r.same_detection,
                reason: catalog.related_reason(position, &r),
                evidence: catalog.evidence(position, &r),
                copies: r
                    .copies
                    .iter()
                    .map(|&p| {
                        let c = &catalog.entries()[p];
                        Copy {
                            id: &c.rule.id,
                            key: &c.key,
                            title: &c.rule.title,
                            language: c.rule.language.id(),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    Report {
        asked,
        rule: &me.key,
        logsources: &me.logsources,
        total,
        behaviour,
        related,
    }
}

fn print_text(out: &mut impl Write, catalog: &Catalog, report: &Report) -> Result<()> {
    let me: &Entry = catalog
        .get(report.rule)
        .context("a reported rule is in the catalog")?;
    let actions: Vec<String> = me
        .actions
        .iter()
        .map(|a| match a.operation_name() {
            Some(op) => format!("{} {op}", a.logsource),
            None => a.logsource.clone(),
        })
        .collect();
    writeln!(
        out,
        "{} ({}, {})",
        me.rule.title,
        me.rule.language.id(),
        me.key
    )?;
    writeln!(
        out,
        "actions: {}",
        if actions.is_empty() {
            "none resolved".to_string()
        } else {
            actions.join("; ")
        }
    )?;
    writeln!(
        out,
        "{} rules share its behaviour; {} more only read the same log source",
        report.behaviour,
        report.total - report.behaviour
    )?;
    let mark = |excluded: bool| if excluded { " (excluded)" } else { "" };
    let ranked: Vec<&Item> = report
        .related
        .iter()
        .filter(|i| i.rank != "same_logsource")
        .collect();
    for item in &ranked {
        let same = if item.same_detection {
            " (the same detection)"
        } else {
            ""
        };
        writeln!(
            out,
            "  {:>5.2} [{:<6}] {}{same}",
            item.score, item.language, item.title
        )?;
        if !item.copies.is_empty() {
            let languages: Vec<&str> = item.copies.iter().map(|c| c.language).collect();
            writeln!(
                out,
                "          and {} undocumented copies of it ({})",
                item.copies.len(),
                languages.join(", ")
            )?;
        }
        for e in &item.evidence {
            writeln!(
                out,
                "          {}: {}{} here; {}{} there",
                e.key,
                e.here,
                mark(e.here_excludes),
                e.there,
                mark(e.there_excludes)
            )?;
        }
    }
    let listed: usize = ranked.iter().map(|i| 1 + i.copies.len()).sum();
    if listed < report.behaviour {
        writeln!(out, "  … and {} more", report.behaviour - listed)?;
    }
    // The log-source group stays short: it says who else reads the data,
    // not who detects the same thing.
    let same_logsource: Vec<&Item> = report
        .related
        .iter()
        .filter(|i| i.rank == "same_logsource")
        .collect();
    if !same_logsource.is_empty() {
        writeln!(out, "only the same log source:")?;
        for item in same_logsource.iter().take(SAME_LOGSOURCE_SHOWN) {
            let evidence: Vec<String> = item
                .evidence
                .iter()
                .map(|e| format!("{} here, {} there", e.here, e.there))
                .collect();
            writeln!(
                out,
                "        [{:<6}] {} ({})",
                item.language,
                item.title,
                evidence.join("; ")
            )?;
        }
        let hidden = report.total - report.behaviour;
        if hidden > SAME_LOGSOURCE_SHOWN {
            writeln!(
                out,
                "  … and {} more (--json lists them all)",
                hidden - SAME_LOGSOURCE_SHOWN.min(same_logsource.len())
            )?;
        }
    }
    Ok(())
}

/// Rules of the same-log-source group the text output names.
const SAME_LOGSOURCE_SHOWN: usize = 25;

/// Finds the rules a user names: by id, by catalog key, or by file.
struct Finder<'a> {
    catalog: &'a Catalog,
    /// Rules by the canonical path of their file; built only when some
    /// asked rule is a path.
    by_file: HashMap<PathBuf, Vec<usize>>,
}

impl<'a> Finder<'a> {
    fn new(catalog: &'a Catalog, asked: &[String]) -> Self {
        let mut by_file: HashMap<PathBuf, Vec<usize>> = HashMap::new();
        if asked.iter().any(|rule| Path::new(rule).exists()) {
            for (position, entry) in catalog.entries().iter().enumerate() {
                let source = catalog.source_of(entry);
                let file = if source.path.is_file() {
                    source.path.clone()
                } else {
                    source.path.join(&entry.rule.provenance.path)
                };
                if let Ok(file) = std::fs::canonicalize(file) {
                    by_file.entry(file).or_default().push(position);
                }
            }
        }
        Finder { catalog, by_file }
    }

    /// Rules whose id is `rule`, else the rule whose key is `rule`, else
    /// those that come from the file `rule`.
    fn find(&self, rule: &str) -> Vec<usize> {
        let by_id: Vec<usize> = self
            .catalog
            .by_id(rule)
            .iter()
            .filter_map(|e| self.catalog.position(&e.key))
            .collect();
        if !by_id.is_empty() {
            return by_id;
        }
        if let Some(position) = self.catalog.position(rule) {
            return vec![position];
        }
        std::fs::canonicalize(rule)
            .ok()
            .and_then(|file| self.by_file.get(&file).cloned())
            .unwrap_or_default()
    }
}
