//! Parse and load benchmarks.
//!
//! `cargo bench -p ruledex-yaral --bench parse`
//!
//! The `corpus` benchmark loads every `.yaral` file of the Chronicle corpus
//! folder (`../shared/corpus/chronicle__detection-rules`, when it exists
//! next to the workspace) through [`YaralFormat`], the way ingest does:
//! parsing, lowering and metadata. The `fixtures` ones use the in-tree
//! fixtures and always run.

use ruledex_ir::{RuleFormat, SourceFile};
use ruledex_yaral::YaralFormat;
use std::path::Path;

fn main() {
    divan::main();
}

fn fixture_rules() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// `(relative path, text)` of every `.yaral` file of the Chronicle corpus.
fn corpus_files() -> Vec<(String, String)> {
    ruledex_testkit::corpus_files(
        env!("CARGO_MANIFEST_DIR"),
        "chronicle__detection-rules",
        Some("yaral"),
    )
}

#[divan::bench]
fn fixtures_parse(bencher: divan::Bencher) {
    let rules = fixture_rules();
    let bytes: usize = rules.iter().map(String::len).sum();
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .bench(|| {
            for r in &rules {
                divan::black_box(ruledex_yaral::parse(r));
            }
        });
}

#[divan::bench]
fn fixtures_load(bencher: divan::Bencher) {
    let rules = fixture_rules();
    bencher.bench(|| {
        for r in &rules {
            divan::black_box(YaralFormat.load(&SourceFile::standalone("r.yaral", r)));
        }
    });
}

/// The whole Chronicle corpus folder loaded as ingest loads it (one
/// thread); the counter is in files.
#[divan::bench(sample_count = 10)]
fn corpus_load(bencher: divan::Bencher) {
    let files = corpus_files();
    bencher
        .counter(divan::counter::ItemsCount::new(files.len()))
        .bench(|| {
            for (path, text) in &files {
                divan::black_box(YaralFormat.load(&SourceFile::standalone(path, text)));
            }
        });
}

#[divan::bench]
fn long_or_chain(bencher: divan::Bencher) {
    let rule = format!(
        "rule r {{ events: {}$e.target.port = 1 condition: $e }}",
        "$e.target.port = 4444 or ".repeat(5_000)
    );
    bencher.bench(|| divan::black_box(YaralFormat.load(&SourceFile::standalone("r.yaral", &rule))));
}
