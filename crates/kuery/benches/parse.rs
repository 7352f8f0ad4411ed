//! Parse and analyze speed on the fixtures and on one long generated query.
//!
//! `cargo bench -p ruledex-kuery` (the whole-corpus comparison of all Elastic
//! languages is `tools/bench/elastic-langs`).

use ruledex_ir::OffsetMap;

fn main() {
    divan::main();
}

fn fixtures() -> Vec<String> {
    ruledex_testkit::fixtures(env!("CARGO_MANIFEST_DIR"), "kuery", 10)
}

fn long_query() -> String {
    "process.name : (\"a.exe\" or b*) and not user.name : *svc* or ".repeat(200) + "x : y"
}

/// Parse every fixture once.
#[divan::bench]
fn parse_fixtures(bencher: divan::Bencher) {
    let queries = fixtures();
    let bytes: usize = queries.iter().map(String::len).sum();
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .bench(|| {
            for q in &queries {
                divan::black_box(ruledex_kuery::parse(divan::black_box(q)));
            }
        });
}

/// Parse and lower every fixture once.
#[divan::bench]
fn analyze_fixtures(bencher: divan::Bencher) {
    let queries = fixtures();
    let bytes: usize = queries.iter().map(String::len).sum();
    let map = OffsetMap::identity();
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .bench(|| {
            for q in &queries {
                divan::black_box(ruledex_kuery::analyze(divan::black_box(q), &map));
            }
        });
}

/// One long query (hundreds of clauses).
#[divan::bench]
fn analyze_long_query(bencher: divan::Bencher) {
    let query = long_query();
    let map = OffsetMap::identity();
    bencher
        .counter(divan::counter::BytesCount::new(query.len()))
        .bench(|| divan::black_box(ruledex_kuery::analyze(divan::black_box(&query), &map)));
}
