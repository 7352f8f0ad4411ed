//! `ruledex check`: parse everything, report diagnostics and parse rates,
//! as text, JSON, or SARIF 2.1.0 ([`crate::sarif`]). The exit status is 1
//! when a `--min-parse-rate` gate fails, when `--strict` finds an error in a
//! checked rule, or when a file cannot be read (unless `--allow-unreadable`).

use anyhow::{bail, Result};
use clap::Args;
use ruledex_catalog::{load_roots, LoadedFile, SourceRoot};
use ruledex_ir::{Language, Rule};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Arguments of `ruledex check`.
#[derive(Args)]
pub struct CheckArgs {
    /// Files or folders to check.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format: `text` (diagnostics with snippets, then rates per
    /// language), `json` (the summary as JSON), or `sarif` (SARIF 2.1.0, one
    /// result per diagnostic, for code-scanning tools).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Print a JSON report instead of text (the same as `--format json`).
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// Exit with status 0 even when some files cannot be read (by default
    /// an unreadable file fails the check: in CI it means rules went
    /// unchecked).
    #[arg(long)]
    allow_unreadable: bool,
    /// Exit with status 1 when a checked language parses fewer than PCT % of
    /// its rules.
    #[arg(long, value_name = "PCT")]
    min_parse_rate: Option<f64>,
    /// Only report (and gate) these languages (kql, sigma, eql, …); repeatable.
    #[arg(long = "lang", value_name = "LANG")]
    languages: Vec<String>,
    /// Leave out rules of this class (hunting, building_block, deprecated,
    /// alert_forwarding, correlation, filter); repeatable.
    #[arg(long = "exclude-class", value_name = "CLASS")]
    exclude_classes: Vec<String>,
    /// Also print warnings, not only errors.
    #[arg(long)]
    warnings: bool,
    /// Lint mode, for authors who check their own rules: count departures
    /// from a format's specification (Sigma tags without a namespace, ids
    /// that are no UUIDs, …) as errors (by default they are warnings), and
    /// exit with status 1 when any checked rule has an error.
    #[arg(long)]
    strict: bool,
    /// List every unknown file instead of the first 20.
    #[arg(long)]
    list_unknown: bool,
}

/// What `ruledex check` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics with source snippets, then a table per language.
    Text,
    /// The summary as JSON.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

/// Per-language totals.
#[derive(Default, Serialize)]
struct LanguageSummary {
    language: &'static str,
    files: usize,
    rules: usize,
    parsed: usize,
    failed: usize,
    #[serde(skip)]
    bytes: usize,
    #[serde(skip)]
    time: Duration,
}

#[derive(Serialize)]
struct FileReport<'a> {
    path: String,
    format: Option<&'static str>,
    language: Option<&'static str>,
    rules: usize,
    errors: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    read_error: Option<&'a str>,
}

#[derive(Serialize)]
struct Report<'a> {
    languages: Vec<LanguageSummary>,
    files: Vec<FileReport<'a>>,
    unknown_files: usize,
    rules_without_query: usize,
}

pub fn run(args: &CheckArgs) -> Result<ExitCode> {
    let wanted: Vec<Language> = args
        .languages
        .iter()
        .map(|l| Language::from_id(l).ok_or_else(|| anyhow::anyhow!("unknown language `{l}`")))
        .collect::<Result<_>>()?;
    for path in &args.paths {
        if !path.exists() {
            bail!("{} does not exist", path.display());
        }
    }
    let roots: Vec<SourceRoot> = args.paths.iter().map(SourceRoot::from_path).collect();
    let started = Instant::now();
    let mut files = load_roots(&roots, &crate::formats::all(), &|_| {});
    let wall = started.elapsed();
    if args.strict {
        for rule in files.iter_mut().flat_map(|f| &mut f.rules) {
            for d in &mut rule.diagnostics {
                d.enforce();
            }
        }
    }
    for class in &args.exclude_classes {
        if !ALL_CLASSES
            .iter()
            .any(|c| ruledex_catalog::class_id(*c) == class)
        {
            bail!("unknown class `{class}`");
        }
    }
    let excluded = |rule: &Rule| {
        rule.classes.iter().any(|c| {
            args.exclude_classes
                .iter()
                .any(|x| x == ruledex_catalog::class_id(*c))
        })
    };
    let selected = |rule: &Rule| {
        !excluded(rule)
            && checked_language(rule).is_some_and(|l| wanted.is_empty() || wanted.contains(&l))
    };
    let without_query = files
        .iter()
        .flat_map(|f| &f.rules)
        .filter(|r| checked_language(r).is_none())
        .count();

    let mut languages: BTreeMap<Language, LanguageSummary> = BTreeMap::new();
    for file in &files {
        let mut seen_in_file: Vec<Language> = Vec::new();
        let rules_in_file = file.rules.len().max(1) as u32;
        for rule in file.rules.iter().filter(|r| selected(r)) {
            let Some(language) = checked_language(rule) else {
                continue;
            };
            let entry = languages
                .entry(language)
                .or_insert_with(|| LanguageSummary {
                    language: language.id(),
                    ..Default::default()
                });
            if !seen_in_file.contains(&language) {
                seen_in_file.push(language);
                entry.files += 1;
                entry.bytes += file.bytes;
            }
            entry.time += file.elapsed / rules_in_file;
            entry.rules += 1;
            if rule.parsed() {
                entry.parsed += 1;
            } else {
                entry.failed += 1;
            }
        }
    }
    for lang in &wanted {
        languages.entry(*lang).or_insert_with(|| LanguageSummary {
            language: lang.id(),
            ..Default::default()
        });
    }
    let unknown: Vec<&LoadedFile> = files.iter().filter(|f| f.is_unknown()).collect();
    let unreadable: Vec<&LoadedFile> = files.iter().filter(|f| f.read_error.is_some()).collect();
    let format = if args.json { Format::Json } else { args.format };

    if format == Format::Sarif {
        let log = crate::sarif::log(
            &files,
            &selected,
            &crate::formats::all().codes(),
            args.allow_unreadable,
        );
        println!("{}", serde_json::to_string_pretty(&log)?);
        let summaries: Vec<LanguageSummary> = languages.into_values().collect();
        return Ok(exit_code(args, &summaries, &unreadable));
    }
    if format == Format::Json {
        let report = Report {
            languages: languages.into_values().collect(),
            files: files
                .iter()
                .filter(|f| wanted.is_empty() || f.rules.iter().any(selected))
                .map(file_report)
                .collect(),
            unknown_files: unknown.len(),
            rules_without_query: without_query,
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(exit_code(args, &report.languages, &unreadable));
    }

    print_diagnostics(&files, args, &selected);
    println!();
    println!(
        "{:<10} {:>7} {:>7} {:>7} {:>7} {:>8} {:>10} {:>10}",
        "language", "files", "rules", "parsed", "failed", "rate", "MB/s", "rules/s"
    );
    for s in languages.values() {
        let secs = s.time.as_secs_f64().max(1e-9);
        println!(
            "{:<10} {:>7} {:>7} {:>7} {:>7} {:>7.2}% {:>10.1} {:>10.0}",
            s.language,
            s.files,
            s.rules,
            s.parsed,
            s.failed,
            rate(s),
            s.bytes as f64 / 1e6 / secs,
            s.rules as f64 / secs,
        );
    }
    if without_query > 0 {
        println!("{without_query} rules have no query to parse (machine-learning jobs, metadata-only rules)");
    }
    println!(
        "{} files in {:.2}s wall ({} threads); {} unknown, {} unreadable (throughput per language is per core)",
        files.len(),
        wall.as_secs_f64(),
        rayon_threads(),
        unknown.len(),
        unreadable.len()
    );
    for file in &unreadable {
        println!(
            "  unreadable: {}: {}",
            file.path.display(),
            file.read_error.as_deref().unwrap_or("")
        );
    }
    if !unknown.is_empty() && wanted.is_empty() {
        let shown = if args.list_unknown {
            unknown.len()
        } else {
            unknown.len().min(20)
        };
        for file in &unknown[..shown] {
            println!("  unknown: {}", file.path.display());
        }
        if shown < unknown.len() {
            println!(
                "  … and {} more unknown files (--list-unknown shows all)",
                unknown.len() - shown
            );
        }
    }
    let summaries: Vec<LanguageSummary> = languages.into_values().collect();
    Ok(exit_code(args, &summaries, &unreadable))
}

/// The exit status: 1 when a gate failed, when `--strict` found errors, or
/// when a file could not be read (unless `--allow-unreadable`), saying why
/// on stderr.
fn exit_code(
    args: &CheckArgs,
    summaries: &[LanguageSummary],
    unreadable: &[&LoadedFile],
) -> ExitCode {
    let mut ok = gate(args, summaries) & strict_passed(args, summaries);
    if !unreadable.is_empty() && !args.allow_unreadable {
        eprintln!(
            "ruledex: {} file(s) could not be read, so their rules went unchecked (--allow-unreadable accepts that); first: {}: {}",
            unreadable.len(),
            unreadable[0].path.display(),
            unreadable[0].read_error.as_deref().unwrap_or_default()
        );
        ok = false;
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Under `--strict`, whether every checked rule is free of errors; says how
/// many are not on stderr. Without `--strict` errors only count through the
/// parse-rate gate: a catalog of other people's rules tolerates some.
fn strict_passed(args: &CheckArgs, summaries: &[LanguageSummary]) -> bool {
    let failed: usize = summaries.iter().map(|s| s.failed).sum();
    if !args.strict || failed == 0 {
        return true;
    }
    eprintln!("ruledex: --strict: {failed} checked rule(s) have errors");
    false
}

const ALL_CLASSES: [ruledex_ir::RuleClass; 6] = [
    ruledex_ir::RuleClass::Hunting,
    ruledex_ir::RuleClass::BuildingBlock,
    ruledex_ir::RuleClass::Deprecated,
    ruledex_ir::RuleClass::AlertForwarding,
    ruledex_ir::RuleClass::Correlation,
    ruledex_ir::RuleClass::Filter,
];

/// The language a rule is checked under: its query's. A rule that has no
/// query and no error (a machine-learning job, a metadata-only rule) has
/// nothing to parse and is not counted; a rule that failed to load counts
/// as a failure of its format's language.
fn checked_language(rule: &Rule) -> Option<Language> {
    match &rule.query {
        Some(q) => Some(q.language),
        None if !rule.parsed() => Some(rule.language),
        None => None,
    }
}

fn rayon_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn rate(s: &LanguageSummary) -> f64 {
    if s.rules == 0 {
        0.0
    } else {
        100.0 * s.parsed as f64 / s.rules as f64
    }
}

/// Whether every checked language passes `--min-parse-rate` (true without
/// one); says which failed on stderr.
fn gate(args: &CheckArgs, summaries: &[LanguageSummary]) -> bool {
    let Some(min) = args.min_parse_rate else {
        return true;
    };
    let mut ok = true;
    for s in summaries {
        if s.rules == 0 {
            eprintln!("ruledex: gate failed: no {} rules found", s.language);
            ok = false;
        } else if rate(s) < min {
            eprintln!(
                "ruledex: gate failed: {} parse rate {:.2}% < {min}%",
                s.language,
                rate(s)
            );
            ok = false;
        }
    }
    ok
}

fn file_report(file: &LoadedFile) -> FileReport<'_> {
    FileReport {
        path: file.path.display().to_string(),
        format: file.format,
        language: file.rules.first().map(|r| r.language.id()),
        rules: file.rules.len(),
        errors: file
            .rules
            .iter()
            .flat_map(|r| &r.diagnostics)
            .filter(|d| d.is_error())
            .count(),
        read_error: file.read_error.as_deref(),
    }
}

fn print_diagnostics(files: &[LoadedFile], args: &CheckArgs, selected: &dyn Fn(&Rule) -> bool) {
    for file in files {
        let shown: Vec<_> = file
            .rules
            .iter()
            .filter(|r| selected(r))
            .flat_map(|r| &r.diagnostics)
            .filter(|d| d.is_error() || args.warnings)
            .collect();
        if shown.is_empty() {
            continue;
        }
        let text = std::fs::read_to_string(&file.path).unwrap_or_default();
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let path = file.path.display().to_string();
        for diagnostic in shown {
            print!("{}", diagnostic.render(&path, text));
        }
    }
}
