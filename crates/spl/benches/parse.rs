//! Parse and analyze benchmarks.
//!
//! `cargo bench -p ruledex-spl --bench parse`
//!
//! The `corpus` benchmarks load every file of the Splunk corpus folder
//! (`../shared/corpus/splunk__security_content`, when it exists next to the
//! workspace) through [`SecurityContentFormat`], the way ingest does: YAML,
//! metadata, macro expansion, parsing and lowering. The `fixtures` ones use
//! the in-tree fixtures and always run.

use ruledex_ir::{OffsetMap, RuleFormat, SourceFile};
use ruledex_spl::SecurityContentFormat;
use std::path::Path;

fn main() {
    divan::main();
}

fn fixture_searches() -> Vec<String> {
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

/// `(relative path, text)` of every YAML file of the Splunk corpus.
fn corpus_files() -> Vec<(String, String)> {
    ruledex_testkit::corpus_files(env!("CARGO_MANIFEST_DIR"), "splunk__security_content", None)
}

#[divan::bench]
fn fixtures_parse(bencher: divan::Bencher) {
    let searches = fixture_searches();
    let bytes: usize = searches.iter().map(String::len).sum();
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .bench(|| {
            for s in &searches {
                divan::black_box(ruledex_spl::parse(s));
            }
        });
}

#[divan::bench]
fn fixtures_analyze(bencher: divan::Bencher) {
    let searches = fixture_searches();
    bencher.bench(|| {
        for s in &searches {
            divan::black_box(ruledex_spl::analyze(s, &OffsetMap::identity()));
        }
    });
}

/// The whole Splunk corpus folder loaded as ingest loads it (one thread);
/// the counter is in rules.
#[divan::bench(sample_count = 10)]
fn corpus_load(bencher: divan::Bencher) {
    let files = corpus_files();
    let format = SecurityContentFormat;
    bencher
        .counter(divan::counter::ItemsCount::new(files.len()))
        .bench(|| {
            for (path, text) in &files {
                let file = SourceFile::standalone(path, text);
                if format.sniff(&file) {
                    divan::black_box(format.load(&file));
                }
            }
        });
}

#[divan::bench]
fn long_or_chain(bencher: divan::Bencher) {
    let search = format!("`sysmon` {}x=1", "Image=\"*\\\\x.exe\" OR ".repeat(5_000));
    bencher.bench(|| divan::black_box(ruledex_spl::analyze(&search, &OffsetMap::identity())));
}
