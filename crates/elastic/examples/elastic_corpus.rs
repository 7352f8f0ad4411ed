//! Load every `.toml` file under a folder with the Elastic loader and print
//! per-language counts and parse rates (a rule parses when it has no error
//! diagnostic; rules whose language has no analyzer in this build are
//! counted as "not analyzed").
//!
//! `cargo run --release -p ruledex-elastic --example elastic_corpus -- DIR [--errors]`
//! `cargo run --release -p ruledex-elastic --example elastic_corpus -- --show FILE`
//! prints the rules of one file as JSON; `--stats` adds counts of indicator
//! kinds and of predicate leaves kept as calls or opaque text.

use ruledex_elastic::ElasticFormat;
use ruledex_ir::{DiagnosticSeverity, RuleClass, RuleFormat, SourceFile};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

#[derive(Default)]
struct Tally {
    rules: usize,
    parsed: usize,
    not_analyzed: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(root) = args.get(1) else {
        eprintln!("usage: elastic_corpus DIR [--errors]");
        std::process::exit(2);
    };
    if root == "--show" {
        let path = args.get(2).map_or("", String::as_str);
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let rules = ElasticFormat.load(&SourceFile::standalone(path, &text));
        println!(
            "{}",
            serde_json::to_string_pretty(&rules).unwrap_or_default()
        );
        return;
    }
    let show_errors = args.iter().any(|a| a == "--errors");
    let stats = args.iter().any(|a| a == "--stats");
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut files = Vec::new();
    walk(Path::new(root), &mut files);
    let mut by_class: BTreeMap<String, Tally> = BTreeMap::new();
    let mut unknown = 0usize;
    let start = std::time::Instant::now();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let rel = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let file = SourceFile::standalone(&rel, &text);
        if !ElasticFormat.sniff(&file) {
            unknown += 1;
            continue;
        }
        for rule in ElasticFormat.load(&file) {
            let bucket = match &rule.query {
                Some(q) => q.language.id().to_string(),
                None if rule.kind.as_deref() == Some("machine_learning") => "ml".to_string(),
                None => "no query".to_string(),
            };
            let bucket = if rule.has_class(RuleClass::Hunting) {
                format!("hunting {bucket}")
            } else {
                bucket
            };
            let tally = by_class.entry(bucket).or_default();
            tally.rules += 1;
            if rule.parsed() {
                tally.parsed += 1;
            } else if show_errors {
                for d in rule
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == DiagnosticSeverity::Error)
                {
                    println!("{}", d.headline(&rel));
                }
            }
            if stats {
                for i in &rule.indicators {
                    *kinds.entry(format!("indicator {}", i.kind)).or_default() += 1;
                }
                for stage in &rule.stages {
                    if let Some(p) = &stage.predicate {
                        p.visit_leaves(|leaf, _| {
                            let name = match leaf {
                                ruledex_ir::Predicate::Call(c) => format!("call {}", c.name),
                                ruledex_ir::Predicate::Opaque { .. } => "opaque".to_string(),
                                _ => return,
                            };
                            *kinds.entry(name).or_default() += 1;
                        });
                    }
                }
            }
            if rule.diagnostics.iter().any(|d| d.code == "ELA010") {
                tally.not_analyzed += 1;
            }
        }
    }
    println!("files: {} ({} not Elastic rules)", files.len(), unknown);
    for (bucket, t) in &by_class {
        println!(
            "{bucket:>16}: {:>5} rules, {:>5} parsed ({:.2}%), {} not analyzed in this build",
            t.rules,
            t.parsed,
            100.0 * t.parsed as f64 / t.rules.max(1) as f64,
            t.not_analyzed
        );
    }
    for (kind, count) in &kinds {
        println!("{kind:>24}: {count}");
    }
    println!("elapsed: {:.3}s", start.elapsed().as_secs_f64());
}
