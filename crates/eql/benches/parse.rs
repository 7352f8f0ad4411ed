//! Parse and analyze benchmarks.
//!
//! `cargo bench -p ruledex-eql --bench parse`
//!
//! The `corpus` benchmarks use every EQL query of the Elastic corpus when
//! `../shared/corpus/elastic__detection-rules` exists next to the workspace
//! (found by a plain text scan, so this crate needs no TOML parser); the
//! `fixtures` ones use the in-tree fixtures and always run.

use ruledex_ir::OffsetMap;
use std::path::{Path, PathBuf};

fn main() {
    divan::main();
}

fn fixture_queries() -> Vec<String> {
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

fn corpus_root() -> Option<PathBuf> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        "../../../shared/corpus/elastic__detection-rules",
        "../../../../shared/corpus/elastic__detection-rules",
    ]
    .iter()
    .map(|rel| base.join(rel))
    .find(|p| p.is_dir())
}

/// EQL queries of the corpus: `'''` query values of files whose language
/// is EQL.
fn corpus_queries() -> Vec<String> {
    let Some(root) = corpus_root() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let is_eql =
                text.contains("language = \"eql\"") || text.contains("language = [\"EQL\"]");
            if !is_eql {
                continue;
            }
            let mut rest = text.as_str();
            while let Some(start) = rest.find("'''") {
                let body = &rest[start + 3..];
                let Some(end) = body.find("'''") else { break };
                let query = body[..end].trim_start_matches('\n');
                let before = rest[..start].trim_end();
                if before.ends_with("query =") || before.ends_with('[') || before.ends_with(',') {
                    out.push(query.to_string());
                }
                rest = &body[end + 3..];
            }
        }
    }
    out
}

#[divan::bench]
fn fixtures_parse(bencher: divan::Bencher) {
    let queries = fixture_queries();
    let bytes: usize = queries.iter().map(String::len).sum();
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .bench(|| {
            for q in &queries {
                divan::black_box(ruledex_eql::parse(q));
            }
        });
}

#[divan::bench]
fn fixtures_analyze(bencher: divan::Bencher) {
    let queries = fixture_queries();
    bencher.bench(|| {
        for q in &queries {
            divan::black_box(ruledex_eql::analyze(q, &OffsetMap::identity()));
        }
    });
}

#[divan::bench(sample_count = 20)]
fn corpus_parse(bencher: divan::Bencher) {
    let queries = corpus_queries();
    let bytes: usize = queries.iter().map(String::len).sum();
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .bench(|| {
            for q in &queries {
                divan::black_box(ruledex_eql::parse(q));
            }
        });
}

#[divan::bench(sample_count = 20)]
fn corpus_analyze(bencher: divan::Bencher) {
    let queries = corpus_queries();
    bencher.bench(|| {
        for q in &queries {
            divan::black_box(ruledex_eql::analyze(q, &OffsetMap::identity()));
        }
    });
}

#[divan::bench]
fn long_or_chain(bencher: divan::Bencher) {
    let query = format!(
        "process where {}a : \"x\"",
        "process.name : \"x*\" or ".repeat(5_000)
    );
    bencher.bench(|| divan::black_box(ruledex_eql::analyze(&query, &OffsetMap::identity())));
}
